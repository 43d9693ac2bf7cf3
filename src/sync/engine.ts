/**
 * One sync of one integration, start to finish:
 *
 *   1. calendars   the selected calendars; with only a server URL and none selected, the first
 *                  calendar that holds events is selected (and the run says which).
 *   2. download    per calendar, the changes since the last sync (./collection-sync.ts); no
 *                  database writes yet.
 *   3. desired     every occurrence in the window, expanded by us from the mirror as it will be
 *                  (src/caldav/ical), matched to projects (src/projects/match.ts).
 *   4. plan        desired occurrences against existing links (./plan.ts): pure.
 *   5. apply       mirror, sync state and the plan in one transaction (./apply.ts).
 *
 * A failure before step 5 writes nothing but the run's record; the next sync starts over.
 */
import { and, eq } from "drizzle-orm";
import { CalDAVError, discoverCalendars, listObjects, userMessageFor, type CalDAVHttpClient } from "../caldav/index.js";
import { expandCalendarObject, IcsParseError } from "../caldav/ical/index.js";
import type { Db } from "../db/client.js";
import { integrationCalendars, projects, users } from "../db/schema.js";
import type { CalDAVAccess } from "../integrations/caldav-access.js";
import type { Integration, IntegrationService } from "../integrations/service.js";
import type { Logger } from "../logger.js";
import { createProjectMatcher } from "../projects/match.js";
import { applySync } from "./apply.js";
import { fetchCollectionChanges, type CollectionChanges, type SyncMode } from "./collection-sync.js";
import { buildDesiredEntries, type DesiredEntry } from "./desired.js";
import { existingLinks, mirrorEtags, mirroredObjects, selectedCalendars } from "./mirror.js";
import { planSync, type SyncPlan } from "./plan.js";
import { HEARTBEAT_MS, type SyncRun, type SyncRunResult, type SyncRunStore } from "./runs.js";

const DAY_MS = 24 * 3600_000;
const MAX_WARNINGS = 50;

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
    try {
      result = await this.sync(client, integration, options);
    } catch (error) {
      if (!(error instanceof CalDAVError)) log.error({ err: error }, "sync failed");
      else log.info({ errorCode: error.code, status: error.status, detail: error.detail }, "sync failed at the CalDAV server");
      result = {
        ...emptyResult(),
        status: "ERROR",
        message: error instanceof CalDAVError ? userMessageFor(error) : "The sync failed because of an internal error; nothing was changed. It is logged with this run's id.",
      };
    } finally {
      clearInterval(heartbeat);
      await client.close();
    }
    result.requests = client.stats.requests;
    result.bytesReceived = client.stats.bytesReceived;
    const finished = await this.runs.finish(run, result, this.clock());
    log.info({ status: finished.status, created: finished.entriesCreated, updated: finished.entriesUpdated, deleted: finished.entriesDeleted, requests: finished.requests, durationMs: finished.durationMs }, "sync finished");
    return finished;
  }

  private async sync(client: CalDAVHttpClient, integration: Integration, options: SyncOptions): Promise<SyncRunResult> {
    const result = emptyResult();
    const notes: string[] = [];
    const calendars = await this.calendarsToSync(client, integration, notes);
    if (calendars.length === 0) {
      return { ...result, status: "ERROR", message: "No calendar to sync: the account has no calendar that can hold events." };
    }

    const changes = new Map<string, CollectionChanges>();
    for (const calendar of calendars) {
      const change = await fetchCollectionChanges(client, calendar.url, { ctag: calendar.ctag, syncToken: calendar.syncToken }, await mirrorEtags(this.db, calendar.id), options.mode);
      changes.set(calendar.id, change);
      result.objectsFetched += change.upserts.length;
      notes.push(...change.notes);
    }

    const now = this.clock();
    const window = { start: new Date(now.getTime() - integration.lookbackDays * DAY_MS), end: new Date(now.getTime() + integration.lookaheadDays * DAY_MS) };
    const { desired, failedObjects } = await this.desiredEntries(integration, calendars, changes, window, result);
    const existing = (await existingLinks(this.db, calendars.map((c) => c.id))).filter((link) => !failedObjects.has(`${link.calendarId} ${link.href}`));
    const plan = planSync({
      desired,
      existing,
      window,
      calendars: calendars.map((c) => ({ calendarId: c.id, listedObjectCount: changes.get(c.id)!.objectCount })),
      confirmMassDeletion: options.mode === "FULL" && options.confirmMassDeletion,
    });
    await applySync(this.db, { userId: integration.userId, integrationId: integration.id }, changes, plan);

    result.entriesCreated = plan.creates.length;
    result.entriesUpdated = plan.updates.length;
    result.entriesDeleted = plan.deletes.length;
    result.entriesUnchanged = plan.unchanged;
    result.conflictsKept = plan.conflictsKept.length;
    for (const duplicate of plan.duplicates) {
      result.errors.push({ href: duplicate.href, uid: duplicate.uid, message: "Another calendar object has the same UID and RECURRENCE-ID; only one was imported." });
    }
    const partial = plan.guard !== null || result.errors.length > 0;
    return { ...result, status: partial ? "PARTIAL" : "SUCCESS", message: summarize(plan, result, notes) };
  }

  /** Expands every mirrored object of the synced calendars; an object that cannot be parsed is skipped with an error. */
  private async desiredEntries(
    integration: Integration,
    calendars: Calendar[],
    changes: Map<string, CollectionChanges>,
    window: { start: Date; end: Date },
    result: SyncRunResult,
  ): Promise<{ desired: DesiredEntry[]; failedObjects: Set<string> }> {
    const activeProjects = await this.db
      .select({ id: projects.id, name: projects.name })
      .from(projects)
      .where(and(eq(projects.userId, integration.userId), eq(projects.archived, false)));
    const active = new Set(activeProjects.map((p) => p.id));
    const matcher = createProjectMatcher(activeProjects);
    const [owner] = await this.db.select({ email: users.email }).from(users).where(eq(users.id, integration.userId));
    const expandOptions = {
      windowStart: window.start,
      windowEnd: window.end,
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

    const desired: DesiredEntry[] = [];
    const failedObjects = new Set<string>();
    for (const object of await mirroredObjects(this.db, changes)) {
      try {
        const expanded = expandCalendarObject(object.data, expandOptions);
        result.occurrencesSeen += expanded.occurrences.length + expanded.skipped.length;
        for (const skip of expanded.skipped) result.skipped[skip.reason] = (result.skipped[skip.reason] ?? 0) + 1;
        for (const warning of expanded.warnings) if (result.warnings.length < MAX_WARNINGS && !result.warnings.includes(warning)) result.warnings.push(warning);
        desired.push(
          ...buildDesiredEntries({ calendarId: object.calendarId, href: object.href, etag: object.etag, defaultProjectId: defaultProjectOf.get(object.calendarId) ?? null }, expanded.occurrences, matcher),
        );
      } catch (error) {
        // One unreadable object must not stop the others; its earlier entries stay as they are
        // until it can be read again.
        if (!(error instanceof IcsParseError)) this.log.warn({ err: error, href: object.href }, "calendar object failed to expand");
        failedObjects.add(`${object.calendarId} ${object.href}`);
        result.skipped.PARSE_ERROR = (result.skipped.PARSE_ERROR ?? 0) + 1;
        const message = error instanceof IcsParseError ? error.message : "This calendar object could not be expanded.";
        result.errors.push({ href: object.href, uid: uidIn(object.data), message });
      }
    }
    return { desired, failedObjects };
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
