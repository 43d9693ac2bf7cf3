/**
 * The sync plan: what to do to the timesheet so that it reflects the calendars.
 *
 * Like vdirsyncer's sync, this is a three-way comparison, per key (calendar, UID,
 * RECURRENCE-ID), of
 *
 *   the calendar now     – the desired entry, if the occurrence exists (./desired.ts);
 *   the last sync        – the link row's content hash: what the entry was made from;
 *   the timesheet now    – what became of the entry: deleted by the user (tombstone),
 *                          edited by the user, or already detached.
 *
 * The desired side must come from the COMPLETE mirror of each calendar: an
 * occurrence missing from it counts as removed from the calendar.
 *
 * For each key a small truth table ({@link decideWithEvent}, {@link decideWithoutEvent})
 * says what to do: create, update, delete, keep a conflicting entry (and detach its
 * link), or nothing. Comparing hashes — not etags, not timestamps — is what makes
 * syncing idempotent: applying a plan and planning again with the same calendars
 * yields nothing to do.
 *
 * Three rules protect the user's timesheet:
 *
 *   - The user wins, field by field. An entry the user deleted leaves a tombstone link
 *     and is never re-created. An entry the user edited follows its event's changes in
 *     the fields the user did not edit (apply.ts writes only those, re-checking the edit
 *     flags as it writes); when its event vanishes it is kept and its link detached, for
 *     good. Only an entry without any edit is deleted with its event.
 *   - Time passing deletes nothing. A link whose occurrence starts outside the window
 *     is left alone: the event did not vanish, we just stopped looking at it.
 *   - A server glitch must never wipe a timesheet. Two guards withhold deletions
 *     ({@link calendarEmptyGuard}, {@link massDeleteGuard}); creates and updates go on.
 *     An explicitly confirmed FULL sync overrides both.
 *
 * A plan may be scoped: when the caller knows that every key outside a set would
 * come out NOTHING (the objects behind them are the ones the last sync planned, and
 * nothing entered the window since), it passes only the links and desired entries of
 * the keys in the set, and the per-calendar counts the mass-delete guard weighs. With several
 * calendars, the set holds every key of each of its UIDs in every calendar: which calendar holds
 * an occurrence, and so whether a vanished link merely moved, depends on all of them. The
 * plan is then the same as the complete one, minus the NOTHINGs it was not shown.
 *
 * Pure: no I/O, no clock. The caller applies the plan (./apply.ts), re-checking what it assumed.
 */
import { inWindow } from "../time-window.js";
import type { DesiredEntry } from "./desired.js";

export interface ExistingLink {
  id: string;
  calendarId: string;
  uid: string;
  recurrenceId: string | null;
  /** The object the entry came from (mirror key) and its etag then: a link always names its object. */
  href: string;
  etag: string | null;
  contentHash: string;
  occurrenceStart: Date;
  /** null: the user deleted the imported entry → the link is a tombstone, never re-create it. */
  timeEntryId: string | null;
  /** The user changed at least one field of the entry after import (project, notes or times). */
  entryEditedAfterImport: boolean;
  /** Already detached by an earlier conflict → left alone forever. */
  detached: boolean;
}

export interface PlanInput {
  /** Every occurrence in the window, from the COMPLETE mirror of each synced calendar. */
  desired: DesiredEntry[];
  /** Every link of the synced calendars (links of other calendars are ignored). */
  existing: ExistingLink[];
  /** Occurrences starting in [start, end) are in the window. */
  window: { start: Date; end: Date };
  /**
   * The synced calendars and how many objects the server listed for each this run; `url` orders
   * them when one occurrence is reached through several (absent: the calendar id does).
   */
  calendars: { calendarId: string; listedObjectCount: number; url?: string }[];
  /**
   * Selected calendars that could not be synced this run. Their links in `existing` are not judged;
   * they only keep the occurrences those calendars hold (see {@link oneCalendarPerOccurrence}).
   */
  unreachedCalendars?: { calendarId: string; url: string }[];
  /** A FULL sync with explicit confirmation: the guards do not withhold anything. */
  confirmDeletions: boolean;
  /**
   * Only for a scoped plan, where `desired` and `existing` hold just the keys in scope:
   * per calendar, how many of ALL its links the mass-delete guard counts (with an entry,
   * not detached, starting in the window). Absent: counted from `existing`.
   */
  guardedLinkCounts?: ReadonlyMap<string, number>;
}

