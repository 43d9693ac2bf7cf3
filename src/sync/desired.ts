/**
 * Desired time entries: what the timesheet SHOULD contain for one calendar object.
 *
 * The expansion module turns a calendar object into occurrences (one per timed
 * VEVENT instance in the window). This module maps each occurrence to the time
 * entry it should become — the "desired" side that the sync plan (./plan.ts) diffs
 * against what was imported before:
 *
 *   notes    = SUMMARY, then a blank line and DESCRIPTION when there is one,
 *              capped at NOTES_MAX_LENGTH with an ellipsis;
 *   duration = end − start, in whole seconds;
 *   project  = the project matcher's answer (title, category, default, none);
 *   hash     = a fingerprint of everything the entry takes from the event.
 *
 * The content hash covers start, end, notes, project and how it was matched, and
 * nothing else: a change to any of them is a change the entry must follow, while a
 * new etag or DTSTAMP with the same content is not.
 */
import { hash } from "node:crypto";
import type { MatchedBy, ProjectMatcher } from "../projects/match.js";
import { NOTES_MAX_LENGTH } from "../time-entries/service.js";

const ELLIPSIS = "…";

/**
 * One occurrence as produced by the expansion module (`src/caldav/ical/`). Declared
 * structurally here so the two modules stay independent.
 */
export interface OccurrenceLike {
  uid: string;
  recurrenceId: string | null;
  start: Date;
  end: Date;
  summary: string;
  description: string | null;
  categories: readonly string[];
}

/** Where the occurrences came from, and the default project that applies there. */
export interface CalendarObjectSource {
  calendarId: string;
  href: string;
  etag: string | null;
  /** The calendar's own default project when set, else the integration's; null for none. */
  defaultProjectId: string | null;
}

export interface DesiredEntry {
  calendarId: string;
  href: string;
  etag: string | null;
  uid: string;
  recurrenceId: string | null;
  start: Date;
  end: Date;
  durationSeconds: number;
  notes: string;
  projectId: string | null;
  matchedBy: MatchedBy;
  contentHash: string;
}

/** The desired time entries for the occurrences of one calendar object, in input order. */
export function buildDesiredEntries(
  source: CalendarObjectSource,
  occurrences: readonly OccurrenceLike[],
  matchProject: ProjectMatcher,
): DesiredEntry[] {
  // The sync cache keeps these entries for hours; their strings must not keep the object's text.
  const copies = new Map<string, string>();
  const own = (text: string) => copies.get(text) ?? copies.set(text, ownCopy(text)).get(text)!;
  return occurrences.map((occurrence) => {
    const notes = own(buildNotes(occurrence.summary, occurrence.description));
    const { projectId, matchedBy } = matchProject(occurrence.summary, occurrence.categories, source.defaultProjectId);
    return {
      calendarId: source.calendarId,
      href: source.href,
      etag: source.etag,
      uid: own(occurrence.uid),
      recurrenceId: occurrence.recurrenceId === null ? null : own(occurrence.recurrenceId),
      start: occurrence.start,
      end: occurrence.end,
      durationSeconds: Math.round((occurrence.end.getTime() - occurrence.start.getTime()) / 1000),
      notes,
      projectId,
      matchedBy,
      contentHash: ownCopy(contentHash({ start: occurrence.start, end: occurrence.end, notes, projectId, matchedBy })),
    };
  });
}

/**
 * A copy of `text` that holds its own characters. V8 keeps a substring as a slice of the string it
 * was cut from: a UID or SUMMARY cut out of a calendar object's text would keep the whole text
 * alive, and a hash cut to 32 characters its 64. (A JSON round trip copies every string exactly,
 * lone surrogates included.)
 */
function ownCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/**
 * SUMMARY, a blank line, DESCRIPTION — each trimmed, line endings normalised to \n.
 * An empty part is left out together with its blank line, so an event with only a
 * description gets just the description. Capped at NOTES_MAX_LENGTH.
 */
export function buildNotes(summary: string, description: string | null): string {
  const parts = [summary, description ?? ""].map((part) => part.replace(/\r\n?/gu, "\n").trim()).filter((p) => p !== "");
  return truncate(parts.join("\n\n"), NOTES_MAX_LENGTH);
}

/**
 * A fingerprint of the fields an entry takes from its event. Versioned: changing
 * what goes in must change the prefix, which makes every entry update once.
 */
export function contentHash(fields: {
  start: Date;
  end: Date;
  notes: string;
  projectId: string | null;
  matchedBy: MatchedBy;
}): string {
  // A JSON array: unambiguous, whatever characters the notes contain.
  const canonical = JSON.stringify([
    "v1",
    fields.start.toISOString(),
    fields.end.toISOString(),
    fields.notes,
    fields.projectId,
    fields.matchedBy,
  ]);
  return hash("sha256", canonical, "hex").slice(0, 32);
}

/** At most `max` code units, ending in an ellipsis when cut; never splits a surrogate pair. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - ELLIPSIS.length;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--; // would leave half an emoji behind
  return text.slice(0, cut).trimEnd() + ELLIPSIS;
}
