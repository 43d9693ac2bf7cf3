/**
 * In-process caches that let a sync skip work it did before (performance only: every entry is
 * checked against the inputs it was made from, and a process without caches computes the same):
 *
 *  - ExpansionCache: per calendar object (calendar, href, etag, expand options without the window)
 *    its expansion over a window a little wider than the sync's, and the desired entries built from
 *    it for one project set. A later sync whose window lies inside the cached one filters the
 *    cached occurrences by start instead of parsing and expanding again. Objects whose data we
 *    hold are also compared by a hash of the data, so a server reusing an etag cannot fool it.
 *  - SyncMemo: per integration, what the last fully successful sync saw (calendar states, the
 *    objects, the settings and projects). When the next sync finds all of it unchanged, and no
 *    cached occurrence starts in the part of the window that is new since, the plan would be
 *    empty: the engine then skips mirror reads, expansion, planning and writes. When only some
 *    objects changed, only their keys are planned.
 *
 * Bounded LRU; a restart simply empties them.
 */
import { hash } from "node:crypto";
import type { ExpandResult } from "../caldav/ical/index.js";
import { MS_PER_DAY } from "../time-window.js";
import type { DesiredEntry } from "./desired.js";

/** How far past the sync window an object is expanded, so the cache stays usable as time passes. */
export const EXPANSION_PAD_MS = MS_PER_DAY;

export interface CachedExpansion {
  windowStart: number;
  windowEnd: number;
  dataHash: string;
  result: ExpandResult;
  /** desired entries built from all of `result.occurrences`, for `desiredKey` */
  desired: DesiredEntry[] | null;
  desiredKey: string | null;
}

export function dataHash(data: string): string {
  return hash("sha1", data, "base64");
}

class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
  delete(key: string): void {
    this.map.delete(key);
  }
  clear(): void {
    this.map.clear();
  }
  get size(): number {
    return this.map.size;
  }
}

/** Objects across all integrations of this process (≈ 1–3 KB each). */
const MAX_CACHED_OBJECTS = 100_000;

export const expansionCache = new Lru<CachedExpansion>(MAX_CACHED_OBJECTS);

export function expansionKey(calendarId: string, href: string, etag: string, optionsKey: string): string {
  return `${calendarId}\u0000${href}\u0000${etag}\u0000${optionsKey}`;
}

export interface SyncMemo {
  /** settings, owner, projects, calendar defaults: everything besides the objects the plan depends on */
  fingerprint: string;
  /** calendarId → ctag / sync-token stored by that sync */
  states: Map<string, { ctag: string | null; syncToken: string | null }>;
  /** every mirrored object and its cache key */
  objects: MemoObject[];
  windowStart: number;
  windowEnd: number;
  /** Occurrences skipped as DUPLICATE because another calendar holds them: their starts and the run's warnings about them. */
  heldElsewhere: { starts: number[]; warnings: string[] };
}

export interface MemoObject {
  calendarId: string;
  href: string;
  key: string;
}

export const syncMemos = new Lru<SyncMemo>(10_000);
