/**
 * Recorded-shape responses of servers we cannot run on this machine. Each fixture says which
 * behaviour it reproduces and where that behaviour is documented. Bodies are reduced to what the
 * client reads; namespaces and prefix styles are kept as those servers send them.
 */
import type { Handler } from "./fixture-server.js";
import { xml } from "./fixture-server.js";

const ms = (prefixDecl: string, body: string, root = "d:multistatus") => `<?xml version="1.0"?>\n<${root} ${prefixDecl}>${body}</${root}>`;

/**
 * Nextcloud (sabre/dav 4.x).
 * - Endpoint https://host/remote.php/dav, `/.well-known/caldav` redirects there (Nextcloud admin
 *   manual "Service discovery"; help.nextcloud.com/t/caldav-carddav-endpoint-api/74923).
 * - Principal /remote.php/dav/principals/users/<user>/ (github.com/mrusme/caldr/issues/1: clients that
 *   guess /principals/<user> get 404 — discovery must follow current-user-principal).
 * - The web root answers with the HTML login page; unauthenticated DAV requests get
 *   `401` + `WWW-Authenticate: Basic realm="Nextcloud", charset="UTF-8"`.
 * - Home lists calendars plus inbox/outbox (schedule-inbox/-outbox) and the trash bin
 *   (nc:trash-bin), a tasks-only calendar (VTODO) and contact birthdays. Prefixes d:/cal:/cs:/oc:/nc:/x1:.
 */
export function nextcloud(opts: { user: string; password: string }): Handler {
  const NS = 'xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns" xmlns:cal="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns" xmlns:x1="http://apple.com/ns/ical/"';
  const basic = `Basic ${Buffer.from(`${opts.user}:${opts.password}`).toString("base64")}`;
  const cal = (href: string, name: string, comps: string[], extra = "") =>
    `<d:response><d:href>${href}</d:href><d:propstat><d:prop><d:resourcetype><d:collection/><cal:calendar/></d:resourcetype><d:displayname>${name}</d:displayname><x1:calendar-color>#0082c9ff</x1:calendar-color><cal:supported-calendar-component-set>${comps.map((c) => `<cal:comp name="${c}"/>`).join("")}</cal:supported-calendar-component-set><cs:getctag>http://sabre.io/ns/sync/${name.length}</cs:getctag><d:sync-token>http://sabre.io/ns/sync/${name.length}</d:sync-token>${extra}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat><d:propstat><d:prop><cal:calendar-description/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response>`;
  return (req, res) => {
    const path = req.url;
    if (path === "/.well-known/caldav") {
      res.writeHead(301, { location: "/remote.php/dav/" });
      return res.end();
    }
    if (!path.startsWith("/remote.php/dav")) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return res.end("<!DOCTYPE html><html><head><title>Nextcloud</title></head><body>login</body></html>");
    }
    if (req.headers.authorization !== basic) {
      res.writeHead(401, { "www-authenticate": 'Basic realm="Nextcloud", charset="UTF-8"', "content-type": "application/xml; charset=utf-8" });
      return res.end(`<?xml version="1.0" encoding="utf-8"?>\n<d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns"><s:exception>Sabre\\DAV\\Exception\\NotAuthenticated</s:exception><s:message>No public access to this resource., Username or password was incorrect</s:message></d:error>`);
    }
    const u = opts.user;
    if (path === "/remote.php/dav" || path === "/remote.php/dav/") {
      return xml(res, ms(NS, `<d:response><d:href>/remote.php/dav/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype><d:current-user-principal><d:href>/remote.php/dav/principals/users/${u}/</d:href></d:current-user-principal></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`));
    }
    if (path === `/remote.php/dav/principals/users/${u}/`) {
      return xml(res, ms(NS, `<d:response><d:href>${path}</d:href><d:propstat><d:prop><cal:calendar-home-set><d:href>/remote.php/dav/calendars/${u}/</d:href></cal:calendar-home-set><d:current-user-principal><d:href>${path}</d:href></d:current-user-principal></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`));
    }
    const home = `/remote.php/dav/calendars/${u}/`;
    if (path === home && req.headers.depth === "1") {
      return xml(
        res,
        ms(
          NS,
          `<d:response><d:href>${home}</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>` +
            cal(`${home}personal/`, "Personal", ["VEVENT", "VTODO"]) +
            cal(`${home}2024/`, "2024", ["VEVENT"]) +
            cal(`${home}tasks/`, "Tasks", ["VTODO"]) +
            `<d:response><d:href>${home}inbox/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/><cal:schedule-inbox/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>` +
            `<d:response><d:href>${home}outbox/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/><cal:schedule-outbox/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>` +
            `<d:response><d:href>${home}trashbin/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/><nc:trash-bin/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`,
        ),
      );
    }
    if (path === `${home}personal/` && req.method === "PROPFIND") {
      return xml(res, ms(NS, cal(`${home}personal/`, "Personal", ["VEVENT", "VTODO"])));
    }
    res.writeHead(404, { "content-type": "application/xml; charset=utf-8" });
    res.end(`<?xml version="1.0" encoding="utf-8"?>\n<d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns"><s:exception>Sabre\\DAV\\Exception\\NotFound</s:exception></d:error>`);
  };
}

/**
 * Zimbra (ZCS 8/9/10) CalDAV layout: calendars under /dav/<account>/<Folder>/ (default folder
 * "Calendar"), principal /principals/users/<account>/, `/.well-known/caldav` → /principals/users/
 * … (Zimbra wiki "CalDAV"; DAVx5 and Thunderbird setup guides use https://host/dav/<user>/Calendar/).
 * Folder names are user-typed, so hrefs contain spaces and non-ASCII; Zimbra percent-encodes them,
 * the fixture also sends one RAW (as some proxies/servers do) to test our href handling.
 * The account name contains "@", which stays unencoded in paths. Prefix style: D:/C:/CS:.
 * Only the layout is reproduced (not verified against a live Zimbra).
 */
export function zimbra(opts: { account: string }): Handler {
  const NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/" xmlns:A="http://apple.com/ns/ical/"';
  const a = opts.account;
  const principal = `/principals/users/${a}/`;
  const home = `/dav/${a}/`;
  const cal = (href: string, name: string) =>
    `<D:response><D:href>${href}</D:href><D:propstat><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype><D:displayname>${name}</D:displayname><CS:getctag>42</CS:getctag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`;
  return (req, res) => {
    if (req.url === "/.well-known/caldav") {
      res.writeHead(301, { location: principal });
      return res.end();
    }
    if (req.url === principal || req.url === "/dav/" || req.url === "/") {
      return xml(res, ms(NS, `<D:response><D:href>${req.url}</D:href><D:propstat><D:prop><D:resourcetype><D:collection/><D:principal/></D:resourcetype><D:current-user-principal><D:href>${principal}</D:href></D:current-user-principal><C:calendar-home-set><D:href>${home}</D:href></C:calendar-home-set></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`, "D:multistatus"));
    }
    if (req.url === home) {
      return xml(
        res,
        ms(
          NS,
          `<D:response><D:href>${home}</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>` +
            cal(`${home}Calendar/`, "Calendar") +
            cal(`${home}Work%20Calendar/`, "Work Calendar") +
            cal(`${home}Büro Kalender/`, "Büro Kalender") +
            `<D:response><D:href>${home}Contacts/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/><CARD:addressbook xmlns:CARD="urn:ietf:params:xml:ns:carddav"/></D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`,
          "D:multistatus",
        ),
      );
    }
    res.writeHead(404);
    res.end();
  };
}
