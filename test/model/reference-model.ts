/**
 * The reference model of the timesheet: what it must hold after a sync, given what the calendars
 * hold, the window, the settings and what the user did. Written from docs/sync.md, independently
 * of src/sync: occurrences are computed here from the event data (./calendar-events.ts), projects
 * matched here, and the sync's rules restated as one loop over occurrence keys.
 *
 *   key          (calendar, UID, RECURRENCE-ID). A single event that becomes a series keeps its
 *                key for the series' first instance, and back (issue 13: "keys survive a change
 *                of kind").
 *   new          an occurrence in the window without a link → a new entry.
 *   edits        the user changing an imported entry's project, notes or times (start and end
 *                together) to another value marks that field edited; setting the value it has
 *                marks nothing.
 *   changed      the link's content differs → the entry follows the event in every field the user
 *                did not edit and keeps the fields they did; unless the user deleted it (stays
 *                deleted) or it is detached already. It stays attached.
 *   gone         a link whose occurrence left the calendar while its start is in the window →
 *                the entry goes, unless it has an edited field (kept, detached), was deleted or is
 *                detached. A link whose start is outside the window is left alone: time passing
 *                deletes nothing.
 *   guards       deletions are withheld (PARTIAL) when a calendar that loses entries lists no
 *                objects, or when at least 5 and more than half of the entries in the window would
 *                go; a FULL sync with confirmation overrides both.
 *   duplicates   two objects of one calendar with one key: the one the link names wins, else the
 *                smallest href; the run is PARTIAL.
 *   unreadable   an object that cannot be read keeps its entries as they are, and its keys (another
 *                object with its UID is a duplicate); PARTIAL.
 *   calendars    a calendar that answers 404 keeps its entries and does not stop the others
 *                (PARTIAL); no calendar selected, or none reachable, is an ERROR that changes nothing.
 *   restore      the user clears the tombstones of a calendar (or all): the next sync imports their
 *                occurrences again.
 *   manual       entries the user created are never touched.
 */
import { DAY_MS, MINUTE_MS, type EventSpec } from "./calendar-events.js";

export type MatchedBy = "TITLE" | "DEFAULT" | "NONE";
export type RunStatus = "SUCCESS" | "PARTIAL" | "ERROR";

export interface ModelProject {
  id: string;
  name: string;
}

/** One object on the server: its event, or null when its data cannot be read. */
export type ServerObject = EventSpec | null;

export interface ServerState {
  /** calendar → object name → object */
  calendars: ReadonlyMap<string, ReadonlyMap<string, ServerObject>>;
  /** calendars answering 404 */
  gone: ReadonlySet<string>;
}

export interface ModelSettings {
  lookbackDays: number;
  lookaheadDays: number;
  defaultProjectId: string | null;
  /** a calendar's own default project, over the integration's */
  calendarDefaults: ReadonlyMap<string, string | null>;
  selected: ReadonlySet<string>;
}

/** What the user sees of an entry. */
export interface EntryFields {
  start: number;
  end: number;
  notes: string;
  projectId: string | null;
}

/** What the user can edit of an imported entry, each on its own (start and end are one: TIMES). */
export type EditedField = "PROJECT" | "NOTES" | "TIMES";

export interface ModelEntry extends EntryFields {
  /** the engine's id, learnt when the entry first appears there */
  id: string | null;
  source: "auto" | "manual";
  /** auto entries: where they came from */
  calendar: string | null;
  uid: string | null;
  /** the fields of an auto entry the user changed: a sync never overwrites them */
  edited: Set<EditedField>;
}

interface Content extends EntryFields {
  matchedBy: MatchedBy;
}

interface Link {
  calendar: string;
  uid: string;
  /** RECURRENCE-ID instant; null for a single event */
  recurrenceId: number | null;
  /** the object it came from */
  object: string;
  /** what the entry was made from at the last create or update */
  content: Content;
  /** null: the user deleted the entry (a tombstone) */
  entry: ModelEntry | null;
  detached: boolean;
}

interface Occurrence {
  uid: string;
  recurrenceId: number | null;
  start: number;
  end: number;
  title: string;
  description: string | null;
}

interface Desired {
  calendar: string;
  object: string;
  uid: string;
  recurrenceId: number | null;
  content: Content;
}

