import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expandCalendarObject } from "../../src/caldav/ical/index.js";
import { fixture, options } from "../../src/caldav/ical/test-fixtures.js";
import { Metrics } from "../../src/metrics.js";
import { buildDesiredEntries } from "../../src/sync/desired.js";
import { cachedExpansion, DEFAULT_SYNC_CACHE_MB, estimateBytes, expansionCache, limitSyncCache, Lru, syncMemos, type CachedExpansion } from "../../src/sync/object-cache.js";

/** The reference: entries in order of last use, the oldest dropped while the total is over the limit. */
class LruModel {
  entries: { key: string; value: string }[] = [];
  constructor(private readonly max: number) {}
  private bytes = (e: { key: string; value: string }) => e.key.length + e.value.length;
  get(key: string): string | undefined {
    const i = this.entries.findIndex((e) => e.key === key);
    if (i < 0) return undefined;
    const [entry] = this.entries.splice(i, 1);
    this.entries.push(entry!);
    return entry!.value;
  }
  set(key: string, value: string): void {
    this.delete(key);
    if (this.bytes({ key, value }) > this.max) return;
    this.entries.push({ key, value });
    while (this.entries.reduce((n, e) => n + this.bytes(e), 0) > this.max) this.entries.shift();
  }
  delete(key: string): void {
    this.entries = this.entries.filter((e) => e.key !== key);
  }
}

const length = (v: unknown) => (v as string).length;

describe("the sync cache's least-recently-used map", () => {
  it("keeps exactly what a reference LRU bounded by bytes keeps (fast-check)", () => {
    const key = fc.constantFrom("a", "b", "c", "d", "e", "f");
    const op = fc.oneof(
      fc.record({ kind: fc.constant("set" as const), key, value: fc.string({ maxLength: 40 }) }),
      fc.record({ kind: fc.constant("get" as const), key }),
      fc.record({ kind: fc.constant("delete" as const), key }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.array(op, { maxLength: 60 }), (max, ops) => {
        const lru = new Lru<string>(max, length);
        const model = new LruModel(max);
        for (const o of ops) {
          if (o.kind === "set") {
            lru.set(o.key, o.value);
            model.set(o.key, o.value);
          } else if (o.kind === "get") expect(lru.get(o.key)).toBe(model.get(o.key));
          else {
            lru.delete(o.key);
            model.delete(o.key);
          }
          expect(lru.size).toBe(model.entries.length);
          expect(lru.bytes).toBe(model.entries.reduce((n, e) => n + e.key.length + e.value.length, 0));
          expect(lru.bytes).toBeLessThanOrEqual(max);
        }
      }),
    );
  });

  it("evicts the least recently used entry of any kind, and counts each kind's share", () => {
    const lru = new Lru<string>(60, length);
    lru.set("m", "x".repeat(19), "memos");
    lru.set("e1", "x".repeat(18), "expansions");
    lru.set("e2", "x".repeat(18), "expansions");
    expect(lru.usageOf("memos")).toEqual({ bytes: 20, entries: 1 });
    lru.set("e3", "x".repeat(18), "expansions");
    expect(lru.get("m")).toBeUndefined();
    expect(lru.usageOf("memos")).toEqual({ bytes: 0, entries: 0 });
    expect(lru.usageOf("expansions")).toEqual({ bytes: 60, entries: 3 });
    lru.clear("expansions");
    expect(lru.size).toBe(0);
    expect(lru.bytes).toBe(0);
  });

  it("evicts the least recently used entries when its limit shrinks", () => {
    const lru = new Lru<string>(100, length);
    for (const k of ["a", "b", "c", "d"]) lru.set(k, "x".repeat(19)); // 20 bytes each
    lru.get("a");
    lru.resize(40);
    expect(lru.size).toBe(2);
    expect(lru.get("a")).toBeDefined();
    expect(lru.get("d")).toBeDefined();
    expect(lru.get("b")).toBeUndefined();
  });
});

describe("the byte estimate", () => {
  it("comes within 30 % of the V8 heap that cached expansions take", () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const ics = fixture("weekly-overrides.ics");
    const window = options({ windowStart: new Date("2025-01-01T00:00:00Z"), windowEnd: new Date("2025-07-01T00:00:00Z") });
    const held: CachedExpansion[] = [];
    gc();
    const before = process.memoryUsage().heapUsed;
    let estimate = 0;
    for (let i = 0; i < 1_000; i++) {
      const data = ics.replace("UID:", `UID:${i}-`);
      const result = expandCalendarObject(data, window);
      const desired = buildDesiredEntries({ calendarId: `calendar ${i % 3}`, href: `/calendars/${i}.ics`, etag: `"${i}"`, defaultProjectId: null }, result.occurrences, () => ({ projectId: null, matchedBy: "NONE" as const }));
      const cached = cachedExpansion(0, 1, data, result, desired, `projects ${i % 5}`);
      held.push(cached);
      estimate += estimateBytes(cached);
    }
    gc();
    const heap = process.memoryUsage().heapUsed - before;
    expect(held[0]!.occurrenceStarts.length).toBeGreaterThan(5);
    expect(estimate / heap).toBeGreaterThan(0.7);
    expect(estimate / heap).toBeLessThan(1.3);
  });
});

describe("SYNC_CACHE_MB and /metrics", () => {
  it("bounds the caches and exports their bytes and entries", async () => {
    limitSyncCache(2 ** 20);
    try {
      expansionCache.clear();
      syncMemos.clear();
      for (let i = 0; i < 2_000; i++) expansionCache.set(`key ${i}`, { payload: "x".repeat(1_000) } as unknown as CachedExpansion);
      expect(expansionCache.bytes).toBeLessThanOrEqual(2 ** 20);
      expect(expansionCache.size).toBeLessThan(2_000);
      expect(expansionCache.get("key 1999")).toBeDefined();
      expect(expansionCache.get("key 0")).toBeUndefined();
      const text = await new Metrics().registry.metrics();
      expect(text).toContain(`caldav_sync_cache_bytes{cache="expansions"} ${expansionCache.bytes}`);
      expect(text).toContain(`caldav_sync_cache_entries{cache="expansions"} ${expansionCache.size}`);
      expect(text).toContain(`caldav_sync_cache_entries{cache="memos"} 0`);
    } finally {
      expansionCache.clear();
      limitSyncCache(DEFAULT_SYNC_CACHE_MB * 2 ** 20);
    }
  });
});
