import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../../src/services.js";
import { openScratchPostgres, openTestDatabase, type TestDatabase } from "../helpers/database.js";
import { DAY_MS, HOUR_MS, UNREADABLE_ICS, toIcs, type EventSpec } from "./calendar-events.js";
import { startModelCalDAVServer, type ModelCalDAVServer } from "./caldav-server.js";
import { freshServices } from "./history.js";

/**
 * The failures of issue 13, one named test each, on the in-process CalDAV server, and every
 * counterexample the history test found. Failure 6 (the
 * embedded database locked while a sync plans) is a matter of time, measured by `npm run bench`,
 * not here.
 */
const POSTGRES_SERVER = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

let database: TestDatabase;
let server: ModelCalDAVServer;
let services: Services;
const key = randomBytes(32);
let scenarios = 0;

beforeAll(async () => {
  database = await openTestDatabase();
  server = await startModelCalDAVServer();
  services = await freshServices(database.db, key, () => new Date());
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

/** Yesterday at `hour`:00 UTC, so every event is inside the window of any sync in these tests. */
const yesterdayAt = (hour: number) => Math.floor(Date.now() / DAY_MS) * DAY_MS - DAY_MS + hour * HOUR_MS;

const event = (uid: string, fields: Partial<EventSpec> = {}): EventSpec => ({
  uid,
  start: yesterdayAt(9),
  minutes: 60,
  title: `Meeting ${uid}`,
  description: null,
  rule: null,
  exdates: [],
  overrides: [],
  ...fields,
});

/** A user with an integration over fresh calendars of the in-process server, all selected. */
async function scenario(on: { services: Services; server: ModelCalDAVServer }, calendars: string[] = ["A"]) {
  const prefix = `r${++scenarios}-`;
  const urls = calendars.map((name) => on.server.calendarUrl(`${prefix}${name}`));
  const user = await on.services.users.create({ email: `regression-${scenarios}-${randomBytes(3).toString("hex")}@example.com`, timezone: "UTC" });
  const integration = await on.services.integrations.configure(user.id, {
    calendarUrl: urls[0]!,
    username: on.server.username,
    password: on.server.password,
    lookbackDays: 30,
    lookaheadDays: 10,
    calendars: urls.map((url) => ({ url, selected: true })),
  });
  return {
    user,
    integration,
    url: (calendar: string) => urls[calendars.indexOf(calendar)]!,
    put: (calendar: string, object: string, spec: EventSpec) => on.server.put(`${prefix}${calendar}`, object, toIcs(spec)),
    putUnreadable: (calendar: string, object: string) => on.server.put(`${prefix}${calendar}`, object, UNREADABLE_ICS),
    remove: (calendar: string, object: string) => on.server.remove(`${prefix}${calendar}`, object),
    sync: (mode: "INCREMENTAL" | "FULL" = "INCREMENTAL", using = on.services) => using.sync.syncNow(user.id, integration.id, { mode, trigger: "MANUAL" }),
    entries: async () => (await on.services.timeEntries.list(user.id, {}, 500)).entries.sort((a, b) => a.startTime.getTime() - b.startTime.getTime()),
  };
}

it("1. deletes an event that moved to another href with the same content", async () => {
  const s = await scenario({ services, server });
  // A second event keeps the calendar from turning empty, which the mass-delete guard would hold back.
  s.put("A", "stays.ics", event("stays"));
  s.put("A", "one.ics", event("moving"));
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 2 });
  // A client deletes the event and creates it again under a new name: same content.
  s.remove("A", "one.ics");
  s.put("A", "two.ics", event("moving"));
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 0, entriesDeleted: 0 });
  s.remove("A", "two.ics");
  const run = await s.sync();
  // Today: SUCCESS with 0 deleted, and the entry stays for good.
  expect(run).toMatchObject({ status: "SUCCESS", entriesDeleted: 1 });
  expect((await s.entries()).map((e) => e.notes)).toEqual(["Meeting stays"]);
});

it("2. imports an event that a multiget left out, on the next incremental sync", async () => {
  const s = await scenario({ services, server });
  s.put("A", "first.ics", event("first"));
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 1 });
  s.put("A", "late.ics", event("late", { start: yesterdayAt(14) }));
  // The delta reports late.ics; the multiget leaves it out (as DAViCal does).
  server.inject({ kind: "multiget-omits-href" });
  await s.sync();
  expect(server.pendingFaults()).toBe(0);
  await s.sync();
  // Today: the omitted href counted as deleted, the new sync-token was stored, and no later delta
  // reports it again: the event is missing until a FULL sync.
  expect((await s.entries()).map((e) => e.notes)).toEqual(["Meeting first", "Meeting late"]);
});

