import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";
import { DAY_MS, HOUR_MS, toIcs, type EventSpec } from "../model/calendar-events.js";
import { startModelCalDAVServer, type ModelCalDAVServer } from "../model/caldav-server.js";

/**
 * Issue 16, "one occurrence, one entry": an invitation that sits both in a personal and in a shared
 * team calendar of one integration is imported once, from the calendar with the smallest URL, and
 * the run says so through the API: skipped DUPLICATE, and a warning naming the calendar that holds
 * the imported entry. The rule itself is property-tested in src/sync/plan.test.ts and by the
 * history test's reference model.
 */
const SYNC = `mutation($id: UUID!) { syncNow(integrationId: $id) { status entriesCreated skipped { reason count } warnings calendars { url entriesCreated } } }`;
const ENTRIES = `{ timeEntries(first: 10) { edges { node { notes externalEvent { uid calendarUrl } } } } }`;

let api: TestApi;
let server: ModelCalDAVServer;

beforeAll(async () => {
  api = await startTestApi();
  server = await startModelCalDAVServer();
});
afterAll(async () => {
  await server?.close();
  await api?.close();
});

it("imports an invitation in two calendars once, counts it as DUPLICATE and names the calendar holding it", async () => {
  const owner = await api.createUser("two-calendars@example.com");
  // "b-personal" sorts after "a-team": the team calendar holds the imported entry.
  const personal = server.calendarUrl("dup-b-personal");
  const team = server.calendarUrl("dup-a-team");
  const start = Math.floor(Date.now() / DAY_MS) * DAY_MS - DAY_MS + 10 * HOUR_MS;
  const invitation: EventSpec = { uid: "invitation-1", start, minutes: 60, title: "Quarterly review", description: null, rule: { freq: "DAILY", count: 2 }, exdates: [], overrides: [] };
  server.put("dup-b-personal", "review.ics", toIcs(invitation));
  server.put("dup-a-team", "copy-of-review.ics", toIcs(invitation));
  server.put("dup-b-personal", "own.ics", toIcs({ ...invitation, uid: "own-1", title: "Focus time", rule: null, start: start + 3 * HOUR_MS }));
  const configured = await api.graphql(owner.token, "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }", {
    input: {
      calendarUrl: personal,
      username: server.username,
      password: server.password,
      lookbackDays: 7,
      lookaheadDays: 3,
      calendars: [
        { url: personal, selected: true },
        { url: team, selected: true },
      ],
    },
  });
  const id = configured.data?.configureCalDAVIntegration.id;
  expect(configured.errors).toBeUndefined();

  // The second run takes the fast path (nothing changed) and must say the same.
  for (const expectedCreated of [3, 0]) {
    const run = (await api.graphql(owner.token, SYNC, { id })).data?.syncNow;
    expect(run).toMatchObject({ status: "SUCCESS", entriesCreated: expectedCreated });
    expect(run.skipped).toContainEqual({ reason: "DUPLICATE", count: 2 });
    expect(run.warnings).toContain(`The event "invitation-1" is in ${personal} and in ${team}; it was imported once, from ${team}.`);
  }
  const entries = (await api.graphql(owner.token, ENTRIES)).data?.timeEntries.edges.map((e: any) => [e.node.notes, e.node.externalEvent.calendarUrl]);
  expect(entries.sort()).toEqual([
    ["Focus time", personal],
    ["Quarterly review", team],
    ["Quarterly review", team],
  ]);
});
