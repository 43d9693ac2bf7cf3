import { CalDAVError } from "./errors.js";
import type { CalDAVHttpClient } from "./http/client.js";
import { normalizeCalendarUrl } from "./http/calendar-url.js";
import { resolveHref, samePath } from "./http/href.js";
import { propfind, type MultistatusResult } from "./requests.js";
import { errorForStatus } from "./http/transport-errors.js";
import { propfindBody, type PropName } from "./xml/build.js";
import { NS, P } from "./xml/names.js";
import { okProps, propHrefs, propText, type MultistatusResponse } from "./xml/multistatus.js";
import { childrenOf } from "./xml/parse.js";

export interface DiscoveredCalendar {
  url: string;
  displayName: string | null;
  description: string | null;
  color: string | null;
  supportsEvents: boolean;
  ctag: string | null;
  syncToken: string | null;
}

export interface DiscoveryOptions {
  /** receives notes such as dropped cross-origin hrefs (no credentials in them) */
  onNote?: (note: string) => void;
}

const CALENDAR_PROPS: PropName[] = [
  "D:resourcetype",
  "D:displayname",
  "I:calendar-color",
  "C:calendar-description",
  "C:supported-calendar-component-set",
  "CS:getctag",
  "D:sync-token",
];
// No sync-token in the probe: DAViCal 1.1.12 answers 500 (FK violation) when it is asked on a
// non-collection such as /caldav.php/. It is fetched in a second request once we know it is a calendar.
const PROBE_BODY = propfindBody([...CALENDAR_PROPS.filter((p) => p !== "D:sync-token"), "D:current-user-principal", "C:calendar-home-set"]);
const HOME_BODY = propfindBody(["C:calendar-home-set", "D:current-user-principal"]);
const LIST_BODY = propfindBody(CALENDAR_PROPS);

