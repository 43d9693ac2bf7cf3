import { describe, expect, it } from "vitest";
import { CalDAVError, createCalDAVClient, discoverCalendars, multiget, syncCollection, testConnection, type CalDAVClientOptions } from "../../src/caldav/index.js";
import { fixtureServers, xml } from "./fixture-server.js";
import { nextcloud, zimbra } from "./fixtures.js";

const serve = fixtureServers();
const client = (extra: Partial<CalDAVClientOptions> = {}) => createCalDAVClient({ username: "alice", password: "pw-1", timeoutMs: 5000, addressPolicy: { allowPrivateNetworks: true }, ...extra });
async function errOf(p: Promise<unknown>): Promise<CalDAVError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(CalDAVError);
  return e as CalDAVError;
}

describe("Nextcloud fixture (sabre/dav 4 layout)", () => {
  it("discovers from the web root (HTML page) via /.well-known/caldav, filtering non-calendars", async () => {
    const s = await serve(nextcloud({ user: "alice", password: "pw-1" }));
    for (const start of [s.origin + "/", s.origin + "/remote.php/dav", s.origin + "/.well-known/caldav", s.origin + "/remote.php/dav/principals/users/alice/"]) {
      const cals = await discoverCalendars(client(), start);
      expect(cals.map((c) => c.url.replace(s.origin, ""))).toEqual(["/remote.php/dav/calendars/alice/personal/", "/remote.php/dav/calendars/alice/2024/", "/remote.php/dav/calendars/alice/tasks/"]);
      expect(cals.map((c) => c.supportsEvents)).toEqual([true, true, false]);
      expect(cals[1]!.displayName).toBe("2024"); // stays a string
      expect(cals[0]).toMatchObject({ color: "#0082c9ff", description: null, ctag: "http://sabre.io/ns/sync/8", syncToken: "http://sabre.io/ns/sync/8" });
    }
  });
  it("calendar URL → that calendar; wrong password → AUTH_FAILED; unknown path → NOT_FOUND", async () => {
    const s = await serve(nextcloud({ user: "alice", password: "pw-1" }));
    const cal = s.origin + "/remote.php/dav/calendars/alice/personal/";
    expect((await testConnection(client(), { calendarUrl: cal })).calendars.map((c) => c.url)).toEqual([cal]);
    expect((await errOf(discoverCalendars(client({ password: "bad" }), s.origin + "/remote.php/dav/"))).code).toBe("AUTH_FAILED");
    expect((await errOf(discoverCalendars(client(), s.origin + "/remote.php/dav/calendars/alice/nope/"))).code).toBe("NOT_FOUND");
  });
});

describe("Zimbra fixture (/dav/<account>/<Folder>/)", () => {
  it("follows well-known to the principal, encodes raw spaces/non-ASCII in hrefs, skips address books", async () => {
    const s = await serve(zimbra({ account: "alice@example.com" }));
    const cals = await discoverCalendars(client(), s.origin + "/.well-known/caldav");
    expect(cals.map((c) => c.url.replace(s.origin, ""))).toEqual(["/dav/alice@example.com/Calendar/", "/dav/alice@example.com/Work%20Calendar/", "/dav/alice@example.com/B%C3%BCro%20Kalender/"]);
    expect(cals.map((c) => c.displayName)).toEqual(["Calendar", "Work Calendar", "Büro Kalender"]);
  });
});

