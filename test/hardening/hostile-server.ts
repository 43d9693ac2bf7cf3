/**
 * A scripted, hostile CalDAV server on 127.0.0.1 (random port) for test/hardening/hostile-responses.test.ts.
 *
 * It answers the conversation the sync engine and testConnection have with a calendar URL well
 * enough to import its objects (PROPFIND Depth 0/1, calendar-query with and without data,
 * calendar-multiget, sync-collection), and lets a test replace any one of those answers with a
 * hostile one. Bodies are built as Buffers so a test can put bytes that are not UTF-8 into them.
 * Like test/caldav/fixture-server.ts it only ever listens on loopback and connects nowhere.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type RequestKind = "PROPFIND_0" | "PROPFIND_1" | "REPORT_ALL_DATA" | "REPORT_ETAGS" | "REPORT_MULTIGET" | "REPORT_SYNC" | "OTHER";

export interface SeenRequest {
  method: string;
  url: string;
  kind: RequestKind;
  authorization: string | undefined;
  body: string;
}

/** What a test sees of one answer that was streamed (size-cap tests). */
export interface StreamOutcome {
  /** bytes of body handed to the socket before it closed or the stream ended */
  written: number;
  /** true when every byte was written and the response ended normally */
  completed: boolean;
}

export type Responder = (req: SeenRequest, res: ServerResponse, server: HostileServer) => void | Promise<void>;

/** Text (XML-escaped when inserted) or raw bytes (inserted as they are: the caller keeps them XML-safe). */
export type Content = string | Buffer;

export interface HostileServer {
  origin: string;
  port: number;
  /** the calendar collection's path ("/cal/") and absolute URL */
  calendarPath: string;
  calendarUrl: string;
  seen: SeenRequest[];
  /** object name (below the calendar) → iCalendar data */
  objects: Map<string, Content>;
  displayName: Content;
  ctag: string;
  syncToken: string;
  /** extra raw <D:response> elements appended to listings, all-data and multiget answers and sync deltas */
  extraResponses: Partial<Record<RequestKind, Content[]>>;
  /** Replaces the answer to one kind of request (undefined restores the default). */
  on(kind: RequestKind, responder: Responder | undefined): void;
  /** Streams started by {@link streamBody}, in order; each settles when its connection closes or it ends. */
  streams: Promise<StreamOutcome>[];
  stop(): Promise<void>;
}

export const DAV_NS = `xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/"`;
const HEAD = `<?xml version="1.0" encoding="utf-8"?>\n`;

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}

const bytes = (c: Content): Buffer => (typeof c === "string" ? Buffer.from(escapeXml(c), "utf8") : c);
const raw = (s: string): Buffer => Buffer.from(s, "utf8");

/** One <D:response> with a 200 propstat holding `props` (raw XML pieces). */
export function responseXml(href: string, ...props: Content[]): Buffer {
  return Buffer.concat([
    raw(`<D:response><D:href>${escapeXml(href)}</D:href><D:propstat><D:prop>`),
    ...props.map((p) => (typeof p === "string" ? raw(p) : p)),
    raw(`</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`),
  ]);
}

/** A multistatus document around raw <D:response> elements; `prolog` goes between the XML declaration and the root. */
export function multistatusXml(responses: Content[], options: { prolog?: string; trailer?: string } = {}): Buffer {
  return Buffer.concat([
    raw(HEAD + (options.prolog ?? "") + `<D:multistatus ${DAV_NS}>`),
    ...responses.map((r) => (typeof r === "string" ? raw(r) : r)),
    raw(`${options.trailer ?? ""}</D:multistatus>`),
  ]);
}

export function sendXml(res: ServerResponse, body: Buffer | string, status = 207, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": 'application/xml; charset="utf-8"', ...headers });
  res.end(body);
}

export const etagOf = (name: string, data: Content) => `"${name}-${Buffer.byteLength(data)}"`;

function classify(method: string, depth: string | undefined, body: string): RequestKind {
  if (method === "PROPFIND") return depth === "0" ? "PROPFIND_0" : "PROPFIND_1";
  if (method !== "REPORT") return "OTHER";
  if (body.includes("calendar-multiget")) return "REPORT_MULTIGET";
  if (body.includes("sync-collection")) return "REPORT_SYNC";
  if (body.includes("calendar-query")) return body.includes("calendar-data") ? "REPORT_ALL_DATA" : "REPORT_ETAGS";
  return "OTHER";
}

/**
 * Streams `total` bytes of a multistatus-looking body (or `filler` repeated) with backpressure, stopping as
 * soon as the client closes the connection. `contentLength` sends that header (it may lie).
 */
