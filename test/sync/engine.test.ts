import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";
import { ALL_SERVERS, describeServer } from "../servers/harness.js";
import { deleteEvent, makeCalendar, putEvent, updateEvent } from "../servers/seed.js";
import { byUid, calendar, importedEntries, syncNow } from "./helpers.js";

/**
 * The sync rules of docs/sync.md, end to end on every real server: GraphQL in, a real CalDAV
 * server and a real database underneath. The tests of one server build on each other, in order.
 */
const BERLIN = [
  "BEGIN:VTIMEZONE", "TZID:Europe/Berlin",
  "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST", "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
  "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET", "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
  "END:VTIMEZONE",
];
const withZone = (ics: string) => ics.replace("BEGIN:VEVENT", `${BERLIN.join("\n")}\nBEGIN:VEVENT`);

const SINGLE = calendar(["UID:single-1", "DTSTART:20250304T090000Z", "DTEND:20250304T100000Z", "SUMMARY:Alpha planning", "DESCRIPTION:Agenda: scope"]);
const SINGLE_EDITED = calendar(["UID:single-1", "DTSTART:20250304T090000Z", "DTEND:20250304T103000Z", "SUMMARY:Alpha planning (long)", "DESCRIPTION:Agenda: scope"]);
const WEEKLY = calendar(
  ["UID:weekly-1", "DTSTART:20250303T100000Z", "DTEND:20250303T110000Z", "RRULE:FREQ=WEEKLY;COUNT=5", "EXDATE:20250310T100000Z", "SUMMARY:Standup"],
  ["UID:weekly-1", "RECURRENCE-ID:20250317T100000Z", "DTSTART:20250317T140000Z", "DTEND:20250317T150000Z", "SUMMARY:Standup (moved)"],
);
const DST = withZone(calendar(["UID:dst-1", "DTSTART;TZID=Europe/Berlin:20251013T090000", "DTEND;TZID=Europe/Berlin:20251013T100000", "RRULE:FREQ=WEEKLY;COUNT=4", "SUMMARY:Jour fixe"]));
const OTHER = (uid: string, day: string) => calendar([`UID:${uid}`, `DTSTART:${day}T120000Z`, `DTEND:${day}T130000Z`, `SUMMARY:Filler ${uid}`]);