export type GuardKind = "CALENDAR_EMPTY" | "MASS_DELETE";

export interface SyncGuard {
  /** CALENDAR_EMPTY when any calendar looked empty, else MASS_DELETE. */
  kind: GuardKind;
  /** For the user: what was withheld, why, and how to confirm. */
  message: string;
  /** Deletes not done this run. */
  withheldDeletes: number;
  /** Conflicts (edited entries whose event vanished) not detached this run. */
  withheldConflicts: number;
  /** The calendars that listed no objects (CALENDAR_EMPTY); empty for MASS_DELETE alone. */
  emptyCalendarIds: string[];
}

export interface SyncPlan {
  creates: DesiredEntry[];
  /**
   * Update the entry from `desired` in the fields the user did not edit, and the link's key, hash,
   * href, etag and occurrence start.
   */
  updates: { link: ExistingLink; desired: DesiredEntry }[];
  /**
   * The entry needs no change but its link does: the same content now comes from another href
   * or etag (a client deleted and re-created the event, a calendar was re-imported), or under
   * another key (a change of kind, see {@link matchChangesOfKind}). The link follows `desired`'s
   * object and key; its hash and entry stay. Counted apart from `unchanged`.
   */
  relinks: { link: ExistingLink; desired: DesiredEntry }[];
  /** Delete the entry and the link. */
  deletes: ExistingLink[];
  /** A user-edited entry whose event vanished: keep the entry, detach the link. */
  conflictsKept: ExistingLink[];
  /**
   * Desired occurrences that need no write: same hash, or a link we deliberately do
   * not follow any more (tombstone, detached). Together with creates, updates, relinks
   * and duplicates, this accounts for every desired entry.
   */
  unchanged: number;
  /** Occurrences whose key another object already claims (broken servers); not imported. */
  duplicates: DesiredEntry[];
  /**
   * Occurrences (UID + RECURRENCE-ID) also reached through another synced calendar, which holds the
   * imported one (see {@link oneCalendarPerOccurrence}); not imported from this calendar.
   */
  heldElsewhere: { desired: DesiredEntry; heldIn: string }[];
  /** Set when deletions were withheld; the run should finish PARTIAL with its message. */
  guard: SyncGuard | null;
}

/**
 * MASS_DELETE applies only when at least this many entries would go. Below it a
 * calendar's last few events can be removed normally; a total wipe of a small
 * calendar is still caught by CALENDAR_EMPTY, and an unedited entry deleted by
 * mistake costs little — its link goes too, so it is re-created once the server
 * lists the event again (edited entries are never deleted, only detached).
 */
export const MASS_DELETE_MIN_VANISHED = 5;

/**
 * Plans one sync of the given calendars. Throws only on a caller bug (a desired
 * entry of a calendar that is not being synced). Outputs are sorted by key, so the
 * plan does not depend on the order of its input.
 */
