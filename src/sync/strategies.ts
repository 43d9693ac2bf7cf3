/**
 * Step 3 of a sync: the planning strategies. Each gives the plan the complete one (planSync over
 * every desired entry and every link of the synced calendars) would give, minus the keys it can
 * show would come out NOTHING; the run records which one ran.
 *
 *   UNCHANGED     every calendar unchanged since the last fully successful sync of this process,
 *                 same settings, nothing new in the window: the plan is empty; nothing is expanded,
 *                 read or written.
 *   FIRST_IMPORT  calendars without a single link, none unreached: every winner of a key is a CREATE.
 *   SCOPED        after a remembered sync, only the keys the changed and deleted objects had
 *                 before (their links) and have now (their desired entries).
 *   COMPLETE      everything.
 */
import type { Db } from "../db/client.js";
import type { Integration } from "../integrations/service.js";
import type { CollectionChanges } from "./collection-sync.js";
import type { ExpandContext } from "./context.js";
import type { DesiredEntry } from "./desired.js";
import { countExpansion, type Expansion, type SyncWindow } from "./expand.js";
import { anyLinks, existingLinks, guardedLinkCounts, linksOf, type Calendar } from "./mirror.js";
import { expansionCache, syncMemos, type MemoObject, type SyncMemo } from "./object-cache.js";
import { occurrenceKey, planSync, type ExistingLink, type PlanInput, type SyncPlan } from "./plan.js";
import type { SyncRunResult } from "./runs.js";

export type PlanningStrategyName = "UNCHANGED" | "FIRST_IMPORT" | "SCOPED" | "COMPLETE";

/** What every strategy after the fast path plans from. */
export interface PlanningInputs {
  db: Db;
  changes: ReadonlyMap<string, CollectionChanges>;
  expansion: Expansion;
  /** The plan's input without links: every desired entry, the calendars, the window. */
  input: PlanInput;
  memo: SyncMemo | null;
}

export interface Planned {
  plan: SyncPlan;
  /** How many objects' keys were planned; null: all of them. */
  plannedObjects: number | null;
}

export interface PlanningStrategy {
  name: PlanningStrategyName;
  /** The plan, or null when this strategy does not apply. */
  plan(inputs: PlanningInputs): Promise<Planned | null>;
}

export const FIRST_IMPORT: PlanningStrategy = {
  name: "FIRST_IMPORT",
  async plan({ db, expansion, input, memo }) {
    if (memo !== null || (input.unreachedCalendars ?? []).length > 0 || (await anyLinks(db, input.calendars.map((c) => c.calendarId)))) return null;
    return { plan: planSync({ ...input, desired: input.desired.filter((entry) => !expansion.heldUids.has(uidOf(entry))) }), plannedObjects: null };
  },
};

export const SCOPED: PlanningStrategy = {
  name: "SCOPED",
  async plan({ db, changes, expansion, input, memo }) {
    const changed = memo && expansion.unavailable.size === 0 ? changedObjects(memo, changes, expansion.cacheKeys, input.desired, input.window.end.getTime()) : null;
    if (changed === null) return null;
    const scoped = await scopedPlanInput(db, input, changed);
    const plan = planSync({ ...input, ...scoped });
    // A scoped plan was not shown the desired entries outside its scope: all of them unchanged.
    plan.unchanged += input.desired.length - scoped.desired.length;
    return { plan, plannedObjects: [...changed.values()].reduce((n, hrefs) => n + hrefs.size, 0) };
  },
};

export const COMPLETE: PlanningStrategy = {
  name: "COMPLETE",
  async plan({ db, expansion, input }) {
    const links = await existingLinks(db, [...input.calendars, ...(input.unreachedCalendars ?? [])].map((c) => c.calendarId));
    // An object whose entries cannot be known this sync holds its UID in its calendar: the UID of
    // its links and of the last version a sync read. Nothing of that UID is planned (another object
    // with it, a copy or a duplicate, might hold what the unreadable one still holds) until the
    // object is readable again and the two can be told apart.
    const heldUids = new Set(expansion.heldUids);
    for (const link of links) if (expansion.unavailable.has(`${link.calendarId} ${link.href}`)) heldUids.add(uidOf(link));
    const plan = planSync({
      ...input,
      desired: input.desired.filter((entry) => !heldUids.has(uidOf(entry))),
      existing: links.filter((link) => !heldUids.has(uidOf(link))),
    });
    return { plan, plannedObjects: null };
  },
};