for (const kind of ALL_SERVERS) {
  describeServer(kind, (ctx) => {
    let api: TestApi;
    let token: string;
    let integrationId: string;
    let alpha: string;
    const etags = new Map<string, { url: string; etag: string | null }>();

    const put = async (name: string, ics: string) => etags.set(name, await putEvent(ctx.server(), ctx.server().calendarUrl, `${name}.ics`, ics));

    beforeAll(async () => {
      api = await startTestApi();
      ({ token } = await api.createUser(`sync-${kind}@example.com`, "Europe/Berlin"));
      alpha = (await api.graphql(token, 'mutation { createProject(input: {name: "Alpha"}) { id } }')).data?.createProject.id;
      const s = ctx.server();
      await put("single", SINGLE);
      await put("weekly", WEEKLY);
      await put("dst", DST);
      for (let i = 0; i < 4; i++) await put(`filler-${i}`, OTHER(`filler-${i}`, `2025040${i + 1}`));
      const res = await api.graphql(token, "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }", {
        input: { serverUrl: s.baseUrl, username: s.username, password: s.password, lookbackDays: 3650, calendars: [{ url: s.calendarUrl, selected: true }] },
      });
      integrationId = res.data?.configureCalDAVIntegration.id;
    });
    afterAll(() => api.close());

    it("imports every occurrence: singles, a series with an EXDATE and a moved override, a series across the DST change", async () => {
      const run = await syncNow(api, token, integrationId);
      expect(run).toMatchObject({ status: "SUCCESS", entriesCreated: 13, entriesDeleted: 0 });
      const entries = await importedEntries(api, token);
      expect(entries).toHaveLength(13);

      const [single] = byUid(entries, "single-1");
      expect(single).toMatchObject({ startTime: "2025-03-04T09:00:00.000Z", endTime: "2025-03-04T10:00:00.000Z", notes: "Alpha planning\n\nAgenda: scope", projectId: alpha, matchedBy: "TITLE" });
      expect(single!.externalEvent).toMatchObject({ recurrenceId: null, detached: false });

      expect(byUid(entries, "weekly-1").map((e) => [e.startTime, e.notes])).toEqual([
        ["2025-03-03T10:00:00.000Z", "Standup"],
        ["2025-03-17T14:00:00.000Z", "Standup (moved)"],
        ["2025-03-24T10:00:00.000Z", "Standup"],
        ["2025-03-31T10:00:00.000Z", "Standup"],
      ]);
      // 09:00 in Berlin every week: 07:00Z in summer time, 08:00Z after 26 October.
      expect(byUid(entries, "dst-1").map((e) => e.startTime)).toEqual([
        "2025-10-13T07:00:00.000Z",
        "2025-10-20T07:00:00.000Z",
        "2025-10-27T08:00:00.000Z",
        "2025-11-03T08:00:00.000Z",
      ]);
    });

    it("changes nothing on a second sync, with at most two requests", async () => {
      const run = await syncNow(api, token, integrationId);
      expect(run).toMatchObject({ status: "SUCCESS", entriesCreated: 0, entriesUpdated: 0, entriesDeleted: 0, entriesUnchanged: 13, objectsFetched: 0 });
      expect(run.requests).toBeLessThanOrEqual(2);
    });

    it("updates an entry whose event changed on the server, downloading only that object", async () => {
      const { url, etag } = etags.get("single")!;
      etags.set("single", { url, ...(await updateEvent(ctx.server(), url, SINGLE_EDITED, etag!)) });
      const run = await syncNow(api, token, integrationId);
      expect(run).toMatchObject({ status: "SUCCESS", entriesCreated: 0, entriesUpdated: 1, entriesDeleted: 0, objectsFetched: 1 });
      expect(run.requests).toBeLessThanOrEqual(4);
      const [single] = byUid(await importedEntries(api, token), "single-1");
      expect(single).toMatchObject({ endTime: "2025-03-04T10:30:00.000Z", notes: "Alpha planning (long)\n\nAgenda: scope" });
    });

    it("removes the entry of an event deleted on the server", async () => {
      await deleteEvent(ctx.server(), etags.get("filler-0")!.url);
      const run = await syncNow(api, token, integrationId);
      expect(run).toMatchObject({ status: "SUCCESS", entriesDeleted: 1, entriesCreated: 0 });
      expect(byUid(await importedEntries(api, token), "filler-0")).toEqual([]);
    });

    it("keeps the notes the user edited when its event moves, and moves the entry with it", async () => {
      const [entry] = byUid(await importedEntries(api, token), "filler-1");
      await api.graphql(token, 'mutation($id: UUID!) { updateTimeEntry(input: {id: $id, notes: "Reviewed the filler"}) { id } }', { id: entry!.id });
      const { url, etag } = etags.get("filler-1")!;
      await updateEvent(ctx.server(), url, OTHER("filler-1", "20250405"), etag!);
      const run = await syncNow(api, token, integrationId);
      expect(run).toMatchObject({ status: "SUCCESS", conflictsKept: 0, entriesUpdated: 1 });
      const [kept] = byUid(await importedEntries(api, token), "filler-1");
      expect(kept).toMatchObject({ id: entry!.id, notes: "Reviewed the filler", startTime: "2025-04-05T12:00:00.000Z", endTime: "2025-04-05T13:00:00.000Z", editedFields: ["NOTES"], editedAfterImport: true });
      expect(kept!.externalEvent?.detached).toBe(false);
    });

    it("never re-creates an entry the user deleted", async () => {
      const [entry] = byUid(await importedEntries(api, token), "filler-2");
      await api.graphql(token, "mutation($id: UUID!) { deleteTimeEntry(id: $id) }", { id: entry!.id });
      const run = await syncNow(api, token, integrationId, "FULL");
      expect(run).toMatchObject({ status: "SUCCESS", entriesCreated: 0 });
      expect(byUid(await importedEntries(api, token), "filler-2")).toEqual([]);
    });

    it("falls back to a full comparison when the stored sync token is no longer valid", async () => {
      await api.database.db.execute(sql`update integration_calendars set ctag = 'stale', sync_token = case when sync_token is null then null else ${`${ctx.server().baseUrl}bogus-token`} end`);
      await put("late", OTHER("late-1", "20250420"));
      const run = await syncNow(api, token, integrationId);
      expect(run).toMatchObject({ status: "SUCCESS", entriesCreated: 1, entriesDeleted: 0, entriesUpdated: 0 });
      expect(byUid(await importedEntries(api, token), "late-1")).toHaveLength(1);
    });

    it("survives ten concurrent syncs of one integration without a duplicate", async () => {
      await put("burst", OTHER("burst-1", "20250421"));
      const runs = await Promise.all(Array.from({ length: 10 }, () => syncNow(api, token, integrationId)));
      expect(runs.every((r) => r.status === "SUCCESS")).toBe(true);
      const entries = await importedEntries(api, token);
      expect(byUid(entries, "burst-1")).toHaveLength(1);
      const keys = entries.map((e) => `${e.externalEvent?.uid} ${e.externalEvent?.recurrenceId}`);
      expect(new Set(keys).size).toBe(keys.length);
    });

    it("imports each selected calendar with its own default project", async () => {
      const projectB = (await api.graphql(token, 'mutation { createProject(input: {name: "Client B"}) { id } }')).data?.createProject.id;
      const second = await makeCalendar(ctx.server(), "clientb", "Client B");
      await putEvent(ctx.server(), second, "b-1.ics", OTHER("b-1", "20250501"));
      await api.graphql(token, "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }", {
        input: { id: integrationId, calendars: [{ url: second, selected: true, defaultProjectId: projectB }] },
      });
      const run = await syncNow(api, token, integrationId);
      expect(run).toMatchObject({ status: "SUCCESS", entriesCreated: 1, entriesDeleted: 0 });
      const [b] = byUid(await importedEntries(api, token), "b-1");
      expect(b).toMatchObject({ projectId: projectB, matchedBy: "DEFAULT" });
      expect(b!.externalEvent?.calendarUrl).toBe(second);
    });

    it("deletes nothing when a calendar suddenly looks empty, until a FULL sync confirms it", async () => {
      const before = await importedEntries(api, token);
      for (const name of ["single", "weekly", "dst", "filler-1", "filler-2", "filler-3", "late", "burst"]) await deleteEvent(ctx.server(), etags.get(name)!.url);
      const guarded = await syncNow(api, token, integrationId);
      expect(guarded.status).toBe("PARTIAL");
      expect(guarded.message).toMatch(/empty/i);
      expect(guarded.entriesDeleted).toBe(0);
      expect(guarded.withheldDeletions).toBeGreaterThan(0);
      expect(await importedEntries(api, token)).toEqual(before);

      const confirmed = await syncNow(api, token, integrationId, "FULL", true);
      expect(confirmed.status).toBe("SUCCESS");
      // What was withheld is what the confirmed sync then did: deletions, and the edited entry detached.
      expect(confirmed.withheldDeletions).toBe(0);
      expect(confirmed.entriesDeleted + confirmed.conflictsKept).toBe(guarded.withheldDeletions);
      const left = await importedEntries(api, token);
      // The second calendar's entry and the user-edited entry stay.
      expect(left.map((e) => e.externalEvent?.uid).sort()).toEqual(["b-1", "filler-1"]);
    });
  });
}