/**
 * Found by the history test (seed -839450822): an event moves to a new href, and the multiget
 * leaves the new href out. The old href's deletion was applied at once, so the entry was gone
 * until the item arrived, and came back as a new entry with a new id.
 */
it("keeps a moved event's entry while its new href is not delivered", async () => {
  const s = await scenario({ services, server });
  s.put("A", "stays.ics", event("stays"));
  s.put("A", "old-name.ics", event("moving"));
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 2 });
  const before = await s.entries();
  s.remove("A", "old-name.ics");
  s.put("A", "new-name.ics", event("moving"));
  server.inject({ kind: "multiget-omits-href" });
  expect(await s.sync()).toMatchObject({ status: "PARTIAL", entriesDeleted: 0 });
  expect(await s.entries()).toEqual(before);
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 0, entriesDeleted: 0 });
  expect((await s.entries()).map((e) => e.id)).toEqual(before.map((e) => e.id));
});

it("3. keeps one entry when a single event the user edited becomes a series", async () => {
  const s = await scenario({ services, server });
  s.put("A", "standup.ics", event("standup", { start: yesterdayAt(9) - 7 * DAY_MS }));
  await s.sync();
  const [imported] = await s.entries();
  await services.timeEntries.update(s.user.id, imported!.id, { notes: "Standup, billed to Alpha" });
  s.put("A", "standup.ics", event("standup", { start: yesterdayAt(9) - 7 * DAY_MS, rule: { freq: "WEEKLY", count: 2 } }));
  const run = await s.sync();
  expect(run.status).toBe("SUCCESS");
  const entries = await s.entries();
  // Today: the edited entry is detached and kept, and a second entry is created for the same hour.
  expect(entries.map((e) => [e.id === imported!.id, e.startTime.getTime(), e.notes])).toEqual([
    [true, yesterdayAt(9) - 7 * DAY_MS, "Standup, billed to Alpha"],
    [false, yesterdayAt(9), "Meeting standup"],
  ]);
});

it("4. keeps the entries of an object whose data did not arrive", async () => {
  const s = await scenario({ services, server });
  s.put("A", "kept.ics", event("kept"));
  s.put("A", "changed.ics", event("changed", { start: yesterdayAt(14) }));
  await s.sync();
  // A new process (nothing cached), and the calendar changed, so the sync reads its mirror.
  const restarted = await freshServices(database.db, key, () => new Date());
  s.put("A", "changed.ics", event("changed", { start: yesterdayAt(15) }));
  // While the sync waits for its delta, kept.ics' mirror row goes (another process's sync, say):
  // listed in the mirror, its data is no longer there to expand.
  server.beforeAnswer = async ({ kind }) => {
    if (kind !== "sync-collection") return;
    server.beforeAnswer = null;
    await database.db.execute(sql`delete from calendar_objects where href like ${"%/kept.ics"}`);
  };
  await s.sync("INCREMENTAL", restarted);
  // Today: kept.ics is skipped "until the next sync", yet its entry is planned as gone and deleted.
  expect((await s.entries()).map((e) => e.notes)).toEqual(["Meeting kept", "Meeting changed"]);
});

describe("5. a concurrent edit (PostgreSQL)", () => {
  let pg: TestDatabase;
  let pgServices: Services;
  beforeAll(async () => {
    pg = await openScratchPostgres(POSTGRES_SERVER, "regression");
    pgServices = await freshServices(pg.db, key, () => new Date());
  });
  afterAll(async () => {
    await pg?.close();
  });

  it("is never overwritten by a sync that read the entry before the edit committed, and the other fields follow", async () => {
    const s = await scenario({ services: pgServices, server });
    s.put("A", "review.ics", event("review"));
    await s.sync();
    const [entry] = await s.entries();
    s.put("A", "review.ics", event("review", { title: "Review (moved)", start: yesterdayAt(11) }));
    // The user's edit, in its own transaction: it holds the row until it commits.
    const user = postgres(pg.url!, { max: 1, onnotice: () => {} });
    try {
      await user.unsafe("begin");
      await user`update time_entries set notes = 'my notes', notes_edited = true, updated_at = now() where id = ${entry!.id}`;
      const sync = s.sync();
      // The sync has read the entry as unedited and now waits for the row: commit the edit.
      await waitForLockWait(pg.url!);
      await user.unsafe("commit");
      await sync;
      // The sync's UPDATE reads notes_edited on the row it locked, as the edit committed it.
      const [after] = await s.entries();
      expect(after).toMatchObject({ id: entry!.id, notes: "my notes", startTime: new Date(yesterdayAt(11)), editedFields: ["NOTES"] });
    } finally {
      await user.end();
    }
  });
});