export function planSync(input: PlanInput): SyncPlan {
  const synced = new Set(input.calendars.map((c) => c.calendarId));
  for (const entry of input.desired) {
    if (!synced.has(entry.calendarId)) {
      throw new Error(`planSync: desired entry ${entry.uid} belongs to calendar ${entry.calendarId}, which is not being synced`);
    }
  }
  // Links of calendars not synced this run (e.g. deselected) are not ours to judge.
  const links = input.existing.filter((link) => synced.has(link.calendarId));
  const linksByKey = groupBy(links, occurrenceKey);
  const unreached = new Set((input.unreachedCalendars ?? []).map((c) => c.calendarId));
  const unreachedLinks = input.existing.filter((link) => unreached.has(link.calendarId));
  const { imported, heldElsewhere } = oneCalendarPerOccurrence(input.desired, groupBy([...links, ...unreachedLinks], occurrenceKey), [...input.calendars, ...(input.unreachedCalendars ?? [])], unreached);
  // Links are carried across a change of kind first: the object a carried link names then wins
  // its new key, as it wins a key its link never left.
  const movedLinks = matchChangesOfKind(imported, linksByKey, input.window);
  const { winners, duplicates } = pickOneDesiredPerKey(imported, linksByKey, movedLinks);

  const plan: SyncPlan = { creates: [], updates: [], relinks: [], deletes: [], conflictsKept: [], unchanged: 0, duplicates, heldElsewhere, guard: null };
  const vanished: Vanished[] = [];

  for (const key of [...new Set([...winners.keys(), ...linksByKey.keys()])].sort(compareStrings)) {
    // The unique constraint makes this at most one link. Should a store ever hold
    // several, the first by id is the link and the surplus is judged as vanished.
    const keyLinks = (linksByKey.get(key) ?? []).sort((a, b) => compareStrings(a.id, b.id));
    const desired = winners.get(key);
    if (desired === undefined) {
      vanished.push(...judgeVanished(keyLinks, input.window));
      continue;
    }
    const [linkHere, ...surplus] = keyLinks;
    const link = linkHere ?? movedLinks.get(key);
    switch (decideWithEvent(desired, link)) {
      case "CREATE":
        plan.creates.push(desired);
        break;
      case "UPDATE":
        plan.updates.push({ link: requireLink(link), desired });
        break;
      case "NOTHING":
        if (link !== undefined && !namesObjectOf(link, desired)) plan.relinks.push({ link, desired });
        else plan.unchanged++;
        break;
    }
    vanished.push(...judgeVanished(surplus, input.window));
  }

  // Deletes and vanished-event conflicts wait for the guards; the rest is final. An occurrence that
  // another calendar imports now has moved there (its holder changed): nothing of the user's time is
  // lost, and withholding its deletion would count the hour twice, so the guards pass it by.
  const movedAway = movedToAnotherCalendar(vanished, winners.values());
  const withheld = input.confirmDeletions ? null : applyGuards(vanished.filter((v) => !movedAway.has(v.link)), guardedLinkCounts(links, input), input.calendars);
  for (const { link, decision } of vanished) {
    if (withheld?.links.has(link)) continue;
    if (decision === "DELETE") plan.deletes.push(link);
    else plan.conflictsKept.push(link);
  }
  plan.guard = withheld?.guard ?? null;
  return plan;
}

// ---------------------------------------------------------------------------
// The truth table

type WithEvent = "CREATE" | "UPDATE" | "NOTHING";
type WithoutEvent = "DELETE" | "KEEP_CONFLICT" | "NOTHING";

/** The occurrence is in the calendar (and in the window). */
function decideWithEvent(desired: DesiredEntry, link: ExistingLink | undefined): WithEvent {
  // New occurrence: import it.
  if (link === undefined) return "CREATE";
  // Imported and unchanged since: nothing to do, whatever became of the entry.
  if (link.contentHash === desired.contentHash) return "NOTHING";
  // Changed, but the user deleted the entry: that deletion stands. The tombstone
  // keeps its old hash, so it stays a tombstone (counted as unchanged).
  if (link.timeEntryId === null) return "NOTHING";
  // Changed, but the entry was detached by an earlier conflict: it is the user's now.
  if (link.detached) return "NOTHING";
  // Changed: follow the event, in the fields the user did not edit (apply.ts keeps the others).
  return "UPDATE";
}

/**
 * Link identity is total: a link names the object (href, etag) and key its entry came from. Same
 * content from another object, or under another key, is NOTHING for the entry but a RELINK for
 * the link — else a later deletion of the new object would not find the link (its scope comes
 * from the links of the deleted href).
 */
function namesObjectOf(link: ExistingLink, desired: DesiredEntry): boolean {
  return link.href === desired.href && link.etag === desired.etag && link.recurrenceId === desired.recurrenceId;
}