export interface SyncOutcome {
  status: RunStatus;
  /** why not SUCCESS, for failure messages */
  reasons: string[];
}

const MASS_DELETE_MIN = 5;

/** The occurrences of an event, in order: RRULE instances minus EXDATEs, overrides applied. */
export function occurrencesOf(event: EventSpec): Occurrence[] {
  const single = { uid: event.uid, start: event.start, end: event.start + event.minutes * MINUTE_MS, title: event.title, description: event.description };
  if (!event.rule) return [{ ...single, recurrenceId: null }];
  const step = event.rule.freq === "DAILY" ? DAY_MS : 7 * DAY_MS;
  const out: Occurrence[] = [];
  for (let i = 0; i < event.rule.count; i++) {
    const instant = event.start + i * step;
    if (event.exdates.includes(instant)) continue;
    const override = event.overrides.find((o) => o.recurrenceId === instant);
    if (!override) out.push({ ...single, recurrenceId: instant, start: instant, end: instant + event.minutes * MINUTE_MS });
    else if (!override.cancelled) {
      // An override carries its own SUMMARY and no DESCRIPTION (calendar-events.ts writes none):
      // what an override leaves out it takes from the series (src/caldav/ical/expand.ts, contentOf).
      out.push({ uid: event.uid, recurrenceId: instant, start: override.start, end: override.start + override.minutes * MINUTE_MS, title: override.title, description: event.description });
    }
  }
  return out;
}

/** SUMMARY, a blank line, DESCRIPTION; each trimmed, empty parts left out. */
export function notesOf(title: string, description: string | null): string {
  return [title, description ?? ""]
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .join("\n\n");
}

/**
 * The project of an event title: the longest project name found in it on word boundaries
 * (case-insensitive; ASCII titles only in this test), the first in the title among equally long
 * ones; else the default; else none.
 */
export function matchProject(title: string, projects: readonly ModelProject[], defaultProjectId: string | null): { projectId: string | null; matchedBy: MatchedBy } {
  const folded = fold(title);
  let best: { project: ModelProject; length: number; at: number } | null = null;
  for (const project of projects) {
    const name = fold(project.name);
    if (name === "") continue;
    const at = firstWordOccurrence(folded, name);
    if (at < 0) continue;
    if (!best || name.length > best.length || (name.length === best.length && at < best.at)) best = { project, length: name.length, at };
  }
  if (best) return { projectId: best.project.id, matchedBy: "TITLE" };
  if (defaultProjectId !== null) return { projectId: defaultProjectId, matchedBy: "DEFAULT" };
  return { projectId: null, matchedBy: "NONE" };
}

function fold(text: string): string {
  return text.toLowerCase().replace(/\s+/g, " ").trim();
}

function firstWordOccurrence(haystack: string, needle: string): number {
  const isWordChar = (c: string | undefined) => c !== undefined && /[a-z0-9]/.test(c);
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
    if (!isWordChar(haystack[at - 1]) && !isWordChar(haystack[at + needle.length])) return at;
  }
  return -1;
}

const keyOf = (calendar: string, uid: string, recurrenceId: number | null) => JSON.stringify([calendar, uid, recurrenceId]);

const sameContent = (a: Content, b: Content) =>
  a.start === b.start && a.end === b.end && a.notes === b.notes && a.projectId === b.projectId && a.matchedBy === b.matchedBy;

/** The timesheet as the model expects it, changed by syncs and by the user's own actions. */
export class ReferenceTimesheet {
  private readonly links = new Map<string, Link>();
  private readonly manual: ModelEntry[] = [];

  /** Every entry the timesheet holds: imported ones (attached or detached) and manual ones. */
  entries(): ModelEntry[] {
    const imported = [...this.links.values()].flatMap((link) => (link.entry ? [link.entry] : []));
    return [...imported, ...this.manual];
  }

  addManual(entry: ModelEntry): void {
    this.manual.push(entry);
  }