export function streamBody(server: HostileServer, res: ServerResponse, total: number, options: { contentLength?: number; filler?: string } = {}): void {
  const outcome = (async (): Promise<StreamOutcome> => {
    let closed = false;
    res.on("close", () => (closed = true));
    res.on("error", () => (closed = true));
    const headers: Record<string, string> = { "content-type": 'application/xml; charset="utf-8"' };
    if (options.contentLength !== undefined) headers["content-length"] = String(options.contentLength);
    res.writeHead(207, headers);
    const head = raw(`${HEAD}<D:multistatus ${DAV_NS}>`);
    const unit = raw(options.filler ?? `<D:response><D:href>/cal/filler.ics</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>\n`);
    const chunk = Buffer.concat(Array.from({ length: Math.ceil(65_536 / unit.length) }, () => unit));
    let written = 0;
    const write = async (b: Buffer) => {
      if (closed || res.destroyed) return false;
      const ok = res.write(b);
      written += b.length;
      if (!ok) await new Promise<void>((resolve) => {
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.on("drain", done);
        res.on("close", done);
      });
      return !closed;
    };
    await write(head);
    while (written < total && (await write(written + chunk.length > total ? chunk.subarray(0, total - written) : chunk)));
    if (closed || res.destroyed) return { written, completed: false };
    await new Promise<void>((resolve) => res.end(raw("</D:multistatus>"), () => resolve()));
    return { written, completed: !closed || res.writableFinished };
  })();
  server.streams.push(outcome);
}

export async function startHostileServer(): Promise<HostileServer> {
  const responders = new Map<RequestKind, Responder>();
  let self!: HostileServer;

  const listing = (kind: RequestKind, withData: boolean, only?: Set<string>): Buffer => {
    const responses: Content[] = [];
    for (const [name, data] of self.objects) {
      const href = self.calendarPath + name;
      if (only && !only.has(href)) continue;
      const props: Content[] = [raw(`<D:getetag>${escapeXml(etagOf(name, data))}</D:getetag>`)];
      if (withData) props.push(raw("<C:calendar-data>"), bytes(data), raw("</C:calendar-data>"));
      responses.push(responseXml(href, ...props));
    }
    return multistatusXml([...responses, ...(self.extraResponses[kind] ?? [])], kind === "REPORT_SYNC" ? { trailer: `<D:sync-token>${escapeXml(self.syncToken)}</D:sync-token>` } : {});
  };

  const calendarProps = (): Content[] => [
    raw(`<D:resourcetype><D:collection/><C:calendar/></D:resourcetype>`),
    raw(`<D:displayname>`),
    bytes(self.displayName),
    raw(`</D:displayname>`),
    raw(`<C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>`),
    raw(`<CS:getctag>${escapeXml(self.ctag)}</CS:getctag><D:sync-token>${escapeXml(self.syncToken)}</D:sync-token>`),
  ];

  const defaults: Record<RequestKind, Responder> = {
    PROPFIND_0: (_req, res) => sendXml(res, multistatusXml([responseXml(self.calendarPath, ...calendarProps())])),
    PROPFIND_1: (_req, res) => sendXml(res, multistatusXml([responseXml(self.calendarPath, ...calendarProps()), ...listingResponses("PROPFIND_1")])),
    REPORT_ALL_DATA: (_req, res) => sendXml(res, listing("REPORT_ALL_DATA", true)),
    REPORT_ETAGS: (_req, res) => sendXml(res, listing("REPORT_ETAGS", false)),
    REPORT_MULTIGET: (req, res) => {
      const wanted = new Set([...req.body.matchAll(/<D:href>([^<]*)<\/D:href>/g)].map((m) => m[1]!.replace(/&amp;/g, "&")));
      sendXml(res, listing("REPORT_MULTIGET", true, wanted));
    },
    REPORT_SYNC: (_req, res) => sendXml(res, listing("REPORT_SYNC", false)),
    OTHER: (_req, res) => void res.writeHead(405).end(),
  };
  // PROPFIND Depth 1 lists the collection itself first, then the objects with their etags.
  const listingResponses = (kind: RequestKind): Content[] => [
    ...[...self.objects].map(([name, data]) => responseXml(self.calendarPath + name, raw(`<D:getetag>${escapeXml(etagOf(name, data))}</D:getetag><D:resourcetype/>`))),
    ...(self.extraResponses[kind] ?? []),
  ];

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const depth = typeof req.headers.depth === "string" ? req.headers.depth : undefined;
      const seen: SeenRequest = { method: req.method ?? "", url: req.url ?? "", kind: classify(req.method ?? "", depth, body), authorization: req.headers.authorization, body };
      self.seen.push(seen);
      const responder = responders.get(seen.kind) ?? defaults[seen.kind];
      Promise.resolve(responder(seen, res, self)).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(599);
        res.end(String(e));
      });
    });
  });
  server.on("clientError", (_err, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  self = {
    origin,
    port,
    calendarPath: "/cal/",
    calendarUrl: `${origin}/cal/`,
    seen: [],
    objects: new Map(),
    displayName: "Hostile calendar",
    ctag: "ctag-1",
    syncToken: "urn:hostile:sync:1",
    extraResponses: {},
    streams: [],
    on(kind, responder) {
      if (responder) responders.set(kind, responder);
      else responders.delete(kind);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return self;
}