/** A UID in its calendar, as Expansion.heldUids spells it. */
const uidOf = (item: { calendarId: string; uid: string }) => JSON.stringify([item.calendarId, item.uid]);

/** The strategies after the fast path, cheapest first; COMPLETE always applies. */
export const PLANNING_STRATEGIES: readonly PlanningStrategy[] = [FIRST_IMPORT, SCOPED, COMPLETE];

/**
 * The fast path of an INCREMENTAL sync: when every calendar is unchanged on the server, its stored
 * state is the one the last (fully successful) sync of this process wrote, settings and projects
 * are the same, and no occurrence starts in the part of the window that is new since then, the
 * plan would be empty. The result is counted from the cached expansions. Null when any of that
 * does not hold.
 */
export const UNCHANGED = {
  name: "UNCHANGED" as const,
  plan(memo: SyncMemo, changes: ReadonlyMap<string, CollectionChanges>, context: ExpandContext, window: SyncWindow, result: SyncRunResult): { plan: SyncPlan; unchangedIn: Map<string, number> } | null {
    if ([...changes.values()].some((change) => change.strategy !== "UNCHANGED")) return null;
    const ws = window.start.getTime();
    const we = window.end.getTime();
    // A link the window reached since: its occurrence may be gone (changed while beyond the window).
    if (memo.linksAhead.some((link) => link.start < we)) return null;
    const counted: Pick<SyncRunResult, "occurrencesSeen" | "skipped" | "warnings"> = { occurrencesSeen: 0, skipped: {}, warnings: [] };
    let unchanged = 0;
    const unchangedIn = new Map<string, number>();
    for (const { calendarId, key } of memo.objects) {
      const cached = expansionCache.get(key);
      if (!cached || cached.windowStart > ws || cached.windowEnd < we || cached.desiredKey !== context.desiredKeyOf(calendarId)) return null;
      for (const entry of cached.desired) {
        const t = entry.start.getTime();
        // An occurrence that entered the window since the last sync: plan it properly.
        if (t >= memo.windowEnd && t < we) return null;
        if (t >= ws && t < we) {
          unchanged++;
          unchangedIn.set(calendarId, (unchangedIn.get(calendarId) ?? 0) + 1);
        }
      }
      countExpansion(cached, ws, we, counted as SyncRunResult);
    }
    memo.windowEnd = we;
    Object.assign(result, counted);
    // Occurrences another calendar holds were counted above; they are skipped, not unchanged.
    const heldElsewhere = memo.heldElsewhere.starts.filter((t) => t >= ws && t < we).length;
    if (heldElsewhere > 0) {
      result.skipped.DUPLICATE = (result.skipped.DUPLICATE ?? 0) + heldElsewhere;
      result.warnings.push(...memo.heldElsewhere.warnings);
    }
    return { plan: { creates: [], updates: [], relinks: [], deletes: [], conflictsKept: [], unchanged: unchanged - heldElsewhere, duplicates: [], heldElsewhere: [], guard: null }, unchangedIn };
  },
};

/**
 * The last fully successful sync of this integration in this process, if the stored side is still
 * what it wrote: the same settings and projects, the calendars' stored states as it left them (no
 * other process synced since), and a window that did not move back.
 */
