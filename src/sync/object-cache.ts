/**
 * In-process caches that let a sync skip work it did before (performance only: every entry is
 * checked against the inputs it was made from, and a process without caches computes the same):
 *
 *  - ExpansionCache: per calendar object (calendar, href, etag, expand options without the window)
 *    the desired entries built from its expansion over a window a little wider than the sync's,
 *    for one project set. A later sync whose window lies inside the cached one, with the same
 *    projects, filters the cached entries by start instead of parsing and expanding again; after
 *    a change of projects the object is expanded again. Objects whose data we
 *    hold are also compared by a hash of the data, so a server reusing an etag cannot fool it.
 *  - SyncMemo: per integration, what the last fully successful sync saw (calendar states, the
 *    objects, the settings and projects). When the next sync finds all of it unchanged, and no
 *    cached occurrence starts in the part of the window that is new since, the plan would be
 *    empty: the engine then skips mirror reads, expansion, planning and writes. When only some
 *    objects changed, only their keys are planned.
 *
 * Both live in one least-recently-used map bounded by SYNC_CACHE_MB, in estimated bytes of what
 * they hold (`estimateBytes`); a restart simply empties them, and an evicted entry only costs the
 * next sync the work it saved.
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
  /**
   * The start (ms) of every occurrence expanded, for the run's counts. The occurrences themselves
   * are not kept: the entries built from them are, and the occurrences were ≈ 40 % of the bytes.
   */
  occurrenceStarts: number[];
  skipped: ExpandResult["skipped"];
  warnings: string[];
  /** desired entries built from every occurrence, valid for `desiredKey` (the projects and default project) */
  desired: DesiredEntry[];
  desiredKey: string;
}

/** What the cache keeps of one object's expansion over [windowStart, windowEnd). */
export function cachedExpansion(windowStart: number, windowEnd: number, data: string, result: ExpandResult, desired: DesiredEntry[], desiredKey: string): CachedExpansion {
  return {
    windowStart,
    windowEnd,
    dataHash: dataHash(data),
    occurrenceStarts: result.occurrences.map((occurrence) => occurrence.start.getTime()),
    skipped: result.skipped,
    warnings: result.warnings,
    desired,
    desiredKey,
  };
}

export function dataHash(data: string): string {
  return hash("sha1", data, "base64");
}

/** SYNC_CACHE_MB's default: the expansions and remembered syncs of 1,000 integrations × 50 objects (≈ 105 MB) fit (docs/operations.md#memory). */
export const DEFAULT_SYNC_CACHE_MB = 128;

/**
 * What V8 holds for `value`, estimated from its shape as 64-bit V8 lays it out: 24 bytes of header
 * per object plus 8 per property, 48 per array plus 8 per element, 16 + length per string rounded
 * to 8 (one byte per character, as V8 stores Latin-1 text), 64 per Date, 16 per number. A string or
 * object referenced twice is counted twice. Against the heap it stands for, measured with
 * bench/cache-calibration.ts, it comes within about 10 % (docs/operations.md#memory).
 */
export function estimateBytes(value: unknown): number {
  switch (typeof value) {
    case "string":
      return 16 + Math.ceil(value.length / 8) * 8;
    case "number":
      return 16;
    case "object": {
      if (value === null) return 0;
      if (value instanceof Date) return 64;
      if (Array.isArray(value)) {
        let bytes = 48 + 8 * value.length;
        for (const item of value) bytes += estimateBytes(item);
        return bytes;
      }
      if (value instanceof Map) {
        let bytes = 32 + 24 * value.size;
        for (const [k, v] of value) bytes += estimateBytes(k) + estimateBytes(v);
        return bytes;
      }
      let bytes = 24;
      for (const key in value) bytes += 8 + estimateBytes((value as Record<string, unknown>)[key]);
      return bytes;
    }
    default:
      return 0;
  }
}

/**
 * Least-recently-used map bounded by the estimated bytes of its keys and values. Entries may be of
 * several kinds (the shelves below): they share the budget, and the least recently used entry of
 * any kind is evicted first; bytes and entries are also counted per kind.
 */
