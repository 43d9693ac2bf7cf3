import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";
import { capturedLogger } from "../helpers/captured-log.js";
import { ALL_SERVERS, describeServer, type ServerKind } from "../servers/harness.js";

/**
 * What a user does through the GraphQL API, against every real server we can run: type the server
 * base URL, a username and a password, list the calendars, save, test the connection.
 */
const CONFIGURE = `mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }`;
const TEST = `mutation($id: UUID!) { testConnection(integrationId: $id) { success message errorCode calendars { url supportsEvents } } }`;
const DISCOVER = `query($input: DiscoverCalendarsInput!) { discoverCalendars(input: $input) { url displayName supportsEvents } }`;
const WRONG_PASSWORD = "wrong-Pa55word-that-must-never-be-logged";

/**
 * What each server lists as the principal's calendar-user-address-set (RFC 6638 §2.4.1) for the
 * test user, paths relative to the server's origin (docs/servers.md records the same).
 */
const OWN_ADDRESSES: Record<ServerKind, string[]> = {
  radicale: ["/alice/"],
  xandikos: [],
  davical: ["mailto:alice@example.com", "/caldav.php/alice/"],
  cyrus: ["mailto:alice@internal"],
  sabredav: ["mailto:alice@example.com", "/principals/alice/"],
};

for (const kind of ALL_SERVERS) {
  describeServer(kind, (ctx) => {
    let api: TestApi;
    let token: string;
    const logs = capturedLogger();

    beforeAll(async () => {
      api = await startTestApi({ log: logs.log });
      ({ token } = await api.createUser(`${kind}@example.com`));
    });
    afterAll(() => api.close());

    it("lists the calendars from the server base URL with typed-in credentials", async () => {
      const s = ctx.server();
      const res = await api.graphql(token, DISCOVER, { input: { serverUrl: s.baseUrl, username: s.username, password: s.password } });
      expect(res.errors).toBeUndefined();
      expect(res.data?.discoverCalendars.map((c: { url: string }) => c.url)).toContain(s.calendarUrl);
    });

    it("saves the integration and passes the connection test, remembering the calendars", async () => {
      const s = ctx.server();
      const id = (await api.graphql(token, CONFIGURE, { input: { serverUrl: s.baseUrl, username: s.username, password: s.password } })).data
        ?.configureCalDAVIntegration.id;
      const res = await api.graphql(token, TEST, { id });
      expect(res.data?.testConnection).toMatchObject({ success: true, errorCode: null });
      expect(res.data?.testConnection.calendars.map((c: { url: string }) => c.url)).toContain(s.calendarUrl);
      const known = await api.graphql(token, "query($id: UUID!) { calendars(integrationId: $id) { url selected } }", { id });
      expect(known.data?.calendars).toContainEqual({ url: s.calendarUrl, selected: false });
      // Listing again with the stored credentials gives the same calendars.
      const again = await api.graphql(token, DISCOVER, { input: { integrationId: id } });
      expect(again.data?.discoverCalendars.map((c: { url: string }) => c.url)).toContain(s.calendarUrl);
    });

    it("reads the principal's own addresses at the connection test and shows them", async () => {
      const s = ctx.server();
      const id = (await api.graphql(token, CONFIGURE, { input: { serverUrl: s.baseUrl, username: s.username, password: s.password } })).data
        ?.configureCalDAVIntegration.id;
      const OWN = "query($id: UUID!) { integration(id: $id) { ownAddresses } }";
      expect((await api.graphql(token, OWN, { id })).data?.integration.ownAddresses).toEqual([]);
      expect((await api.graphql(token, TEST, { id })).data?.testConnection.success).toBe(true);
      const expected = OWN_ADDRESSES[kind].map((a) => (a.startsWith("/") ? new URL(a, s.baseUrl).href : a));
      expect((await api.graphql(token, OWN, { id })).data?.integration.ownAddresses).toEqual(expected);
    });

    it("explains a wrong password as AUTH_FAILED, and the password reaches no response and no log", async () => {
      const s = ctx.server();
      const id = (await api.graphql(token, CONFIGURE, { input: { serverUrl: s.baseUrl, username: s.username, password: WRONG_PASSWORD } })).data
        ?.configureCalDAVIntegration.id;
      const res = await api.graphql(token, TEST, { id });
      expect(res.data?.testConnection).toMatchObject({ success: false, errorCode: "AUTH_FAILED", calendars: [] });
      expect(res.data?.testConnection.message).toMatch(/password/i);
      const typed = await api.graphql(token, DISCOVER, { input: { serverUrl: s.baseUrl, username: s.username, password: WRONG_PASSWORD } });
      expect(typed.errors?.[0]?.extensions).toMatchObject({ code: "CONNECTION_FAILED", errorCode: "AUTH_FAILED" });
      expect(JSON.stringify([res, typed])).not.toContain(WRONG_PASSWORD);
      expect(logs.text()).toContain("CalDAV connection failed");
      expect(logs.text()).not.toContain(WRONG_PASSWORD);
      expect(logs.text()).not.toContain(Buffer.from(`${s.username}:${WRONG_PASSWORD}`).toString("base64"));
    });

    it("explains a path that is not CalDAV", async () => {
      const s = ctx.server();
      const id = (await api.graphql(token, CONFIGURE, { input: { calendarUrl: new URL("/no/such/calendar/", s.baseUrl).href, username: s.username, password: s.password } }))
        .data?.configureCalDAVIntegration.id;
      const res = await api.graphql(token, TEST, { id });
      expect(res.data?.testConnection.success).toBe(false);
      expect(["NOT_FOUND", "NOT_CALDAV", "FORBIDDEN"]).toContain(res.data?.testConnection.errorCode);
    });
  });
}
