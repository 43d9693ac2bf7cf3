import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";
import { describeServer, type CalDAVTestServer } from "../servers/harness.js";
import { authedFetch, crlf } from "../servers/seed.js";
import { calendar, importedEntries, syncNow, type RunView } from "./helpers.js";

/**
 * Whose "no" counts, end to end through GraphQL. Cyrus lets an account have several calendar user
 * addresses (it accepts a PROPPATCH of calendar-user-address-set on the principal and lists the
 * set afterwards), so the login "alice" is also anna@example.com there, while her timesheet
 * account is admin@localhost: only the server knows the two are the same person.
 */
const ORGANIZER = "ORGANIZER;CN=Bob:mailto:bob@example.org";
const EVENTS = {
  "declined-alias": [ORGANIZER, "ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.org", "ATTENDEE;CN=Anna;PARTSTAT=DECLINED:mailto:anna@example.com"],
  accepted: [ORGANIZER, "ATTENDEE;PARTSTAT=ACCEPTED:mailto:Anna@Example.com"],
  tentative: [ORGANIZER, "ATTENDEE;PARTSTAT=TENTATIVE:mailto:anna@example.com"],
  "without-her": [ORGANIZER, "ATTENDEE;PARTSTAT=ACCEPTED:mailto:carol@example.org"],
  "shown-free": ["X-MICROSOFT-CDO-BUSYSTATUS:FREE"],
  "declined-unlisted-alias": [ORGANIZER, "ATTENDEE;PARTSTAT=DECLINED:mailto:anna.k@corp.example"],
};

const ADDRESSES = ["mailto:alice@internal", "mailto:anna@example.com"];

async function davRequest(server: CalDAVTestServer, method: string, url: string, body: string, headers: Record<string, string>): Promise<void> {
  const res = await authedFetch(server)(url, { method, body, headers } as RequestInit);
  const text = await res.text();
  if (res.status >= 300 || text.includes("HTTP/1.1 4")) throw new Error(`${method} ${url}: HTTP ${res.status} ${text.slice(0, 300)}`);
}

const CONFIGURE = `mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) {
  id ownAddresses extraAttendeeAddresses skipTentativeInvitations skipEventsWithoutMe } }`;

const skipped = (run: RunView) => Object.fromEntries(run.skipped.map((s) => [s.reason, s.count]));
const importedUids = async (api: TestApi, token: string) => (await importedEntries(api, token)).map((e) => e.externalEvent?.uid).sort();

describeServer("cyrus", (ctx) => {
  let api: TestApi;
  let token: string;
  let integrationId: string;

  beforeAll(async () => {
    const s = ctx.server();
    const hrefs = ADDRESSES.map((a) => `<D:href>${a}</D:href>`).join("");
    await davRequest(
      s,
      "PROPPATCH",
      s.principalUrl,
      `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><C:calendar-user-address-set>${hrefs}</C:calendar-user-address-set></D:prop></D:set></D:propertyupdate>`,
      { "content-type": "application/xml; charset=utf-8" },
    );
    for (const [i, [uid, lines]] of Object.entries(EVENTS).entries()) {
      const day = String(3 + i).padStart(2, "0");
      const ics = calendar([`UID:${uid}`, `DTSTART:202503${day}T090000Z`, `DTEND:202503${day}T100000Z`, `SUMMARY:${uid}`, ...lines]);
      // Schedule-Reply: F (RFC 6638 §8.1): store her answer without the server replying to the organizer.
      await davRequest(s, "PUT", new URL(`${uid}.ics`, s.calendarUrl).href, crlf(ics), { "content-type": "text/calendar; charset=utf-8", "schedule-reply": "F" });
    }
    api = await startTestApi();
    ({ token } = await api.createUser("admin@localhost"));
    const res = await api.graphql(token, CONFIGURE, {
      input: { serverUrl: s.baseUrl, username: s.username, password: s.password, lookbackDays: 3650, calendars: [{ url: s.calendarUrl, selected: true }] },
    });
    integrationId = res.data?.configureCalDAVIntegration.id;
  });
  afterAll(() => api?.close());

  it("skips an invitation she declined under an address only the server knows, read at the first sync", async () => {
    const run = await syncNow(api, token, integrationId);
    expect(run.status).toBe("SUCCESS");
    expect(skipped(run)).toEqual({ DECLINED: 1 });
    expect(await importedUids(api, token)).toEqual(["accepted", "declined-unlisted-alias", "shown-free", "tentative", "without-her"]);
    const integration = await api.graphql(token, "query($id: UUID!) { integration(id: $id) { ownAddresses } }", { id: integrationId });
    expect(integration.data?.integration.ownAddresses).toEqual(ADDRESSES);
  });

  it("takes an alias the server does not list from the integration, and skips tentative, foreign and free events on request", async () => {
    const res = await api.graphql(token, CONFIGURE, {
      input: { id: integrationId, extraAttendeeAddresses: ["Anna.K@corp.example"], skipTentativeInvitations: true, skipEventsWithoutMe: true, skipFreeEvents: true },
    });
    expect(res.data?.configureCalDAVIntegration).toMatchObject({
      extraAttendeeAddresses: ["mailto:Anna.K@corp.example"],
      skipTentativeInvitations: true,
      skipEventsWithoutMe: true,
      ownAddresses: ADDRESSES,
    });
    const run = await syncNow(api, token, integrationId);
    expect(run.entriesDeleted).toBe(4);
    expect(skipped(run)).toEqual({ DECLINED: 2, TENTATIVE: 1, NOT_ATTENDING: 1, FREE: 1 });
    expect(await importedUids(api, token)).toEqual(["accepted"]);
  });
});