const MS_HEAD = '<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">';
describe("hostile and odd answers", () => {
  it("an HTML 200 or a 405 to PROPFIND on a deep path → NOT_CALDAV", async () => {
    const s = await serve((r, res) => {
      if (r.url.startsWith("/html/")) {
        res.writeHead(200, { "content-type": "text/html" });
        return res.end("<html>hello</html>");
      }
      res.writeHead(r.url.startsWith("/405/") ? 405 : 501);
      res.end();
    });
    expect((await errOf(discoverCalendars(client(), s.origin + "/html/x/"))).code).toBe("NOT_CALDAV");
    expect((await errOf(discoverCalendars(client(), s.origin + "/405/x/"))).code).toBe("NOT_CALDAV");
  });
  it("a DOCTYPE (billion laughs) answer → INVALID_RESPONSE", async () => {
    const s = await serve((r, res) => xml(res, `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><D:multistatus xmlns:D="DAV:"><D:response><D:href>&b;</D:href></D:response></D:multistatus>`));
    expect((await errOf(discoverCalendars(client(), s.origin + "/"))).code).toBe("INVALID_RESPONSE");
  });
  it("a calendar-home-set on another host is not followed (no credentials sent there)", async () => {
    const other = await serve((r, res) => xml(res, MS_HEAD + "</D:multistatus>"));
    const s = await serve((r, res) =>
      xml(res, `${MS_HEAD}<D:response><D:href>/</D:href><D:propstat><D:prop><C:calendar-home-set><D:href>http://localhost:${other.port}/home/</D:href></C:calendar-home-set></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`),
    );
    const notes: string[] = [];
    expect((await errOf(discoverCalendars(client(), s.origin + "/", { onNote: (n) => notes.push(n) }))).code).toBe("NOT_CALDAV");
    expect(notes.join()).toMatch(/another server/);
    expect(other.seen).toHaveLength(0);
  });
  it("an account with only a VTODO calendar → NO_CALENDARS", async () => {
    const s = await serve((r, res) =>
      xml(res, `${MS_HEAD}<D:response><D:href>${r.url}</D:href><D:propstat><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype><C:supported-calendar-component-set><C:comp name="VTODO"/></C:supported-calendar-component-set></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`),
    );
    expect((await errOf(testConnection(client(), { calendarUrl: s.origin + "/tasks/" }))).code).toBe("NO_CALENDARS");
  });
});

describe("sync and multiget edge cases (RFC 6578 / RFC 4791)", () => {
  it("507 on the collection marks the answer truncated; 403 valid-sync-token → INVALID_SYNC_TOKEN", async () => {
    const s = await serve((r, res) => {
      if (r.body.includes("<D:sync-token>bad</D:sync-token>")) {
        res.writeHead(403, { "content-type": "application/xml" });
        return res.end('<?xml version="1.0"?><D:error xmlns:D="DAV:"><D:valid-sync-token/></D:error>');
      }
      xml(res, `${MS_HEAD}<D:response><D:href>/cal/a.ics</D:href><D:propstat><D:prop><D:getetag>"1"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response><D:response><D:href>/cal/old.ics</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response><D:response><D:href>/cal/</D:href><D:status>HTTP/1.1 507 Insufficient Storage</D:status></D:response><D:sync-token>tok-2</D:sync-token></D:multistatus>`);
    });
    const r = await syncCollection(client(), s.origin + "/cal/", null);
    expect(r).toEqual({ changed: [{ href: "/cal/a.ics", url: s.origin + "/cal/a.ics", etag: '"1"' }], deleted: ["/cal/old.ics"], syncToken: "tok-2", truncated: true });
    expect((await errOf(syncCollection(client(), s.origin + "/cal/", "bad"))).code).toBe("INVALID_SYNC_TOKEN");
  });

  it("multiget bisects when one missing href fails the whole REPORT (sabre 1.8) and batches in parallel", async () => {
    const existing = new Set(Array.from({ length: 9 }, (_, i) => `/cal/e${i}.ics`));
    const s = await serve((r, res) => {
      const hrefs = [...r.body.matchAll(/<D:href>([^<]+)<\/D:href>/g)].map((m) => m[1]!);
      if (hrefs.some((h) => !existing.has(h))) {
        res.writeHead(404);
        return res.end();
      }
      xml(res, MS_HEAD + hrefs.map((h) => `<D:response><D:href>${h}</D:href><D:propstat><D:prop><D:getetag>"${h}"</D:getetag><C:calendar-data>BEGIN:VCALENDAR\nX:${h}\nEND:VCALENDAR</C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`).join("") + "</D:multistatus>");
    });
    const hrefs = [...existing, "/cal/missing.ics"];
    const r = await multiget(client(), s.origin + "/cal/", hrefs, { batchSize: 4, concurrency: 2 });
    expect(r.objects.map((o) => o.href).sort()).toEqual([...existing].sort());
    expect(r.missing).toEqual(["/cal/missing.ics"]);
  });

  it("multiget reports hrefs the server silently leaves out (DAViCal)", async () => {
    const s = await serve((r, res) => xml(res, `${MS_HEAD}<D:response><D:href>/cal/a.ics</D:href><D:propstat><D:prop><D:getetag>"1"</D:getetag><C:calendar-data>X</C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`));
    const r = await multiget(client(), s.origin + "/cal/", ["/cal/a.ics", "/cal/b.ics"]);
    expect(r.objects.map((o) => o.href)).toEqual(["/cal/a.ics"]);
    expect(r.missing).toEqual(["/cal/b.ics"]);
  });
});
