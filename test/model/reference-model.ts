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
 *   guards       a calendar's deletions are withheld (PARTIAL) when it loses entries and lists no
 *                objects, or when at least 5 and more than half of its entries in the window would
 *                go; a FULL sync with confirmation overrides both. An entry whose occurrence
 *                another calendar imports in the same sync has moved, not gone: never withheld,
 *                never counted.
 *   duplicates   two objects of one calendar with one key: the one the link names wins, else the
 *                smallest href; the run is PARTIAL.
 *   one entry    the same occurrence (UID + RECURRENCE-ID) in several selected calendars is imported
 *                from one: the calendar whose entry for it the user touched, else the smallest URL;
 *                the others skip it as DUPLICATE (not a failure: the run may be SUCCESS).
 *   unreadable   an object that cannot be read holds its UID in its calendar: the UID it had when a
 *                sync last read it. Nothing of that UID there is created, changed or deleted (another
 *                object with the UID, or an instance it dropped, might be what the unreadable one
 *                still holds) until it can be read again; PARTIAL.
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
  /** occurrences skipped because another calendar holds them (DUPLICATE) */
  heldElsewhere: number;
}

const MASS_DELETE_MIN = 5;
const UNREADABLE = "an object could not be read";

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
  /** [calendar, object] → the UID it had when a sync last read it */
  private readonly lastReadUid = new Map<string, string>();

  /** Every entry the timesheet holds: imported ones (attached or detached) and manual ones. */
  entries(): ModelEntry[] {
    const imported = [...this.links.values()].flatMap((link) => (link.entry ? [link.entry] : []));
    return [...imported, ...this.manual];
  }

  /** The RECURRENCE-ID of the key an imported entry is linked under (null: a single event); undefined for a manual one. */
  recurrenceIdOf(entry: ModelEntry): number | null | undefined {
    for (const link of this.links.values()) if (link.entry === entry) return link.recurrenceId;
    return undefined;
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
    if (synced.length === 0) return { status: "ERROR", reasons: [selected.length === 0 ? "no calendar selected" : "every calendar failed"], heldElsewhere: 0 };
    if (synced.length < selected.length) reasons.push("a calendar failed");

    const window = { start: now - settings.lookbackDays * DAY_MS, end: now + settings.lookaheadDays * DAY_MS };
    const inWindow = (t: number) => t >= window.start && t < window.end;
    const syncedSet = new Set(synced);

    // What the calendars hold now: desired occurrences in the window, and unreadable objects.
    const candidates = new Map<string, Desired[]>();
    const frozen = new Set<string>(); // calendar+uid held by an unreadable object
    const listedCount = new Map<string, number>();
    for (const calendar of synced) {
      const objects = server.calendars.get(calendar) ?? new Map<string, ServerObject>();
      listedCount.set(calendar, objects.size);
      for (const [key] of this.lastReadUid) if (JSON.parse(key)[0] === calendar && !objects.has(JSON.parse(key)[1])) this.lastReadUid.delete(key);
      for (const [object, event] of objects) {
        const objectKey = JSON.stringify([calendar, object]);
        if (event === null) {
          if (!reasons.includes(UNREADABLE)) reasons.push(UNREADABLE);
          const uid = this.lastReadUid.get(objectKey);
          if (uid !== undefined) frozen.add(JSON.stringify([calendar, uid]));
          continue;
        }
        this.lastReadUid.set(objectKey, event.uid);
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
    const isFrozen = (item: { calendar: string; uid: string }) => frozen.has(JSON.stringify([item.calendar, item.uid]));
    for (const [key, options] of candidates) if (isFrozen(options[0]!)) candidates.delete(key);
    // Links we judge: those of synced calendars, except those of a UID an unreadable object holds.
    const isJudged = (link: Link) => syncedSet.has(link.calendar) && !isFrozen(link);

    // One occurrence (UID + RECURRENCE-ID) in several calendars is imported from one: the calendar
    // whose entry for it the user touched (edited, deleted, detached), else the first by URL (here:
    // by name, as the calendars' URLs differ only in it). The others skip it. A selected calendar
    // that failed holds what it has links for, unless a synced calendar that reaches it has one too.
    const calendarsOf = new Map<string, string[]>();
    for (const [first] of candidates.values()) {
      const occurrence = JSON.stringify([first!.uid, first!.recurrenceId]);
      calendarsOf.set(occurrence, [...(calendarsOf.get(occurrence) ?? []), first!.calendar]);
    }
    let heldElsewhere = 0;
    for (const [occurrence, reaching] of calendarsOf) {
      const [uid, recurrenceId] = JSON.parse(occurrence) as [string, number | null];
      const linkedIn = (calendar: string) => this.links.has(keyOf(calendar, uid, recurrenceId));
      // A failed calendar only keeps a copy from being imported; it takes no entry away.
      const calendars = reaching.some(linkedIn) ? reaching : [...reaching, ...selected.filter((calendar) => !syncedSet.has(calendar) && linkedIn(calendar))];
      if (calendars.length < 2) continue;
      const touched = (calendar: string) => {
        const link = this.links.get(keyOf(calendar, uid, recurrenceId));
        return link !== undefined && (link.entry === null || link.detached || link.entry.edited.size > 0);
      };
      const [holder] = [...calendars].sort((a, b) => Number(!touched(a)) - Number(!touched(b)) || (a < b ? -1 : 1));
      for (const calendar of reaching) {
        if (calendar === holder) continue;
        heldElsewhere += candidates.get(keyOf(calendar, uid, recurrenceId))!.length;
        candidates.delete(keyOf(calendar, uid, recurrenceId));
      }
    }

    this.carryKeysAcrossKindChange(candidates, isJudged, inWindow);
    const judged = new Map([...this.links].filter(([, link]) => isJudged(link)));

    const vanished: { key: string; link: Link; decision: "DELETE" | "DETACH" }[] = [];
    let duplicates = 0;
    for (const key of new Set([...candidates.keys(), ...judged.keys()])) {
      const link = judged.get(key);
      const options = candidates.get(key) ?? [];
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

    // An occurrence another calendar imports now has moved there: the guards neither count nor hold it.
    const importedIn = new Map<string, string[]>();
    for (const [first] of candidates.values()) {
      const occurrence = JSON.stringify([first!.uid, first!.recurrenceId]);
      importedIn.set(occurrence, [...(importedIn.get(occurrence) ?? []), first!.calendar]);
    }
    const importedElsewhere = (link: Link) => (importedIn.get(JSON.stringify([link.uid, link.recurrenceId])) ?? []).some((calendar) => calendar !== link.calendar);
    const weighed = vanished.filter((v) => !importedElsewhere(v.link));
    const withheld = confirmDeletions ? new Set<Link>() : this.guards(weighed, judged, listedCount, inWindow);
    if (withheld.size > 0) reasons.push("deletions withheld");
    for (const { key, link, decision } of vanished) {
      if (withheld.has(link)) continue;
      if (decision === "DELETE") this.links.delete(key);
      else link.detached = true;
    }
    return { status: reasons.length > 0 ? "PARTIAL" : "SUCCESS", reasons, heldElsewhere };
  }

  /**
   * Keys survive a change of kind, within the window, onto a key that has no link of its own:
   * a single event that became a series hands its link to the first instance its calendar imports
   * (of the object the link names, when two objects carry the UID); a series that became a single
   * event gets the link of its first instance that its calendar no longer shows.
   */
  private carryKeysAcrossKindChange(candidates: Map<string, Desired[]>, isJudged: (link: Link) => boolean, inWindow: (t: number) => boolean): void {
    const imported = [...candidates.values()].flat();
    for (const [key, link] of [...this.links]) {
      if (!isJudged(link) || link.recurrenceId !== null || candidates.has(key) || !inWindow(link.content.start)) continue;
      const [first] = imported
        .filter((d) => d.calendar === link.calendar && d.uid === link.uid && d.recurrenceId !== null && !this.links.has(keyOf(d.calendar, d.uid, d.recurrenceId)))
        .sort((a, b) => Number(a.object !== link.object) - Number(b.object !== link.object) || a.content.start - b.content.start);
      if (first) this.moveLink(key, link, first.recurrenceId);
    }
    for (const single of imported.filter((d) => d.recurrenceId === null)) {
      // Two objects may carry the single event (a broken server): its key takes one link only.
      if (this.links.has(keyOf(single.calendar, single.uid, null))) continue;
      const [first] = [...this.links]
        .filter(([key, link]) => isJudged(link) && link.calendar === single.calendar && link.uid === single.uid && link.recurrenceId !== null && !candidates.has(key) && inWindow(link.content.start))
        .sort(([, a], [, b]) => a.content.start - b.content.start);
      if (first) this.moveLink(first[0], first[1], null);
    }
  }

  private moveLink(key: string, link: Link, recurrenceId: number | null): void {
    this.links.delete(key);
    link.recurrenceId = recurrenceId;
    this.links.set(keyOf(link.calendar, link.uid, recurrenceId), link);
  }

  /** The links whose vanishing the guards withhold (docs/sync.md, "Nothing is lost to a server glitch"). */
  private guards(
    vanished: { link: Link }[],
    judged: Map<string, Link>,
    listedCount: Map<string, number>,
    inWindow: (t: number) => boolean,
  ): Set<Link> {
    const withheld = new Set<string>();
    for (const calendar of new Set(vanished.map((v) => v.link.calendar))) {
      const losing = vanished.filter((v) => v.link.calendar === calendar).length;
      const population = [...judged.values()].filter((link) => link.calendar === calendar && link.entry && !link.detached && inWindow(link.content.start)).length;
      if (listedCount.get(calendar) === 0 || (losing >= MASS_DELETE_MIN && losing * 2 > population)) withheld.add(calendar);
    }
    return new Set(vanished.filter((v) => withheld.has(v.link.calendar)).map((v) => v.link));
  }
}

function fieldsOf(content: Content): EntryFields {
  return { start: content.start, end: content.end, notes: content.notes, projectId: content.projectId };
}