  /** The user changed an entry: from now on their version of each field they changed wins. */
  edit(entry: ModelEntry, fields: Partial<EntryFields>): void {
    if (entry.source === "auto") {
      const start = fields.start ?? entry.start;
      const end = fields.end ?? entry.end;
      if (start !== entry.start || end !== entry.end) entry.edited.add("TIMES");
      if (fields.notes !== undefined && fields.notes !== entry.notes) entry.edited.add("NOTES");
      if (fields.projectId !== undefined && fields.projectId !== entry.projectId) entry.edited.add("PROJECT");
    }
    Object.assign(entry, fields);
  }

  /** The user deleted an entry: an imported one leaves a tombstone, so it is never imported again. */
  delete(entry: ModelEntry): void {
    const index = this.manual.indexOf(entry);
    if (index >= 0) {
      this.manual.splice(index, 1);
      return;
    }
    for (const link of this.links.values()) if (link.entry === entry) link.entry = null;
  }

  /**
   * The user restored the deleted imported entries of one calendar, or of all: their tombstones go,
   * so the next sync imports the occurrences again. Answers how many.
   */
  restore(calendar: string | null): number {
    let restored = 0;
    for (const [key, link] of [...this.links]) {
      if (link.entry !== null || (calendar !== null && link.calendar !== calendar)) continue;
      this.links.delete(key);
      restored++;
    }
    return restored;
  }

  sync(server: ServerState, settings: ModelSettings, projects: readonly ModelProject[], now: number, confirmDeletions: boolean): SyncOutcome {
    const reasons: string[] = [];
    const selected = [...settings.selected].sort();
    const synced = selected.filter((calendar) => !server.gone.has(calendar));
    if (synced.length === 0) return { status: "ERROR", reasons: [selected.length === 0 ? "no calendar selected" : "every calendar failed"] };
    if (synced.length < selected.length) reasons.push("a calendar failed");

    const window = { start: now - settings.lookbackDays * DAY_MS, end: now + settings.lookaheadDays * DAY_MS };
    const inWindow = (t: number) => t >= window.start && t < window.end;
    const syncedSet = new Set(synced);

    // What the calendars hold now: desired occurrences in the window, and unreadable objects.
    const candidates = new Map<string, Desired[]>();
    const unreadable = new Set<string>();
    const listedCount = new Map<string, number>();
    const seriesStart = new Map<string, number>(); // calendar+uid → DTSTART of a series
    const singleStart = new Map<string, number>(); // calendar+uid → DTSTART of a single event
    for (const calendar of synced) {
      const objects = server.calendars.get(calendar) ?? new Map<string, ServerObject>();
      listedCount.set(calendar, objects.size);
      for (const [object, event] of objects) {
        if (event === null) {
          unreadable.add(JSON.stringify([calendar, object]));
          continue;
        }
        const uidKey = JSON.stringify([calendar, event.uid]);
        if (event.rule) seriesStart.set(uidKey, event.start);
        else singleStart.set(uidKey, event.start);
        const defaultProject = settings.calendarDefaults.get(calendar) ?? settings.defaultProjectId;
        for (const occurrence of occurrencesOf(event)) {
          if (!inWindow(occurrence.start)) continue;
          const notes = notesOf(occurrence.title, occurrence.description);
          const { projectId, matchedBy } = matchProject(occurrence.title, projects, defaultProject);
          const desired: Desired = {
            calendar,
            object,
            uid: occurrence.uid,
            recurrenceId: occurrence.recurrenceId,
            content: { start: occurrence.start, end: occurrence.end, notes, projectId, matchedBy },
          };
          const key = keyOf(calendar, desired.uid, desired.recurrenceId);
          candidates.set(key, [...(candidates.get(key) ?? []), desired]);
        }
      }
    }
    if (unreadable.size > 0) reasons.push("an object could not be read");

    this.carryKeysAcrossKindChange(syncedSet, singleStart, seriesStart);

    // Links we judge: those of synced calendars, except links of objects we could not read.
    const judged = new Map([...this.links].filter(([, link]) => syncedSet.has(link.calendar) && !unreadable.has(JSON.stringify([link.calendar, link.object]))));

    const vanished: { key: string; link: Link; decision: "DELETE" | "DETACH" }[] = [];
    let duplicates = 0;
    for (const key of new Set([...candidates.keys(), ...judged.keys()])) {
      const link = judged.get(key);
      const options = candidates.get(key) ?? [];
      if (!link && this.links.has(key) && syncedSet.has(this.links.get(key)!.calendar)) {
        // The key belongs to an object we could not read, which keeps it: another object's
        // occurrence with that key is a duplicate.
        duplicates += options.length;
        continue;
      }
      const winner = [...options].sort(
        (a, b) => Number(a.object !== link?.object) - Number(b.object !== link?.object) || (a.object < b.object ? -1 : a.object > b.object ? 1 : 0) || a.content.start - b.content.start,
      )[0];
      duplicates += Math.max(0, options.length - 1);
      if (!winner) {
        if (!link || !inWindow(link.content.start) || !link.entry || link.detached) continue;
        vanished.push({ key, link, decision: link.entry.edited.size > 0 ? "DETACH" : "DELETE" });
        continue;
      }
      if (!link) {
        const entry: ModelEntry = { id: null, source: "auto", calendar: winner.calendar, uid: winner.uid, edited: new Set(), ...fieldsOf(winner.content) };
        this.links.set(key, { calendar: winner.calendar, uid: winner.uid, recurrenceId: winner.recurrenceId, object: winner.object, content: winner.content, entry, detached: false });
        continue;
      }
      link.object = winner.object;
      if (sameContent(link.content, winner.content) || !link.entry || link.detached) continue;
      const entry = link.entry;
      const content = winner.content;
      if (!entry.edited.has("TIMES")) Object.assign(entry, { start: content.start, end: content.end });
      if (!entry.edited.has("NOTES")) entry.notes = content.notes;
      if (!entry.edited.has("PROJECT")) entry.projectId = content.projectId;
      link.content = content;
    }
    if (duplicates > 0) reasons.push("two objects share a UID");

    const withheld = confirmDeletions ? new Set<Link>() : this.guards(vanished, judged, listedCount, inWindow);
    if (withheld.size > 0) reasons.push("deletions withheld");
    for (const { key, link, decision } of vanished) {
      if (withheld.has(link)) continue;
      if (decision === "DELETE") this.links.delete(key);
      else link.detached = true;
    }
    return { status: reasons.length > 0 ? "PARTIAL" : "SUCCESS", reasons };
  }