export function rememberedSync(integration: Integration, calendars: readonly Calendar[], context: ExpandContext, window: SyncWindow): SyncMemo | null {
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
 * The plan input for the keys of the changed objects only: the links of their hrefs (the keys
 * they produced before the change: a link always names its object) and of their UIDs, their
 * desired entries, every desired entry sharing a key with those, every key several objects claim
 * and every occurrence several calendars reach (the plan reports those duplicates whatever
 * changed), and the counts the mass-delete guard needs
 * from all links.
 */
async function scopedPlanInput(db: Db, input: PlanInput, changed: Map<string, Set<string>>): Promise<Pick<PlanInput, "desired" | "existing" | "guardedLinkCounts">> {
  const existing: ExistingLink[] = [];
  const keys = new Set<string>();
  const uids = new Map<string, Set<string>>([...changed.keys()].map((calendarId) => [calendarId, new Set()]));
  const claimed = new Set<string>();
  // An occurrence reached through several calendars is planned in all of them, whatever changed.
  const calendarsOf = new Map<string, Set<string>>();
  for (const entry of input.desired) {
    const occurrence = JSON.stringify([entry.uid, entry.recurrenceId ?? null]);
    calendarsOf.set(occurrence, (calendarsOf.get(occurrence) ?? new Set()).add(entry.calendarId));
  }
  for (const entry of input.desired) {
    const key = occurrenceKey(entry);
    const duplicate = claimed.has(key) || calendarsOf.get(JSON.stringify([entry.uid, entry.recurrenceId ?? null]))!.size > 1;
    claimed.add(key);
    if (!duplicate && !changed.get(entry.calendarId)?.has(entry.href)) continue;
    keys.add(key);
    let calendarUids = uids.get(entry.calendarId);
    if (!calendarUids) uids.set(entry.calendarId, (calendarUids = new Set()));
    calendarUids.add(entry.uid);
  }
  for (const [calendarId, calendarUids] of uids) {
    const links = await linksOf(db, calendarId, [...(changed.get(calendarId) ?? [])], [...calendarUids]);
    for (const link of links) keys.add(occurrenceKey(link));
    existing.push(...links);
  }
  // Which calendar holds an occurrence several calendars reach depends on all of them: a change in
  // one (its copy deleted, say) may hand the occurrence to another whose objects did not change.
  // So with several calendars, every UID in scope is planned in each of them.
  const scopedUids = new Set([...[...uids.values()].flatMap((set) => [...set]), ...existing.map((link) => link.uid)]);
  if (input.calendars.length > 1 && scopedUids.size > 0) {
    const known = new Set(existing.map((link) => link.id));
    for (const { calendarId } of input.calendars) {
      for (const link of await linksOf(db, calendarId, [], [...scopedUids])) {
        if (known.has(link.id)) continue;
        keys.add(occurrenceKey(link));
        existing.push(link);
      }
    }
    for (const entry of input.desired) if (scopedUids.has(entry.uid)) keys.add(occurrenceKey(entry));
  }
  return {
    desired: input.desired.filter((entry) => keys.has(occurrenceKey(entry))),
    existing,
    guardedLinkCounts: await guardedLinkCounts(db, input.calendars.map((c) => c.calendarId), input.window),
  };
}

/**
 * The objects whose keys need planning after the remembered sync, per calendar (hrefs): the ones
 * downloaded or deleted now, the ones with an occurrence that entered the window since, and the
 * ones whose link the window reached since (the occurrence may be gone). Every
 * other object must be the one the remembered sync planned (same href and cache key, which holds
 * the etag), so its keys would come out NOTHING; if that cannot be shown, null: plan everything.
 */
function changedObjects(
  memo: SyncMemo,
  changes: ReadonlyMap<string, CollectionChanges>,
  current: MemoObject[] | null,
  desired: DesiredEntry[],
  windowEnd: number,
): Map<string, Set<string>> | null {
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
  for (const link of memo.linksAhead) if (link.start < windowEnd) mark(link.calendarId, link.href);
  const isChanged = (o: { calendarId: string; href: string }) => changed.get(o.calendarId)?.has(o.href) ?? false;
  const before = new Map(memo.objects.filter((o) => !isChanged(o)).map((o) => [`${o.calendarId} ${o.href}`, o.key]));
  const now = current.filter((o) => !isChanged(o));
  if (now.length !== before.size || now.some((o) => before.get(`${o.calendarId} ${o.href}`) !== o.key)) return null;
  return changed;
}
