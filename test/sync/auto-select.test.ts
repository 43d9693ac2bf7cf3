import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";
import { describeServer } from "../servers/harness.js";
import { makeCalendar, putEvent } from "../servers/seed.js";
import { calendar, importedEntries, syncNow } from "./helpers.js";

/**
 * With only a server URL and no calendar selected, the first sync selects the first calendar
 * that holds events — not merely the first one listed — and says which in the run's message.
 */
describeServer("radicale", (ctx) => {
  let api: TestApi;
  let token: string;

  beforeAll(async () => {
    api = await startTestApi();
    ({ token } = await api.createUser("auto@example.com"));
  });
  afterAll(() => api.close());

  it("selects the first calendar holding events and names it", async () => {
    const s = ctx.server();
    // The pre-created calendar stays empty; a second one ("Work") holds the events.
    const work = await makeCalendar(s, "work", "Work");
    await putEvent(s, work, "w1.ics", calendar(["UID:auto-1", "DTSTART:20250305T090000Z", "DTEND:20250305T100000Z", "SUMMARY:Planning"]));
    const id = (
      await api.graphql(token, "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }", {
        input: { serverUrl: s.baseUrl, username: s.username, password: s.password, lookbackDays: 3650 },
      })
    ).data?.configureCalDAVIntegration.id;

    const run = await syncNow(api, token, id);
    expect(run).toMatchObject({ status: "SUCCESS", entriesCreated: 1 });
    expect(run.message).toContain(`"Work" (${work}) was selected`);
    const calendars = await api.graphql(token, "query($id: UUID!) { calendars(integrationId: $id) { url selected } }", { id });
    expect(calendars.data?.calendars).toContainEqual({ url: work, selected: true });
    expect(calendars.data?.calendars).toContainEqual({ url: s.calendarUrl, selected: false });
    expect((await importedEntries(api, token)).map((e) => e.notes)).toEqual(["Planning"]);
  });
});
