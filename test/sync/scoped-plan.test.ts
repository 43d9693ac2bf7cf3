import { afterAll, beforeAll, expect, it } from "vitest";
import { expansionCache, syncMemos } from "../../src/sync/object-cache.js";
import { startTestApi, type TestApi } from "../helpers/api.js";
import { capturedLogger } from "../helpers/captured-log.js";
import { describeServer } from "../servers/harness.js";
import { deleteEvent, putEvent, updateEvent } from "../servers/seed.js";
import { byUid, calendar, importedEntries, syncNow, type RunView } from "./helpers.js";

/**
 * After a sync this process remembers, an incremental sync plans only the objects that changed
 * (src/sync/engine.ts). Its outcome must be the one a complete plan gives — including the
 * mass-delete guard, which weighs every imported entry, not just the planned ones.
 */
const single = (i: number) => calendar([`UID:s-${i}`, `DTSTART:202504${String(i + 1).padStart(2, "0")}T120000Z`, `DTEND:202504${String(i + 1).padStart(2, "0")}T130000Z`, `SUMMARY:Meeting ${i}`]);
const WEEKLY = calendar(["UID:weekly-1", "DTSTART:20250303T100000Z", "DTEND:20250303T110000Z", "RRULE:FREQ=WEEKLY;COUNT=4", "SUMMARY:Standup"]);

describeServer("radicale", (ctx) => {
  let api: TestApi;
  let token: string;
  let integrationId: string;
  const captured = capturedLogger();
  const objects = new Map<string, { url: string; etag: string | null }>();

  /** The plan scope of the last finished sync, from its log line. */
  const plannedObjects = (): number | string => {
    const lines = captured.text().trim().split("\n").map((line) => JSON.parse(line) as { msg: string; plannedObjects?: number | string });
    return lines.filter((line) => line.msg === "sync finished").at(-1)!.plannedObjects!;
  };
  const sync = async (): Promise<RunView & { planned: number | string }> => ({ ...(await syncNow(api, token, integrationId)), planned: plannedObjects() });

  beforeAll(async () => {
    api = await startTestApi({ log: captured.log });
    ({ token } = await api.createUser("scoped@example.com", "Europe/Berlin"));
    const s = ctx.server();
    for (let i = 0; i < 12; i++) objects.set(`s-${i}`, await putEvent(s, s.calendarUrl, `s-${i}.ics`, single(i)));
    objects.set("weekly", await putEvent(s, s.calendarUrl, "weekly.ics", WEEKLY));
    const res = await api.graphql(token, "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }", {
      input: { serverUrl: s.baseUrl, username: s.username, password: s.password, lookbackDays: 3650, calendars: [{ url: s.calendarUrl, selected: true }] },
    });
    integrationId = res.data?.configureCalDAVIntegration.id;
  });
  afterAll(() => api.close());

  it("plans everything on the first import and nothing when nothing changed", async () => {
    expect(await sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 16, planned: "all" });
    expect(await sync()).toMatchObject({ status: "SUCCESS", entriesUnchanged: 16, planned: 0 });
  });

  it("plans only the changed objects, keeping the user's edit", async () => {
    const [edited] = byUid(await importedEntries(api, token), "s-1");
    await api.graphql(token, 'mutation($id: UUID!) { updateTimeEntry(input: {id: $id, notes: "My notes"}) { id } }', { id: edited!.id });
    for (const i of [0, 1]) {
      const { url, etag } = objects.get(`s-${i}`)!;
      await updateEvent(ctx.server(), url, single(i).replace(`SUMMARY:Meeting ${i}`, `SUMMARY:Meeting ${i} (moved)`), etag!);
    }
    const run = await sync();
    expect(run).toMatchObject({ status: "SUCCESS", planned: 2, entriesUpdated: 2, conflictsKept: 0, entriesUnchanged: 14, entriesCreated: 0, entriesDeleted: 0 });
    expect(byUid(await importedEntries(api, token), "s-1")[0]).toMatchObject({ notes: "My notes", editedFields: ["NOTES"] });
  });

  it("deletes 5 of 16 entries: the guard weighs all imported entries, not just the planned ones", async () => {
    for (let i = 2; i <= 6; i++) await deleteEvent(ctx.server(), objects.get(`s-${i}`)!.url);
    expect(await sync()).toMatchObject({ status: "SUCCESS", planned: 5, entriesDeleted: 5 });
  });

  it("withholds deleting 9 of the 11 remaining entries, and so does a complete plan", async () => {
    for (let i = 7; i <= 11; i++) await deleteEvent(ctx.server(), objects.get(`s-${i}`)!.url);
    await deleteEvent(ctx.server(), objects.get("weekly")!.url);
    const scoped = await sync();
    expect(scoped).toMatchObject({ status: "PARTIAL", planned: 6, entriesDeleted: 0 });
    expect(scoped.message).toMatch(/remove 9 of 11 imported entries/);

    // A restarted process remembers nothing and plans everything: the same outcome.
    syncMemos.clear();
    expansionCache.clear();
    const complete = await sync();
    expect(complete).toMatchObject({ status: "PARTIAL", planned: "all", entriesDeleted: 0 });
    expect(complete.message).toBe(scoped.message);
  });
});
