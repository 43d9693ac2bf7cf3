/**
 * Step 5 of a sync: what the run says — its counts and message, and per calendar what happened
 * (how it downloaded, which planning strategy ran, its counts, or the error that stopped it).
 */
import { userMessageFor, type CalDAVError } from "../caldav/index.js";
import type { SyncRunCalendarRecord } from "../db/schema.js";
import type { AppliedPlan } from "./apply.js";
import type { CalendarDownload } from "./download.js";
import type { SyncPlan } from "./plan.js";
import type { SyncRunResult } from "./runs.js";
import type { PlanningStrategyName } from "./strategies.js";

export function emptyResult(): SyncRunResult {
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
    withheldDeletions: 0,
    skipped: {},
    requests: 0,
    bytesReceived: 0,
    errors: [],
    warnings: [],
    errorCode: null,
    retryAfterMs: null,
    calendars: [],
  };
}

/** The record of a calendar whose download failed: it keeps its old state and entries. */
export function failedCalendar(download: CalendarDownload & { error: CalDAVError }): SyncRunCalendarRecord {
  return {
    ...calendarBase(download),
    status: "ERROR",
    download: null,
    plan: null,
    errorCode: download.error.code,
    message: `This calendar was not synced and keeps its entries as they were: ${userMessageFor(download.error)}`,
  };
}

/**
 * The records of the calendars that were planned, with their share of the plan as written.
 * `desiredIn(calendarId)`: that calendar's desired entries in the window.
 */
export function plannedCalendars(
  downloads: readonly CalendarDownload[],
  strategy: PlanningStrategyName,
  plan: SyncPlan,
  applied: AppliedPlan,
  desiredIn: (calendarId: string) => number,
  unavailable: ReadonlySet<string>,
): SyncRunCalendarRecord[] {
  const stale = new Set(applied.staleLinks);
  const count = <T>(items: readonly T[], calendarOf: (item: T) => string) => {
    const counts = new Map<string, number>();
    for (const item of items) counts.set(calendarOf(item), (counts.get(calendarOf(item)) ?? 0) + 1);
    return (calendarId: string) => counts.get(calendarId) ?? 0;
  };
  const created = count(plan.creates, (entry) => entry.calendarId);
  const updated = count(plan.updates.filter((u) => !stale.has(u.link)), (u) => u.link.calendarId);
  const deleted = count(plan.deletes.filter((link) => !stale.has(link)), (link) => link.calendarId);
  const conflicts = count([...plan.conflictsKept, ...stale], (link) => link.calendarId);
  const changedWithEvent = count(
    [...plan.creates, ...plan.updates.map((u) => u.desired), ...plan.duplicates, ...plan.heldElsewhere.map((h) => h.desired)],
    (entry) => entry.calendarId,
  );
  return downloads.flatMap((download) => {
    if (download.changes === null) return [];
    const id = download.calendar.id;
    const missing = download.changes.missing.length;
    const unreadable = [...unavailable].some((key) => key.startsWith(`${id} `));
    return [
      {
        ...calendarBase(download),
        status: missing > 0 || unreadable ? "PARTIAL" : "SUCCESS",
        download: download.changes.strategy,
        plan: strategy,
        entriesCreated: created(id),
        entriesUpdated: updated(id),
        entriesDeleted: deleted(id),
        entriesUnchanged: desiredIn(id) - changedWithEvent(id),
        conflictsKept: conflicts(id),
        errorCode: null,
        message: missing > 0 ? missingMessage(missing) : unreadable ? "Some calendar objects could not be read; their entries stay as they were (see errors)." : null,
      },
    ];
  });
}

function calendarBase(download: CalendarDownload): Omit<SyncRunCalendarRecord, "status" | "download" | "plan" | "errorCode" | "message"> {
  return {
    url: download.calendar.url,
    name: download.calendar.displayName,
    objectsFetched: download.changes?.upserts.length ?? 0,
    entriesCreated: 0,
    entriesUpdated: 0,
    entriesDeleted: 0,
    entriesUnchanged: 0,
    conflictsKept: 0,
  };
}

export function missingMessage(count: number): string {
  return `The server reported ${count} changed calendar object${count === 1 ? "" : "s"} but did not deliver ${count === 1 ? "it" : "them"}; their entries stay as they were and the next sync fetches them again.`;
}

export function summarize(plan: SyncPlan, applied: AppliedPlan, result: SyncRunResult, notes: readonly string[]): string {
  const parts = [`${entries(applied.created)} created, ${applied.updated} updated, ${applied.deleted} deleted, ${result.entriesUnchanged} unchanged.`];
  // Kept over a deleted event (planned), or kept because the user changed it while the sync ran
  // (found by the apply step's re-check): told apart, since only the first is detached.
  const ofDeletedEvents = applied.conflictsKept;
  const changedDuringSync = result.conflictsKept - applied.conflictsKept;
  if (ofDeletedEvents > 0) parts.push(`${entries(ofDeletedEvents)} you edited ${ofDeletedEvents === 1 ? "was" : "were"} kept although ${ofDeletedEvents === 1 ? "its event was" : "their events were"} deleted from the calendar.`);
  if (changedDuringSync > 0) parts.push(`${entries(changedDuringSync)} you changed during the sync kept your change${changedDuringSync === 1 ? "" : "s"}.`);
  // `errors` lists the unreadable objects and, one per occurrence, the duplicates (engine.ts).
  const duplicates = plan.duplicates.length;
  const unreadable = result.errors.length - duplicates;
  if (unreadable > 0) parts.push(`${unreadable} calendar object${unreadable === 1 ? "" : "s"} could not be read and ${unreadable === 1 ? "was" : "were"} skipped (see errors).`);
  if (duplicates > 0) {
    parts.push(
      `${duplicates} occurrence${duplicates === 1 ? " was" : "s were"} also in another calendar object with the same UID and imported once (see errors); ` +
        `delete the duplicate events on the server to clear this.`,
    );
  }
  if (plan.guard) parts.push(plan.guard.message);
  return [...notes, ...parts].join(" ");
}

function entries(n: number): string {
  return `${n} ${n === 1 ? "entry" : "entries"}`;
}
