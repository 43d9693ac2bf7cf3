import { expect, it, vi } from "vitest";
import { testDatabaseKind } from "../helpers/database.js";
import { checkHistories, historyFixture } from "./history-runner.js";

/**
 * The history test with the sync caches cut to 16 KB (SYNC_CACHE_MB sets them in MiB): a few
 * expansions and remembered syncs fit, so syncs keep meeting half-evicted state (a remembered sync
 * whose expansions are gone, an object cached and its neighbour not). A cache miss may only cost
 * time: the timesheet must still equal the reference model after every sync.
 *
 *   HISTORY_TINY_CACHE_RUNS   how many histories (default 8: a few seconds)
 *   HISTORY_SEED, HISTORY_PATH, HISTORY_REPLAY_PATH as for history.test.ts
 */
const RUNS = Number(process.env.HISTORY_TINY_CACHE_RUNS ?? 8);
const TINY_CACHE_BYTES = 16 * 1024;

/** Evictions seen across every evaluation of the module (a restart in a history evaluates it anew). */
const evictions = vi.hoisted(() => ({ count: 0 }));

// Every evaluation of the cache module, including the fresh ones of a simulated restart, starts tiny.
vi.mock("../../src/sync/object-cache.js", async (importOriginal) => {
  const cache = await importOriginal<typeof import("../../src/sync/object-cache.js")>();
  cache.limitSyncCache(TINY_CACHE_BYTES);
  // The engine never deletes an expansion: fewer entries than keys stored means some were evicted.
  const stored = new Set<string>();
  const set = cache.expansionCache.set.bind(cache.expansionCache);
  cache.expansionCache.set = (key, value) => {
    set(key, value);
    stored.add(key);
    if (cache.expansionCache.size < stored.size) evictions.count++;
  };
  return cache;
});

const fixture = historyFixture();

it(`keeps the timesheet equal to the reference model with a ${TINY_CACHE_BYTES / 1024} KB sync cache over ${RUNS} histories (${testDatabaseKind})`, async () => {
  await checkHistories(fixture, { runs: RUNS, maxCommands: 30 });
  // The cache was full and evicted: the histories ran on misses, not on a cache that held everything.
  expect(evictions.count).toBeGreaterThan(0);
}, 120_000);
