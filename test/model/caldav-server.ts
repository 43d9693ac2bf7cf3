/**
 * An in-process CalDAV server on 127.0.0.1 for the model-based history test: calendars are
 * in-memory maps href → {etag, ics}, and every answer follows the RFCs our client relies on.
 *
 *   PROPFIND          Depth 0/1 on a calendar: resourcetype, displayname,
 *                     supported-calendar-component-set (VEVENT), getctag, sync-token, getetag.
 *                     On the root: a plain collection (no calendar, no principal).
 *   REPORT            sync-collection (RFC 6578): changes since a token, deletions as 404
 *                     responses (§3.5.2), 403 + DAV:valid-sync-token for a token we never issued
 *                     (§3.2); calendar-multiget (RFC 4791 §7.9): missing hrefs as 404 responses;
 *                     calendar-query (§7.8): every object, with calendar-data when asked for.
 *   auth              Basic; anything else is 401.
 *
 * Faults are queued: each one hits the `skip + 1`-th request from now that it matches, once.
 * A calendar can also be made to answer 404 until it is restored.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DAV_NS } from "../hardening/hostile-server.js";

export type Fault =
  | { kind: "status"; status: 500 | 503; retryAfter?: string; skip?: number }
  /** The connection is destroyed before any answer. */
  | { kind: "reset"; skip?: number }
  /** Half the body is sent, then the answer ends cleanly (broken XML). */
  | { kind: "truncated-body"; skip?: number }
  /** The next calendar-multiget leaves its first requested href out entirely (DAViCal). */
  | { kind: "multiget-omits-href"; skip?: number }
  /** The next sync-collection answers 403 DAV:valid-sync-token (an expired token). */
  | { kind: "invalid-sync-token"; skip?: number }
  /** The next sync-collection reports one change and a 507 on the collection (RFC 6578 §3.6). */
  | { kind: "truncated-delta"; skip?: number };

export type FaultKind = Fault["kind"];

export interface StoredObject {
  etag: string;
  ics: string;
}

interface Calendar {
  objects: Map<string, StoredObject>;
  /** href → the revision of its last change (its deletion included): the sync-collection log */
  changedAt: Map<string, number>;
  revision: number;
  /** bumped to invalidate every token issued before (tokens carry it) */
  epoch: number;
  gone: boolean;
}

export interface ModelCalDAVServer {
  origin: string;
  username: string;
  password: string;
  /** The URL of calendar `name` (created on first use), with a trailing slash. */
  calendarUrl(name: string): string;
  /** Creates or replaces an object; returns its new etag. */
  put(calendar: string, object: string, ics: string): string;
  remove(calendar: string, object: string): void;
  objects(calendar: string): ReadonlyMap<string, StoredObject>;
  /** The calendar answers 404 to everything until restored. */
  setGone(calendar: string, gone: boolean): void;
  /** Every sync-token issued so far stops being valid (a server that expired them). */
  expireSyncTokens(calendar: string): void;
  inject(fault: Fault): void;
  /** Faults queued but not yet hit. */
  pendingFaults(): number;
  /** The paths a multiget-omits-href fault left out since faults were last cleared. */
  omittedPaths(): readonly string[];
  /** Drops the queued faults and the record of omitted paths. */
  clearFaults(): void;
  /**
   * Called before each request is answered: a test does here what another
   * process would do while the sync waits for the server.
   */
  beforeAnswer: ((request: { method: string; path: string; kind: string }) => Promise<void> | void) | null;
  /** Requests answered since start, as "METHOD path kind". */
  readonly log: string[];
  /** Drops every calendar, fault and log line: a fresh server on the same port. */
  reset(): void;
  close(): Promise<void>;
}

const CALENDARS_PATH = "/calendars/";
const XML_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n';

