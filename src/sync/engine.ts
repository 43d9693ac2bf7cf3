/**
 * One sync of one integration, start to finish:
 *
 *   1. calendars   the selected calendars; with only a server URL and none selected, the first
 *                  calendar that holds events is selected (and the run says which).
 *   2. download    per calendar, the changes since the last sync (./collection-sync.ts); no
 *                  database writes yet.
 *   3. desired     every occurrence in the window, expanded by us from the mirror as it will be
 *                  (src/caldav/ical), matched to projects (src/projects/match.ts).
 *   4. plan        desired occurrences against existing links (./plan.ts): pure. After a sync
 *                  this process remembers, only the keys of the objects that changed since. Into
 *                  calendars without links, planned per object while expanding (./plan-import.ts).
 *   5. apply       mirror, sync state and the plan in one transaction (./apply.ts).
 *
 * A failure before step 5 writes nothing but the run's record; the next sync starts over.
 */
import { and, eq } from "drizzle-orm";
import { CalDAVError, discoverCalendars, listObjects, userMessageFor, type CalDAVHttpClient } from "../caldav/index.js";
import { expandCalendarObject, IcsParseError, type ExpandOptions } from "../caldav/ical/index.js";
import type { Db } from "../db/client.js";
import { integrationCalendars, projects, users } from "../db/schema.js";
import type { CalDAVAccess } from "../integrations/caldav-access.js";
import type { Integration, IntegrationService } from "../integrations/service.js";
import type { Logger } from "../logger.js";
import { createProjectMatcher, type ProjectMatcher } from "../projects/match.js";
import { applySync } from "./apply.js";
import { fetchCollectionChanges, type CollectionChanges, type SyncMode } from "./collection-sync.js";
import { buildDesiredEntries, type DesiredEntry } from "./desired.js";
import { anyLinks, existingLinks, guardedLinkCounts, linksOf, mirrorEtags, objectData, selectedCalendars } from "./mirror.js";
import { dataHash, EXPANSION_PAD_MS, expansionCache, expansionKey, syncMemos, type CachedExpansion, type MemoObject, type SyncMemo } from "./object-cache.js";
import { compareStrings, occurrenceKey, planSync, type ExistingLink, type PlanInput, type SyncPlan } from "./plan.js";
import { ImportPlanner } from "./plan-import.js";
import { HEARTBEAT_MS, type SyncRun, type SyncRunResult, type SyncRunStore } from "./runs.js";

const DAY_MS = 24 * 3600_000;
const MAX_WARNINGS = 50;
/** ≈ 10–20 ms of expansion between two turns of the event loop. */
const YIELD_EVERY_OBJECTS = 100;
/** Creates of an import sent as one batch while expansion goes on (≈ 750 objects' worth). */
const STREAMED_CREATES_BATCH = 2000;

export interface SyncOptions {
  mode: SyncMode;
  /** FULL only: lets the mass-delete guards through (the user confirmed the deletions). */
  confirmMassDeletion: boolean;
}

type Calendar = typeof integrationCalendars.$inferSelect;

