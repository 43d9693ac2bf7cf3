import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";
import { describeServer, type ServerKind } from "../servers/harness.js";
import { putEvent, updateEvent } from "../servers/seed.js";
import { byUid, calendar, importedEntries, syncNow } from "./helpers.js";

/**
 * A calendar object we cannot read is skipped with an error, the rest is imported (PARTIAL), and
 * what it imported before stays. DAViCal stores what a client PUTs as it is; Radicale, Cyrus and
 * sabre/dav refuse such an object with 400, and Xandikos re-serialises it into a readable one, so
 * on those it cannot appear (the expansion's own tests cover the parsing: src/caldav/ical).
 */
const GOOD = calendar(["UID:good-1", "DTSTART:20250305T090000Z", "DTEND:20250305T100000Z", "SUMMARY:Readable"]);
const READABLE = calendar(["UID:flaky-1", "DTSTART:20250306T090000Z", "DTEND:20250306T100000Z", "SUMMARY:Flaky, still readable"]);
const BROKEN = calendar(["UID:flaky-1", "DTSTART:20250306T090000Z", "DTEND:20250306T100000Z", "RRULE:FREQ=SOMETIMES", "SUMMARY:Flaky, broken"]);

const STORES_MALFORMED: ServerKind[] = ["davical"];

for (const kind of STORES_MALFORMED) {
  describeServer(kind, (ctx) => {
    let api: TestApi;
    let token: string;
    let integrationId: string;

    beforeAll(async () => {
      api = await startTestApi();
      ({ token } = await api.createUser(`malformed-${kind}@example.com`));
      const s = ctx.server();
      const res = await api.graphql(token, "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }", {
        input: { calendarUrl: s.calendarUrl, username: s.username, password: s.password, lookbackDays: 3650 },
      });
      integrationId = res.data?.configureCalDAVIntegration.id;
    });
    afterAll(() => api.close());

    it("skips an object it cannot read, keeps what it imported from it, and imports the rest", async () => {
      const s = ctx.server();
      await putEvent(s, s.calendarUrl, "good.ics", GOOD);
      const flaky = await putEvent(s, s.calendarUrl, "flaky.ics", READABLE);
      expect((await syncNow(api, token, integrationId)).entriesCreated).toBe(2);
      const before = byUid(await importedEntries(api, token), "flaky-1");

      await updateEvent(s, flaky.url, BROKEN, flaky.etag!);
      const run = await syncNow(api, token, integrationId);
      expect(run.status).toBe("PARTIAL");
      expect(run.entriesDeleted).toBe(0);
      expect(run.errors).toEqual([expect.objectContaining({ uid: "flaky-1", href: expect.stringContaining("flaky.ics") })]);
      expect(run.skipped).toContainEqual({ reason: "PARSE_ERROR", count: 1 });
      expect(run.message).toMatch(/1 calendar object could not be read and was skipped \(see errors\)/);
      expect(byUid(await importedEntries(api, token), "flaky-1")).toEqual(before);
      expect(byUid(await importedEntries(api, token), "good-1")).toHaveLength(1);
    });
  });
}
