/**
 * Writes test data onto a running server through tsdav's createObject/updateObject/deleteObject
 * (an independent writer), with a small fetch wrapper for auth (Basic, or Digest for sabre/DAViCal).
 */
import { createObject, deleteObject, updateObject } from "tsdav";
import { fetch as undiciFetch } from "undici";
import { digestAuthorization, pickDigestChallenge, type DigestChallenge } from "../../src/caldav/http/digest.js";
import { parseWwwAuthenticate } from "../../src/caldav/http/www-authenticate.js";
import { mkcalendarBody } from "../../src/caldav/xml/build.js";
import type { CalDAVTestServer } from "./harness.js";

type FetchInit = { method?: string; body?: string; headers?: Record<string, string> };

/** A fetch for `server` that authenticates with Basic, answering Digest challenges when they come. */
export function authedFetch(server: Pick<CalDAVTestServer, "username" | "password">): typeof fetch {
  let digest: { challenge: DigestChallenge; nc: number } | null = null;
  const basic = `Basic ${Buffer.from(`${server.username}:${server.password}`).toString("base64")}`;
  const send = (url: string, init: FetchInit) => {
    const u = new URL(url);
    const method = init.method ?? "GET";
    const authorization = digest
      ? digestAuthorization({ challenge: digest.challenge, username: server.username, password: server.password, method, uri: u.pathname + u.search, nc: ++digest.nc })
      : basic;
    return undiciFetch(url, { method, body: init.body ?? null, headers: { ...init.headers, authorization }, redirect: "manual", signal: AbortSignal.timeout(30_000) });
  };
  const f = async (input: unknown, init: FetchInit = {}) => {
    const url = String(input);
    let res = await send(url, init);
    if (res.status === 401) {
      const ch = pickDigestChallenge(parseWwwAuthenticate(res.headers.get("www-authenticate")?.split(/,\s*(?=Basic|Digest)/i) ?? []));
      if (ch) {
        await res.arrayBuffer();
        digest = { challenge: ch, nc: 0 };
        res = await send(url, init);
      }
    }
    return res;
  };
  return f as unknown as typeof fetch;
}

const fetchers = new WeakMap<object, typeof fetch>();
function fetchFor(server: CalDAVTestServer): typeof fetch {
  let f = fetchers.get(server);
  if (!f) fetchers.set(server, (f = authedFetch(server)));
  return f;
}

const ICS_HEADERS = { "content-type": "text/calendar; charset=utf-8" };

/** iCalendar requires CRLF line ends (RFC 5545 §3.1). */
export function crlf(ics: string): string {
  return ics.replace(/\r?\n/g, "\r\n");
}

function join(collectionUrl: string, filename: string): string {
  return new URL(filename, collectionUrl.endsWith("/") ? collectionUrl : collectionUrl + "/").toString();
}

async function check(res: Response, what: string): Promise<Response> {
  if (res.status >= 300) throw new Error(`${what} failed: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  return res;
}

/** Creates or replaces an event; returns its URL and the ETag the server sent (if any). */
export async function putEvent(server: CalDAVTestServer, calendarUrl: string, filename: string, ics: string): Promise<{ url: string; etag: string | null }> {
  const url = join(calendarUrl, filename);
  const res = await check(await createObject({ url, data: crlf(ics), headers: ICS_HEADERS, fetch: fetchFor(server) }), `PUT ${url}`);
  await res.arrayBuffer();
  return { url, etag: res.headers.get("etag") };
}

/** Conditional update (If-Match). */
export async function updateEvent(server: CalDAVTestServer, url: string, ics: string, etag: string): Promise<{ etag: string | null }> {
  const res = await check(await updateObject({ url, data: crlf(ics), etag, headers: ICS_HEADERS, fetch: fetchFor(server) }), `PUT ${url}`);
  await res.arrayBuffer();
  return { etag: res.headers.get("etag") };
}

export async function deleteEvent(server: CalDAVTestServer, url: string): Promise<void> {
  const res = await check(await deleteObject({ url, headers: {}, fetch: fetchFor(server) }), `DELETE ${url}`);
  await res.arrayBuffer();
}

/** MKCALENDAR (RFC 4791 §5.3.1) under the server's calendar home; returns the new calendar URL. */
export async function makeCalendar(server: CalDAVTestServer, name: string, displayName = name): Promise<string> {
  const url = join(server.homeUrl, `${encodeURIComponent(name)}/`);
  const f = fetchFor(server);
  const res = await check(await f(url, { method: "MKCALENDAR", body: mkcalendarBody(displayName), headers: { "content-type": "application/xml; charset=utf-8" } } as never), `MKCALENDAR ${url}`);
  await res.arrayBuffer();
  return url;
}

/** A minimal VEVENT (UTC times). */
export function simpleEvent(uid: string, summary: string, start = "20260303T090000Z", end = "20260303T100000Z"): string {
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//caldav-timesheet//tests//EN",
    "BEGIN:VEVENT",
    `UID:${uid}`,
    "DTSTAMP:20260101T000000Z",
    `DTSTART:${start}`,
    `DTEND:${end}`,
    `SUMMARY:${summary}`,
    "END:VEVENT",
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}