/** The occurrence is no longer in the calendar's window — or it merely left the window. */
function decideWithoutEvent(link: ExistingLink, window: PlanInput["window"]): WithoutEvent {
  // It starts outside the window: the event did not vanish, we stopped looking. Keep.
  if (!inWindow(link.occurrenceStart, window)) return "NOTHING";
  // The user deleted the entry: the tombstone stays as it is (no entry to delete;
  // kept so that a re-appearing event is not re-imported).
  if (link.timeEntryId === null) return "NOTHING";
  // Detached by an earlier conflict: the entry is the user's; it does not follow the event.
  if (link.detached) return "NOTHING";
  // The user edited a field of the entry: keep it, detach the link.
  if (link.entryEditedAfterImport) return "KEEP_CONFLICT";
  // Untouched by the user: the event is gone, so is the entry (and its link).
  return "DELETE";
}

function judgeVanished(links: readonly ExistingLink[], window: PlanInput["window"]): Vanished[] {
  return links.flatMap((link) => {
    const decision = decideWithoutEvent(link, window);
    return decision === "NOTHING" ? [] : [{ link, decision }];
  });
}

/** UPDATE is only ever decided for an existing link. */
function requireLink(link: ExistingLink | undefined): ExistingLink {
  if (link === undefined) throw new Error("planSync: a decision about a link was made without a link");
  return link;
}

// ---------------------------------------------------------------------------
// Changes of kind

/**
 * Keys survive a change of kind. A single event that becomes a series changes its only key from
 * (uid, null) to (uid, RECURRENCE-ID of each instance); a series that becomes a single event the
 * other way round. Without this the entry of the old key would be judged vanished and a new one
 * created for the same hour — counted twice when the user had edited the old one.
 *
 * Per (calendar, UID), only while the link starts in the window (time passing never moves an
 * entry), and only onto a key that has no link of its own:
 *   single → series: the link of (uid, null), when (uid, null) is no longer desired, goes to the
 *                    first desired instance (earliest start) — of the object the link names, when
 *                    two objects carry the UID;
 *   series → single: a desired (uid, null) without link takes the link of the first instance
 *                    (earliest start) whose own key is no longer desired.
 * Returns, per desired key, the link that moves to it.
 */
function matchChangesOfKind(
  desiredEntries: readonly DesiredEntry[],
  linksByKey: Map<string, ExistingLink[]>,
  window: PlanInput["window"],
): Map<string, ExistingLink> {
  const moved = new Map<string, ExistingLink>();
  const byEvent = (item: { calendarId: string; uid: string }) => JSON.stringify([item.calendarId, item.uid]);
  const desiredByEvent = groupBy(desiredEntries, byEvent);
  const desiredKeys = new Set(desiredEntries.map(occurrenceKey));
  const linksByEvent = groupBy([...linksByKey.values()].flat(), byEvent);
  // Earliest first; ties broken by key and id, so the match does not depend on input order.
  const firstDesired = (a: DesiredEntry, b: DesiredEntry) => a.start.getTime() - b.start.getTime() || compareStrings(occurrenceKey(a), occurrenceKey(b));
  const firstLink = (a: ExistingLink, b: ExistingLink) => a.occurrenceStart.getTime() - b.occurrenceStart.getTime() || compareStrings(occurrenceKey(a), occurrenceKey(b)) || compareStrings(a.id, b.id);
  for (const [event, desired] of desiredByEvent) {
    const eventLinks = (linksByEvent.get(event) ?? []).sort(firstLink);
    const single = eventLinks.find((link) => link.recurrenceId === null);
    const singleDesired = desired.find((entry) => entry.recurrenceId === null);
    if (single && !singleDesired && inWindow(single.occurrenceStart, window)) {
      const ofLinkedObject = (entry: DesiredEntry) => Number(entry.href !== single.href);
      const [first] = desired.filter((entry) => !linksByKey.has(occurrenceKey(entry))).sort((a, b) => ofLinkedObject(a) - ofLinkedObject(b) || firstDesired(a, b));
      if (first) moved.set(occurrenceKey(first), single);
    } else if (!single && singleDesired) {
      const [first] = eventLinks.filter((link) => !desiredKeys.has(occurrenceKey(link)) && inWindow(link.occurrenceStart, window));
      if (first) moved.set(occurrenceKey(singleDesired), first);
    }
  }
  for (const link of moved.values()) {
    const rest = linksByKey.get(occurrenceKey(link))!.filter((other) => other !== link);
    if (rest.length > 0) linksByKey.set(occurrenceKey(link), rest);
    else linksByKey.delete(occurrenceKey(link));
  }
  return moved;
}