/** "cloud.example.com" → "https://cloud.example.com/"; keeps explicit http(s) URLs. */
export function normalizeServerUrl(input: string): string {
  const s = input.trim();
  if (!s) throw new CalDAVError("NOT_FOUND", { detail: "empty URL" });
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `https://${s}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new CalDAVError("NOT_FOUND", { detail: "not a valid URL" });
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new CalDAVError("NOT_CALDAV", { detail: "only http and https URLs are supported" });
  u.username = "";
  u.password = "";
  u.hash = "";
  return u.toString();
}

function isCalendar(r: MultistatusResponse): boolean {
  const rt = okProps(r).get(P.resourcetype);
  return !!rt?.children.some((c) => c.ns === NS.CALDAV && c.local === "calendar");
}

/** Servers' calendar names and descriptions are stored and shown in lists: capped, whatever a server sends. */
export const MAX_DISPLAY_NAME_CHARS = 200;
export const MAX_DESCRIPTION_CHARS = 2_000;

/** The first `max` UTF-16 units, without a surrogate half at the cut; null for an empty text. */
function capped(text: string | null, max: number): string | null {
  if (!text) return null;
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

function toCalendar(r: MultistatusResponse, url: string): DiscoveredCalendar {
  const comps = okProps(r).get(P.supportedComponents);
  const names = childrenOf(comps, NS.CALDAV, "comp").map((c) => (c.attrs["name"] ?? "").toUpperCase());
  const color = propText(r, P.calendarColor);
  return {
    url: normalizeCalendarUrl(url),
    displayName: capped(propText(r, P.displayname), MAX_DISPLAY_NAME_CHARS),
    description: capped(propText(r, P.calendarDescription), MAX_DESCRIPTION_CHARS),
    color: color || null,
    // RFC 4791 §5.2.3: absent set = any component type allowed
    supportsEvents: !comps || names.length === 0 || names.includes("VEVENT"),
    ctag: propText(r, P.getctag) || null,
    syncToken: propText(r, P.syncToken) || null,
  };
}

/** The response describing `url` itself in a Depth-0 answer (servers may spell the href differently). */
export function selfResponse(ms: MultistatusResult): MultistatusResponse | undefined {
  return ms.responses.find((r) => samePath(r.href, ms.url, ms.url)) ?? (ms.responses.length === 1 ? ms.responses[0] : undefined);
}

class Discoverer {
  private readonly seenHomes = new Set<string>();
  constructor(
    private readonly client: CalDAVHttpClient,
    private readonly note: (s: string) => void,
  ) {}

  /** Resolves hrefs against the answering URL; drops (with a note) those on another origin. */
  private sameOriginUrls(hrefs: string[], base: string): string[] {
    const out: string[] = [];
    for (const h of hrefs) {
      const r = resolveHref(h, base);
      if (r.sameOrigin && this.client.mayReceiveCredentials(r.url)) out.push(r.url);
      else this.note(`ignored ${h}: it points to another server, which would receive your credentials`);
    }
    return out;
  }

  async listHome(homeUrl: string): Promise<DiscoveredCalendar[]> {
    const ms = await propfind(this.client, homeUrl, "1", LIST_BODY);
    const out: DiscoveredCalendar[] = [];
    for (const r of ms.responses) {
      if (!isCalendar(r)) continue; // excludes inbox/outbox, proxy principals, address books
      const res = resolveHref(r.href, ms.url);
      if (!res.sameOrigin) {
        this.note(`ignored calendar ${r.href} on another server`);
        continue;
      }
      out.push(toCalendar(r, res.url));
    }
    return out;
  }

  private async fromHomes(homes: string[]): Promise<DiscoveredCalendar[] | null> {
    const fresh = homes.filter((h) => !this.seenHomes.has(h));
    if (!fresh.length) return null;
    const all: DiscoveredCalendar[] = [];
    for (const h of fresh) {
      this.seenHomes.add(h);
      all.push(...(await this.listHome(h)));
    }
    return dedupe(all);
  }

  /**
   * One candidate URL: Depth-0 PROPFIND; a calendar → itself; a calendar-home-set → list it;
   * a current-user-principal → ask it for the home. Returns null when the URL is DAV but
   * leads nowhere (caller tries other candidates).
   */
  async fromUrl(url: string): Promise<DiscoveredCalendar[] | null> {
    const ms = await propfind(this.client, url, "0", PROBE_BODY);
    const self = selfResponse(ms);
    if (!self) return null;
    // Xandikos answers a missing resource with 207 + a response-level 404
    if (self.status !== null && (self.status < 200 || self.status >= 300)) throw errorForStatus(self.status, ms.url);
    if (isCalendar(self)) {
      try {
        const full = await propfind(this.client, ms.url, "0", LIST_BODY);
        const fs = selfResponse(full);
        if (fs && isCalendar(fs)) return [toCalendar(fs, full.url)];
      } catch (e) {
        if (!(e instanceof CalDAVError) || e.code !== "SERVER_ERROR") throw e;
      }
      return [toCalendar(self, ms.url)];
    }
    const homes = this.sameOriginUrls(propHrefs(self, P.calendarHomeSet), ms.url);
    if (homes.length) {
      const r = await this.fromHomes(homes);
      if (r) return r;
    }
    const principals = this.sameOriginUrls(propHrefs(self, P.currentUserPrincipal), ms.url);
    for (const p of principals) {
      if (samePath(p, ms.url, ms.url) && homes.length) continue; // already asked
      const pm = await propfind(this.client, p, "0", HOME_BODY);
      const ps = selfResponse(pm);
      if (!ps) continue;
      const h = this.sameOriginUrls(propHrefs(ps, P.calendarHomeSet), pm.url);
      const r = await this.fromHomes(h);
      if (r) return r;
    }
    return null;
  }
}

function dedupe(cals: DiscoveredCalendar[]): DiscoveredCalendar[] {
  const seen = new Set<string>();
  return cals.filter((c) => (seen.has(c.url) ? false : (seen.add(c.url), true)));
}

/**
 * RFC 6764 §6 / RFC 4791 §6: find the calendars reachable from what the user typed (bare host,
 * base URL, /.well-known/caldav, principal, calendar home or calendar URL). Throws CalDAVError.
 */
export async function discoverCalendars(client: CalDAVHttpClient, input: string, options: DiscoveryOptions = {}): Promise<DiscoveredCalendar[]> {
  const start = normalizeServerUrl(input);
  const d = new Discoverer(client, options.onNote ?? (() => {}));
  const origin = new URL(start).origin;
  const atRoot = new URL(start).pathname === "/";
  // Like DAVx5: the given URL first, then the well-known URL, then the origin root. A deep path
  // that is not found is reported as such (so a mistyped calendar URL is not silently replaced).
  const candidates = [start, `${origin}/.well-known/caldav`, `${origin}/`].filter((u, i, a) => a.indexOf(u) === i);
  let firstError: CalDAVError | null = null;
  let answeredAsDav = false;
  for (const [i, url] of candidates.entries()) {
    try {
      const r = await d.fromUrl(url);
      if (r) return r;
    } catch (e) {
      if (!(e instanceof CalDAVError)) throw e;
      // these will not get better on another path of the same server
      if (["AUTH_FAILED", "TLS_ERROR", "UNREACHABLE", "TIMEOUT", "BLOCKED_ADDRESS", "RESPONSE_TOO_LARGE"].includes(e.code)) throw e;
      if (e.code !== "NOT_FOUND") answeredAsDav = true;
      if (i === 0) {
        firstError = e;
        if (!atRoot && e.code === "FORBIDDEN") throw e;
        if (!atRoot && e.code === "NOT_FOUND") throw (await speaksDav(client, origin)) ? e : notDav(start);
      }
      continue;
    }
    answeredAsDav = true;
  }
  // Nothing but 404s, at the root and the well-known URL too: a web server, not a DAV server.
  if (!answeredAsDav) throw notDav(start);
  if (firstError) throw firstError;
  throw new CalDAVError("NOT_CALDAV", { url: start, detail: "no current-user-principal or calendar-home-set found" });
}

function notDav(url: string): CalDAVError {
  return new CalDAVError("NOT_CALDAV", { url, detail: "nothing on this server answers as WebDAV" });
}

/** Whether the server's root or well-known URL answers a PROPFIND as WebDAV does (RFC 4918 §9.1: 207, or asks to log in). */
async function speaksDav(client: CalDAVHttpClient, origin: string): Promise<boolean> {
  for (const url of [`${origin}/.well-known/caldav`, `${origin}/`]) {
    const res = await client.request({ method: "PROPFIND", url, depth: "0", body: HOME_BODY });
    if (res.status === 207 || res.status === 401) return true;
  }
  return false;
}

export interface ConnectionTarget {
  serverUrl?: string | null;
  calendarUrl?: string | null;
}

/**
 * A calendar URL the user gave directly: it must be a calendar collection itself — no discovery
 * fallback, so a mistyped calendar URL is reported instead of silently replaced (Cyrus answers
 * 405 to unknown paths, after which discovery would find the account's other calendars).
 */
export async function describeCalendar(client: CalDAVHttpClient, input: string): Promise<DiscoveredCalendar> {
  const url = normalizeServerUrl(input);
  let found: DiscoveredCalendar[] | null;
  try {
    found = await new Discoverer(client, () => {}).fromUrl(url);
  } catch (e) {
    if (e instanceof CalDAVError && e.code === "NOT_FOUND" && !(await speaksDav(client, new URL(url).origin))) throw notDav(url);
    throw e;
  }
  const calendar = found?.length === 1 ? found.find((c) => samePath(c.url, url, url)) : undefined;
  if (!calendar) throw new CalDAVError("NOT_CALDAV", { url, detail: "this URL is not a calendar collection" });
  return calendar;
}

/**
 * Connection test: the configured calendar URL must be a calendar; a server URL must lead to at
 * least one calendar that can hold events (else NO_CALENDARS).
 */
export async function testConnection(client: CalDAVHttpClient, target: ConnectionTarget, options: DiscoveryOptions = {}): Promise<{ calendars: DiscoveredCalendar[] }> {
  if (!target.calendarUrl && !target.serverUrl) throw new CalDAVError("NOT_FOUND", { detail: "no server or calendar URL configured" });
  const direct = target.calendarUrl ? await describeCalendar(client, target.calendarUrl) : null;
  const calendars = target.serverUrl ? await discoverCalendars(client, target.serverUrl, options) : [direct!];
  if (direct && !calendars.some((c) => c.url === direct.url)) calendars.unshift(direct);
  const usable = direct ? [direct].filter((c) => c.supportsEvents) : calendars.filter((c) => c.supportsEvents);
  if (!usable.length) throw new CalDAVError("NO_CALENDARS", { url: normalizeServerUrl((target.calendarUrl || target.serverUrl)!) });
  return { calendars };
}