  /**
   * A single event that became a series hands its link to the series' first instance; a series
   * that became a single event hands the link of its first instance to it.
   */
  private carryKeysAcrossKindChange(synced: Set<string>, singleStart: Map<string, number>, seriesStart: Map<string, number>): void {
    for (const [key, link] of [...this.links]) {
      if (!synced.has(link.calendar)) continue;
      const uidKey = JSON.stringify([link.calendar, link.uid]);
      const series = seriesStart.get(uidKey);
      const single = singleStart.get(uidKey);
      let recurrenceId: number | null | undefined;
      if (link.recurrenceId === null && single === undefined && series !== undefined) recurrenceId = series;
      if (link.recurrenceId !== null && series === undefined && link.recurrenceId === single) recurrenceId = null;
      if (recurrenceId === undefined) continue;
      const target = keyOf(link.calendar, link.uid, recurrenceId);
      if (this.links.has(target)) continue;
      this.links.delete(key);
      link.recurrenceId = recurrenceId;
      this.links.set(target, link);
    }
  }

  /** The links whose vanishing the guards withhold (docs/sync.md, "Nothing is lost to a server glitch"). */
  private guards(
    vanished: { link: Link }[],
    judged: Map<string, Link>,
    listedCount: Map<string, number>,
    inWindow: (t: number) => boolean,
  ): Set<Link> {
    const empty = new Set(vanished.map((v) => v.link.calendar).filter((calendar) => listedCount.get(calendar) === 0));
    const rest = vanished.filter((v) => !empty.has(v.link.calendar));
    const population = [...judged.values()].filter((link) => !empty.has(link.calendar) && link.entry && !link.detached && inWindow(link.content.start)).length;
    const massDelete = rest.length >= MASS_DELETE_MIN && rest.length * 2 > population;
    return new Set(vanished.filter((v) => massDelete || empty.has(v.link.calendar)).map((v) => v.link));
  }
}

function fieldsOf(content: Content): EntryFields {
  return { start: content.start, end: content.end, notes: content.notes, projectId: content.projectId };
}
