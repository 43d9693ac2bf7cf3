import type { LookupAddress } from "node:dns";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";
import { describeServer, type CalDAVTestServer, type ServerKind } from "../servers/harness.js";
import { authedFetch, deleteEvent, makeCalendar, putEvent, simpleEvent } from "../servers/seed.js";

/**
 * The journeys around a sync, end to end through GraphQL against real servers: fixing a calendar
 * URL, moving to another server URL, one calendar in two forms or two integrations, cleaning up,
 * and the validation a user meets on the way. Radicale, and Xandikos whose layout and hrefs differ
 * (calendars under /calendars/, percent-encoded absolute hrefs).
 */
const CONFIGURE = `mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id lastCleanup { deleted kept } } }`;
const TEST = `mutation($id: UUID!) { testConnection(integrationId: $id) { success message errorCode calendars { url selected ok code message supportsEvents } } }`;
const SYNC = `mutation($id: UUID!) { syncNow(integrationId: $id) { status message entriesCreated entriesDeleted calendars { url status } } }`;
const CALENDARS = `query($id: UUID!) { calendars(integrationId: $id) { url selected autoSelected supportsEvents } }`;
const ENTRIES = `{ timeEntries(first: 100) { totalCount edges { node { id notes externalEvent { calendarUrl detached } } } } }`;
const DELETE = `mutation($id: UUID!, $deleteEntries: Boolean!) { deleteIntegration(id: $id, deleteEntries: $deleteEntries) { deleted kept } }`;
/** Another name of 127.0.0.1, known only to the injected resolver: a second URL of the same server. */
const ALIAS = "dav-alias.test";