/** Until some other session waits for a lock (bounded: 10 s). */
async function waitForLockWait(url: string): Promise<void> {
  const observer = postgres(url, { max: 1, onnotice: () => {} });
  try {
    for (let i = 0; i < 200; i++) {
      const [row] = await observer`select count(*)::int as n from pg_locks where not granted`;
      if (row!.n > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error("the sync never waited for the edited row");
  } finally {
    await observer.end();
  }
}

it("7. syncs the other calendars when one answers 404, and names it", async () => {
  const s = await scenario({ services, server }, ["A", "B"]);
  s.put("A", "a.ics", event("in-a"));
  s.put("B", "b.ics", event("in-b", { start: yesterdayAt(11) }));
  await s.sync();
  s.put("A", "a2.ics", event("new-in-a", { start: yesterdayAt(15) }));
  server.setGone(`r${scenarios}-B`, true);
  const run = await s.sync();
  // Today: the whole run ends in ERROR, and the scheduler backs off for every calendar.
  expect(run.status).toBe("PARTIAL");
  expect(run.message).toContain(s.url("B"));
  expect((await s.entries()).map((e) => e.notes)).toEqual(["Meeting in-a", "Meeting in-b", "Meeting new-in-a"]);
});

it("8. reports a calendar URL that is not a calendar as an error, never as an empty success", async () => {
  const user = await services.users.create({ email: `root-${randomBytes(3).toString("hex")}@example.com`, timezone: "UTC" });
  const integration = await services.integrations.configure(user.id, { calendarUrl: `${server.origin}/`, username: server.username, password: server.password });
  // testConnection already knows: the root is no calendar.
  expect(await services.integrations.testConnection(user.id, integration.id)).toMatchObject({ success: false, errorCode: "NOT_CALDAV" });
  const run = await services.sync.syncNow(user.id, integration.id, { mode: "FULL", trigger: "MANUAL" });
  // Today: SUCCESS with 0 objects.
  expect(run).toMatchObject({ status: "ERROR", errorCode: "NOT_CALDAV" });
  expect(run.message).toContain(`${server.origin}/`);
});

/**
 * Found by the history test. SyncRunStore.start stamps a run with real time while the engine
 * finishes it with the sync's clock (ServiceDeps.clock): with that clock 25 days ahead, the run's
 * duration overflows its integer column, finishing the run fails and syncNow rejects, leaving the
 * run RUNNING. Fixed once a run's start and end come from the same clock.
 */
it("finishes a run whose sync clock is a month ahead of real time (fixed by one clock for a run's start and end)", async () => {
  const ahead = await freshServices(database.db, key, () => new Date(Date.now() + 30 * DAY_MS));
  const s = await scenario({ services: ahead, server });
  s.put("A", "next-month.ics", event("next-month", { start: Date.now() + 29 * DAY_MS }));
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 1 });
});

/**
 * Found by the history test (seed 343908846). The links of an unreadable object are left out of
 * the plan, so an occurrence of another object with the same UID is planned as new and its insert
 * breaks the unique key of event_links: the whole run fails with an internal error.
 */
it("keeps an unreadable object's entries when another object of its calendar has its UID (found by the history test)", async () => {
  const s = await scenario({ services, server });
  s.put("A", "original.ics", event("shared"));
  await s.sync();
  s.putUnreadable("A", "original.ics");
  s.put("A", "copy.ics", event("shared", { title: "A copy" }));
  const run = await s.sync();
  // Today: ERROR, "The sync failed because of an internal error".
  expect(run.status).toBe("PARTIAL");
  expect((await s.entries()).map((e) => e.notes)).toEqual(["Meeting shared"]);
});

