import { describe, expect, it } from "vitest";
import { fetchObjectsByHref } from "../../src/caldav/collection.js";
import { createCalDAVClient } from "../../src/caldav/index.js";
import { fixtureServers, xml, type SeenRequest } from "./fixture-server.js";

const serve = fixtureServers();
const client = () => createCalDAVClient({ username: "alice", password: "secret", verifyTls: true, timeoutMs: 10_000, retryBaseDelayMs: 1, addressPolicy: { allowPrivateNetworks: true } });

const CALENDAR = "/cal/";
const OBJECTS = 150;
const hrefOf = (i: number) => `${CALENDAR}event-${i}.ics`;
const ics = (i: number) => `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:event-${i}\r\nDTSTART:20260105T090000Z\r\nDTEND:20260105T100000Z\r\nSUMMARY:Meeting ${i}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;
const response = (href: string) =>
  `<D:response><D:href>${href}</D:href><D:propstat><D:prop><D:getetag>"${href}-1"</D:getetag><C:calendar-data>${ics(Number(/event-(\d+)/.exec(href)![1]))}</C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`;
const multistatus = (hrefs: string[]) => `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">${hrefs.map(response).join("")}</D:multistatus>`;

const isMultiget = (r: SeenRequest) => r.body.includes("calendar-multiget");
const isQuery = (r: SeenRequest) => r.body.includes("calendar-query");

/** A calendar of 150 objects whose multiget costs `msPerHref` per href (Xandikos 0.2.8 scans the collection for each). */
function calendarServer(msPerHref: number, queryStatus = 207) {
  return serve(async (r, res) => {
    if (isMultiget(r)) {
      const hrefs = [...r.body.matchAll(/<D:href>([^<]+)<\/D:href>/g)].map((m) => m[1]!);
      await new Promise((resolve) => setTimeout(resolve, msPerHref * hrefs.length));
      return xml(res, multistatus(hrefs));
    }
    if (isQuery(r)) return queryStatus === 207 ? xml(res, multistatus(Array.from({ length: OBJECTS }, (_, i) => hrefOf(i)))) : xml(res, "", queryStatus);
    return xml(res, "", 400);
  });
}

// 100 distinct hrefs (7 and 150 are coprime)
const wanted = Array.from({ length: 100 }, (_, i) => hrefOf((i * 7) % OBJECTS));

describe("fetching objects by href", () => {
  it("uses multiget on a server that answers it in a few ms per href", async () => {
    const s = await calendarServer(0);
    const objects = await fetchObjectsByHref(client(), s.origin + CALENDAR, wanted);
    expect(objects.map((o) => o.href).sort()).toEqual([...wanted].sort());
    expect(s.seen.filter(isQuery)).toHaveLength(0);
    expect(s.seen.filter(isMultiget).length).toBeGreaterThanOrEqual(2);
  });

  it("downloads the whole collection once when a first multiget shows the server scanning per href", async () => {
    const s = await calendarServer(30);
    const objects = await fetchObjectsByHref(client(), s.origin + CALENDAR, wanted);
    // one probe of 10 hrefs, then one REPORT for everything instead of 90 more hrefs at 30 ms each
    expect(s.seen.filter(isMultiget)).toHaveLength(1);
    expect(s.seen.filter(isQuery)).toHaveLength(1);
    expect(objects).toHaveLength(OBJECTS); // each once: the probed ones come from the download too
    const byHref = new Map(objects.map((o) => [o.href, o]));
    for (const href of wanted) expect(byHref.get(href)?.data).toContain(`UID:event-${/event-(\d+)/.exec(href)![1]}`);
  });

  it("goes on with multiget when the server refuses the whole-collection REPORT", async () => {
    const s = await calendarServer(30, 403);
    const objects = await fetchObjectsByHref(client(), s.origin + CALENDAR, wanted);
    expect(objects.map((o) => o.href).sort()).toEqual([...wanted].sort());
    expect(s.seen.filter(isQuery)).toHaveLength(1);
    expect(s.seen.filter(isMultiget).length).toBeGreaterThanOrEqual(2);
  });
});
