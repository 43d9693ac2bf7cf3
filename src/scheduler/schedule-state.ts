/**
 * The one writer of an integration's scheduling state: `next_sync_at`, `consecutive_failures`,
 * `consecutive_auth_failures` and `paused_reason`. The scheduler claims, records outcomes and
 * releases claims here; the integrations service asks for a fresh schedule when the user changes
 * or resumes an integration. Nothing else writes these columns.
 */
import { and, eq, inArray, isNotNull, isNull, lte, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { integrations } from "../db/schema.js";
import { firstDueAt, nextDueAt, type BackoffPolicy, type Random } from "./schedule.js";

type Integration = typeof integrations.$inferSelect;

const isDue = (now: Date) => and(isNotNull(integrations.autoSyncIntervalMinutes), isNull(integrations.pausedReason), lte(integrations.nextSyncAt, now));

/**
 * Claims up to `limit` due integrations, oldest due first: `FOR UPDATE SKIP LOCKED`, and in the
 * same statement moves each a lease ahead, so no other instance (nor this one) claims it again
 * until its outcome is recorded or the lease runs out.
 */
export function claimDue(db: Db, limit: number, now: Date, leaseMs: number): Promise<Integration[]> {
  const due = db.select({ id: integrations.id }).from(integrations).where(isDue(now)).orderBy(integrations.nextSyncAt).limit(limit).for("update", { skipLocked: true });
  return db
    .update(integrations)
    .set({ nextSyncAt: new Date(now.getTime() + leaseMs) })
    .where(sql`${integrations.id} in (${due})`)
    .returning();
}

export interface RunOutcome {
  failed: boolean;
  authFailed: boolean;
  retryAfterMs: number | null;
}

export interface OutcomePolicy {
  /** Consecutive AUTH_FAILED runs before scheduled syncs pause. */
  pauseAfterAuthFailures: number;
  backoff: BackoffPolicy;
  random?: Random;
}

/**
 * Sets the next due time after a scheduled run of a claimed integration: the interval after a
 * success, backoff after failures, a pause after repeated failed logins. Only while the claim
 * stands: a reconfiguration meanwhile set a new schedule, which wins. Returns whether it paused.
 */
export async function recordOutcome(db: Db, claimed: Integration, outcome: RunOutcome, now: Date, policy: OutcomePolicy): Promise<{ paused: boolean; authFailures: number }> {
  const failures = outcome.failed ? claimed.consecutiveFailures + 1 : 0;
  const authFailures = outcome.authFailed ? claimed.consecutiveAuthFailures + 1 : 0;
  const paused = authFailures >= policy.pauseAfterAuthFailures;
  const next = nextDueAt(now, claimed.autoSyncIntervalMinutes!, { failed: outcome.failed, consecutiveFailures: failures, retryAfterMs: outcome.retryAfterMs }, policy.backoff, policy.random);
  await db
    .update(integrations)
    .set({
      consecutiveFailures: failures,
      consecutiveAuthFailures: authFailures,
      nextSyncAt: next,
      ...(paused
        ? {
            pausedReason: `Scheduled syncs are paused: the server refused the login ${authFailures} times in a row. Update the password (configureCalDAVIntegration) or resume with resumeIntegration.`,
          }
        : {}),
    })
    .where(and(eq(integrations.id, claimed.id), eq(integrations.nextSyncAt, claimed.nextSyncAt!)));
  return { paused, authFailures };
}

/** Makes claimed integrations due now, for another instance (or the next start) to take. */
export async function releaseClaims(db: Db, ids: string[], now: Date): Promise<void> {
  if (ids.length > 0) await db.update(integrations).set({ nextSyncAt: now }).where(inArray(integrations.id, ids));
}

/** Due integrations no instance has claimed, for the backlog metric. */
export function countDue(db: Db, now = new Date()): Promise<number> {
  return db.$count(integrations, isDue(now));
}

/**
 * The schedule after the user changed (`previous` is the row before, null when just created) or
 * resumed an integration. Any change ends a pause and the failure counts. A new interval gets a
 * first due time spread over one interval; an unchanged one keeps its due time, or is due now when
 * the integration was paused or failing (the user just fixed something). Returns the row as stored,
 * with `updated_at` moved: it is the user's change.
 */
export async function scheduleAfterUserChange(db: Db, integration: Integration, previous: Integration | null, now: Date): Promise<Integration> {
  const [row] = await db
    .update(integrations)
    .set({ pausedReason: null, consecutiveFailures: 0, consecutiveAuthFailures: 0, nextSyncAt: nextSyncAfterChange(integration.autoSyncIntervalMinutes, previous, now), updatedAt: now })
    .where(and(eq(integrations.userId, integration.userId), eq(integrations.id, integration.id)))
    .returning();
  return row!;
}

function nextSyncAfterChange(intervalMinutes: number | null, previous: Integration | null, now: Date): Date | null {
  if (intervalMinutes === null) return null;
  if (!previous || previous.autoSyncIntervalMinutes !== intervalMinutes || !previous.nextSyncAt) return firstDueAt(now, intervalMinutes);
  const troubled = previous.pausedReason !== null || previous.consecutiveFailures > 0;
  return troubled ? now : previous.nextSyncAt;
}