// ---------------------------------------------------------------------------
// Duplicates

/**
 * One occurrence, one entry: the same occurrence (UID + RECURRENCE-ID) reached through several
 * synced calendars of the integration — an invitation in a personal and in a shared team calendar —
 * is imported from one of them:
 *   1. the calendar whose entry for it the user touched (edited, deleted, or kept detached), so a
 *      user's version is never doubled by another calendar's copy;
 *   2. else the calendar with the smallest URL.
 * The rule depends only on the calendars and the user's own actions, never on which calendar
 * happened to be imported first. A selected calendar that could not be synced this run still
 * holds the occurrences it has links for, unless a synced calendar has a link for it too: its
 * entries are not doubled by a copy meanwhile, and it takes no entry away.
 * The other calendars skip the occurrence (DUPLICATE); an untouched entry one of them imported
 * earlier is then judged vanished, like any occurrence its calendar no longer shows.
 */
function oneCalendarPerOccurrence(
  desired: readonly DesiredEntry[],
  linksByKey: ReadonlyMap<string, ExistingLink[]>,
  calendars: readonly { calendarId: string; url?: string }[],
  unreachedIds: ReadonlySet<string>,
): { imported: DesiredEntry[]; heldElsewhere: SyncPlan["heldElsewhere"] } {
  const urlOf = new Map(calendars.map((c) => [c.calendarId, c.url ?? c.calendarId]));
  const unreached = [...unreachedIds];
  const touched = (link: ExistingLink) => link.timeEntryId === null || link.detached || link.entryEditedAfterImport;
  const imported: DesiredEntry[] = [];
  const heldElsewhere: SyncPlan["heldElsewhere"] = [];
  for (const entries of groupBy(desired, (entry) => JSON.stringify([entry.uid, entry.recurrenceId ?? null])).values()) {
    const reaching = [...new Set(entries.map((entry) => entry.calendarId))];
    const linkedIn = (calendarId: string) => linksByKey.has(occurrenceKey({ ...entries[0]!, calendarId }));
    // A calendar that failed only keeps a copy from being imported; it takes no entry away.
    const calendarIds = reaching.some(linkedIn) ? reaching : [...reaching, ...unreached.filter(linkedIn)];
    if (calendarIds.length === 1) {
      imported.push(...entries);
      continue;
    }
    const touchedIn = (calendarId: string) => Number(!(linksByKey.get(occurrenceKey({ ...entries[0]!, calendarId })) ?? []).some(touched));
    const [holder] = calendarIds.sort((a, b) => touchedIn(a) - touchedIn(b) || compareStrings(urlOf.get(a)!, urlOf.get(b)!) || compareStrings(a, b));
    for (const entry of entries) {
      if (entry.calendarId === holder) imported.push(entry);
      else heldElsewhere.push({ desired: entry, heldIn: holder! });
    }
  }
  heldElsewhere.sort(
    (a, b) =>
      compareStrings(occurrenceKey(a.desired), occurrenceKey(b.desired)) ||
      compareStrings(a.desired.href, b.desired.href) ||
      a.desired.start.getTime() - b.desired.start.getTime() ||
      compareStrings(a.desired.contentHash, b.desired.contentHash),
  );
  return { imported, heldElsewhere };
}

/**
 * Two objects of one calendar claiming the same UID + RECURRENCE-ID happen on broken
 * servers. One occurrence per key is imported: the one from the object the existing
 * link points to (so the entry does not flip between objects) — its own link, or the one a
 * change of kind carries to it —, else the one from the smallest href, then earliest start,
 * then smallest hash — independent of input order.
 */
