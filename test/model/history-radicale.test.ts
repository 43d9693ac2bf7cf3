import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Services } from "../../src/services.js";
import { openTestDatabase, testDatabaseKind, type TestDatabase } from "../helpers/database.js";
import { describeServer } from "../servers/harness.js";
import { authedFetch, makeCalendar } from "../servers/seed.js";
import { historyCommands, historySeed, setUpHistory, type HistoryEnvironment } from "./history.js";

/**
 * A shorter series of the history test against a real Radicale: the same commands without what
 * only the in-process server can do (faults, unreadable data, two objects with one UID in a
 * calendar). It passing on both checks that the in-process server answers like a real one.
 *
 *   HISTORY_RADICALE_RUNS   how many histories (default 10: about 15 s of histories)
 *   HISTORY_SEED, HISTORY_PATH, HISTORY_REPLAY_PATH as for history.test.ts
 */
const RUNS = Number(process.env.HISTORY_RADICALE_RUNS ?? 10);
const SEED = historySeed();
const PATH = process.env.HISTORY_PATH;
const REPLAY_PATH = process.env.HISTORY_REPLAY_PATH;

describeServer("radicale", (ctx) => {
  let database: TestDatabase;
  let environment: HistoryEnvironment;

  beforeAll(async () => {
    database = await openTestDatabase();
    const server = ctx.server();
    const send = authedFetch(server);
    const urls = new Map<string, string>();
    const objectUrl = (calendar: string, object: string) => `${urls.get(calendar)!}${object}`;
    const expectOk = async (response: Response, what: string) => {
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`${what}: ${response.status}`);
    };
    environment = {
      db: database.db,
      store: {
        username: server.username,
        password: server.password,
        faults: null,
        async calendarUrl(name) {
          if (!urls.has(name)) urls.set(name, await makeCalendar(server, name));
          return urls.get(name)!;
        },
        put: async (calendar, object, ics) =>
          expectOk(await send(objectUrl(calendar, object), { method: "PUT", body: ics, headers: { "content-type": "text/calendar; charset=utf-8" } }), `PUT ${object}`),
        remove: async (calendar, object) => expectOk(await send(objectUrl(calendar, object), { method: "DELETE" }), `DELETE ${object}`),
      },
    };
  });
  afterAll(async () => {
    await database?.close();
  });

  it(`agrees with the reference model over ${RUNS} random histories on Radicale (${testDatabaseKind})`, async () => {
    const shared: { services: Services | null; key: Buffer } = { services: null, key: randomBytes(32) };
    const stats: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(historyCommands({ inProcessServer: false, maxCommands: 15, replayPath: REPLAY_PATH }), async (commands) => {
        const setup = await setUpHistory(environment, stats, shared);
        await fc.asyncModelRun(() => setup, commands);
      }),
      { numRuns: RUNS, seed: SEED, path: PATH, endOnFailure: PATH !== undefined },
    );
    // The series is only worth something if it synced.
    expect(Object.values(stats).reduce((a, b) => a + b, 0)).toBeGreaterThan(RUNS);
  }, 180_000);
});