/**
 * Found by the history test (seed -1455327946): an event turns into a series while a second object
 * of its calendar carries its UID. The first instance's key changed with the kind, so no link names
 * it, and the duplicate with the smaller href wins it: the user's entry takes the copy's title. The
 * linked object should win, as it does when the key is unchanged: the link carried across the
 * change of kind now counts as the link of the first instance's key when the winner is chosen.
 */
it("keeps the linked object's entry when its UID's kind changes beside a duplicate", async () => {
  const s = await scenario({ services, server });
  s.put("A", "z-original.ics", event("kind"));
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 1 });
  const [before] = await s.entries();
  const series = { rule: { freq: "DAILY" as const, count: 2 } };
  s.put("A", "z-original.ics", event("kind", series));
  s.put("A", "a-copy.ics", event("kind", { ...series, title: "A copy" }));
  expect((await s.sync()).status).toBe("PARTIAL");
  const first = (await s.entries()).find((e) => e.id === before!.id);
  expect(first?.notes).toBe("Meeting kind");
});

/**
 * Found by the history test (seed -1139076913): two objects of a calendar carry one UID, the one
 * that lost the key turns unreadable, and the winner drops an instance (EXDATE). The unreadable
 * object might still hold that instance, so its entry should stay until it can be read again; the
 * engine deleted it, because only the winner has links. Now the mirror keeps the last version a
 * sync read of an unreadable object, and the UID in it is held: nothing of it is planned.
 */
it("keeps an instance a duplicate might still hold while that duplicate is unreadable", async () => {
  const s = await scenario({ services, server });
  const series = event("twin", { rule: { freq: "DAILY", count: 2 } });
  s.put("A", "a-original.ics", series);
  s.put("A", "b-copy.ics", series);
  expect(await s.sync()).toMatchObject({ status: "PARTIAL", entriesCreated: 2 });
  s.put("A", "a-original.ics", { ...series, exdates: [series.start] });
  s.putUnreadable("A", "b-copy.ics");
  expect(await s.sync()).toMatchObject({ status: "PARTIAL", entriesDeleted: 0 });
  expect(await s.entries()).toHaveLength(2);
});

/**
 * Found by the history test on PostgreSQL (seed 1105845731): calendar B's series moves by half an
 * hour (its four keys change), calendar A drops one instance, and A answers 500. With the
 * mass-delete guard weighed over the whole integration, B alone (4 of 4, below the floor of 5)
 * was replaced, while the same change with A answering was withheld (5 of 8): what B lost
 * depended on whether A answered. The guard is now weighed per calendar.
 */
it("changes a calendar the same whether another calendar of the run answers or fails", async () => {
  const outcomes: string[][] = [];
  for (const failing of [false, true]) {
    const s = await scenario({ services, server }, ["A", "B"]);
    const weekly = event("weekly", { start: yesterdayAt(9) - 14 * DAY_MS, rule: { freq: "WEEKLY", count: 3 } });
    const daily = event("daily", { start: yesterdayAt(15) - 3 * DAY_MS, rule: { freq: "DAILY", count: 4 } });
    s.put("A", "single.ics", event("single", { start: yesterdayAt(11) }));
    s.put("A", "weekly.ics", weekly);
    s.put("B", "daily.ics", daily);
    expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 8 });
    s.put("A", "weekly.ics", { ...weekly, exdates: [weekly.start] });
    s.put("B", "daily.ics", { ...daily, start: daily.start + 30 * 60_000 });
    if (failing) {
      server.inject({ kind: "status", status: 500 });
      const run = await s.sync();
      expect(run).toMatchObject({ status: "PARTIAL", entriesCreated: 4, entriesDeleted: 4 });
      expect(run.message).toContain(s.url("A"));
    }
    // Before: without the failure, all five deletions were withheld as a mass deletion (5 of 8),
    // and B held its four old entries beside the four new ones.
    expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesDeleted: failing ? 1 : 5 });
    outcomes.push((await s.entries()).map((e) => `${e.startTime.getTime() - yesterdayAt(0)} ${e.notes}`));
  }
  expect(outcomes[1]).toEqual(outcomes[0]);
  expect(outcomes[0]).toHaveLength(7);
});