export class Lru<V> {
  private readonly map = new Map<string, { value: V; bytes: number; kind: string }>();
  private readonly usage = new Map<string, { bytes: number; entries: number }>();
  private used = 0;
  constructor(
    private maxBytes: number,
    private readonly sizeOf: (value: unknown) => number = estimateBytes,
  ) {}
  get(key: string): V | undefined {
    const held = this.map.get(key);
    if (held !== undefined) {
      this.map.delete(key);
      this.map.set(key, held);
    }
    return held?.value;
  }
  /** Stores `value` (again, after it grew) and evicts the least recently used until it fits; a value larger than the whole budget is not kept. */
  set(key: string, value: V, kind = ""): void {
    this.delete(key);
    const bytes = this.sizeOf(key) + this.sizeOf(value);
    if (bytes > this.maxBytes) return;
    this.map.set(key, { value, bytes, kind });
    this.count(kind, bytes, 1);
    this.evictTo(this.maxBytes);
  }
  delete(key: string): void {
    const held = this.map.get(key);
    if (held === undefined) return;
    this.map.delete(key);
    this.count(held.kind, -held.bytes, -1);
  }
  /** Removes every entry, or those of one kind. */
  clear(kind?: string): void {
    for (const [key, held] of this.map) if (kind === undefined || held.kind === kind) this.delete(key);
  }
  resize(maxBytes: number): void {
    this.maxBytes = maxBytes;
    this.evictTo(maxBytes);
  }
  get size(): number {
    return this.map.size;
  }
  get bytes(): number {
    return this.used;
  }
  usageOf(kind: string): { bytes: number; entries: number } {
    return { ...(this.usage.get(kind) ?? { bytes: 0, entries: 0 }) };
  }
  private count(kind: string, bytes: number, entries: number): void {
    const usage = this.usage.get(kind) ?? { bytes: 0, entries: 0 };
    usage.bytes += bytes;
    usage.entries += entries;
    this.usage.set(kind, usage);
    this.used += bytes;
  }
  private evictTo(maxBytes: number): void {
    for (const key of this.map.keys()) {
      if (this.used <= maxBytes) break;
      this.delete(key);
    }
  }
}

/** One kind of entry in a shared Lru, under keys of its own. */
class Shelf<V> {
  constructor(
    private readonly lru: Lru<unknown>,
    readonly kind: "expansions" | "memos",
  ) {}
  private keyOf = (key: string) => `${this.kind}\u0000${key}`;
  get(key: string): V | undefined {
    return this.lru.get(this.keyOf(key)) as V | undefined;
  }
  set(key: string, value: V): void {
    this.lru.set(this.keyOf(key), value, this.kind);
  }
  delete(key: string): void {
    this.lru.delete(this.keyOf(key));
  }
  clear(): void {
    this.lru.clear(this.kind);
  }
  get size(): number {
    return this.lru.usageOf(this.kind).entries;
  }
  get bytes(): number {
    return this.lru.usageOf(this.kind).bytes;
  }
}

/** Expansions and remembered syncs share SYNC_CACHE_MB: a remembered sync is worth nothing without its expansions, and how the two weigh against each other depends on the calendars. */
const syncCache = new Lru<unknown>(DEFAULT_SYNC_CACHE_MB * 2 ** 20);

export const expansionCache = new Shelf<CachedExpansion>(syncCache, "expansions");

/** Digests of expand option sets: every cached expansion and remembered object holds its key, and a digest is 27 characters where the options are ≈ 250. */
const optionsDigests = new Map<string, string>();
const MAX_OPTIONS_DIGESTS = 10_000;

export function expansionKey(calendarId: string, href: string, etag: string, optionsKey: string): string {
  let digest = optionsDigests.get(optionsKey);
  if (digest === undefined) {
    if (optionsDigests.size >= MAX_OPTIONS_DIGESTS) optionsDigests.clear();
    digest = dataHash(optionsKey);
    optionsDigests.set(optionsKey, digest);
  }
  return `${calendarId}\u0000${href}\u0000${etag}\u0000${digest}`;
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
  /**
   * Live links whose occurrence starts after the window: when the window reaches one, its event may
   * have lost that occurrence while it was beyond the window, so its object is planned again.
   */
  linksAhead: { calendarId: string; href: string; start: number }[];
  /** Occurrences skipped as DUPLICATE because another calendar holds them: their starts and the run's warnings about them. */
  heldElsewhere: { starts: number[]; warnings: string[] };
}

export interface MemoObject {
  calendarId: string;
  href: string;
  key: string;
}

export const syncMemos = new Shelf<SyncMemo>(syncCache, "memos");

/** Bounds both caches together to `maxBytes` (SYNC_CACHE_MB), evicting what no longer fits. */
export function limitSyncCache(maxBytes: number): void {
  syncCache.resize(maxBytes);
}

/** What the caches hold now (for /metrics). */
export function syncCacheSize(): { cache: "expansions" | "memos"; bytes: number; entries: number }[] {
  return [expansionCache, syncMemos].map((shelf) => ({ cache: shelf.kind, bytes: shelf.bytes, entries: shelf.size }));
}
