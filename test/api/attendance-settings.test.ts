import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { integrations } from "../../src/db/schema.js";
import { startTestApi, type TestApi } from "../helpers/api.js";

/** The attendance settings of an integration: defaults, what is refused, what is stored. Nothing here contacts a server. */
const CONFIGURE = `mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) {
  id ownAddresses extraAttendeeAddresses skipTentativeInvitations skipEventsWithoutMe } }`;
// A loopback discard port: never contacted by these tests.
/** A new integration's settings, each with its own calendar: a user syncs one calendar through one integration only. */
let calendars = 0;
const base = () => ({ calendarUrl: `http://127.0.0.1:9/calendar-${++calendars}/`, username: "alice", password: "secret" });

describe("attendance settings", () => {
  let api: TestApi;
  let token: string;

  beforeAll(async () => {
    api = await startTestApi();
    ({ token } = await api.createUser("attendance@example.com"));
  });
  afterAll(() => api.close());

  it("are off and empty by default", async () => {
    const res = await api.graphql(token, CONFIGURE, { input: base() });
    expect(res.data?.configureCalDAVIntegration).toMatchObject({ ownAddresses: [], extraAttendeeAddresses: [], skipTentativeInvitations: false, skipEventsWithoutMe: false });
  });

  it("store extra addresses as mailto: URIs, once each whatever their case", async () => {
    const res = await api.graphql(token, CONFIGURE, {
      input: { ...base(), extraAttendeeAddresses: ["anna@example.com", " MAILTO:Anna@Example.COM ", "mailto:a.k+work@corp.example"], skipTentativeInvitations: true },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?.configureCalDAVIntegration).toMatchObject({
      extraAttendeeAddresses: ["mailto:anna@example.com", "mailto:a.k+work@corp.example"],
      skipTentativeInvitations: true,
      skipEventsWithoutMe: false,
    });
    // Omitted on update: kept.
    const kept = await api.graphql(token, CONFIGURE, { input: { id: res.data?.configureCalDAVIntegration.id, skipEventsWithoutMe: true } });
    expect(kept.data?.configureCalDAVIntegration).toMatchObject({ extraAttendeeAddresses: ["mailto:anna@example.com", "mailto:a.k+work@corp.example"], skipEventsWithoutMe: true });
  });

  it.each([
    ["a name", ["Anna Example"], "extraAttendeeAddresses[0]"],
    ["a principal URL", ["anna@example.com", "https://dav.example.com/principals/anna/"], "extraAttendeeAddresses[1]"],
    ["an address with a space", ["anna @example.com"], "extraAttendeeAddresses[0]"],
    ["an over-long address", [`${"a".repeat(320)}@example.com`], "extraAttendeeAddresses[0]"],
    ["21 addresses", Array.from({ length: 21 }, (_, i) => `a${i}@example.com`), "extraAttendeeAddresses"],
  ])("refuse %s with BAD_USER_INPUT and store nothing", async (_label, extraAttendeeAddresses, field) => {
    const before = await api.graphql(token, "{ integrations { id } }");
    const res = await api.graphql(token, CONFIGURE, { input: { ...base(), extraAttendeeAddresses } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect((await api.graphql(token, "{ integrations { id } }")).data?.integrations).toEqual(before.data?.integrations);
  });

  it("forget the server's addresses when the integration points to another account, so they are read again", async () => {
    const id = (await api.graphql(token, CONFIGURE, { input: base() })).data?.configureCalDAVIntegration.id;
    await api.database.db.update(integrations).set({ ownAddresses: ["mailto:alice@example.com"] }).where(eq(integrations.id, id));
    const unrelated = await api.graphql(token, CONFIGURE, { input: { id, skipTentativeInvitations: true } });
    expect(unrelated.data?.configureCalDAVIntegration.ownAddresses).toEqual(["mailto:alice@example.com"]);
    const otherAccount = await api.graphql(token, CONFIGURE, { input: { id, username: "bob" } });
    expect(otherAccount.data?.configureCalDAVIntegration.ownAddresses).toEqual([]);
    const [row] = await api.database.db.select({ ownAddresses: integrations.ownAddresses }).from(integrations).where(eq(integrations.id, id));
    expect(row?.ownAddresses).toBeNull();
  });
});
