/**
 * Step 2 of a sync: every occurrence in the window of the synced calendars as it will be once the
 * downloaded changes are stored, expanded by us (src/caldav/ical) and matched to projects — or
 * taken from the expansion cache (./object-cache.ts). Reads the mirror; writes nothing.
 */
import { calendarOccurrenceBudget, expandCalendarObject, IcsParseError, type ExpandOptions, type ExpandResult } from "../caldav/ical/index.js";
import type { Db } from "../db/client.js";
import type { Logger } from "../logger.js";
import type { SyncRunResult } from "./runs.js";
import type { CollectionChanges } from "./collection-sync.js";
import type { ExpandContext } from "./context.js";
import { buildDesiredEntries, type DesiredEntry } from "./desired.js";
import type { MirrorListings } from "./download.js";
import { objectData } from "./mirror.js";
import { cachedExpansion, dataHash, EXPANSION_PAD_MS, expansionCache, expansionKey, type CachedExpansion, type MemoObject } from "./object-cache.js";

const MAX_WARNINGS = 50;
/** ≈ 10–20 ms of expansion between two turns of the event loop. */
const YIELD_EVERY_OBJECTS = 100;

export interface SyncWindow {
  start: Date;
  end: Date;
}

export interface Expansion {
  /** Every desired entry in the window, in object order. */
  desired: DesiredEntry[];
  /**
   * Objects whose entries cannot be known this sync ("calendarId href"): unparsable, or their
   * data could not be read. Their links are kept as they are, and they are downloaded again.
   */
  unavailable: Set<string>;
  /**
   * The UIDs ([calendarId, uid] as JSON) the unavailable objects had when a sync last read them
   * (the mirror keeps that version). An unreadable object may still hold any occurrence of them.
   */
  heldUids: Set<string>;
  /** Every object's cache key; null when some object has no etag (then nothing is remembered). */
  cacheKeys: MemoObject[] | null;
}

interface MirrorEntry {
  calendarId: string;
  href: string;
  etag: string | null;
  /** null until read (only objects the cache cannot answer are read) */
  data: string | null;
  /** reported changed but not delivered, or deleted while an item was not: held as stored */
  missing: boolean;
}

export async function expandCalendars(
  db: Db,
  log: Logger,
  context: ExpandContext,
  changes: ReadonlyMap<string, CollectionChanges>,
  mirrors: MirrorListings,
  window: SyncWindow,
  result: SyncRunResult,
): Promise<Expansion> {
  const objects = await mirrorIndex(changes, mirrors);
  const { hits, cacheKeys } = await expansionInputs(db, context, objects, window);
  const ws = window.start.getTime();
  const we = window.end.getTime();
  const expandOptions = { ...context.expandOptions, windowStart: window.start, windowEnd: new Date(we + EXPANSION_PAD_MS) };
  const desired: DesiredEntry[] = [];
  const unavailable = new Set<string>();
  // One occurrence total per calendar and sync (src/caldav/ical/budget.ts); cached expansions spend
  // none. The options are built once per calendar, not per object: V8 builds `{ ...options, budget }`
  // on a slow path (≈ 1.5 µs), and that object made expanding the 10k calendar ≈ 20 % slower.
  const optionsByCalendar = new Map<string, ExpandOptions>();
  const optionsOf = (calendarId: string) =>
    optionsByCalendar.get(calendarId) ?? optionsByCalendar.set(calendarId, { ...expandOptions, calendarBudget: calendarOccurrenceBudget() }).get(calendarId)!;
  let expanded = 0;
  for (const object of objects) {
    if (object.missing) {
      // Changed on the server and not delivered, or deleted while another item was not: the
      // stored version is out of date, so expanding it could create or change entries the server
      // no longer has. Held as it is until a complete download.
      unavailable.add(`${object.calendarId} ${object.href}`);
      continue;
    }
    let cached = hits.get(object);
    if (!cached && ++expanded % YIELD_EVERY_OBJECTS === 0) await new Promise((resolve) => setImmediate(resolve));
    if (!cached) {
      if (object.data === null) {
        // Listed in the mirror but its data could not be read: not a deletion. Its entries stay
        // as they are until the next sync downloads it again.
        unavailable.add(`${object.calendarId} ${object.href}`);
        continue;
      }
      let expansion: ExpandResult;
      try {
        expansion = expandCalendarObject(object.data, optionsOf(object.calendarId));
      } catch (error) {
        // One unreadable object must not stop the others; its earlier entries stay as they are
        // until it can be read again.
        if (!(error instanceof IcsParseError)) log.warn({ err: error, href: object.href }, "calendar object failed to expand");
        unavailable.add(`${object.calendarId} ${object.href}`);
        result.skipped.PARSE_ERROR = (result.skipped.PARSE_ERROR ?? 0) + 1;
        const message = error instanceof IcsParseError ? error.message : "This calendar object could not be expanded.";
        result.errors.push({ href: object.href, uid: uidIn(object.data), message });
        continue;
      }
      const desiredEntries = buildDesiredEntries(
        { calendarId: object.calendarId, href: object.href, etag: object.etag, defaultProjectId: context.defaultProjectOf.get(object.calendarId) ?? null },
        expansion.occurrences,
        context.matcher,
      );
      cached = cachedExpansion(ws, we + EXPANSION_PAD_MS, object.data, expansion, desiredEntries, context.desiredKeyOf(object.calendarId));
      if (object.etag !== null) expansionCache.set(expansionKey(object.calendarId, object.href, object.etag, context.optionsKey), cached);
    }
    countExpansion(cached, ws, we, result);
    for (const entry of cached.desired) {
      const t = entry.start.getTime();
      if (t >= ws && t < we) desired.push(entry);
    }
  }
  return { desired, unavailable, heldUids: await lastReadUids(db, unavailable), cacheKeys };
}