/**
 * An occurrence two calendars reach is imported from one (docs/sync.md, one entry). When the
 * holder's copy goes, the other calendar's copy must be imported in the same incremental sync,
 * although its object did not change: the scoped plan used to leave its key out, so the entry was
 * deleted and nothing came in its place until a FULL sync.
 */
it("hands an occurrence to the other calendar when the holder's copy is deleted, in an incremental sync", async () => {
  const s = await scenario({ services, server }, ["A", "B"]);
  s.put("A", "stays.ics", event("stays", { start: yesterdayAt(8) }));
  s.put("A", "invitation.ics", event("invitation"));
  s.put("B", "invitation.ics", event("invitation"));
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 2, skipped: { DUPLICATE: 1 } });
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 0 });
  s.remove("A", "invitation.ics");
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 1, entriesDeleted: 1 });
  expect((await s.entries()).map((e) => e.notes)).toEqual(["Meeting stays", "Meeting invitation"]);
});

/**
 * Found by the history test (seed 895229849): a series changes on the server, the clock moves so
 * that one more of its old instances enters the window, and the multiget leaves the series out.
 * The stale stored version was expanded, and an entry was created for an instance the server no
 * longer has. An object reported changed but not delivered is now held as it is until it arrives.
 */
it("creates nothing from the stored version of an object that changed but was not delivered", async () => {
  const clock = { now: Date.now() };
  const clocked = await freshServices(database.db, key, () => new Date(clock.now));
  const s = await scenario({ services: clocked, server });
  const series = event("standup", { start: Math.floor(clock.now / HOUR_MS) * HOUR_MS + 9 * DAY_MS + 12 * HOUR_MS, rule: { freq: "DAILY", count: 3 } });
  s.put("A", "standup.ics", series);
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 1 });
  const before = await s.entries();
  s.put("A", "standup.ics", { ...series, start: series.start - DAY_MS, minutes: 30 });
  clock.now += DAY_MS;
  server.inject({ kind: "multiget-omits-href" });
  expect(await s.sync()).toMatchObject({ status: "PARTIAL", entriesCreated: 0, entriesDeleted: 0 });
  expect(await s.entries()).toEqual(before);
  // Delivered now: the entries follow the series as it is.
  expect(await s.sync()).toMatchObject({ status: "SUCCESS" });
  expect((await s.entries()).map((e) => [e.startTime.getTime() - series.start, e.endTime.getTime() - e.startTime.getTime()])).toEqual([
    [-DAY_MS, 30 * 60_000],
    [0, 30 * 60_000],
    [DAY_MS, 30 * 60_000],
  ]);
});

/**
 * Found by the history test (PostgreSQL seed 7; the PGlite seeds 1009275664 and 491195428 earlier):
 * a series becomes a single event, and a broken server then stores a copy of it under a second
 * href. The single event takes the link of the series' first instance; the copy must not change
 * that. Here the engine was right and the reference model wrong: it carried one link per copy onto
 * the same key, the second overwriting the first.
 */
it("keeps the first instance's entry when a series turns single beside a same-calendar copy", async () => {
  const s = await scenario({ services, server });
  const series = event("turns-single", { start: yesterdayAt(9) - 7 * DAY_MS, title: "Standup", rule: { freq: "WEEKLY", count: 2 } });
  s.put("A", "series.ics", series);
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 2 });
  const [first] = await s.entries();
  s.put("A", "series.ics", { ...series, rule: null });
  s.put("A", "copy.ics", { ...series, rule: null, title: "Alpha planning" });
  expect(await s.sync()).toMatchObject({ status: "PARTIAL", entriesCreated: 0, entriesDeleted: 1 });
  expect((await s.entries()).map((e) => [e.id, e.startTime.getTime(), e.notes])).toEqual([[first!.id, series.start, "Standup"]]);
});

/**
 * Found by the history test (PGlite seed 1009275664): calendar B's untouched entries for an event
 * move to calendar A (the smaller URL) once A gets a copy, also when A's delta came truncated (507).
 * The engine was right; the reference model counted every linked entry as touched.
 */
