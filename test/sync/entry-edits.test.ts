import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";
import { describeServer } from "../servers/harness.js";
import { deleteEvent, makeCalendar, putEvent, updateEvent } from "../servers/seed.js";
import { byUid, calendar, importedEntries, syncNow } from "./helpers.js";

/**
 * Edits that keep what the user meant (docs/sync.md, "You win, field by field"), end to end through
 * GraphQL on a real Radicale: a sync never overwrites a field the user changed and keeps the others
 * following the calendar; resetTimeEntry, restoreImportedEntries, the filters by integration and
 * calendar, and deleteTimeEntries. The tests build on each other, in order.
 */
const meeting = (uid: string, title: string, day: string, hour = "09") =>
  calendar([`UID:${uid}`, `DTSTART:${day}T${hour}0000Z`, `DTEND:${day}T${hour}4500Z`, `SUMMARY:${title}`]);

describeServer("radicale", (ctx) => {
  let api: TestApi;
  let token: string;
  let integrationId: string;
  let workCalendarId: string;
  let otherCalendarId: string;
  let projectId: string;
  const objects = new Map<string, { url: string; etag: string | null }>();

  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const res = await api.graphql(token, query, variables);
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!;
  };
  const errorOf = async (query: string, variables?: Record<string, unknown>) => {
    const res = await api.graphql(token, query, variables);
    expect(res.errors, "the request should fail").toBeDefined();
    return { code: res.errors![0]!.extensions?.code, message: res.errors![0]!.message };
  };
  const put = async (calendarUrl: string, name: string, ics: string) => objects.set(name, await putEvent(ctx.server(), calendarUrl, `${name}.ics`, ics));
  const move = async (name: string, ics: string) => {
    const { url, etag } = objects.get(name)!;
    objects.set(name, { url, ...(await updateEvent(ctx.server(), url, ics, etag!)) });
  };
  const entryOf = async (uid: string) => {
    const [entry] = byUid(await importedEntries(api, token), uid);
    expect(entry, `the entry of ${uid}`).toBeDefined();
    return entry!;
  };
  const ids = async (filter: Record<string, unknown>) =>
    ((await gql("query($f: TimeEntryFilterInput) { timeEntries(first: 100, filter: $f) { totalCount edges { node { id notes } } } }", { f: filter })).timeEntries as {
      totalCount: number;
      edges: { node: { id: string; notes: string } }[];
    });

  beforeAll(async () => {
    api = await startTestApi();
    ({ token } = await api.createUser("edits@example.com"));
    const s = ctx.server();
    const other = await makeCalendar(s, "edits-other", "Other");
    await put(s.calendarUrl, "standup", meeting("standup-1", "Standup", "20260302"));
    await put(s.calendarUrl, "review", meeting("review-1", "Review", "20260303"));
    await put(s.calendarUrl, "retro", meeting("retro-1", "Retro", "20260304"));
    await put(other, "lunch", meeting("lunch-1", "Lunch talk", "20260305"));
    await put(other, "demo", meeting("demo-1", "Demo", "20260306"));
    projectId = (await gql('mutation { createProject(input: {name: "Website relaunch"}) { id } }')).createProject.id;
    const configured = await gql("mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }", {
      input: {
        serverUrl: s.baseUrl,
        username: s.username,
        password: s.password,
        lookbackDays: 3650,
        calendars: [
          { url: s.calendarUrl, selected: true },
          { url: other, selected: true },
        ],
      },
    });
    integrationId = configured.configureCalDAVIntegration.id;
    const calendars = (await gql("query($id: UUID!) { calendars(integrationId: $id) { id url } }", { id: integrationId })).calendars as { id: string; url: string }[];
    workCalendarId = calendars.find((c) => c.url === s.calendarUrl)!.id;
    otherCalendarId = calendars.find((c) => c.url === other)!.id;
    expect(await syncNow(api, token, integrationId)).toMatchObject({ status: "SUCCESS", entriesCreated: 5 });
  });
  afterAll(() => api?.close());

  it("keeps the project the user assigned while the times follow the moved meeting", async () => {
    const entry = await entryOf("standup-1");
    expect(entry).toMatchObject({ projectId: null, matchedBy: "NONE", editedFields: [] });
    await gql("mutation($id: UUID!, $p: UUID) { updateTimeEntry(input: {id: $id, projectId: $p}) { id } }", { id: entry.id, p: projectId });
    await move("standup", meeting("standup-1", "Standup", "20260302", "14"));

    expect(await syncNow(api, token, integrationId)).toMatchObject({ status: "SUCCESS", entriesUpdated: 1, conflictsKept: 0 });
    expect(await entryOf("standup-1")).toMatchObject({
      id: entry.id,
      projectId,
      startTime: "2026-03-02T14:00:00.000Z",
      endTime: "2026-03-02T14:45:00.000Z",
      notes: "Standup",
      editedFields: ["PROJECT"],
      editedAfterImport: true,
      externalEvent: { detached: false },
    });
  });

  it("keeps the notes the user wrote while the times follow a renamed and moved meeting", async () => {
    const entry = await entryOf("review-1");
    // Sending the times the entry has changes nothing: only the notes count as edited.
    await gql("mutation($id: UUID!, $s: DateTime, $e: DateTime) { updateTimeEntry(input: {id: $id, notes: \"Reviewed the API\", startTime: $s, endTime: $e}) { id } }", {
      id: entry.id,
      s: entry.startTime,
      e: entry.endTime,
    });
    await move("review", meeting("review-1", "Design review", "20260303", "11"));

    expect(await syncNow(api, token, integrationId)).toMatchObject({ status: "SUCCESS", entriesUpdated: 1 });
    expect(await entryOf("review-1")).toMatchObject({
      id: entry.id,
      notes: "Reviewed the API",
      startTime: "2026-03-03T11:00:00.000Z",
      editedFields: ["NOTES"],
      externalEvent: { detached: false },
    });
  });

  it("resets an edited entry to its calendar version and lets it follow the meeting again", async () => {
    const entry = await entryOf("standup-1");
    await gql('mutation($id: UUID!) { updateTimeEntry(input: {id: $id, notes: "Mine", startTime: "2026-03-02T15:00:00Z", endTime: "2026-03-02T16:00:00Z"}) { id } }', { id: entry.id });
    expect((await entryOf("standup-1")).editedFields).toEqual(["PROJECT", "NOTES", "TIMES"]);

    const reset = await gql("mutation($id: UUID!) { resetTimeEntry(id: $id) { id projectId startTime endTime notes matchedBy editedFields editedAfterImport externalEvent { detached } } }", { id: entry.id });
    expect(reset.resetTimeEntry).toEqual({
      id: entry.id,
      projectId: null,
      startTime: "2026-03-02T14:00:00.000Z",
      endTime: "2026-03-02T14:45:00.000Z",
      notes: "Standup",
      matchedBy: "NONE",
      editedFields: [],
      editedAfterImport: false,
      externalEvent: { detached: false },
    });
    expect(await syncNow(api, token, integrationId)).toMatchObject({ status: "SUCCESS", entriesUpdated: 0, entriesCreated: 0, entriesDeleted: 0 });

    await move("standup", meeting("standup-1", "Standup", "20260302", "08"));
    expect(await syncNow(api, token, integrationId)).toMatchObject({ status: "SUCCESS", entriesUpdated: 1 });
    expect(await entryOf("standup-1")).toMatchObject({ id: entry.id, startTime: "2026-03-02T08:00:00.000Z", notes: "Standup", editedFields: [] });
  });

  it("keeps an edited entry, detached, when its meeting is deleted; it then has nothing to reset to", async () => {
    const entry = await entryOf("retro-1");
    await gql('mutation($id: UUID!) { updateTimeEntry(input: {id: $id, notes: "Retro: billed"}) { id } }', { id: entry.id });
    await deleteEvent(ctx.server(), objects.get("retro")!.url);
    expect(await syncNow(api, token, integrationId)).toMatchObject({ status: "SUCCESS", entriesDeleted: 0, conflictsKept: 1 });
    expect(await entryOf("retro-1")).toMatchObject({ id: entry.id, notes: "Retro: billed", externalEvent: { detached: true } });

    const refused = await errorOf("mutation($id: UUID!) { resetTimeEntry(id: $id) { id } }", { id: entry.id });
    expect(refused.code).toBe("BAD_USER_INPUT");
    expect(refused.message).toMatch(/no longer in the calendar/);

    const manual = (await gql('mutation { createTimeEntry(input: {startTime: "2026-03-09T09:00:00Z", endTime: "2026-03-09T10:00:00Z", notes: "By hand"}) { id } }')).createTimeEntry.id;
    expect(await errorOf("mutation($id: UUID!) { resetTimeEntry(id: $id) { id } }", { id: manual })).toMatchObject({ code: "BAD_USER_INPUT", message: expect.stringMatching(/entered by hand/) });
    expect((await errorOf("mutation($id: UUID!) { resetTimeEntry(id: $id) { id } }", { id: "00000000-0000-4000-8000-000000000000" })).code).toBe("NOT_FOUND");
  });

  it("filters entries by integration and by calendar", async () => {
    const byIntegration = await ids({ integrationId });
    // Standup, Design review and the detached Retro from the work calendar, two from the other; not the manual entry.
    expect(byIntegration.totalCount).toBe(5);
    expect(byIntegration.edges.map((e) => e.node.notes).sort()).toEqual(["Demo", "Lunch talk", "Retro: billed", "Reviewed the API", "Standup"]);
    expect((await ids({ calendarId: otherCalendarId })).edges.map((e) => e.node.notes).sort()).toEqual(["Demo", "Lunch talk"]);
    expect((await ids({ calendarId: workCalendarId, from: "2026-03-03T00:00:00Z" })).edges.map((e) => e.node.notes).sort()).toEqual(["Retro: billed", "Reviewed the API"]);
    expect((await ids({ integrationId: "00000000-0000-4000-8000-000000000000" })).totalCount).toBe(0);
  });

  it("deletes the entries of one calendar in bulk, refuses an empty filter, and the sync does not bring them back", async () => {
    expect(await errorOf("mutation { deleteTimeEntries(filter: {}) }")).toMatchObject({ code: "BAD_USER_INPUT" });
    expect((await gql("mutation($c: UUID!) { deleteTimeEntries(filter: {calendarId: $c}) }", { c: otherCalendarId })).deleteTimeEntries).toBe(2);
    expect((await ids({ calendarId: otherCalendarId })).totalCount).toBe(0);
    expect(await syncNow(api, token, integrationId, "FULL", true)).toMatchObject({ status: "SUCCESS", entriesCreated: 0 });
    expect((await ids({ calendarId: otherCalendarId })).totalCount).toBe(0);
    expect((await ids({ integrationId })).totalCount).toBe(3);
  });

  it("restores deleted imported entries of one calendar: the next sync imports them again", async () => {
    const design = await entryOf("review-1");
    await gql("mutation($id: UUID!) { deleteTimeEntry(id: $id) }", { id: design.id });
    expect(await syncNow(api, token, integrationId)).toMatchObject({ status: "SUCCESS", entriesCreated: 0 });

    const restore = "mutation($i: UUID!, $c: UUID) { restoreImportedEntries(integrationId: $i, calendarId: $c) }";
    expect((await gql(restore, { i: integrationId, c: otherCalendarId })).restoreImportedEntries).toBe(2);
    expect(await syncNow(api, token, integrationId)).toMatchObject({ status: "SUCCESS", entriesCreated: 2 });
    expect((await ids({ calendarId: otherCalendarId })).edges.map((e) => e.node.notes).sort()).toEqual(["Demo", "Lunch talk"]);
    expect(byUid(await importedEntries(api, token), "review-1")).toEqual([]);

    expect((await gql(restore, { i: integrationId, c: null })).restoreImportedEntries).toBe(1);
    expect(await syncNow(api, token, integrationId)).toMatchObject({ status: "SUCCESS", entriesCreated: 1 });
    expect(await entryOf("review-1")).toMatchObject({ notes: "Design review", startTime: "2026-03-03T11:00:00.000Z", editedFields: [] });
    expect((await gql(restore, { i: integrationId, c: null })).restoreImportedEntries).toBe(0);
  });
});
