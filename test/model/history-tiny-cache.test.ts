import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import type { Services } from "../../src/services.js";
import { openTestDatabase, testDatabaseKind, type TestDatabase } from "../helpers/database.js";
import { startModelCalDAVServer, type ModelCalDAVServer } from "./caldav-server.js";
import { historyCommands, historySeed, inProcessStore, setUpHistory, type HistoryEnvironment } from "./history.js";

/**
 * The history test with the sync caches cut to 48 KB (SYNC_CACHE_MB sets them in MiB): a few
 * expansions and remembered syncs fit, so syncs keep meeting half-evicted state (a remembered sync
 * whose expansions are gone, an object cached and its neighbour not). A cache miss may only cost
 * time: the timesheet must still equal the reference model after every sync.
 *
 *   HISTORY_TINY_CACHE_RUNS   how many histories (default 8: a few seconds)
 *   HISTORY_SEED, HISTORY_PATH, HISTORY_REPLAY_PATH as for history.test.ts
 */
const RUNS = Number(process.env.HISTORY_TINY_CACHE_RUNS ?? 8);
const TINY_CACHE_BYTES = 48 * 1024;
const SEED = historySeed();
const PATH = process.env.HISTORY_PATH;
const REPLAY_PATH = process.env.HISTORY_REPLAY_PATH;

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

let database: TestDatabase;
let server: ModelCalDAVServer;
let environment: HistoryEnvironment;

beforeAll(async () => {
  database = await openTestDatabase();
  server = await startModelCalDAVServer();
  environment = { db: database.db, store: inProcessStore(server) };
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

it(`keeps the timesheet equal to the reference model with a ${TINY_CACHE_BYTES / 1024} KB sync cache over ${RUNS} histories (${testDatabaseKind})`, async () => {
  const shared: { services: Services | null; key: Buffer } = { services: null, key: randomBytes(32) };
  await fc.assert(
    fc.asyncProperty(historyCommands({ inProcessServer: true, maxCommands: 30, replayPath: REPLAY_PATH }), async (commands) => {
      server.clearFaults();
      const setup = await setUpHistory(environment, {}, shared);
      await fc.asyncModelRun(() => setup, commands);
    }),
    { numRuns: RUNS, seed: SEED, path: PATH, endOnFailure: PATH !== undefined },
  );
  // The cache was full and evicted: the histories ran on misses, not on a cache that held everything.
  expect(evictions.count).toBeGreaterThan(0);
}, 120_000);