it("moves an untouched occurrence to the calendar with the smaller URL after a truncated delta", async () => {
  const s = await scenario({ services, server }, ["A", "B"]);
  const daily = event("daily", { start: yesterdayAt(2) - 2 * DAY_MS, title: "Workshop", rule: { freq: "DAILY", count: 3 } });
  s.put("A", "stays.ics", event("stays", { start: yesterdayAt(20) }));
  s.put("A", "also-stays.ics", event("also-stays", { start: yesterdayAt(21) }));
  s.put("B", "daily.ics", daily);
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 5 });
  s.put("A", "copy.ics", { ...daily, title: "Alpha planning" });
  server.inject({ kind: "truncated-delta" });
  await s.sync();
  // The delta came truncated (507, RFC 6578 §3.6), and the fault is not left for another test.
  expect(server.pendingFaults()).toBe(0);
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", skipped: { DUPLICATE: 3 } });
  const entries = await s.entries();
  expect(entries.map((e) => e.notes)).toEqual(["Alpha planning", "Alpha planning", "Alpha planning", "Meeting stays", "Meeting also-stays"]);
});

/**
 * Found by the history test (PostgreSQL seed 518530952): an event moves to a new href and becomes a
 * series, and the multiget leaves another new object out. The old href's deletion was deferred by
 * treating the old object as still there: its stored single event and the new series both counted,
 * and the first instance's hour was there twice. The deleted object and its UID are now held.
 */
it("holds a deleted object's UID while another item is missing, so no hour is counted twice", async () => {
  const s = await scenario({ services, server });
  s.put("A", "stays.ics", event("stays", { start: yesterdayAt(20) }));
  s.put("A", "old-name.ics", event("moving", { start: yesterdayAt(9) - DAY_MS }));
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 2 });
  const before = await s.entries();
  s.put("A", "another.ics", event("another", { start: yesterdayAt(12) }));
  s.remove("A", "old-name.ics");
  s.put("A", "new-name.ics", event("moving", { start: yesterdayAt(9) - DAY_MS, rule: { freq: "DAILY", count: 2 } }));
  server.inject({ kind: "multiget-omits-href" });
  expect(await s.sync()).toMatchObject({ status: "PARTIAL", entriesCreated: 0, entriesDeleted: 0 });
  expect(server.pendingFaults()).toBe(0);
  expect(await s.entries()).toEqual(before);
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 2, entriesDeleted: 0 });
  const after = await s.entries();
  expect(after.map((e) => [e.startTime.getTime() - yesterdayAt(0), e.notes])).toEqual([
    [9 * HOUR_MS - DAY_MS, "Meeting moving"],
    [9 * HOUR_MS, "Meeting moving"],
    [12 * HOUR_MS, "Meeting another"],
    [20 * HOUR_MS, "Meeting stays"],
  ]);
  // The single event's entry became the series' first instance.
  expect(after[0]!.id).toBe(before.find((e) => e.notes === "Meeting moving")!.id);
});

/**
 * Found by the history test (PGlite seed -1599038799): a series loses an instance while that
 * instance is beyond the window (the window had been shortened), and the clock then brings the
 * instance's time into the window. Nothing changed on the server since, so the fast path (and a
 * scoped plan) left the entry of the vanished instance in place until a FULL sync.
 */
it("deletes the entry of an instance that vanished beyond the window once the window reaches it", async () => {
  const clock = { now: Math.floor(Date.now() / HOUR_MS) * HOUR_MS };
  const clocked = await freshServices(database.db, key, () => new Date(clock.now));
  const s = await scenario({ services: clocked, server });
  const reconfigure = (lookaheadDays: number) => clocked.integrations.configure(s.user.id, { id: s.integration.id, lookbackDays: 1, lookaheadDays });
  const series = event("weekly", { start: clock.now - 3 * DAY_MS - 3 * HOUR_MS, rule: { freq: "WEEKLY", count: 2 } });
  s.put("A", "stays.ics", event("stays", { start: clock.now - 2 * HOUR_MS }));
  s.put("A", "weekly.ics", series);
  await reconfigure(5);
  // The other event and the series' second instance (the first is behind the one-day lookback).
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 2 });
  await reconfigure(2);
  // The second instance (in 4 days less 3 hours) is now beyond the window; the series loses it.
  s.put("A", "weekly.ics", { ...series, rule: null });
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesDeleted: 0 });
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesDeleted: 0 });
  clock.now += 2 * DAY_MS;
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesDeleted: 1 });
  // The other event is behind the window now: kept.
  expect((await s.entries()).map((e) => e.notes)).toEqual(["Meeting stays"]);
});

