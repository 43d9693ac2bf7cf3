/**
 * One sync of one integration, like vdirsyncer's sync():
 *
 *   1. download  per calendar, the changes since the last sync, each calendar on its own
 *                (./download.ts); a calendar that fails keeps its state and entries.
 *   2. expand    every occurrence in the window, from the mirror as it will be (./expand.ts).
 *   3. plan      a planning strategy (./strategies.ts) compares the desired entries with the links
 *                of earlier imports (./plan.ts): pure.
 *   4. apply     mirror, plan and sync state in short transactions that re-check what the plan
 *                assumed (./apply.ts).
 *   5. outcome   per calendar and for the run (./outcome.ts).
 *
 * No transaction is open during steps 1 to 3: other requests never wait on a sync's thinking.
 */
import { and, eq } from "drizzle-orm";
import { CalDAVError, discoverCalendars, listObjects, sameCalendarUrl, userMessageFor, type CalDAVHttpClient } from "../caldav/index.js";
import type { Db } from "../db/client.js";
import { integrationCalendars } from "../db/schema.js";
import type { CalDAVAccess } from "../integrations/caldav-access.js";
import type { Integration, IntegrationService } from "../integrations/service.js";
import type { Logger } from "../logger.js";
import type { ProjectService } from "../projects/service.js";
import type { UserService } from "../users/service.js";
import { applyPlan, type AppliedPlan, type MirrorChange } from "./apply.js";
import type { CollectionChanges, SyncMode } from "./collection-sync.js";
import { expandContext } from "./context.js";
import { downloadCalendars, MirrorListings, type CalendarDownload } from "./download.js";
import { expandCalendars, type SyncWindow } from "./expand.js";
import { liveLinksFrom, selectedCalendars, type Calendar } from "./mirror.js";
import { syncMemos, type MemoObject } from "./object-cache.js";
import { emptyResult, failedCalendar, plannedCalendars, summarize } from "./outcome.js";
import type { PlanInput, SyncPlan } from "./plan.js";
import { HEARTBEAT_MS, type SyncRun, type SyncRunResult, type SyncRunStore } from "./runs.js";
import { PLANNING_STRATEGIES, rememberedSync, UNCHANGED, type Planned, type PlanningInputs, type PlanningStrategyName } from "./strategies.js";
import { syncWindow } from "../time-window.js";


export interface SyncOptions {
  mode: SyncMode;
  /** FULL only: lets the deletion guards through (the user confirmed the deletions). */
  confirmDeletions: boolean;
}

export interface SyncEngineDeps {
  db: Db;
  caldav: CalDAVAccess;
  integrations: IntegrationService;
  projects: ProjectService;
  users: UserService;
  runs: SyncRunStore;
  log: Logger;
  clock?: () => Date;
}

export class SyncEngine {
  private readonly db: Db;
  private readonly clock: () => Date;

  constructor(private readonly deps: SyncEngineDeps) {
    this.db = deps.db;
    this.clock = deps.clock ?? (() => new Date());
  }

  /** Runs the sync for a started `run` and records its outcome. Never throws for a server problem. */
  async execute(run: SyncRun, integration: Integration, options: SyncOptions): Promise<SyncRun> {
    const { runs, integrations, caldav } = this.deps;
    const client = caldav.connect(integrations.credentialsOf(integration));
    const heartbeat = setInterval(() => void runs.heartbeat(run.id).catch(() => {}), HEARTBEAT_MS);
    heartbeat.unref();
    const log = this.deps.log.child({ integrationId: integration.id, runId: run.id });
    let result: SyncRunResult;
    const trace = new SyncTrace();
    try {
      result = await this.sync(client, integration, options, trace);
    } catch (error) {
      syncMemos.delete(integration.id);
      if (!(error instanceof CalDAVError)) log.error({ err: error }, "sync failed");
      else log.info({ errorCode: error.code, status: error.status, detail: error.detail }, "sync failed at the CalDAV server");
      result = {
        ...emptyResult(),
        status: "ERROR",
        message: error instanceof CalDAVError ? userMessageFor(error) : "The sync failed because of an internal error; what it wrote is consistent, and the next sync completes the work. It is logged with this run's id.",
        errorCode: error instanceof CalDAVError ? error.code : null,
        retryAfterMs: error instanceof CalDAVError ? (error.retryAfterMs ?? null) : null,
      };
    } finally {
      clearInterval(heartbeat);
      await client.close();
    }
    result.requests = client.stats.requests;
    result.bytesReceived = client.stats.bytesReceived;
    // The run's record is history in real time, like its start and heartbeats; the clock only
    // places the sync's window.
    const finished = await runs.finish(run, result);
    log.info({ status: finished.status, created: finished.entriesCreated, updated: finished.entriesUpdated, deleted: finished.entriesDeleted, requests: finished.requests, durationMs: finished.durationMs, ...trace.fields(), serverWaitMs: Math.round(client.stats.waitMs) }, "sync finished");
    return finished;
  }