/** The UIDs in the stored data of the given objects ("calendarId href"): the last version a sync could read. */
async function lastReadUids(db: Db, objects: ReadonlySet<string>): Promise<Set<string>> {
  const byCalendar = new Map<string, string[]>();
  for (const object of objects) {
    const [calendarId, href] = [object.slice(0, object.indexOf(" ")), object.slice(object.indexOf(" ") + 1)];
    byCalendar.set(calendarId, [...(byCalendar.get(calendarId) ?? []), href]);
  }
  const uids = new Set<string>();
  for (const [calendarId, hrefs] of byCalendar) {
    for (const data of (await objectData(db, calendarId, hrefs)).values()) {
      for (const uid of uidsIn(data)) uids.add(JSON.stringify([calendarId, uid]));
    }
  }
  return uids;
}

/** What the calendars hold once `changes` are applied: (calendar, href, etag), with data for what was downloaded. */
async function mirrorIndex(changes: ReadonlyMap<string, CollectionChanges>, mirrors: MirrorListings): Promise<MirrorEntry[]> {
  const out: MirrorEntry[] = [];
  for (const [calendarId, change] of changes) {
    const byHref = new Map<string, MirrorEntry>();
    // Not delivered, or deleted while something was not delivered: held as stored (./collection-sync.ts).
    const missing = new Set([...change.missing, ...change.deferredDeletions]);
    for (const [href, etag] of await mirrors.of(calendarId)) byHref.set(href, { calendarId, href, etag, data: null, missing: missing.has(href) });
    for (const href of change.deletions) byHref.delete(href);
    for (const object of change.upserts) byHref.set(object.key, { calendarId, href: object.key, etag: object.etag, data: object.data, missing: false });
    out.push(...byHref.values());
  }
  return out;
}

/**
 * What expanding the objects needs from the database: the cached expansions still valid for each
 * object (same etag, and data when we hold it, same options and projects, a window covering this one), and the
 * stored data of the objects the cache cannot answer.
 */
async function expansionInputs(db: Db, context: ExpandContext, objects: MirrorEntry[], window: SyncWindow) {
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
    if (
      cached &&
      cached.windowStart <= ws &&
      cached.windowEnd >= we &&
      cached.desiredKey === context.desiredKeyOf(object.calendarId) &&
      (object.data === null || cached.dataHash === dataHash(object.data))
    ) {
      hits.set(object, cached);
    } else if (object.data === null) {
      let list = missing.get(object.calendarId);
      if (!list) missing.set(object.calendarId, (list = []));
      list.push(object);
    }
  }
  for (const [calendarId, list] of missing) {
    const data = await objectData(db, calendarId, list.map((o) => o.href));
    for (const object of list) object.data = data.get(object.href) ?? null;
  }
  return { hits, cacheKeys };
}

/** Adds the occurrences, skips and warnings of a cached expansion that fall in [ws, we) to `result`. */
export function countExpansion(cached: CachedExpansion, ws: number, we: number, result: SyncRunResult): void {
  for (const t of cached.occurrenceStarts) if (t >= ws && t < we) result.occurrencesSeen++;
  for (const skip of cached.skipped) {
    const t = skip.start.getTime();
    if (t < ws || t >= we) continue;
    result.occurrencesSeen++;
    result.skipped[skip.reason] = (result.skipped[skip.reason] ?? 0) + 1;
  }
  for (const warning of cached.warnings) if (result.warnings.length < MAX_WARNINGS && !result.warnings.includes(warning)) result.warnings.push(warning);
}

function uidIn(ics: string): string | null {
  return uidsIn(ics)[0] ?? null;
}

function uidsIn(ics: string): string[] {
  return [...ics.matchAll(/^UID:(.+)$/gm)].map((match) => match[1]!.trim());
}
