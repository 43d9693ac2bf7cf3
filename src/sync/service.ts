import { notFound } from "../errors.js";
import type { Integration, IntegrationService } from "../integrations/service.js";
import type { SyncMode } from "./collection-sync.js";
import type { SyncEngine } from "./engine.js";
import type { SyncRun, SyncRunStore, SyncTrigger } from "./runs.js";

/** How long syncNow waits for its run before answering with the run still RUNNING. */
export const SYNC_NOW_WAIT_MS = 25_000;

export interface SyncRequest {
  mode: SyncMode;
  trigger: SyncTrigger;
  confirmDeletions?: boolean;
}

export class SyncService {
  /** Runs started by this process, so a second caller can wait for the same run. */
  private readonly inFlight = new Map<string, Promise<SyncRun>>();

  constructor(
    private readonly integrations: IntegrationService,
    private readonly runs: SyncRunStore,
    private readonly engine: SyncEngine,
    private readonly onRunFinished: (run: SyncRun) => void = () => {},
    private readonly waitMs = SYNC_NOW_WAIT_MS,
  ) {}

  /**
   * Starts a sync, or joins the one already running for this integration (never two at once), and
   * waits for it a while: a finished run comes back with its counts, a long one as RUNNING (poll
   * syncRuns for its outcome).
   */
  async syncNow(userId: string, integrationId: string, request: SyncRequest): Promise<SyncRun> {
    const integration = await this.integrations.get(userId, integrationId);
    const { run, started } = await this.runs.start(integration.id, request.mode, request.trigger);
    const done = started ? this.execute(run, integration, request) : this.inFlight.get(run.id);
    if (!done) return run;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), this.waitMs)));
    const finished = await Promise.race([done, timeout]).finally(() => clearTimeout(timer));
    return finished ?? (await this.runs.get(integration.id, run.id)) ?? run;
  }

  /**
   * A scheduled sync of an integration the scheduler claimed: runs to the end, or answers null
   * when another sync of it (a manual one, another instance's) is running.
   */
  async syncScheduled(integration: Integration): Promise<SyncRun | null> {
    const { run, started } = await this.runs.start(integration.id, "INCREMENTAL", "SCHEDULED");
    return started ? this.execute(run, integration, { mode: "INCREMENTAL", trigger: "SCHEDULED" }) : null;
  }

  private execute(run: SyncRun, integration: Integration, request: SyncRequest): Promise<SyncRun> {
    const done = this.engine
      .execute(run, integration, { mode: request.mode, confirmDeletions: request.confirmDeletions ?? false })
      .then((finished) => {
        this.onRunFinished(finished);
        return finished;
      })
      .finally(() => this.inFlight.delete(run.id));
    this.inFlight.set(run.id, done);
    return done;
  }

  /** Runs of running syncs still in this process, for a graceful shutdown. */
  running(): Promise<SyncRun>[] {
    return [...this.inFlight.values()];
  }

  /** One sync run of one of the user's integrations, by its id alone (a client polling after syncNow). */
  async syncRun(userId: string, runId: string): Promise<SyncRun> {
    const run = await this.runs.getOfUser(userId, runId);
    if (!run) throw notFound("Sync run");
    return run;
  }

  async list(userId: string, integrationId: string, first: number, after: string | null) {
    await this.integrations.get(userId, integrationId);
    return this.runs.list(integrationId, first, after);
  }

  /** Newest run per integration; the ids must be the caller's (the resolver passes its own roots). */
  latestOf(integrationIds: string[]): Promise<Map<string, SyncRun>> {
    return this.runs.latestOf(integrationIds);
  }
}