  /** Download, choose a planning strategy, plan, apply; then say what happened. */
  private async sync(client: CalDAVHttpClient, integration: Integration, options: SyncOptions, trace: SyncTrace): Promise<SyncRunResult> {
    const result = emptyResult();
    const notes: string[] = [];
    trace.enter("calendars");
    const calendars = await this.calendarsToSync(client, integration, notes);
    if (calendars.length === 0) {
      return { ...result, status: "ERROR", message: "No calendar to sync: the account has no calendar that can hold events. Create one on the server, or select one with configureCalDAVIntegration." };
    }

    trace.enter("download");
    const mirrors = new MirrorListings(this.db);
    const downloads = await downloadCalendars(client, calendars, mirrors, options.mode);
    const failed = downloads.filter((d): d is CalendarDownload & { error: CalDAVError } => d.error !== null);
    result.calendars = failed.map(failedCalendar);
    if (failed.length === downloads.length) return allCalendarsFailed(result, failed);
    const synced = downloads.filter((d): d is CalendarDownload & { changes: CollectionChanges } => d.changes !== null);
    const changes = new Map(synced.map((d) => [d.calendar.id, d.changes]));
    for (const change of changes.values()) {
      result.objectsFetched += change.upserts.length;
      notes.push(...change.notes);
    }

    const window = this.windowOf(integration);
    if (integration.ownAddresses === null) integration = { ...integration, ownAddresses: await this.deps.integrations.refreshOwnAddresses(client, integration) };
    const context = await expandContext(integration, synced.map((d) => d.calendar), this.deps.projects, this.deps.users);
    const memo = failed.length === 0 && options.mode === "INCREMENTAL" ? rememberedSync(integration, calendars, context, window) : null;
    const fastPath = memo ? UNCHANGED.plan(memo, changes, context, window, result) : null;

    let strategy: PlanningStrategyName = "UNCHANGED";
    let plan: SyncPlan;
    let applied: AppliedPlan = { created: 0, updated: 0, relinked: 0, deleted: 0, conflictsKept: 0, staleLinks: [] };
    let unavailable = new Set<string>();
    let desiredIn = (calendarId: string) => fastPath?.unchangedIn.get(calendarId) ?? 0;
    let cacheKeys: MemoObject[] | null = null;
    if (fastPath) {
      plan = fastPath.plan;
      trace.plannedObjects = 0;
    } else {
      trace.enter("expand");
      const expansion = await expandCalendars(this.db, this.deps.log, context, changes, mirrors, window, result);
      ({ unavailable, cacheKeys } = expansion);
      const counts = countBy(expansion.desired, (entry) => entry.calendarId);
      desiredIn = (calendarId) => counts.get(calendarId) ?? 0;
      trace.enter("plan");
      const input: PlanInput = {
        desired: expansion.desired,
        existing: [],
        window,
        calendars: synced.map((d) => ({ calendarId: d.calendar.id, url: d.calendar.url, listedObjectCount: d.changes.objectCount ?? mirrors.sizeOf(d.calendar.id) ?? 0 })),
        unreachedCalendars: failed.map((d) => ({ calendarId: d.calendar.id, url: d.calendar.url })),
        confirmDeletions: options.mode === "FULL" && options.confirmDeletions,
      };
      let plannedObjects: number | null;
      ({ strategy, plan, plannedObjects } = await choosePlan({ db: this.db, changes, expansion, input, memo }));
      trace.plannedObjects = plannedObjects;
      trace.enter("apply");
      applied = await applyPlan(this.db, integration.userId, plan, mirrorChanges(changes, unavailable));
    }
    trace.enter("finish");
    trace.strategy = strategy;

    result.calendars.push(...plannedCalendars(synced, strategy, plan, applied, desiredIn, unavailable));
    result.entriesCreated = applied.created;
    result.entriesUpdated = applied.updated;
    result.entriesDeleted = applied.deleted;
    result.entriesUnchanged = plan.unchanged + plan.relinks.length;
    result.conflictsKept = applied.conflictsKept + applied.staleLinks.length;
    result.withheldDeletions = plan.guard ? plan.guard.withheldDeletes + plan.guard.withheldConflicts : 0;
    for (const duplicate of plan.duplicates) {
      result.errors.push({ href: duplicate.href, uid: duplicate.uid, message: "Another calendar object has the same UID and RECURRENCE-ID; only one was imported." });
    }
    const heldElsewhere = heldElsewhereNotes(plan, calendars);
    if (heldElsewhere.starts.length > 0) {
      result.skipped.DUPLICATE = (result.skipped.DUPLICATE ?? 0) + heldElsewhere.starts.length;
      result.warnings.push(...heldElsewhere.warnings);
    }
    const missing = synced.some((d) => d.changes.missing.length > 0);
    const partial = plan.guard !== null || result.errors.length > 0 || failed.length > 0 || missing;
    if (fastPath) {
      // the remembered sync still describes the stored side
    } else if (!partial && unavailable.size === 0 && applied.staleLinks.length === 0 && cacheKeys) {
      syncMemos.set(integration.id, {
        fingerprint: context.fingerprint,
        states: new Map([...changes].map(([id, change]) => [id, change.state])),
        objects: cacheKeys,
        windowStart: window.start.getTime(),
        windowEnd: window.end.getTime(),
        linksAhead: await liveLinksFrom(this.db, [...changes.keys()], window.end),
        heldElsewhere,
      });
    } else {
      syncMemos.delete(integration.id);
    }
    const failures = failed.map((d) => `The calendar ${d.calendar.url} could not be synced and keeps its entries as they were: ${userMessageFor(d.error)}`);
    const missingNotes = synced.flatMap((d) => (d.changes.missing.length > 0 ? [`${d.calendar.url}: ${result.calendars.find((c) => c.url === d.calendar.url)?.message}`] : []));
    return { ...result, status: partial ? "PARTIAL" : "SUCCESS", message: summarize(plan, applied, result, [...failures, ...missingNotes, ...notes]) };
  }