export async function startModelCalDAVServer(credentials = { username: "alice", password: "secret" }): Promise<ModelCalDAVServer> {
  const calendars = new Map<string, Calendar>();
  let faults: { fault: Fault; skip: number }[] = [];
  const omitted: string[] = [];
  const log: string[] = [];
  let etagCounter = 0;
  const expectedAuth = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;

  const calendarOf = (name: string): Calendar => {
    let calendar = calendars.get(name);
    if (!calendar) calendars.set(name, (calendar = { objects: new Map(), changedAt: new Map(), revision: 0, epoch: 0, gone: false }));
    return calendar;
  };
  const touch = (calendar: Calendar, href: string) => {
    calendar.revision++;
    calendar.changedAt.set(href, calendar.revision);
  };

  /** The fault this request hits, if any: the first queued one that matches and has no skips left. */
  const takeFault = (kind: RequestKind): Fault | null => {
    let hit: Fault | null = null;
    faults = faults.filter((queued) => {
      if (hit || !faultApplies(queued.fault, kind)) return true;
      if (queued.skip > 0) {
        queued.skip--;
        return true;
      }
      hit = queued.fault;
      return false;
    });
    return hit;
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      handle(req, res, Buffer.concat(chunks).toString("utf8")).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(error));
      });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
    const kind = requestKind(req.method ?? "", body);
    log.push(`${req.method} ${path} ${kind}`);
    await api.beforeAnswer?.({ method: req.method ?? "", path, kind });
    if (req.headers.authorization !== expectedAuth) {
      res.writeHead(401, { "www-authenticate": 'Basic realm="model"' }).end();
      return;
    }
    const fault = takeFault(kind);
    if (fault?.kind === "reset") {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "status") {
      res.writeHead(fault.status, { "content-type": "text/plain", ...(fault.retryAfter ? { "retry-after": fault.retryAfter } : {}) }).end("injected failure");
      return;
    }
    const answer = route(path, kind, body, fault, req.headers.depth === "1");
    const headers: Record<string, string> = { "content-type": 'application/xml; charset="utf-8"', ...answer.headers };
    if (fault?.kind === "truncated-body") {
      res.writeHead(answer.status, headers).end(answer.body.slice(0, Math.floor(answer.body.length / 2)));
      return;
    }
    res.writeHead(answer.status, headers).end(answer.body);
  }

  function route(path: string, kind: RequestKind, body: string, fault: Fault | null, depthOne: boolean): Answer {
    if (path === "/") {
      if (kind === "propfind") return multistatus([response("/", propstat([prop("D:resourcetype", "<D:collection/>")]))]);
      // An ordinary collection holds no calendar objects: a query finds nothing in it.
      if (kind === "calendar-query" || kind === "calendar-multiget") return multistatus([]);
      return { status: 403, body: "", headers: {} };
    }
    if (!path.startsWith(CALENDARS_PATH)) return notFound();
    const [name, object, ...rest] = path.slice(CALENDARS_PATH.length).split("/");
    const calendar = name ? calendars.get(name) : undefined;
    if (!calendar || calendar.gone || rest.length > 0) return notFound();
    const base = `${CALENDARS_PATH}${name}/`;
    if (object) {
      const stored = calendar.objects.get(`${base}${object}`);
      if (!stored) return notFound();
      if (kind === "get") return { status: 200, body: stored.ics, headers: { "content-type": "text/calendar; charset=utf-8", etag: stored.etag } };
      if (kind === "propfind") return multistatus([objectResponse(`${base}${object}`, stored, false)]);
      return { status: 405, body: "", headers: {} };
    }
    switch (kind) {
      case "propfind":
        return propfindCalendar(calendar, base, name!, depthOne);
      case "sync-collection":
        return syncCollection(calendar, base, name!, body, fault);
      case "calendar-multiget":
        return multiget(calendar, body, fault);
      case "calendar-query": {
        const withData = /calendar-data/.test(body);
        return multistatus([...calendar.objects].sort(byHref).map(([href, stored]) => objectResponse(href, stored, withData)));
      }
      default:
        return { status: 405, body: "", headers: {} };
    }
  }

  function propfindCalendar(calendar: Calendar, base: string, name: string, depthOne: boolean): Answer {
    const self = response(
      base,
      propstat([
        prop("D:resourcetype", "<D:collection/><C:calendar/>"),
        prop("D:displayname", escapeXml(name)),
        prop("C:supported-calendar-component-set", '<C:comp name="VEVENT"/>'),
        prop("CS:getctag", escapeXml(ctagOf(calendar))),
        prop("D:sync-token", escapeXml(tokenOf(name, calendar, calendar.revision))),
      ]),
    );
    const children = depthOne ? [...calendar.objects].sort(byHref).map(([href, stored]) => objectResponse(href, stored, false)) : [];
    return multistatus([self, ...children]);
  }

  function syncCollection(calendar: Calendar, base: string, name: string, body: string, fault: Fault | null): Answer {
    const given = textOf(body, "sync-token") || null;
    const since = given === null ? 0 : revisionOf(given, name, calendar);
    if (since === null || fault?.kind === "invalid-sync-token") {
      // RFC 6578 §3.2: an unknown token is a 403 with the DAV:valid-sync-token precondition.
      return { status: 403, body: `${XML_HEAD}<D:error xmlns:D="DAV:"><D:valid-sync-token/></D:error>`, headers: {} };
    }
    let changes = [...calendar.changedAt].filter(([, revision]) => revision > since).sort((a, b) => a[1] - b[1]);
    // An initial sync reports only what exists (§3.4); a delta reports deletions too (§3.5.2).
    if (given === null) changes = changes.filter(([href]) => calendar.objects.has(href));
    let truncated = false;
    if (fault?.kind === "truncated-delta" && changes.length > 1) {
      changes = changes.slice(0, 1);
      truncated = true;
    }
    const through = truncated ? changes[changes.length - 1]![1] : calendar.revision;
    const responses = changes.map(([href]) => {
      const stored = calendar.objects.get(href);
      return stored ? response(href, propstat([prop("D:getetag", escapeXml(stored.etag))])) : statusResponse(href, 404);
    });
    // §3.6: a truncated answer carries a 507 response for the collection itself.
    if (truncated) responses.push(statusResponse(base, 507));
    return multistatus(responses, tokenOf(name, calendar, through));
  }

  function multiget(calendar: Calendar, body: string, fault: Fault | null): Answer {
    const hrefs = allTextOf(body, "href").map((href) => decodeURIComponent(new URL(href, "http://127.0.0.1").pathname));
    if (fault?.kind === "multiget-omits-href") omitted.push(...hrefs.splice(0, 1));
    return multistatus(
      hrefs.map((href) => {
        const stored = calendar.objects.get(href);
        return stored ? objectResponse(href, stored, true) : statusResponse(href, 404);
      }),
    );
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const api: ModelCalDAVServer = {
    origin,
    beforeAnswer: null,
    username: credentials.username,
    password: credentials.password,
    log,
    calendarUrl(name) {
      calendarOf(name);
      return `${origin}${CALENDARS_PATH}${name}/`;
    },
    put(name, object, ics) {
      const calendar = calendarOf(name);
      const href = `${CALENDARS_PATH}${name}/${object}`;
      const etag = `"e${++etagCounter}"`;
      calendar.objects.set(href, { etag, ics });
      touch(calendar, href);
      return etag;
    },
    remove(name, object) {
      const calendar = calendarOf(name);
      const href = `${CALENDARS_PATH}${name}/${object}`;
      if (calendar.objects.delete(href)) touch(calendar, href);
    },
    objects(name) {
      const calendar = calendarOf(name);
      const prefix = `${CALENDARS_PATH}${name}/`;
      return new Map([...calendar.objects].map(([href, stored]) => [href.slice(prefix.length), stored]));
    },
    setGone(name, gone) {
      calendarOf(name).gone = gone;
    },
    expireSyncTokens(name) {
      calendarOf(name).epoch++;
    },
    inject(fault) {
      faults.push({ fault, skip: fault.skip ?? 0 });
    },
    pendingFaults: () => faults.length,
    omittedPaths: () => omitted,
    clearFaults() {
      faults = [];
      omitted.length = 0;
    },
    reset() {
      api.beforeAnswer = null;
      calendars.clear();
      faults = [];
      omitted.length = 0;
      log.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return api;
}

type RequestKind = "propfind" | "sync-collection" | "calendar-multiget" | "calendar-query" | "get" | "other";

function requestKind(method: string, body: string): RequestKind {
  if (method === "PROPFIND") return "propfind";
  if (method === "GET") return "get";
  if (method !== "REPORT") return "other";
  const root = /<(?:[\w-]+:)?([\w-]+)[\s>]/.exec(body.replace(/^<\?xml[^>]*\?>\s*/, ""))?.[1];
  return root === "sync-collection" || root === "calendar-multiget" || root === "calendar-query" ? root : "other";
}

function faultApplies(fault: Fault, kind: RequestKind): boolean {
  switch (fault.kind) {
    case "multiget-omits-href":
      return kind === "calendar-multiget";
    case "invalid-sync-token":
    case "truncated-delta":
      return kind === "sync-collection";
    default:
      return true;
  }
}

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

function notFound(): Answer {
  return { status: 404, body: "", headers: {} };
}

function multistatus(responses: string[], syncToken?: string): Answer {
  const token = syncToken === undefined ? "" : `<D:sync-token>${escapeXml(syncToken)}</D:sync-token>`;
  return { status: 207, body: `${XML_HEAD}<D:multistatus ${DAV_NS}>${responses.join("")}${token}</D:multistatus>`, headers: {} };
}

function response(href: string, ...propstats: string[]): string {
  return `<D:response><D:href>${escapeXml(encodeURI(href))}</D:href>${propstats.join("")}</D:response>`;
}

function statusResponse(href: string, status: number): string {
  return `<D:response><D:href>${escapeXml(encodeURI(href))}</D:href><D:status>HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ""}</D:status></D:response>`;
}

function objectResponse(href: string, stored: StoredObject, withData: boolean): string {
  const props = [prop("D:getetag", escapeXml(stored.etag)), prop("D:resourcetype", "")];
  if (withData) props.push(prop("C:calendar-data", escapeXml(stored.ics)));
  return response(href, propstat(props));
}

function propstat(props: string[]): string {
  return `<D:propstat><D:prop>${props.join("")}</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>`;
}

function prop(name: string, content: string): string {
  return content === "" ? `<${name}/>` : `<${name}>${content}</${name}>`;
}

const STATUS_TEXT: Record<number, string> = { 404: "Not Found", 507: "Insufficient Storage" };

function ctagOf(calendar: Calendar): string {
  return `ctag-${calendar.epoch}-${calendar.revision}`;
}

/** Tokens are URIs (RFC 6578 §3.2) naming the calendar, its token epoch and a revision. */
function tokenOf(name: string, calendar: Calendar, revision: number): string {
  return `urn:model-caldav:${name}:${calendar.epoch}:${revision}`;
}

/** The revision a token names, or null when this calendar never issued it (or it expired). */
function revisionOf(token: string, name: string, calendar: Calendar): number | null {
  const match = /^urn:model-caldav:([^:]+):(\d+):(\d+)$/.exec(token);
  if (!match || match[1] !== name || Number(match[2]) !== calendar.epoch) return null;
  const revision = Number(match[3]);
  return revision <= calendar.revision ? revision : null;
}

function byHref(a: [string, StoredObject], b: [string, StoredObject]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function textOf(xml: string, local: string): string | null {
  return allTextOf(xml, local)[0] ?? null;
}

function allTextOf(xml: string, local: string): string[] {
  const pattern = new RegExp(`<(?:[\\w-]+:)?${local}(?:\\s[^>]*)?>([^<]*)</(?:[\\w-]+:)?${local}>`, "g");
  return [...xml.matchAll(pattern)].map((match) => unescapeXml(match[1]!.trim()));
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}

function unescapeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" })[name]!);
}