/**
 * Found by the history test (seed 424242): while a multiget leaves out calendar A's copy of an
 * event, calendar B imports its occurrences; once A's copy arrives they move to A, the smaller URL.
 * The mass-delete guard counted that move as B losing 5 of its 9 entries and withheld it, so every
 * instance was there twice until a confirmed FULL sync. A move to the holding calendar loses no time.
 */
it("moves occurrences to the holding calendar past the mass-delete guard, so no hour is counted twice", async () => {
  const s = await scenario({ services, server }, ["A", "B"]);
  const standup = event("standup", { start: yesterdayAt(9) - 3 * DAY_MS, title: "Standup" });
  s.put("A", "standup.ics", standup);
  for (const hour of [12, 13, 14, 15]) s.put("B", `b${hour}.ics`, event(`b${hour}`, { start: yesterdayAt(hour) }));
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 5 });
  const series = { ...standup, rule: { freq: "DAILY" as const, count: 5 } };
  s.put("A", "standup.ics", series);
  s.put("B", "copy.ics", series);
  server.inject({ kind: "multiget-omits-href" });
  // A's changed object does not arrive: B imports the series, A keeps its single event's entry.
  expect(await s.sync()).toMatchObject({ status: "PARTIAL", entriesCreated: 5, entriesDeleted: 0 });
  expect(server.pendingFaults()).toBe(0);
  const run = await s.sync();
  expect(run).toMatchObject({ status: "SUCCESS", entriesCreated: 4, entriesDeleted: 5, withheldDeletions: 0, skipped: { DUPLICATE: 5 } });
  const entries = await s.entries();
  expect(entries.filter((e) => e.notes === "Standup").map((e) => e.startTime.getTime())).toEqual([0, 1, 2, 3, 4].map((day) => standup.start + day * DAY_MS));
  expect(entries).toHaveLength(9);
});

/**
 * Found by the history test (seed 17033482): the clock brings a series' instance into the window
 * while a multiget leaves out a new same-calendar copy of the series (a broken server's duplicate
 * UID). The run can only import the instance from the series it has; once the copy arrives, the
 * object the link names keeps winning, so no entry flips between the copies. The history test now
 * checks such a run exactly, against a clean sync of what the engine could know.
 */
it("keeps an instance imported while its same-calendar copy was missing with the object it came from", async () => {
  const clock = { now: Math.floor(Date.now() / HOUR_MS) * HOUR_MS };
  const clocked = await freshServices(database.db, key, () => new Date(clock.now));
  const s = await scenario({ services: clocked, server });
  await clocked.integrations.configure(s.user.id, { id: s.integration.id, lookbackDays: 1, lookaheadDays: 2 });
  const daily = event("daily", { start: clock.now - 12 * HOUR_MS, title: "Standup", rule: { freq: "DAILY", count: 4 } });
  s.put("A", "series.ics", daily);
  // The instances 12 h ago, in 12 h and in 36 h; the one in 60 h is beyond the window.
  expect(await s.sync("INCREMENTAL", clocked)).toMatchObject({ status: "SUCCESS", entriesCreated: 3 });
  const before = await s.entries();
  s.put("A", "a-copy.ics", { ...daily, title: "Alpha planning" });
  clock.now += 22 * HOUR_MS;
  server.inject({ kind: "multiget-omits-href" });
  expect(await s.sync("INCREMENTAL", clocked)).toMatchObject({ status: "PARTIAL", entriesCreated: 1, entriesDeleted: 0 });
  expect(server.pendingFaults()).toBe(0);
  // The copy arrives: two objects with one UID (PARTIAL), and the series the links name wins.
  expect(await s.sync("INCREMENTAL", clocked)).toMatchObject({ status: "PARTIAL", entriesCreated: 0, entriesUpdated: 0, entriesDeleted: 0 });
  const after = await s.entries();
  expect(after.map((e) => e.notes)).toEqual(["Standup", "Standup", "Standup", "Standup"]);
  expect(after.slice(0, 3).map((e) => e.id)).toEqual(before.map((e) => e.id));
});

/**
 * Found by the history test (seed 1711212545), a fault of the test's: a broken server's single
 * event and, in another object with its UID, a series whose first instance is at the same hour give
 * two entries that look alike. When the single event's object becomes the same series, its entry
 * goes and the first instance's entry, the one with its own key, stays. The model learnt the two
 * entries' ids the wrong way round; it now tells alike entries apart by the key they are linked under.
 */
