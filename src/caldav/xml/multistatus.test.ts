import { describe, expect, it } from "vitest";
import { CalDAVError } from "../errors.js";
import { calendarMultigetBody, escapeXml, syncCollectionBody } from "./build.js";
import { P } from "./names.js";
import { okProps, parseDavErrorBody, parseMultistatus, propHrefs, propText, readMultistatus } from "./multistatus.js";
import { parseXml } from "./parse.js";

const wrap = (open: string, body: string, close: string) => `<?xml version="1.0"?>${open}${body}${close}`;

describe("multistatus parser", () => {
  it("keeps numeric-looking text as strings (default namespace, Radicale style)", () => {
    const ms = parseMultistatus(
      wrap(
        '<multistatus xmlns="DAV:" xmlns:CS="http://calendarserver.org/ns/">',
        "<response><href>/alice/2024/</href><propstat><prop><displayname>2024</displayname><getetag>1e3</getetag><CS:getctag>007</CS:getctag></prop><status>HTTP/1.1 200 OK</status></propstat></response>",
        "</multistatus>",
      ),
    );
    const r = ms.responses[0]!;
    expect(propText(r, P.displayname)).toBe("2024");
    expect(propText(r, P.getetag)).toBe("1e3");
    expect(propText(r, P.getctag)).toBe("007");
  });

  it("handles ns0:, D: and d:/cal:/cs: prefixes and pretty-printed whitespace identically", () => {
    const bodies = [
      `<ns0:multistatus xmlns:ns0="DAV:" xmlns:ns1="urn:ietf:params:xml:ns:caldav"><ns0:response><ns0:href>/c/</ns0:href><ns0:propstat><ns0:prop><ns0:resourcetype><ns0:collection/><ns1:calendar/></ns0:resourcetype><ns0:displayname>Work</ns0:displayname></ns0:prop><ns0:status>HTTP/1.1 200 OK</ns0:status></ns0:propstat></ns0:response></ns0:multistatus>`,
      `<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:response><D:href>/c/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype><D:displayname>Work</D:displayname></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`,
      `<d:multistatus xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/">\n  <d:response>\n    <d:href>\n      /c/\n    </d:href>\n    <d:propstat>\n      <d:prop>\n        <d:resourcetype>\n          <d:collection/>\n          <cal:calendar/>\n        </d:resourcetype>\n        <d:displayname>Work</d:displayname>\n      </d:prop>\n      <d:status>HTTP/1.1 200 OK</d:status>\n    </d:propstat>\n  </d:response>\n</d:multistatus>`,
    ];
    for (const b of bodies) {
      const r = parseMultistatus(b).responses[0]!;
      expect(r.href).toBe("/c/");
      expect(propText(r, P.displayname)).toBe("Work");
      expect(okProps(r).get(P.resourcetype)!.children.map((c) => c.local)).toEqual(["collection", "calendar"]);
    }
  });

  it("reads CDATA calendar-data (Cyrus), 404 propstats, hrefs inside props and the sync-token", () => {
    const ms = parseMultistatus(
      `<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:response><D:href>/e.ics</D:href><D:propstat><D:prop><D:getetag>"x"</D:getetag><C:calendar-data><![CDATA[BEGIN:VCALENDAR\r\nSUMMARY:a<b&c\r\nEND:VCALENDAR\r\n]]></C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat><D:propstat><D:prop><D:displayname/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response><D:response><D:href>/p/</D:href><D:propstat><D:prop><D:current-user-principal><D:href>/principals/alice/</D:href></D:current-user-principal></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response><D:response><D:href>/gone.ics</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response><D:sync-token>data:,42</D:sync-token></D:multistatus>`,
    );
    const [e, p, gone] = ms.responses;
    expect(okProps(e!).get(P.calendarData)!.text).toBe("BEGIN:VCALENDAR\r\nSUMMARY:a<b&c\r\nEND:VCALENDAR\r\n");
    expect(propText(e!, P.getetag)).toBe('"x"');
    expect(propText(e!, P.displayname)).toBeNull(); // only in a 404 propstat
    expect(propHrefs(p!, P.currentUserPrincipal)).toEqual(["/principals/alice/"]);
    expect(gone!.status).toBe(404);
    expect(ms.syncToken).toBe("data:,42");
  });

  it("refuses DOCTYPE (billion laughs, XXE) and undeclared entities", () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><D:multistatus xmlns:D="DAV:"><D:response><D:href>&lol2;</D:href></D:response></D:multistatus>`;
    const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><D:multistatus xmlns:D="DAV:">&e;</D:multistatus>`;
    for (const x of [laughs, xxe]) expect(() => parseMultistatus(x)).toThrow(/DOCTYPE/);
    expect(() => parseMultistatus(`<D:multistatus xmlns:D="DAV:">&foo;</D:multistatus>`)).toThrow(CalDAVError);
  });

  it("caps nesting depth, and rejects non-multistatus and malformed XML", () => {
    const deep = "<a>".repeat(100) + "</a>".repeat(100);
    expect(() => parseXml(deep)).toThrow(/deeper/);
    expect(() => parseMultistatus("<html><body>hi</body></html>")).toThrow(/multistatus/);
    expect(() => parseMultistatus(`<D:multistatus xmlns:D="DAV:"><D:response>`)).toThrow(CalDAVError);
    expect(() => parseMultistatus("")).toThrow(CalDAVError);
  });

  it("hands each response on as its end tag is read, and refuses another root before handing any on", () => {
    const response = (href: string) => `<D:response><D:href>${href}</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>`;
    const seen: string[] = [];
    // Cut off inside the third response: the first two were complete and are already handed on.
    const cut = `<D:multistatus xmlns:D="DAV:">${response("/a.ics")}${response("/b.ics")}<D:response><D:href>/c`;
    expect(() => readMultistatus(cut, (r) => seen.push(r.href))).toThrow(CalDAVError);
    expect(seen).toEqual(["/a.ics", "/b.ics"]);

    const before: string[] = [];
    expect(() => readMultistatus(`<D:prop xmlns:D="DAV:">${response("/x.ics")}</D:prop>`, (r) => before.push(r.href))).toThrow(/multistatus/);
    expect(before).toEqual([]);

    const handed: string[] = [];
    const whole = `<D:multistatus xmlns:D="DAV:">${response("/a.ics")}<D:sync-token>data:,7</D:sync-token></D:multistatus>`;
    expect(readMultistatus(whole, (r) => handed.push(r.href))).toEqual({ syncToken: "data:,7" });
    expect(handed).toEqual(["/a.ics"]);
  });

  it("parses DAV:error bodies (valid-sync-token)", () => {
    expect(parseDavErrorBody(`<?xml version="1.0"?><D:error xmlns:D="DAV:"><D:valid-sync-token/><D:responsedescription>bad</D:responsedescription></D:error>`)).toContain("{DAV:}valid-sync-token");
    expect(parseDavErrorBody("Internal Server Error")).toEqual([]);
  });
});

describe("request bodies", () => {
  it("escapes hrefs and tokens", () => {
    expect(escapeXml(`a&b<c>"d'`)).toBe("a&amp;b&lt;c&gt;&quot;d&apos;");
    const mg = calendarMultigetBody(["/cal/a&b.ics"]);
    expect(mg).toContain("<D:href>/cal/a&amp;b.ics</D:href>");
    expect(parseXml(mg).local).toBe("calendar-multiget");
    expect(syncCollectionBody(null)).toContain("<D:sync-token/>");
    expect(syncCollectionBody("data:,1<2")).toContain("<D:sync-token>data:,1&lt;2</D:sync-token>");
  });
});