/** "20261206T090000Z", `daysAgo` days before now: inside the default 90-day window. */
function utcStamp(daysAgo: number, hour: number): string {
  const d = new Date(Date.now() - daysAgo * 86_400_000);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

for (const kind of ["radicale", "xandikos"] as ServerKind[]) {
  describeServer(kind, (ctx) => {
    let api: TestApi;
    const lookups: string[] = [];
    let users = 0;
    const s = (): CalDAVTestServer => ctx.server();
    const newUser = () => api.createUser(`${kind}-${++users}@example.com`);
    const gql = async (token: string, query: string, variables?: Record<string, unknown>) => {
      const res = await api.graphql(token, query, variables);
      expect(res.errors, query).toBeUndefined();
      return res.data!;
    };
    const configure = async (token: string, input: Record<string, unknown>) =>
      (await gql(token, CONFIGURE, { input: { username: s().username, password: s().password, ...input } })).configureCalDAVIntegration;
    const entries = async (token: string) => (await gql(token, ENTRIES)).timeEntries;

    beforeAll(async () => {
      api = await startTestApi({
        caldav: {
          lookup: async (hostname): Promise<LookupAddress[]> => {
            lookups.push(hostname);
            if (hostname === ALIAS) return [{ address: "127.0.0.1", family: 4 }];
            throw Object.assign(new Error(`${hostname} does not resolve in this test`), { code: "ENOTFOUND" });
          },
        },
      });
      // Two events in the window, in the server's calendar, for every journey.
      await putEvent(s(), s().calendarUrl, "standup.ics", simpleEvent("standup-1", "Standup", utcStamp(2, 9), utcStamp(2, 10)));
      await putEvent(s(), s().calendarUrl, "review.ics", simpleEvent("review-1", "Review", utcStamp(1, 14), utcStamp(1, 15)));
    });
    afterAll(() => api.close());

    it("fixes a typo in the calendar URL: the typo stops being synced, the right calendar keeps its entries", async () => {
      const { token } = await newUser();
      const right = s().calendarUrl;
      const typo = new URL("nosuch/", new URL("..", right)).href;
      const { id } = await configure(token, { calendarUrl: right });
      expect((await gql(token, SYNC, { id })).syncNow).toMatchObject({ status: "SUCCESS", entriesCreated: 2 });

      await configure(token, { id, calendarUrl: typo });
      const failed = (await gql(token, TEST, { id })).testConnection;
      expect(failed.success).toBe(false);
      expect(failed.calendars).toEqual([expect.objectContaining({ url: typo, selected: true, ok: false })]);
      expect(failed.message).toContain(typo);
      const run = (await gql(token, SYNC, { id })).syncNow;
      expect(run.status).toBe("ERROR");
      expect(run.message).toContain(typo);
      expect(run.calendars.map((c: { url: string }) => c.url)).toEqual([typo]);

      await configure(token, { id, calendarUrl: right });
      const fixed = (await gql(token, TEST, { id })).testConnection;
      expect(fixed).toMatchObject({ success: true, errorCode: null });
      expect(fixed.calendars.filter((c: { selected: boolean }) => c.selected)).toEqual([expect.objectContaining({ url: right, ok: true, supportsEvents: true })]);
      expect((await gql(token, CALENDARS, { id })).calendars.filter((c: { selected: boolean }) => c.selected).map((c: { url: string }) => c.url)).toEqual([right]);
      const again = (await gql(token, SYNC, { id })).syncNow;
      expect(again).toMatchObject({ status: "SUCCESS", entriesCreated: 0, entriesDeleted: 0 });
      expect((await entries(token)).totalCount).toBe(2);
    });

    it("switches to another server URL cleanly: the old calendars stop, the new location is discovered", async () => {
      const { token } = await newUser();
      const { id } = await configure(token, { serverUrl: s().baseUrl });
      const first = (await gql(token, SYNC, { id })).syncNow;
      expect(first).toMatchObject({ status: "SUCCESS", entriesCreated: 2 });
      expect(first.message).toContain("2 entries created");
      expect((await gql(token, CALENDARS, { id })).calendars).toContainEqual(expect.objectContaining({ url: s().calendarUrl, selected: true, autoSelected: true }));

      const moved = new URL(s().baseUrl);
      moved.hostname = ALIAS;
      const switched = await configure(token, { id, serverUrl: moved.href, droppedCalendarEntries: "REMOVE_UNEDITED" });
      expect(switched.lastCleanup).toEqual({ deleted: 2, kept: 0 });
      const known = (await gql(token, CALENDARS, { id })).calendars;
      expect(known.filter((c: { selected: boolean }) => c.selected)).toEqual([]);

      const run = (await gql(token, SYNC, { id })).syncNow;
      expect(run.message).not.toContain("refusing");
      expect(run).toMatchObject({ status: "SUCCESS", entriesCreated: 2 });
      expect(run.calendars.map((c: { url: string }) => new URL(c.url).hostname)).toEqual([ALIAS]);
      const list = await entries(token);
      expect(list.totalCount).toBe(2);
      expect(list.edges.every((e: { node: { externalEvent: { calendarUrl: string } } }) => new URL(e.node.externalEvent.calendarUrl).hostname === ALIAS)).toBe(true);
    });

    it("takes two URL forms of one calendar for one calendar, and imports it once", async () => {
      const { token } = await newUser();
      const { id } = await configure(token, { serverUrl: s().baseUrl });
      await gql(token, TEST, { id });
      const url = new URL(s().calendarUrl);
      const otherForm = `${url.protocol.toUpperCase()}//${url.host}${url.pathname.replace(/\/$/, "")}`;
      await configure(token, { id, calendars: [{ url: s().calendarUrl, selected: true }, { url: otherForm, selected: true }] });
      const known = (await gql(token, CALENDARS, { id })).calendars;
      expect(known.filter((c: { url: string }) => c.url.toLowerCase().includes(url.pathname.toLowerCase().replace(/\/$/, "")))).toEqual([
        expect.objectContaining({ url: s().calendarUrl, selected: true }),
      ]);
      expect((await gql(token, SYNC, { id })).syncNow).toMatchObject({ status: "SUCCESS", entriesCreated: 2 });
      expect((await entries(token)).totalCount).toBe(2);
    });

    it("refuses the same calendar in a second integration, naming the first", async () => {
      const { token } = await newUser();
      await configure(token, { name: "Work calendar", calendarUrl: s().calendarUrl });
      const otherForm = s().calendarUrl.replace(/\/$/, "");
      const res = await api.graphql(token, CONFIGURE, { input: { name: "Again", calendarUrl: otherForm, username: s().username, password: s().password } });
      expect(res.errors?.[0]?.extensions?.code).toBe("CONFLICT");
      expect(res.errors?.[0]?.message).toContain('"Work calendar"');
      expect((await gql(token, "{ integrations { name } }")).integrations).toEqual([{ name: "Work calendar" }]);
    });

    it("deletes an integration with or without its unedited entries, and says how many of each", async () => {
      for (const deleteEntries of [false, true]) {
        const { token } = await newUser();
        const { id } = await configure(token, { calendarUrl: s().calendarUrl });
        await gql(token, SYNC, { id });
        const [edited] = (await entries(token)).edges;
        await gql(token, "mutation($id: UUID!) { updateTimeEntry(input: {id: $id, notes: \"mine\"}) { id } }", { id: edited.node.id });
        const cleanup = (await gql(token, DELETE, { id, deleteEntries })).deleteIntegration;
        expect(cleanup).toEqual(deleteEntries ? { deleted: 1, kept: 1 } : { deleted: 0, kept: 2 });
        const left = await entries(token);
        expect(left.totalCount).toBe(deleteEntries ? 1 : 2);
        if (deleteEntries) expect(left.edges[0].node).toMatchObject({ id: edited.node.id, notes: "mine", externalEvent: null });
      }
    });

    it("unselects a calendar removing its unedited entries; selected again, it imports them afresh", async () => {
      const { token } = await newUser();
      const { id } = await configure(token, { serverUrl: s().baseUrl });
      await gql(token, SYNC, { id });
      const [edited] = (await entries(token)).edges;
      await gql(token, "mutation($id: UUID!) { updateTimeEntry(input: {id: $id, notes: \"mine\"}) { id } }", { id: edited.node.id });

      const unselected = await configure(token, { id, calendars: [{ url: s().calendarUrl, selected: false }], droppedCalendarEntries: "REMOVE_UNEDITED" });
      expect(unselected.lastCleanup).toEqual({ deleted: 1, kept: 1 });
      const left = await entries(token);
      expect(left.totalCount).toBe(1);
      expect(left.edges[0].node).toMatchObject({ id: edited.node.id, notes: "mine", externalEvent: { detached: true } });

      await configure(token, { id, calendars: [{ url: s().calendarUrl, selected: true }] });
      expect((await gql(token, SYNC, { id })).syncNow).toMatchObject({ status: "SUCCESS", entriesCreated: 1 });
      expect((await entries(token)).totalCount).toBe(2);
    });

    it("words a run's message right: one entry, and a deleted event is not called changed", async () => {
      const { token } = await newUser();
      const words = await makeCalendar(s(), "words", "Words");
      const { url } = await putEvent(s(), words, "single.ics", simpleEvent("single-1", "Single", utcStamp(3, 9), utcStamp(3, 10)));
      const { id } = await configure(token, { calendarUrl: words });
      const first = (await gql(token, SYNC, { id })).syncNow;
      expect(first.message).toMatch(/^1 entry created, /);
      const [entry] = (await entries(token)).edges;
      // A second event, so the calendar does not look empty once the first is gone.
      await putEvent(s(), words, "other.ics", simpleEvent("other-1", "Other", utcStamp(3, 11), utcStamp(3, 12)));
      await gql(token, "mutation($id: UUID!) { updateTimeEntry(input: {id: $id, notes: \"mine\"}) { id } }", { id: entry.node.id });
      await deleteEvent(s(), url);
      const run = (await gql(token, SYNC, { id })).syncNow;
      expect(run.message).toContain("1 entry you edited was kept although its event was deleted from the calendar.");
      expect(run.message).not.toMatch(/changed event/);
    });

    it("refuses a malformed URL saying what is wrong, before storing or looking anything up", async () => {
      const { token } = await newUser();
      lookups.length = 0;
      const res = await api.graphql(token, CONFIGURE, { input: { serverUrl: "htp:/foo bar", username: "u", password: "p" } });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "serverUrl" });
      expect(res.errors?.[0]?.message).toContain('"htp:"');
      const discover = await api.graphql(token, "query { discoverCalendars(input: {serverUrl: \"htp:/foo bar\", username: \"u\", password: \"p\"}) { url } }");
      expect(discover.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      expect(lookups).toEqual([]);
      expect((await gql(token, "{ integrations { id } }")).integrations).toEqual([]);
    });

    it("says a plain-http server speaks http, and suggests http://, with or without TLS verification", async () => {
      const { token } = await newUser();
      const origin = new URL(s().baseUrl);
      const https = `https://${origin.host}/`;
      for (const verifySsl of [true, false]) {
        const { id } = await configure(token, { serverUrl: https, verifySsl });
        const result = (await gql(token, TEST, { id })).testConnection;
        expect(result).toMatchObject({ success: false, errorCode: "TLS_ERROR" });
        expect(result.message).toContain(`http://${origin.host}/`);
        expect(result.message).toMatch(/plain HTTP/);
        expect(result.message).not.toMatch(/turn off/i);
        await gql(token, DELETE, { id, deleteEntries: false });
      }
    });

    it("calls a web server that is no DAV server NOT_CALDAV", async () => {
      const { token } = await newUser();
      for (const input of [{ serverUrl: api.url }, { calendarUrl: `${api.url}/caldav/alice/calendar/` }]) {
        const { id } = await configure(token, input);
        const result = (await gql(token, TEST, { id })).testConnection;
        expect(result, JSON.stringify(input)).toMatchObject({ success: false, errorCode: "NOT_CALDAV" });
        expect(result.message).toContain(api.url);
        await gql(token, DELETE, { id, deleteEntries: false });
      }
    });

    // Xandikos ignores the component set of MKCALENDAR: its new collections hold events too.
    if (kind === "radicale") it("does not let a task list be selected", async () => {
      const { token } = await newUser();
      const tasks = new URL("tasks/", s().homeUrl).href;
      const made = await authedFetch(s())(tasks, {
        method: "MKCALENDAR",
        headers: { "content-type": "application/xml; charset=utf-8" },
        body: `<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>Tasks</D:displayname><C:supported-calendar-component-set><C:comp name="VTODO"/></C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>`,
      } as never);
      expect(made.status).toBeLessThan(300);
      const { id } = await configure(token, { serverUrl: s().baseUrl });
      const listed = (await gql(token, TEST, { id })).testConnection.calendars;
      expect(listed).toContainEqual(expect.objectContaining({ url: tasks, supportsEvents: false, selected: false }));
      const res = await api.graphql(token, CONFIGURE, { input: { id, calendars: [{ url: tasks, selected: true }] } });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "calendars[0].selected" });
      expect(res.errors?.[0]?.message).toContain(tasks);
    });
  });
}
