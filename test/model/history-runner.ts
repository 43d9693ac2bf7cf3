/**
 * What every in-process history test file shares: a database and the in-process CalDAV server,
 * opened before its tests and closed after, and the run of random histories against them.
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll } from "vitest";
import type { Services } from "../../src/services.js";
import { openTestDatabase, type TestDatabase } from "../helpers/database.js";
import { startModelCalDAVServer, type ModelCalDAVServer } from "./caldav-server.js";
import { historyCommands, historySeed, inProcessStore, setUpHistory } from "./history.js";

export interface HistoryFixture {
  database: TestDatabase;
  server: ModelCalDAVServer;
}

/** Registers the hooks that open and close the fixture; its fields are set once beforeAll ran. */
export function historyFixture(): HistoryFixture {
  const fixture = {} as HistoryFixture;
  beforeAll(async () => {
    fixture.database = await openTestDatabase();
    fixture.server = await startModelCalDAVServer();
  });
  afterAll(async () => {
    await fixture.server?.close();
    await fixture.database?.close();
  });
  return fixture;
}

export interface HistoryRunOptions {
  runs: number;
  maxCommands: number;
  /** Syncs by outcome, filled in as the histories run. */
  stats?: Record<string, number>;
  /** Empty the tables every so many histories (deleting is slower than adding a user). */
  wipeEvery?: number;
}

/**
 * Runs random histories (fast-check model-based testing) on the fixture, each with its own user and
 * calendars; the services stay between histories, as a process would. HISTORY_SEED, HISTORY_PATH and
 * HISTORY_REPLAY_PATH replay a failure (docs/history-test.md).
 */
export async function checkHistories(fixture: HistoryFixture, options: HistoryRunOptions): Promise<{ histories: number; setupMs: number }> {
  const { database, server } = fixture;
  const environment = { db: database.db, store: inProcessStore(server) };
  const shared: { services: Services | null; key: Buffer } = { services: null, key: randomBytes(32) };
  const path = process.env.HISTORY_PATH;
  let histories = 0;
  let setupMs = 0;
  await fc.assert(
    fc.asyncProperty(historyCommands({ inProcessServer: true, maxCommands: options.maxCommands, replayPath: process.env.HISTORY_REPLAY_PATH }), async (commands) => {
      histories++;
      if (options.wipeEvery !== undefined && histories % options.wipeEvery === 0) {
        await database.db.execute(sql`delete from users`);
        server.reset();
      }
      server.clearFaults();
      const started = performance.now();
      const setup = await setUpHistory(environment, options.stats ?? {}, shared);
      setupMs += performance.now() - started;
      await fc.asyncModelRun(() => setup, commands);
    }),
    { numRuns: options.runs, seed: historySeed(), path, endOnFailure: path !== undefined },
  );
  return { histories, setupMs };
}
