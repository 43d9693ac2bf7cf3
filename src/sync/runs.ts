import { and, desc, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { isUniqueViolation } from "../db/errors.js";
import { integrations, syncRuns } from "../db/schema.js";
import { badInput } from "../errors.js";
import type { SyncMode } from "./collection-sync.js";

export type SyncRun = typeof syncRuns.$inferSelect;
export type SyncTrigger = SyncRun["trigger"];
export type SyncRunResult = Pick<
  SyncRun,
  | "status"
  | "message"
  | "objectsFetched"
  | "occurrencesSeen"
  | "entriesCreated"
  | "entriesUpdated"
  | "entriesDeleted"
  | "entriesUnchanged"
  | "conflictsKept"
  | "withheldDeletions"
  | "skipped"
  | "requests"
  | "bytesReceived"
  | "errors"
  | "warnings"
  | "errorCode"
  | "retryAfterMs"
  | "calendars"
>;

/** A RUNNING run whose heartbeat is older than this was interrupted (its process died). */
export const STALE_RUN_MS = 2 * 60_000;
export const HEARTBEAT_MS = 15_000;
export const MAX_RUN_ERRORS = 50;

/**
 * The sync history, and the per-integration lock: a partial unique index allows one RUNNING run
 * per integration, in any number of processes. A run left RUNNING by a dead process is marked
 * ERROR once its heartbeat is stale, and the lock is free again.
 */
export class SyncRunStore {
  constructor(private readonly db: Db) {}

  /** Starts a run, or returns the run already going for this integration. */
  async start(integrationId: string, mode: SyncMode, trigger: SyncTrigger, now = new Date()): Promise<{ run: SyncRun; started: boolean }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const [run] = await this.db.insert(syncRuns).values({ integrationId, mode, trigger, startedAt: now, heartbeatAt: now }).returning();
        return { run: run!, started: true };
      } catch (error) {
        if (!isUniqueViolation(error, "sync_runs_one_running")) throw error;
      }
      const [running] = await this.db
        .select()
        .from(syncRuns)
        .where(and(eq(syncRuns.integrationId, integrationId), eq(syncRuns.status, "RUNNING")));
      if (running && now.getTime() - running.heartbeatAt.getTime() < STALE_RUN_MS) return { run: running, started: false };
      if (running) await this.markInterrupted(running.id, now);
    }
    throw new Error(`could not start a sync run for integration ${integrationId}`);
  }

  async heartbeat(runId: string, now = new Date()): Promise<void> {
    await this.db.update(syncRuns).set({ heartbeatAt: now }).where(and(eq(syncRuns.id, runId), eq(syncRuns.status, "RUNNING")));
  }

  /** Records the outcome and mirrors it on the integration's lastSync* fields. */
  async finish(run: SyncRun, result: SyncRunResult, now = new Date()): Promise<SyncRun> {
    const errors = result.errors.slice(0, MAX_RUN_ERRORS);
    const [finished] = await this.db
      .update(syncRuns)
      .set({ ...result, errors, finishedAt: now, durationMs: now.getTime() - run.startedAt.getTime() })
      .where(eq(syncRuns.id, run.id))
      .returning();
    await this.db
      .update(integrations)
      .set({
        lastSyncAt: now,
        lastSyncStatus: result.status,
        lastError: result.status === "SUCCESS" ? null : result.message,
      })
      .where(eq(integrations.id, run.integrationId));
    return finished!;
  }

  /** At start-up and before taking over: runs whose process died are failed, not left RUNNING. */
  async failStaleRuns(now = new Date(), olderThanMs = STALE_RUN_MS): Promise<number> {
    const stale = await this.db
      .select({ id: syncRuns.id })
      .from(syncRuns)
      .where(and(eq(syncRuns.status, "RUNNING"), lt(syncRuns.heartbeatAt, new Date(now.getTime() - olderThanMs))));
    for (const { id } of stale) await this.markInterrupted(id, now);
    return stale.length;
  }

  async get(integrationId: string, runId: string): Promise<SyncRun | null> {
    const [run] = await this.db.select().from(syncRuns).where(and(eq(syncRuns.integrationId, integrationId), eq(syncRuns.id, runId)));
    return run ?? null;
  }

  /** A run by its id alone, when it is of one of the user's integrations. */
  async getOfUser(userId: string, runId: string): Promise<SyncRun | null> {
    const [row] = await this.db
      .select({ run: syncRuns })
      .from(syncRuns)
      .innerJoin(integrations, eq(integrations.id, syncRuns.integrationId))
      .where(and(eq(integrations.userId, userId), eq(syncRuns.id, runId)));
    return row?.run ?? null;
  }

  /** Newest first; `after` is the id of the last run of the previous page. */
  async list(integrationId: string, first: number, after: string | null): Promise<{ runs: SyncRun[]; hasNextPage: boolean }> {
    if (first < 1 || first > 100) throw badInput("first", "must be from 1 to 100");
    let cursor: SyncRun | null = null;
    if (after) {
      cursor = await this.get(integrationId, after);
      if (!cursor) throw badInput("after", "is not a cursor returned by this API");
    }
    const rows = await this.db
      .select()
      .from(syncRuns)
      .where(
        and(
          eq(syncRuns.integrationId, integrationId),
          cursor
            ? or(lt(syncRuns.startedAt, cursor.startedAt), and(eq(syncRuns.startedAt, cursor.startedAt), lt(syncRuns.id, cursor.id)))
            : undefined,
        ),
      )
      .orderBy(desc(syncRuns.startedAt), desc(syncRuns.id))
      .limit(first + 1);
    return { runs: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  /** The newest run of each integration, in one query (CalDAVIntegration.lastSyncRun of a list). */
  async latestOf(integrationIds: string[]): Promise<Map<string, SyncRun>> {
    if (integrationIds.length === 0) return new Map();
    const rows = await this.db
      .selectDistinctOn([syncRuns.integrationId])
      .from(syncRuns)
      .where(inArray(syncRuns.integrationId, integrationIds))
      .orderBy(syncRuns.integrationId, desc(syncRuns.startedAt), desc(syncRuns.id));
    return new Map(rows.map((run) => [run.integrationId, run]));
  }


  private async markInterrupted(runId: string, now: Date): Promise<void> {
    const [run] = await this.db
      .update(syncRuns)
      .set({
        status: "ERROR",
        message: "Interrupted: the server running this sync stopped before it finished. What it wrote is consistent, and the next sync completes the work.",
        finishedAt: now,
        durationMs: sql`(extract(epoch from (${now.toISOString()}::timestamptz - ${syncRuns.startedAt})) * 1000)::int`,
      })
      .where(and(eq(syncRuns.id, runId), eq(syncRuns.status, "RUNNING")))
      .returning();
    if (run) {
      await this.db
        .update(integrations)
        .set({ lastSyncAt: now, lastSyncStatus: "ERROR", lastError: run.message })
        .where(eq(integrations.id, run.integrationId));
    }
  }
}
