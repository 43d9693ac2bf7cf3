import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";
import { startHostileServer, type HostileServer } from "../hardening/hostile-server.js";
import { byUid, calendar, importedEntries, syncNow } from "./helpers.js";

/**
 * RFC 4791 §5.3.2.1 forbids two objects of one calendar with the same UID, and real servers refuse
 * them, so a scripted server (../hardening/hostile-server.ts) plays the broken one. One occurrence
 * per UID and RECURRENCE-ID is imported, the one from the smallest href (src/sync/plan.ts), on the
 * first import (the FIRST_IMPORT strategy, src/sync/strategies.ts) and on every sync after it.
 */
describe("two calendar objects claiming one UID", () => {
  let api: TestApi;
  let server: HostileServer;
  let token: string;
  let integrationId: string;

  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10).replaceAll("-", "");
  const event = (uid: string, daysAgo: number, summary: string) => calendar([`UID:${uid}`, `DTSTART:${day(daysAgo)}T090000Z`, `DTEND:${day(daysAgo)}T100000Z`, `SUMMARY:${summary}`]);

  beforeAll(async () => {
    api = await startTestApi();
    server = await startHostileServer();
    // Listed in this order, so the winner is not simply the first one the server sends.
    server.objects.set("b.ics", event("shared", 3, "From b"));
    server.objects.set("c.ics", event("own", 2, "Own event"));
    server.objects.set("a.ics", event("shared", 4, "From a"));
    ({ token } = await api.createUser("duplicate-uids@example.com", "UTC"));
    const res = await api.graphql(token, "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }", {
      input: { calendarUrl: server.calendarUrl, username: "u", password: "p", lookbackDays: 30 },
    });
    integrationId = res.data?.configureCalDAVIntegration.id;
  });
  afterAll(async () => {
    await server?.stop();
    await api?.close();
  });

  it("imports the occurrence of the smallest href and reports the other", async () => {
    const run = await syncNow(api, token, integrationId, "FULL");
    expect(run).toMatchObject({ status: "PARTIAL", entriesCreated: 2 });
    expect(run.errors).toEqual([{ href: `${server.calendarUrl}b.ics`, uid: "shared", message: expect.stringMatching(/same UID and RECURRENCE-ID/) }]);
    // Nothing was unreadable: the message says what happened and what clears it.
    expect(run.message).not.toMatch(/could not be read/);
    expect(run.message).toMatch(/1 occurrence was also in another calendar object with the same UID and imported once \(see errors\); delete the duplicate events on the server/);
    const entries = await importedEntries(api, token);
    expect(byUid(entries, "shared").map((e) => e.notes)).toEqual(["From a"]);
    expect(byUid(entries, "own")).toHaveLength(1);
  });

  it("keeps that entry on the next syncs, and follows the other object once the first is gone", async () => {
    expect(await syncNow(api, token, integrationId, "FULL")).toMatchObject({ status: "PARTIAL", entriesCreated: 0, entriesUpdated: 0, entriesDeleted: 0 });
    expect(byUid(await importedEntries(api, token), "shared").map((e) => e.notes)).toEqual(["From a"]);

    server.objects.delete("a.ics");
    expect(await syncNow(api, token, integrationId, "FULL")).toMatchObject({ status: "SUCCESS", entriesCreated: 0, entriesUpdated: 1, entriesDeleted: 0 });
    expect(byUid(await importedEntries(api, token), "shared").map((e) => e.notes)).toEqual(["From b"]);
  });
});