  private windowOf(integration: Integration): SyncWindow {
    return syncWindow(this.clock(), integration.lookbackDays, integration.lookaheadDays);
  }

  /**
   * The selected calendars; with only a server URL and none selected, the first calendar that
   * holds events (and no other integration of the user syncs) is selected, marked autoSelected,
   * and the run says which.
   */
  private async calendarsToSync(client: CalDAVHttpClient, integration: Integration, notes: string[]): Promise<Calendar[]> {
    const selected = await selectedCalendars(this.db, integration.id);
    if (selected.length > 0 || !integration.serverUrl) return selected;
    const discovered = (await discoverCalendars(client, integration.serverUrl)).filter((c) => c.supportsEvents);
    await this.deps.integrations.rememberCalendars(integration.id, discovered);
    // A calendar another integration of the user syncs is not chosen: its events would count twice.
    const elsewhere = await this.deps.integrations.calendarsSyncedElsewhere(integration.userId, integration.id);
    const candidates = discovered.filter((c) => !elsewhere.some((other) => sameCalendarUrl(other.url, c.url)));
    let choice = candidates[0];
    for (const candidate of candidates) {
      if ((await listObjects(client, candidate.url)).length > 0) {
        choice = candidate;
        break;
      }
    }
    if (!choice) return [];
    await this.db
      .update(integrationCalendars)
      .set({ selected: true, autoSelected: true, updatedAt: new Date() })
      .where(and(eq(integrationCalendars.integrationId, integration.id), eq(integrationCalendars.url, choice.url)));
    notes.push(`No calendar was selected, so "${choice.displayName ?? choice.url}" (${choice.url}) was selected: the first one that holds events. Choose others with configureCalDAVIntegration.`);
    return selectedCalendars(this.db, integration.id);
  }
}