it("keeps the first instance's own entry when a same-calendar single copy of it becomes the series too", async () => {
  const s = await scenario({ services, server });
  const single = event("single", { start: yesterdayAt(4), title: "Alpha planning" });
  s.put("A", "event-1.ics", { ...single, rule: { freq: "DAILY", count: 2 } });
  s.put("A", "copy-4.ics", single);
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 3 });
  const linked = async () => [...(await services.timeEntries.externalEvents(s.user.id, (await s.entries()).map((e) => e.id)))];
  const firstInstanceEntry = (await linked()).find(([, link]) => link.recurrenceId !== null && Date.parse(link.recurrenceId) === single.start)![0];
  s.put("A", "copy-4.ics", { ...single, rule: { freq: "DAILY", count: 2 } });
  expect(await s.sync()).toMatchObject({ status: "PARTIAL", entriesCreated: 0, entriesDeleted: 1 });
  const after = await s.entries();
  expect(after.map((e) => [e.id === firstInstanceEntry, e.startTime.getTime(), e.notes])).toEqual([
    [true, single.start, "Alpha planning"],
    [false, single.start + DAY_MS, "Alpha planning"],
  ]);
  expect((await linked()).map(([, link]) => link.href.endsWith("/event-1.ics"))).toEqual([true, true]);
});

/**
 * Found by the history test (seed -314232146), a fault of the test's: an event moves to another
 * href while its calendar fails, and the new object turns unreadable before any sync has read it.
 * Nothing tells that object's UID, so it holds none (an unreadable object holds the UID a sync last
 * read), and the moved-away event's entry goes like that of any deleted event. The model had taken
 * the failed run as if the calendar had been read, and so knew the UID.
 */
it("holds no UID for an object that turned unreadable before any sync read it", async () => {
  const s = await scenario({ services, server });
  s.put("A", "stays.ics", event("stays", { start: yesterdayAt(20) }));
  s.put("A", "old-name.ics", event("moving", { start: yesterdayAt(9) }));
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 2 });
  s.remove("A", "old-name.ics");
  s.put("A", "new-name.ics", event("moving", { start: yesterdayAt(9) }));
  server.inject({ kind: "status", status: 503, retryAfter: "3600" });
  expect(await s.sync()).toMatchObject({ status: "ERROR", entriesDeleted: 0 });
  expect(server.pendingFaults()).toBe(0);
  s.putUnreadable("A", "new-name.ics");
  expect(await s.sync()).toMatchObject({ status: "PARTIAL", entriesCreated: 0, entriesDeleted: 1 });
  expect((await s.entries()).map((e) => e.notes)).toEqual(["Meeting stays"]);
  s.put("A", "new-name.ics", event("moving", { start: yesterdayAt(9) }));
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 1 });
});

/**
 * Found by the history test (seed -348949342), a fault of the test's: an event moves to another
 * href and a multiget leaves the new object out, so the run keeps the entry and its link still names
 * the old href. When a same-calendar copy of the event appears next, neither object is the one the
 * link names, and the smaller href wins, as when the move and the copy arrive in one sync. The model
 * had taken the run as a read of the server as it is (the entries were the same), and so believed
 * the link named the moved object; it now tries first the view in which the objects left out are unread.
 */
it("lets the smaller href win a key whose linked object moved while a multiget left it out", async () => {
  const s = await scenario({ services, server });
  const single = event("single", { start: yesterdayAt(8), title: "Alpha planning" });
  s.put("A", "event-1.ics", single);
  expect(await s.sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 1 });
  const [imported] = await s.entries();
  s.remove("A", "event-1.ics");
  s.put("A", "moved-4.ics", single);
  server.inject({ kind: "multiget-omits-href" });
  expect(await s.sync()).toMatchObject({ status: "PARTIAL", entriesCreated: 0, entriesUpdated: 0, entriesDeleted: 0 });
  expect(server.pendingFaults()).toBe(0);
  s.put("A", "copy-6.ics", { ...single, title: "Beta" });
  expect(await s.sync()).toMatchObject({ status: "PARTIAL", entriesCreated: 0, entriesUpdated: 1, entriesDeleted: 0 });
  expect((await s.entries()).map((e) => [e.id, e.notes])).toEqual([[imported!.id, "Beta"]]);
});