function pickOneDesiredPerKey(
  desired: readonly DesiredEntry[],
  linksByKey: ReadonlyMap<string, ExistingLink[]>,
  movedLinks: ReadonlyMap<string, ExistingLink> = new Map(),
): { winners: Map<string, DesiredEntry>; duplicates: DesiredEntry[] } {
  const winners = new Map<string, DesiredEntry>();
  const duplicates: DesiredEntry[] = [];
  for (const [key, candidates] of groupBy(desired, occurrenceKey)) {
    const moved = movedLinks.get(key);
    const linkedHrefs = new Set([...(linksByKey.get(key) ?? []), ...(moved ? [moved] : [])].map((link) => link.href));
    const [winner, ...losers] = candidates.sort(
      (a, b) =>
        Number(!linkedHrefs.has(a.href)) - Number(!linkedHrefs.has(b.href)) ||
        compareStrings(a.href, b.href) ||
        a.start.getTime() - b.start.getTime() ||
        compareStrings(a.contentHash, b.contentHash),
    );
    if (winner !== undefined) winners.set(key, winner);
    duplicates.push(...losers);
  }
  duplicates.sort((a, b) => compareStrings(occurrenceKey(a), occurrenceKey(b)) || compareStrings(a.href, b.href));
  return { winners, duplicates };
}

// ---------------------------------------------------------------------------
// Guards

/** A link whose event vanished, and what would happen to it. */
interface Vanished {
  link: ExistingLink;
  decision: "DELETE" | "KEEP_CONFLICT";
}

/**
 * The vanished links whose occurrence (UID + RECURRENCE-ID) a winner of another calendar imports:
 * the occurrence moved to the calendar that holds it now (see {@link oneCalendarPerOccurrence}).
 */
function movedToAnotherCalendar(vanished: readonly Vanished[], winners: Iterable<DesiredEntry>): Set<ExistingLink> {
  const occurrence = (item: { uid: string; recurrenceId: string | null }) => JSON.stringify([item.uid, item.recurrenceId ?? null]);
  const importedIn = new Map<string, Set<string>>();
  for (const desired of winners) {
    const calendars = importedIn.get(occurrence(desired)) ?? new Set<string>();
    importedIn.set(occurrence(desired), calendars.add(desired.calendarId));
  }
  const moved = vanished.filter(({ link }) => [...(importedIn.get(occurrence(link)) ?? [])].some((calendarId) => calendarId !== link.calendarId));
  return new Set(moved.map((v) => v.link));
}

/**
 * Runs the guards in order and returns what they withhold, or null. Withheld are the
 * consequences of vanishing: deletes, and conflicts that would detach an edited
 * entry — a glitch must not permanently cut the user's edited entries loose either.
 */
function applyGuards(
  vanished: readonly Vanished[],
  guarded: ReadonlyMap<string, number>,
  calendars: PlanInput["calendars"],
): { links: Set<ExistingLink>; guard: SyncGuard } | null {
  const emptyCalendarIds = calendarEmptyGuard(vanished, calendars);
  const massDelete = massDeleteGuard(vanished.filter((v) => !emptyCalendarIds.has(v.link.calendarId)), guarded);

  const withheld = vanished.filter((v) => emptyCalendarIds.has(v.link.calendarId) || massDelete?.calendarIds.has(v.link.calendarId));
  if (withheld.length === 0) return null;

  const withheldDeletes = withheld.filter((v) => v.decision === "DELETE").length;
  const withheldConflicts = withheld.length - withheldDeletes;
  const messages: string[] = [];
  if (emptyCalendarIds.size > 0) {
    messages.push(
      `${plural(emptyCalendarIds.size, "calendar")} listed no objects at all although entries were imported from ` +
        `${emptyCalendarIds.size === 1 ? "it" : "them"} (${[...emptyCalendarIds].join(", ")}): it looks empty, ` +
        `which is more likely a server glitch than a real deletion.`,
    );
  }
  if (massDelete !== null) {
    messages.push(
      `This sync would remove ${massDelete.vanished} of ${massDelete.population} imported entries in the window of ` +
        `${massDelete.calendarIds.size === 1 ? "a calendar" : `${massDelete.calendarIds.size} calendars`}, more than half.`,
    );
  }
  // Other calendars' deletions went ahead: say whose were held back.
  const heldCalendars = emptyCalendarIds.size + (massDelete?.calendarIds.size ?? 0);
  messages.push(
    `Nothing was deleted from ${heldCalendars === 1 ? "that calendar" : "those calendars"} (${plural(withheldDeletes, "deletion")} and ${plural(withheldConflicts, "conflict")} withheld). ` +
      `If the events really are gone, run a FULL sync and confirm the deletion.`,
  );
  return {
    links: new Set(withheld.map((v) => v.link)),
    guard: {
      kind: emptyCalendarIds.size > 0 ? "CALENDAR_EMPTY" : "MASS_DELETE",
      message: messages.join(" "),
      withheldDeletes,
      withheldConflicts,
      emptyCalendarIds: [...emptyCalendarIds].sort(compareStrings),
    },
  };
}