/** The plan of the first strategy that applies (COMPLETE always does). */
async function choosePlan(inputs: PlanningInputs): Promise<Planned & { strategy: PlanningStrategyName }> {
  for (const strategy of PLANNING_STRATEGIES) {
    const planned = await strategy.plan(inputs);
    if (planned) return { strategy: strategy.name, ...planned };
  }
  throw new Error("choosePlan: no planning strategy applied; COMPLETE always should");
}

/**
 * What to store of each calendar's download. An object we could not read may be a glitch (a
 * truncated or mangled answer) or really broken: its row loses its etag and its calendar its sync
 * state, so the next sync lists the calendar and downloads it again.
 */
function mirrorChanges(changes: ReadonlyMap<string, CollectionChanges>, unavailable: ReadonlySet<string>): MirrorChange[] {
  return [...changes].map(([calendarId, change]) => {
    const unreadable = [...unavailable].filter((key) => key.startsWith(`${calendarId} `)).map((key) => key.slice(calendarId.length + 1));
    return { calendarId, upserts: change.upserts, deletions: change.deletions, unreadable, state: unreadable.length > 0 ? { ctag: null, syncToken: null } : change.state };
  });
}

/**
 * Every calendar failed: the run is an ERROR carrying the first failure's code (the scheduler backs
 * off by it) and its message, then the URLs of the calendars that failed.
 */
function allCalendarsFailed(result: SyncRunResult, failed: readonly (CalendarDownload & { error: CalDAVError })[]): SyncRunResult {
  const [first] = failed;
  const urls = failed.map((d) => d.calendar.url).join(", ");
  const message = `${userMessageFor(first!.error)} Nothing was changed; calendar${failed.length === 1 ? "" : "s"} not synced: ${urls}.`;
  return { ...result, status: "ERROR", message, errorCode: first!.error.code, retryAfterMs: first!.error.retryAfterMs ?? null };
}

/**
 * Occurrences skipped because another calendar of the integration holds them: their starts (the
 * DUPLICATE count) and one warning per event and pair of calendars, naming the calendar holding
 * the imported entry.
 */
function heldElsewhereNotes(plan: SyncPlan, calendars: readonly Calendar[]): { starts: number[]; warnings: string[] } {
  const urlOf = new Map(calendars.map((c) => [c.id, c.url]));
  const warnings = new Set<string>();
  for (const { desired, heldIn } of plan.heldElsewhere) {
    warnings.add(`The event "${desired.uid}" is in ${urlOf.get(desired.calendarId)} and in ${urlOf.get(heldIn)}; it was imported once, from ${urlOf.get(heldIn)}.`);
  }
  return { starts: plan.heldElsewhere.map((h) => h.desired.start.getTime()), warnings: [...warnings] };
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** How a sync went, for the log line an operator reads when a sync is slow: wall time per step, the strategy and the plan's scope. */
class SyncTrace {
  /** objects whose keys were planned; null: all of them */
  plannedObjects: number | null = null;
  strategy: PlanningStrategyName | null = null;
  private readonly ms: Record<string, number> = {};
  private current: string | null = null;
  private since = performance.now();
  enter(phase: string): void {
    const now = performance.now();
    if (this.current) this.ms[this.current] = (this.ms[this.current] ?? 0) + now - this.since;
    this.current = phase;
    this.since = now;
  }
  fields(): { phasesMs: Record<string, number>; plannedObjects: number | "all"; strategy: PlanningStrategyName | null } {
    this.enter("finish");
    return { phasesMs: Object.fromEntries(Object.entries(this.ms).map(([k, v]) => [k, Math.round(v)])), plannedObjects: this.plannedObjects ?? "all", strategy: this.strategy };
  }
}