export class SyncEngine {
  constructor(
    private readonly db: Db,
    private readonly caldav: CalDAVAccess,
    private readonly integrations: IntegrationService,
    private readonly runs: SyncRunStore,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Runs the sync for a started `run` and records its outcome. Never throws for a server problem. */
  async execute(run: SyncRun, integration: Integration, options: SyncOptions): Promise<SyncRun> {
    const client = this.caldav.connect(this.integrations.credentialsOf(integration));
    const heartbeat = setInterval(() => void this.runs.heartbeat(run.id).catch(() => {}), HEARTBEAT_MS);
    heartbeat.unref();
    const log = this.log.child({ integrationId: integration.id, runId: run.id });
    let result: SyncRunResult;
    const trace = new SyncTrace();
    try {
      result = await this.sync(client, integration, options, trace);
    } catch (error) {
      if (!(error instanceof CalDAVError)) log.error({ err: error }, "sync failed");
      else log.info({ errorCode: error.code, status: error.status, detail: error.detail }, "sync failed at the CalDAV server");
      result = {
        ...emptyResult(),
        status: "ERROR",
        message: error instanceof CalDAVError ? userMessageFor(error) : "The sync failed because of an internal error; nothing was changed. It is logged with this run's id.",
        errorCode: error instanceof CalDAVError ? error.code : null,
        retryAfterMs: error instanceof CalDAVError ? (error.retryAfterMs ?? null) : null,
      };
    } finally {
      clearInterval(heartbeat);
      await client.close();
    }
    result.requests = client.stats.requests;
    result.bytesReceived = client.stats.bytesReceived;
    const finished = await this.runs.finish(run, result, this.clock());
    log.info({ status: finished.status, created: finished.entriesCreated, updated: finished.entriesUpdated, deleted: finished.entriesDeleted, requests: finished.requests, durationMs: finished.durationMs, ...trace.fields(), serverWaitMs: Math.round(client.stats.waitMs) }, "sync finished");
    return finished;
  }

  private async sync(client: CalDAVHttpClient, integration: Integration, options: SyncOptions, trace: SyncTrace): Promise<SyncRunResult> {
    const result = emptyResult();
    const notes: string[] = [];
    trace.enter("calendars");
    const calendars = await this.calendarsToSync(client, integration, notes);
    if (calendars.length === 0) {
      return { ...result, status: "ERROR", message: "No calendar to sync: the account has no calendar that can hold events." };
    }

    // Mirror listings (href → etag) are read only when needed: not at all when nothing changed.
    const mirrors = new Map<string, Map<string, string | null>>();
    const loadMirror = async (calendarId: string) => {
      let mirror = mirrors.get(calendarId);
      if (!mirror) mirrors.set(calendarId, (mirror = await mirrorEtags(this.db, calendarId)));
      return mirror;
    };
    const changes = new Map<string, CollectionChanges>();
    trace.enter("download");
    for (const calendar of calendars) {
      const change = await fetchCollectionChanges(client, calendar.url, { ctag: calendar.ctag, syncToken: calendar.syncToken }, () => loadMirror(calendar.id), options.mode);
      changes.set(calendar.id, change);
      result.objectsFetched += change.upserts.length;
      notes.push(...change.notes);
    }

    const now = this.clock();
    const window = { start: new Date(now.getTime() - integration.lookbackDays * DAY_MS), end: new Date(now.getTime() + integration.lookaheadDays * DAY_MS) };
    const context = await this.expandContext(integration, calendars);

    const memo = options.mode === "INCREMENTAL" ? rememberedSync(integration, calendars, context, window) : null;
    if (memo) {
      const skipped = this.unchangedSinceLastSync(memo, calendars, changes, context, window, result, notes);
      if (skipped) {
        trace.plannedObjects = 0;
        return skipped;
      }
    }

    trace.enter("expand");
    const objects = await this.mirrorIndex(changes, loadMirror);
    const inputs = await this.expansionInputs(context, objects, window);
    const { plan, failedObjects, cacheKeys } = await applySync(this.db, integration.userId, changes, async (tx, early) => {
      // Into calendars without links (a first import), creates are final as soon as their object
      // is expanded: they are written while the next objects expand (./plan-import.ts).
      const importer = memo === null && !(await anyLinks(tx, calendars.map((c) => c.id))) ? new ImportPlanner() : null;
      const pending: DesiredEntry[] = [];
      const streamCreates = importer
        ? (entries: DesiredEntry[]) => {
            pending.push(...importer.add(entries));
            if (pending.length >= STREAMED_CREATES_BATCH) early.create(pending.splice(0));
          }
        : undefined;
      if (importer) objects.sort((a, b) => compareStrings(a.href, b.href));
      const { desired, failedObjects, cacheKeys } = await this.desiredEntries(context, objects, inputs, window, result, streamCreates);
      trace.enter("plan");
      if (importer) {
        early.create(pending.splice(0));
        markUnreadable(changes, failedObjects);
        trace.enter("apply");
        return { plan: importer.finish(), failedObjects, cacheKeys };
      }
      const input: PlanInput = {
        desired,
        existing: [],
        window,
        calendars: calendars.map((c) => ({ calendarId: c.id, listedObjectCount: changes.get(c.id)!.objectCount ?? mirrors.get(c.id)?.size ?? 0 })),
        confirmMassDeletion: options.mode === "FULL" && options.confirmMassDeletion,
      };
      const changed = memo && failedObjects.size === 0 ? changedObjects(memo, changes, cacheKeys, desired) : null;
      if (changed) {
        trace.plannedObjects = [...changed.values()].reduce((n, hrefs) => n + hrefs.size, 0);
        Object.assign(input, await scopedPlanInput(tx, input, changed));
      } else {
        input.existing = (await existingLinks(tx, calendars.map((c) => c.id))).filter((link) => !failedObjects.has(`${link.calendarId} ${link.href}`));
      }
      const plan = planSync(input);
      // A scoped plan was not shown the desired entries outside its scope: all of them unchanged.
      plan.unchanged += desired.length - input.desired.length;
      markUnreadable(changes, failedObjects);
      trace.enter("apply");
      return { plan, failedObjects, cacheKeys };
    });
    trace.enter("finish");

    result.entriesCreated = plan.creates.length;
    result.entriesUpdated = plan.updates.length;
    result.entriesDeleted = plan.deletes.length;
    result.entriesUnchanged = plan.unchanged;
    result.conflictsKept = plan.conflictsKept.length;
    for (const duplicate of plan.duplicates) {
      result.errors.push({ href: duplicate.href, uid: duplicate.uid, message: "Another calendar object has the same UID and RECURRENCE-ID; only one was imported." });
    }
    const partial = plan.guard !== null || result.errors.length > 0;
    if (!partial && failedObjects.size === 0 && cacheKeys) {
      syncMemos.set(integration.id, {
        fingerprint: context.fingerprint,
        states: new Map([...changes].map(([id, change]) => [id, change.state])),
        objects: cacheKeys,
        windowStart: window.start.getTime(),
        windowEnd: window.end.getTime(),
      });
    } else {
      syncMemos.delete(integration.id);
    }
    return { ...result, status: partial ? "PARTIAL" : "SUCCESS", message: summarize(plan, result, notes) };
  }

  /**
   * The fast path of an INCREMENTAL sync: when every calendar is unchanged on the server, its stored
   * state is the one the last (fully successful) sync of this process wrote, settings and projects
   * are the same, and no occurrence starts in the part of the window that is new since then, the
   * plan would be empty. The result is counted from the cached expansions; nothing is read or written.
   * Returns null when any of that does not hold.
   */
  private unchangedSinceLastSync(
    memo: SyncMemo,
    calendars: Calendar[],
    changes: Map<string, CollectionChanges>,
    context: ExpandContext,
    window: { start: Date; end: Date },
    result: SyncRunResult,
    notes: string[],
  ): SyncRunResult | null {
    if (calendars.some((calendar) => changes.get(calendar.id)!.strategy !== "UNCHANGED")) return null;
    const ws = window.start.getTime();
    const we = window.end.getTime();
    const counted = emptyResult();
    let unchanged = 0;
    for (const { calendarId, key } of memo.objects) {
      const cached = expansionCache.get(key);
      if (!cached || cached.windowStart > ws || cached.windowEnd < we || cached.desiredKey !== context.desiredKeyOf(calendarId) || !cached.desired) return null;
      for (const entry of cached.desired) {
        const t = entry.start.getTime();
        // An occurrence that entered the window since the last sync: plan it properly.
        if (t >= memo.windowEnd && t < we) return null;
        if (t >= ws && t < we) unchanged++;
      }
      countExpansion(cached, ws, we, counted);
    }
    memo.windowEnd = we;
    result.occurrencesSeen = counted.occurrencesSeen;
    result.skipped = counted.skipped;
    result.warnings = counted.warnings;
    result.entriesUnchanged = unchanged;
    const plan: SyncPlan = { creates: [], updates: [], deletes: [], conflictsKept: [], unchanged, duplicates: [], guard: null };
    return { ...result, status: "SUCCESS", message: summarize(plan, result, notes) };
  }

  /** What the calendars hold once `changes` are applied: (calendar, href, etag), with data for what was downloaded. */
  private async mirrorIndex(changes: Map<string, CollectionChanges>, loadMirror: (calendarId: string) => Promise<Map<string, string | null>>): Promise<MirrorEntry[]> {
    const out: MirrorEntry[] = [];
    for (const [calendarId, change] of changes) {
      const stored = await loadMirror(calendarId);
      const byHref = new Map<string, MirrorEntry>();
      for (const [href, etag] of stored) byHref.set(href, { calendarId, href, etag, data: null });
      for (const href of change.deletions) byHref.delete(href);
      for (const object of change.upserts) byHref.set(object.key, { calendarId, href: object.key, etag: object.etag, data: object.data });
      out.push(...byHref.values());
    }
    return out;
  }

  private async expandContext(integration: Integration, calendars: Calendar[]): Promise<ExpandContext> {
    const activeProjects = await this.db
      .select({ id: projects.id, name: projects.name })
      .from(projects)
      .where(and(eq(projects.userId, integration.userId), eq(projects.archived, false)));
    const active = new Set(activeProjects.map((p) => p.id));
    const matcher = createProjectMatcher(activeProjects);
    const [owner] = await this.db.select({ email: users.email }).from(users).where(eq(users.id, integration.userId));
    const expandOptions = {
      defaultZone: integration.timezone,
      importAllDay: integration.importAllDay,
      allDayStart: integration.allDayStart,
      allDayHours: integration.allDayHours,
      skipFreeEvents: integration.skipFreeEvents,
      attendeeIdentities: [integration.username, owner?.email ?? ""].filter(Boolean).map((s) => s.toLowerCase()),
    };
    const defaultProjectOf = new Map(
      calendars.map((c) => {
        const own = c.defaultProjectId && active.has(c.defaultProjectId) ? c.defaultProjectId : null;
        const fallback = integration.defaultProjectId && active.has(integration.defaultProjectId) ? integration.defaultProjectId : null;
        return [c.id, own ?? fallback];
      }),
    );
    const optionsKey = JSON.stringify(expandOptions);
    const projectsKey = JSON.stringify(activeProjects.map((p) => [p.id, p.name]).sort());
    return {
      expandOptions,
      optionsKey,
      matcher,
      defaultProjectOf,
      desiredKeyOf: (calendarId) => `${projectsKey}|${defaultProjectOf.get(calendarId) ?? ""}`,
      fingerprint: JSON.stringify([optionsKey, projectsKey, [...defaultProjectOf].sort(), integration.lookbackDays, integration.lookaheadDays]),
    };
  }

  /**
   * What expanding the objects needs from the database, read before the sync's transaction: the
   * cached expansions still valid for each object (same etag, and data when we hold it, same options,
   * a window covering this one), and the stored data of the objects the cache cannot answer.
   */
  private async expansionInputs(context: ExpandContext, objects: MirrorEntry[], window: { start: Date; end: Date }): Promise<ExpansionInputs> {
    const ws = window.start.getTime();
    const we = window.end.getTime();
    let cacheKeys: MemoObject[] | null = [];
    const hits = new Map<MirrorEntry, CachedExpansion>();
    const missing = new Map<string, MirrorEntry[]>();
    for (const object of objects) {
      const key = object.etag === null ? null : expansionKey(object.calendarId, object.href, object.etag, context.optionsKey);
      if (key === null) cacheKeys = null;
      else cacheKeys?.push({ calendarId: object.calendarId, href: object.href, key });
      const cached = key === null ? undefined : expansionCache.get(key);
      if (cached && cached.windowStart <= ws && cached.windowEnd >= we && (object.data === null || cached.dataHash === dataHash(object.data))) {
        hits.set(object, cached);
      } else if (object.data === null) {
        let list = missing.get(object.calendarId);
        if (!list) missing.set(object.calendarId, (list = []));
        list.push(object);
      }
    }
    for (const [calendarId, list] of missing) {
      const data = await objectData(this.db, calendarId, list.map((o) => o.href));
      for (const object of list) object.data = data.get(object.href) ?? null;
    }
    return { hits, cacheKeys };
  }

  /**
   * Expands every object of the synced calendars (or takes its cached expansion); an object that
   * cannot be parsed is skipped with an error. Yields to the event loop every few objects, so the
   * process stays responsive and the transaction's writes already sent go on meanwhile.
   */
  private async desiredEntries(
    context: ExpandContext,
    objects: MirrorEntry[],
    { hits, cacheKeys }: ExpansionInputs,
    window: { start: Date; end: Date },
    result: SyncRunResult,
    /** called with each expanded object's entries in the window, in the order of `objects` */
    onObject?: (entries: DesiredEntry[]) => void,
  ): Promise<{ desired: DesiredEntry[]; failedObjects: Set<string>; cacheKeys: MemoObject[] | null }> {
    const ws = window.start.getTime();
    const we = window.end.getTime();
    const expandOptions = { ...context.expandOptions, windowStart: window.start, windowEnd: new Date(we + EXPANSION_PAD_MS) };
    const desired: DesiredEntry[] = [];
    const failedObjects = new Set<string>();
    let expanded = 0;
    for (const object of objects) {
      let cached = hits.get(object);
      if (!cached && ++expanded % YIELD_EVERY_OBJECTS === 0) await new Promise((resolve) => setImmediate(resolve));
      if (!cached) {
        if (object.data === null) continue; // vanished from the mirror between two reads: next sync
        try {
          cached = {
            windowStart: ws,
            windowEnd: we + EXPANSION_PAD_MS,
            dataHash: dataHash(object.data),
            result: expandCalendarObject(object.data, expandOptions),
            desired: null,
            desiredKey: null,
          };
          if (object.etag !== null) expansionCache.set(expansionKey(object.calendarId, object.href, object.etag, context.optionsKey), cached);
        } catch (error) {
          // One unreadable object must not stop the others; its earlier entries stay as they are
          // until it can be read again.
          if (!(error instanceof IcsParseError)) this.log.warn({ err: error, href: object.href }, "calendar object failed to expand");
          failedObjects.add(`${object.calendarId} ${object.href}`);
          result.skipped.PARSE_ERROR = (result.skipped.PARSE_ERROR ?? 0) + 1;
          const message = error instanceof IcsParseError ? error.message : "This calendar object could not be expanded.";
          result.errors.push({ href: object.href, uid: uidIn(object.data), message });
          continue;
        }
      }
      const desiredKey = context.desiredKeyOf(object.calendarId);
      if (cached.desiredKey !== desiredKey || !cached.desired) {
        cached.desired = buildDesiredEntries(
          { calendarId: object.calendarId, href: object.href, etag: object.etag, defaultProjectId: context.defaultProjectOf.get(object.calendarId) ?? null },
          cached.result.occurrences,
          context.matcher,
        );
        cached.desiredKey = desiredKey;
      }
      countExpansion(cached, ws, we, result);
      const first = desired.length;
      for (const entry of cached.desired) {
        const t = entry.start.getTime();
        if (t >= ws && t < we) desired.push(entry);
      }
      onObject?.(desired.slice(first));
    }
    return { desired, failedObjects, cacheKeys };
  }

  private async calendarsToSync(client: CalDAVHttpClient, integration: Integration, notes: string[]): Promise<Calendar[]> {
    const selected = await selectedCalendars(this.db, integration.id);
    if (selected.length > 0 || !integration.serverUrl) return selected;
    const discovered = (await discoverCalendars(client, integration.serverUrl)).filter((c) => c.supportsEvents);
    await this.integrations.rememberCalendars(integration.id, discovered);
    let choice = discovered[0];
    for (const candidate of discovered) {
      if ((await listObjects(client, candidate.url)).length > 0) {
        choice = candidate;
        break;
      }
    }
    if (!choice) return [];
    await this.db
      .update(integrationCalendars)
      .set({ selected: true, updatedAt: new Date() })
      .where(and(eq(integrationCalendars.integrationId, integration.id), eq(integrationCalendars.url, choice.url)));
    notes.push(`No calendar was selected, so "${choice.displayName ?? choice.url}" (${choice.url}) was selected: the first one that holds events. Choose others with configureCalDAVIntegration.`);
    return selectedCalendars(this.db, integration.id);
  }
}

interface ExpansionInputs {
  hits: Map<MirrorEntry, CachedExpansion>;
  /** every object's cache key; null when some object has no etag (then nothing is remembered) */
  cacheKeys: MemoObject[] | null;
}

interface MirrorEntry {
  calendarId: string;
  href: string;
  etag: string | null;
  /** null until read (only objects the cache cannot answer are read) */
  data: string | null;
}

interface ExpandContext {
  expandOptions: Omit<ExpandOptions, "windowStart" | "windowEnd">;
  optionsKey: string;
  matcher: ProjectMatcher;
  defaultProjectOf: Map<string, string | null>;
  /** what the desired entries of an object of this calendar depend on besides the object */
  desiredKeyOf(calendarId: string): string;
  /** everything besides the objects and the window that the plan depends on */
  fingerprint: string;
}

/**
 * The plan input for the keys of the changed objects only: their desired entries, the links of
 * their hrefs and UIDs, every desired entry sharing a key with those (duplicates across objects),
 * and the counts the mass-delete guard needs from all links.
 */
async function scopedPlanInput(db: Db, input: PlanInput, changed: Map<string, Set<string>>): Promise<Pick<PlanInput, "desired" | "existing" | "guardedLinkCounts">> {
  const existing: ExistingLink[] = [];
  const keys = new Set<string>();
  for (const [calendarId, hrefs] of changed) {
    const uids = new Set<string>();
    for (const entry of input.desired) {
      if (entry.calendarId !== calendarId || !hrefs.has(entry.href)) continue;
      uids.add(entry.uid);
      keys.add(occurrenceKey(entry));
    }
    const links = await linksOf(db, calendarId, [...hrefs], [...uids]);
    for (const link of links) keys.add(occurrenceKey(link));
    existing.push(...links);
  }
  return {
    desired: input.desired.filter((entry) => keys.has(occurrenceKey(entry))),
    existing,
    guardedLinkCounts: await guardedLinkCounts(db, input.calendars.map((c) => c.calendarId), input.window),
  };
}

/**
 * The last fully successful sync of this integration in this process, if the stored side is still
 * what it wrote: the same settings and projects, the calendars' stored states as it left them (no
 * other process synced since), and a window that did not move back.
 */
function rememberedSync(integration: Integration, calendars: Calendar[], context: ExpandContext, window: { start: Date; end: Date }): SyncMemo | null {
  const memo = syncMemos.get(integration.id);
  if (!memo || memo.fingerprint !== context.fingerprint || memo.states.size !== calendars.length) return null;
  if (window.start.getTime() < memo.windowStart) return null;
  for (const calendar of calendars) {
    const remembered = memo.states.get(calendar.id);
    if (!remembered || remembered.ctag !== calendar.ctag || remembered.syncToken !== calendar.syncToken) return null;
  }
  return memo;
}

/**
 * The objects whose keys need planning after the remembered sync, per calendar (hrefs): the ones
 * downloaded or deleted now, and the ones with an occurrence that entered the window since. Every
 * other object must be the one the remembered sync planned (same href and cache key, which holds
 * the etag), so its keys would come out NOTHING; if that cannot be shown, null: plan everything.
 */
function changedObjects(memo: SyncMemo, changes: Map<string, CollectionChanges>, current: MemoObject[] | null, desired: DesiredEntry[]): Map<string, Set<string>> | null {
  if (current === null) return null;
  const changed = new Map<string, Set<string>>();
  const mark = (calendarId: string, href: string) => {
    let hrefs = changed.get(calendarId);
    if (!hrefs) changed.set(calendarId, (hrefs = new Set()));
    hrefs.add(href);
  };
  for (const [calendarId, change] of changes) {
    for (const object of change.upserts) mark(calendarId, object.key);
    for (const href of change.deletions) mark(calendarId, href);
  }
  for (const entry of desired) if (entry.start.getTime() >= memo.windowEnd) mark(entry.calendarId, entry.href);
  const isChanged = (o: { calendarId: string; href: string }) => changed.get(o.calendarId)?.has(o.href) ?? false;
  const before = new Map(memo.objects.filter((o) => !isChanged(o)).map((o) => [`${o.calendarId} ${o.href}`, o.key]));
  const now = current.filter((o) => !isChanged(o));
  if (now.length !== before.size || now.some((o) => before.get(`${o.calendarId} ${o.href}`) !== o.key)) return null;
  return changed;
}

/** Adds the occurrences, skips and warnings of a cached expansion that fall in [ws, we) to `result`. */
function countExpansion(cached: CachedExpansion, ws: number, we: number, result: SyncRunResult): void {
  for (const occurrence of cached.result.occurrences) {
    const t = occurrence.start.getTime();
    if (t >= ws && t < we) result.occurrencesSeen++;
  }
  for (const skip of cached.result.skipped) {
    const t = skip.start.getTime();
    if (t < ws || t >= we) continue;
    result.occurrencesSeen++;
    result.skipped[skip.reason] = (result.skipped[skip.reason] ?? 0) + 1;
  }
  for (const warning of cached.result.warnings) if (result.warnings.length < MAX_WARNINGS && !result.warnings.includes(warning)) result.warnings.push(warning);
}

/**
 * An object we could not read may be a glitch (a truncated or mangled answer) or really broken.
 * Its mirror row loses its etag and its calendar its sync state, so the next sync lists the calendar
 * and downloads the object again: a glitch heals by itself, a broken object stays reported.
 */
function markUnreadable(changes: Map<string, CollectionChanges>, failedObjects: Set<string>): void {
  for (const [calendarId, change] of changes) {
    const prefix = `${calendarId} `;
    const unreadable = [...failedObjects].filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
    if (unreadable.length === 0) continue;
    change.unreadable = unreadable;
    change.state = { ctag: null, syncToken: null };
  }
}

/** How a sync went, for the log line an operator reads when a sync is slow: wall time per step, and the plan's scope. */
class SyncTrace {
  /** objects whose keys were planned; null: all of them */
  plannedObjects: number | null = null;
  private readonly ms: Record<string, number> = {};
  private current: string | null = null;
  private since = performance.now();
  enter(phase: string): void {
    const now = performance.now();
    if (this.current) this.ms[this.current] = (this.ms[this.current] ?? 0) + now - this.since;
    this.current = phase;
    this.since = now;
  }
  fields(): { phasesMs: Record<string, number>; plannedObjects: number | "all" } {
    this.enter("finish");
    return { phasesMs: Object.fromEntries(Object.entries(this.ms).map(([k, v]) => [k, Math.round(v)])), plannedObjects: this.plannedObjects ?? "all" };
  }
}

function emptyResult(): SyncRunResult {
  return {
    status: "SUCCESS",
    message: null,
    objectsFetched: 0,
    occurrencesSeen: 0,
    entriesCreated: 0,
    entriesUpdated: 0,
    entriesDeleted: 0,
    entriesUnchanged: 0,
    conflictsKept: 0,
    skipped: {},
    requests: 0,
    bytesReceived: 0,
    errors: [],
    warnings: [],
    errorCode: null,
    retryAfterMs: null,
  };
}

function summarize(plan: SyncPlan, result: SyncRunResult, notes: string[]): string {
  const parts = [`${plan.creates.length} created, ${plan.updates.length} updated, ${plan.deletes.length} deleted, ${plan.unchanged} unchanged.`];
  if (plan.conflictsKept.length > 0) parts.push(`${plan.conflictsKept.length} entries you edited were kept and detached from their changed events.`);
  if (result.errors.length > 0) parts.push(`${result.errors.length} calendar objects could not be read and were skipped (see errors).`);
  if (plan.guard) parts.push(plan.guard.message);
  return [...notes, ...parts].join(" ");
}

function uidIn(ics: string): string | null {
  return /^UID:(.+)$/m.exec(ics)?.[1]?.trim() ?? null;
}