/**
 * CALENDAR_EMPTY — "storage suddenly empty". A calendar that listed zero objects this
 * run while entries imported from it would vanish: all of that calendar's vanishing
 * is withheld. (A calendar that lists zero objects and has nothing to lose triggers
 * nothing: a guard fires only when it withholds something, so a calendar the user
 * really emptied does not finish every run PARTIAL forever.)
 */
function calendarEmptyGuard(vanished: readonly Vanished[], calendars: PlanInput["calendars"]): Set<string> {
  const listedNothing = new Set(calendars.filter((c) => c.listedObjectCount === 0).map((c) => c.calendarId));
  return new Set(vanished.map((v) => v.link.calendarId).filter((id) => listedNothing.has(id)));
}

/**
 * MASS_DELETE — the sync would remove more than half of a calendar's imported entries,
 * and at least MASS_DELETE_MIN_VANISHED of them: all of that calendar's vanishing is
 * withheld. Weighed per calendar, as calendars are downloaded: what one calendar loses
 * never depends on whether another calendar's download succeeded this run.
 *
 * "Imported entries" are the ones this run is responsible for: links with an entry,
 * not detached, whose occurrence starts in the window (calendars already withheld as
 * empty excluded). Counting entries outside the window would let the guard fade as
 * history accumulates — after a year, losing every entry of the current window would
 * be a small fraction of all entries ever imported.
 *
 * Creates proceed while deletes are withheld, and the next run counts them among the
 * imported entries. So when a calendar's events were all replaced (a server migration
 * that rewrote every UID), the first run imports the new ones and withholds, and the
 * next run may find the old ones below half and delete them. A glitch that only
 * hides events creates nothing and stays withheld run after run.
 */
function massDeleteGuard(
  vanished: readonly Vanished[],
  guarded: ReadonlyMap<string, number>,
): { vanished: number; population: number; calendarIds: Set<string> } | null {
  const triggered = { vanished: 0, population: 0, calendarIds: new Set<string>() };
  for (const [calendarId, calendarVanished] of groupBy(vanished, (v) => v.link.calendarId)) {
    const population = guarded.get(calendarId) ?? 0;
    if (calendarVanished.length < MASS_DELETE_MIN_VANISHED || calendarVanished.length * 2 <= population) continue;
    triggered.vanished += calendarVanished.length;
    triggered.population += population;
    triggered.calendarIds.add(calendarId);
  }
  return triggered.calendarIds.size > 0 ? triggered : null;
}

/** Per calendar, the links the mass-delete guard counts: with an entry, not detached, in the window. */
function guardedLinkCounts(links: readonly ExistingLink[], input: PlanInput): ReadonlyMap<string, number> {
  if (input.guardedLinkCounts) return input.guardedLinkCounts;
  const counts = new Map<string, number>();
  for (const link of links) {
    if (link.timeEntryId !== null && !link.detached && inWindow(link.occurrenceStart, input.window)) {
      counts.set(link.calendarId, (counts.get(link.calendarId) ?? 0) + 1);
    }
  }
  return counts;
}

// ---------------------------------------------------------------------------
// Helpers

/** (calendar, UID, RECURRENCE-ID) as one unambiguous string. */
export function occurrenceKey(item: { calendarId: string; uid: string; recurrenceId: string | null }): string {
  return JSON.stringify([item.calendarId, item.uid, item.recurrenceId ?? null]);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return groups;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
