/**
 * Scheduled syncs, shared by any number of instances through PostgreSQL.
 *
 * An instance claims due integrations (src/scheduler/schedule-state.ts: `FOR UPDATE SKIP LOCKED`,
 * each claimed one moved a lease ahead in the same statement) up to its free concurrency, and
 * syncs them. Two instances never claim the same integration for the same due time: the row lock
 * serialises the claims and the moved due time hides it from the next one. The sync itself takes
 * the per-integration run lock (src/sync/runs.ts) that manual syncs take too.
 *
 * While work is due the instance stays busy: a slot that frees is filled by a new claim at once,
 * as long as the last claim found as many due integrations as it asked for. Only when a claim
 * comes back short (nothing more is due) does the instance wait for the poll interval, which
 * therefore governs how soon new due work is noticed, not how fast a backlog is worked off.
 *
 * An instance that dies stops renewing its run's heartbeat; when its lease expires another
 * instance claims the integration, finds the run stale, marks it ERROR ("interrupted") and syncs.
 * After each run the outcome sets the next due time: the interval after a success, exponential
 * backoff after failures (honouring Retry-After), and after N failed logins in a row the
 * integration is paused (NEEDS_ATTENTION) until the user reconfigures or resumes it.
 */
import type { Db } from "../db/client.js";
import type { integrations } from "../db/schema.js";
import type { Logger } from "../logger.js";
import type { SyncService } from "../sync/service.js";
import { DEFAULT_BACKOFF, type BackoffPolicy, type Random } from "./schedule.js";
import { claimDue, recordOutcome, releaseClaims } from "./schedule-state.js";

export { countDue } from "./schedule-state.js";

type Integration = typeof integrations.$inferSelect;

/** What the scheduler needs of the sync service. */
export type ScheduledSyncs = Pick<SyncService, "syncScheduled">;

export interface SchedulerOptions {
  /** Parallel syncs in this instance (SYNC_CONCURRENCY). */
  concurrency: number;
  /** How often an instance with nothing due looks for new due work (SCHEDULER_POLL_MS). */
  pollIntervalMs: number;
  /** How long a claim hides an integration from other instances. */
  leaseMs: number;
  /** Consecutive AUTH_FAILED runs before scheduled syncs pause. */
  pauseAfterAuthFailures: number;
  backoff?: BackoffPolicy;
  clock?: () => Date;
  random?: Random;
}

export interface SchedulerStats {
  /** Polls: claims started by the poll timer (including the first one at start). */
  polls: number;
  /** Claims started because a slot freed while more work was due. */
  refills: number;
}

export class Scheduler {
  readonly stats: SchedulerStats = { polls: 0, refills: 0 };
  private readonly running = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private stopped = false;
  /** Claims run one at a time, in order: this is the last one queued. */
  private claims: Promise<unknown> = Promise.resolve();
  /** The last claim filled every slot it asked for: more may be due. */
  private backlog = false;
  private refillQueued = false;
  private readonly clock: () => Date;

  constructor(
    private readonly db: Db,
    private readonly sync: ScheduledSyncs,
    private readonly log: Logger,
    private readonly options: SchedulerOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** Polls now and every pollIntervalMs after, and refills freed slots while work is due, until stop(). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.poll();
  }

  /** Claims due integrations up to the free concurrency and starts their syncs; returns how many. */
  tick(): Promise<number> {
    const claim = this.claims.then(() => this.claimIntoFreeSlots());
    this.claims = claim.catch(() => undefined);
    return claim;
  }

  /** Stops claiming; waits up to `graceMs` for running syncs; releases what is still running. */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.claims;
    const grace = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), graceMs).unref());
    const outcome = await Promise.race([Promise.allSettled(this.running.values()).then(() => "done" as const), grace]);
    if (outcome === "timeout" && this.running.size > 0) {
      // Due again now: another instance (or the next start) takes them; their runs are failed as
      // interrupted once their heartbeat is stale.
      const ids = [...this.running.keys()];
      await releaseClaims(this.db, ids, this.clock());
      this.log.warn({ integrations: ids }, "released running syncs at shutdown");
    }
  }

  /** Number of syncs this instance is running now. */
  get active(): number {
    return this.running.size;
  }

  /** Waits for the syncs this instance runs now (tests). */
  async idle(): Promise<void> {
    await Promise.allSettled(this.running.values());
  }

  private poll(): void {
    this.timer = null;
    this.stats.polls++;
    void this.tick()
      .catch((error: unknown) => this.log.error({ err: error }, "scheduler poll failed"))
      .finally(() => {
        if (!this.stopped) this.timer = setTimeout(() => this.poll(), this.options.pollIntervalMs);
      });
  }

  /** A slot freed: claim again at once while the last claim suggests more is due. */
  private refill(): void {
    if (!this.started || this.stopped || !this.backlog || this.refillQueued || this.running.size >= this.options.concurrency) return;
    this.refillQueued = true;
    this.stats.refills++;
    void this.tick()
      .catch((error: unknown) => this.log.error({ err: error }, "scheduler claim failed"))
      .finally(() => {
        this.refillQueued = false;
        // Slots that freed while this claim ran.
        this.refill();
      });
  }

  private async claimIntoFreeSlots(): Promise<number> {
    const free = this.options.concurrency - this.running.size;
    if (free <= 0 || this.stopped) return 0;
    // A claim that fails (database away) must not be retried at once by every freed slot: until
    // a claim succeeds, only the poll tries again.
    this.backlog = false;
    const claimed = await claimDue(this.db, free, this.clock(), this.options.leaseMs);
    this.backlog = claimed.length === free;
    for (const integration of claimed) {
      const work = this.runOne(integration).finally(() => {
        this.running.delete(integration.id);
        this.refill();
      });
      this.running.set(integration.id, work);
    }
    return claimed.length;
  }

  private async runOne(integration: Integration): Promise<void> {
    try {
      const run = await this.sync.syncScheduled(integration);
      // null: another sync of it is running; the lease brings it back if that one dies.
      if (!run) return;
      const { paused, authFailures } = await recordOutcome(
        this.db,
        integration,
        { failed: run.status === "ERROR", authFailed: run.errorCode === "AUTH_FAILED", retryAfterMs: run.retryAfterMs },
        this.clock(),
        { pauseAfterAuthFailures: this.options.pauseAfterAuthFailures, backoff: this.options.backoff ?? DEFAULT_BACKOFF, random: this.options.random },
      );
      if (paused) this.log.warn({ integrationId: integration.id, authFailures }, "paused scheduled syncs after repeated login failures");
    } catch (error) {
      this.log.error({ err: error, integrationId: integration.id }, "scheduled sync failed");
    }
  }
}
