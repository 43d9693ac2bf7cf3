import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, it } from "vitest";
import type { Services } from "../../src/services.js";
import { openTestDatabase, testDatabaseKind, type TestDatabase } from "../helpers/database.js";
import { startModelCalDAVServer, type ModelCalDAVServer } from "./caldav-server.js";
import { historyCommands, historySeed, inProcessStore, setUpHistory, type HistoryEnvironment } from "./history.js";

/**
 * The model-based history test (issue 13): random histories of server changes, faults, user edits,
 * settings, clock moves and restarts, run against the real engine, the real database and the
 * in-process CalDAV server, with the reference model's invariants checked after every sync.
 *
 *   HISTORY_RUNS=100000        how many histories (default 100: about a minute on CI)
 *   HISTORY_SEED, HISTORY_PATH, HISTORY_REPLAY_PATH
 *                              replay a failure: fast-check prints seed and path, and the shrunk
 *                              history with its replayPath comment. Without HISTORY_SEED a run
 *                              takes a random seed, except on CI (CI=true), which runs the same
 *                              histories every time so that its verdict is the code's, not luck's;
 *                              the sweeps with random seeds are run locally.
 *   HISTORY_MAX_COMMANDS       longest history (default 30)
 */
const RUNS = Number(process.env.HISTORY_RUNS ?? 100);
const MAX_COMMANDS = Number(process.env.HISTORY_MAX_COMMANDS ?? 30);
const SEED = historySeed();
const PATH = process.env.HISTORY_PATH;
const REPLAY_PATH = process.env.HISTORY_REPLAY_PATH;
const WIPE_EVERY = 100;

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

it(`keeps the timesheet equal to the reference model over ${RUNS} random histories (${testDatabaseKind})`, async () => {
  const shared: { services: Services | null; key: Buffer } = { services: null, key: randomBytes(32) };
  const stats: Record<string, number> = {};
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  let histories = 0;
  let setupMs = 0;
  await fc.assert(
    fc.asyncProperty(historyCommands({ inProcessServer: true, maxCommands: MAX_COMMANDS, replayPath: REPLAY_PATH }), async (commands) => {
      // Each history has its own user and calendars; the services stay, as a process would. The
      // tables are emptied now and then only: deleting is slower than adding a user.
      if (++histories % WIPE_EVERY === 0) {
        await database.db.execute(sql`delete from users`);
        server.reset();
      }
      server.clearFaults();
      const setupStarted = performance.now();
      const setup = await setUpHistory(environment, stats, shared);
      setupMs += performance.now() - setupStarted;
      await fc.asyncModelRun(() => setup, commands);
    }),
    { numRuns: RUNS, seed: SEED, path: PATH, endOnFailure: PATH !== undefined },
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    `history test (${testDatabaseKind}): ${histories} histories in ${seconds.toFixed(1)} s (${(histories / seconds).toFixed(1)}/s; CPU ${cpuSeconds.toFixed(1)} s, ` +
      `${(histories / cpuSeconds).toFixed(1)}/CPU-s; set-up ${Math.round(setupMs / histories)} ms each); syncs: ${JSON.stringify(stats)}`,
  );
}, 600_000);
