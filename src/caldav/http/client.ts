import { request as undiciRequest } from "undici";
import { isIP } from "node:net";
import { performance } from "node:perf_hooks";
import { CalDAVError } from "../errors.js";
import { assertAddressesAllowed, type AddressPolicy, type Resolver } from "./address-guard.js";
import { digestAuthorization, pickDigestChallenge, type DigestChallenge } from "./digest.js";
import { parseWwwAuthenticate } from "./www-authenticate.js";
import { backoffDelay, parseRetryAfter } from "./retry-after.js";
import { DEFAULT_MAX_REQUESTS_PER_ORIGIN, OriginPool } from "./origin-pool.js";
import { connectionFailureOf, mapTransportError, type ConnectionFailure } from "./transport-errors.js";

export interface CalDAVClientOptions {
  username: string;
  password: string;
  /** verify the server's TLS certificate (default true); connections are only shared with clients of the same setting */
  verifyTls?: boolean;
  /** per request, fresh signal each time (default 30 000) */
  timeoutMs?: number;
  /** cap on one response body (default 50 MiB) */
  maxResponseBytes?: number;
  /** retries on 429/502/503/504, and of safe requests on a refused or reset connection (default 2) */
  maxRetries?: number;
  /** total time the client may sleep for retries of one request (default 30 000) */
  maxRetryWaitMs?: number;
  /** backoff base (default 500 ms) */
  retryBaseDelayMs?: number;
  /** default 5 */
  maxRedirects?: number;
  /**
   * Shared connections and per-origin request cap (src/caldav/http/origin-pool.ts). Without one the
   * client opens its own pool from `addressPolicy`, `lookup` and `timeoutMs`, closed by close().
   */
  pool?: OriginPool;
  /** ignored when `pool` is given: the pool's policy applies */
  addressPolicy?: AddressPolicy;
  /** injectable DNS resolver (tests); ignored when `pool` is given */
  lookup?: Resolver;
  /**
   * URLs whose origins may receive the credentials: the server and calendar URLs the user
   * configured. Without them, the origin of the first request. Credentials are never sent
   * anywhere else (a same-host http→https upgrade is also allowed).
   */
  credentialOrigins?: readonly string[];
  onRequest?: (info: RequestInfo) => void;
  userAgent?: string;
  /**
   * Send Basic before any challenge (default true: Cyrus answers anonymous requests with 207, so
   * waiting for a 401 would never authenticate). false = wait for the server's challenge.
   */
  preemptiveBasic?: boolean;
}

export interface RequestInfo {
  method: string;
  /** 0 when the request failed before a status was received */
  status: number;
  /** from asking for a request slot at the origin to the last byte of the answer */
  durationMs: number;
  /** the server refused or reset the connection (a safe request is retried while the budget lasts) */
  connectionFailure?: ConnectionFailure;
}

export interface DavRequest {
  method: string;
  url: string;
  depth?: "0" | "1" | "infinity";
  body?: string;
  headers?: Record<string, string>;
}

export interface DavResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** URL that produced this response (after redirects) */
  url: string;
}

export interface ClientStats {
  requests: number;
  bytesReceived: number;
  /** Wall time from sending each request to the last byte of its answer: the server's share of a sync. */
  waitMs: number;
  byStatus: Record<number, number>;
}

interface OriginAuth {
  digest?: { challenge: DigestChallenge; nc: number };
  /** the server challenged with Basic (only tracked when not preemptive) */
  basic?: boolean;
}

const RETRY_STATUSES = new Set([429, 502, 503, 504]);
/** Safe methods (RFC 9110 §9.2.1, RFC 4918 §9.1, RFC 3253 §3.6): sending one again changes nothing. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "PROPFIND", "REPORT"]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * One HTTP client per integration and task: its credentials, auth state per origin, and counters.
 * Connections come from an OriginPool, shared with the other clients of the process when given.
 */
export class CalDAVHttpClient {
  readonly stats: ClientStats = { requests: 0, bytesReceived: 0, waitMs: 0, byStatus: {} };
  private readonly pool: OriginPool;
  /** the pool is this client's own, closed with it */
  private readonly ownPool: boolean;
  private readonly opts: Required<Omit<CalDAVClientOptions, "lookup" | "credentialOrigins" | "onRequest" | "pool" | "addressPolicy">> &
    Pick<CalDAVClientOptions, "onRequest">;
  private readonly credentialOrigins = new Set<string>();
  private readonly auth = new Map<string, OriginAuth>();

  constructor(options: CalDAVClientOptions) {
    this.opts = {
      username: options.username,
      password: options.password,
      verifyTls: options.verifyTls ?? true,
      timeoutMs: options.timeoutMs ?? 30_000,
      maxResponseBytes: options.maxResponseBytes ?? 50 * 1024 * 1024,
      maxRetries: options.maxRetries ?? 2,
      maxRetryWaitMs: options.maxRetryWaitMs ?? 30_000,
      retryBaseDelayMs: options.retryBaseDelayMs ?? 500,
      maxRedirects: options.maxRedirects ?? 5,
      userAgent: options.userAgent ?? "caldav-timesheet/0.1",
      preemptiveBasic: options.preemptiveBasic ?? true,
      onRequest: options.onRequest,
    };
    for (const configured of options.credentialOrigins ?? []) this.credentialOrigins.add(new URL(configured).origin);
    this.ownPool = options.pool === undefined;
    this.pool =
      options.pool ??
      new OriginPool({
        addressPolicy: options.addressPolicy ?? { allowPrivateNetworks: false },
        lookup: options.lookup,
        timeoutMs: this.opts.timeoutMs,
        maxRequestsPerOrigin: DEFAULT_MAX_REQUESTS_PER_ORIGIN,
      });
  }

  /** Origins that may receive credentials (for callers that filter hrefs). */
  mayReceiveCredentials(url: string | URL): boolean {
    const origin = new URL(url).origin;
    return this.credentialOrigins.size === 0 || this.credentialOrigins.has(origin);
  }

  /** Closes the client's own pool; a shared pool stays open for the other clients. */
  async close(): Promise<void> {
    if (this.ownPool) await this.pool.close();
  }

  /**
   * Sends a request with auth, manual redirects (limit, no https→http, same host only),
   * retries for 429/502/503/504 and for refused or reset connections (safe methods), and a size cap. Returns any other status to the caller,
   * except a 401 that survives authentication, which throws AUTH_FAILED.
   */
  async request(req: DavRequest): Promise<DavResponse> {
    let url = new URL(req.url);
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new CalDAVError("INVALID_RESPONSE", { url: url.toString(), detail: "only http and https URLs are supported" });
    url.username = "";
    url.password = "";
    url.hash = "";
    if (this.credentialOrigins.size === 0) this.credentialOrigins.add(url.origin);
    if (!this.credentialOrigins.has(url.origin))
      throw new CalDAVError("INVALID_RESPONSE", {
        url: url.toString(),
        detail: `refusing to send credentials to ${url.origin}: the configured server is ${[...this.credentialOrigins].join(" or ")}`,
      });
    for (let hop = 0; ; hop++) {
      const res = await this.sendWithRetries(req, url);
      if (!REDIRECT_STATUSES.has(res.status)) return res;
      const loc = res.headers["location"];
      const location = Array.isArray(loc) ? loc[0] : loc;
      if (!location) return res;
      if (hop >= this.opts.maxRedirects) throw new CalDAVError("INVALID_RESPONSE", { url: url.toString(), detail: "too many redirects" });
      const next = new URL(location, url);
      next.hash = "";
      if (url.protocol === "https:" && next.protocol !== "https:")
        throw new CalDAVError("INVALID_RESPONSE", { url: next.toString(), detail: "the server redirected from https to http; refused" });
      if (next.protocol !== "http:" && next.protocol !== "https:")
        throw new CalDAVError("INVALID_RESPONSE", { url: next.toString(), detail: "redirect to a non-http URL" });
      if (!this.credentialOrigins.has(next.origin)) {
        // Only a same-host upgrade to https may add an origin; any other host/port gets no credentials,
        // and following without them would fail auth anyway, so refuse with an explanation.
        const upgrade = url.protocol === "http:" && next.protocol === "https:" && next.hostname === url.hostname;
        if (!upgrade)
          throw new CalDAVError("INVALID_RESPONSE", {
            url: next.toString(),
            detail: `the server redirected to another host (${next.origin}); enter that URL directly if you trust it`,
          });
        this.credentialOrigins.add(next.origin);
      }
      // RFC 9110 §15.4: PROPFIND/REPORT keep method and body on 301/302/307/308 (and we keep them on 303:
      // turning a PROPFIND into a GET would never produce a multistatus).
      url = next;
    }
  }

  private async sendWithRetries(req: DavRequest, url: URL): Promise<DavResponse> {
    let waited = 0;
    const mayWait = (attempt: number, delay: number) => attempt < this.opts.maxRetries && waited + delay <= this.opts.maxRetryWaitMs;
    for (let attempt = 0; ; attempt++) {
      let res: DavResponse;
      try {
        res = await this.sendWithAuth(req, url);
      } catch (error) {
        // An overloaded or restarting server refuses or drops connections; a safe request may be sent again.
        const delay = backoffDelay(attempt, this.opts.retryBaseDelayMs);
        if (connectionFailureOf(error) === null || !SAFE_METHODS.has(req.method.toUpperCase()) || !mayWait(attempt, delay)) throw error;
        waited += delay;
        await new Promise((r) => setTimeout(r, delay));
        continue;
      }
      if (!RETRY_STATUSES.has(res.status)) return res;
      const retryAfter = parseRetryAfter(res.headers["retry-after"]);
      const delay = retryAfter ?? backoffDelay(attempt, this.opts.retryBaseDelayMs);
      if (!mayWait(attempt, delay)) {
        const init: { status: number; url: string; retryAfterMs?: number; detail: string } = {
          status: res.status,
          url: url.toString(),
          detail: res.status === 429 ? "rate limited by the server" : "server temporarily unavailable",
        };
        if (retryAfter !== null) init.retryAfterMs = retryAfter;
        throw new CalDAVError("SERVER_ERROR", init);
      }
      waited += delay;
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  private authorization(method: string, url: URL): { header: string | null; scheme: "basic" | "digest" | "none"; nonce?: string } {
    const st = this.auth.get(url.origin);
    if (st?.digest) {
      st.digest.nc += 1;
      return {
        header: digestAuthorization({
          challenge: st.digest.challenge,
          username: this.opts.username,
          password: this.opts.password,
          method,
          uri: url.pathname + url.search,
          nc: st.digest.nc,
        }),
        scheme: "digest",
        nonce: st.digest.challenge.nonce,
      };
    }
    if (!this.opts.preemptiveBasic && !st?.basic) return { header: null, scheme: "none" };
    // Preemptive Basic (RFC 7617): Cyrus answers anonymous PROPFIND with 207, so waiting for a 401 fails.
    const token = Buffer.from(`${this.opts.username}:${this.opts.password}`, "utf8").toString("base64");
    return { header: `Basic ${token}`, scheme: "basic" };
  }

  private async sendWithAuth(req: DavRequest, url: URL): Promise<DavResponse> {
    let digestRetries = 0;
    let basicRetried = false;
    for (;;) {
      const auth = this.authorization(req.method, url);
      const res = await this.sendOnce(req, url, auth.header);
      if (res.status !== 401) return res;
      const challenges = parseWwwAuthenticate(res.headers["www-authenticate"]);
      const digest = pickDigestChallenge(challenges);
      // Prefer Digest when offered (never sends the password itself).
      if (digest) {
        const retryable =
          auth.scheme !== "digest" ? digestRetries === 0 : digestRetries === 0 || (digest.stale && digest.nonce !== auth.nonce && digestRetries < 2);
        if (retryable) {
          digestRetries++;
          this.auth.set(url.origin, { digest: { challenge: digest, nc: 0 } });
          continue;
        }
      } else if (auth.scheme !== "basic" && !basicRetried && challenges.some((c) => c.scheme === "basic")) {
        basicRetried = true;
        this.auth.set(url.origin, { basic: true });
        continue;
      }
      const offered = challenges.map((c) => c.scheme).join(", ") || "none";
      throw new CalDAVError("AUTH_FAILED", { status: 401, url: url.toString(), detail: `authentication schemes offered: ${offered}` });
    }
  }

  private checkLiteralHost(url: URL): void {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    // net.connect skips `lookup` for IP literals, so check them here
    if (isIP(host)) assertAddressesAllowed(host, [host], this.pool.options.addressPolicy);
  }

  private async sendOnce(req: DavRequest, url: URL, authorization: string | null): Promise<DavResponse> {
    this.checkLiteralHost(url);
    const headers: Record<string, string> = {
      "user-agent": this.opts.userAgent,
      accept: "application/xml, text/xml;q=0.9, text/calendar;q=0.8, */*;q=0.1",
      ...req.headers,
    };
    if (authorization) headers["authorization"] = authorization;
    if (req.depth) headers["depth"] = req.depth;
    if (req.body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === "content-type"))
      headers["content-type"] = "application/xml; charset=utf-8";
    const started = performance.now();
    // Waiting for a slot is waiting for the server's capacity: it counts as the server's time, not
    // against this request's timeout.
    const release = await this.pool.acquire(url.origin);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException("request timed out", "TimeoutError")), this.opts.timeoutMs);
    let status = 0;
    let connectionFailure: ConnectionFailure | null = null;
    const href = url.toString();
    try {
      const res = await undiciRequest(url, {
        dispatcher: this.pool.dispatcher(url.origin, this.opts.verifyTls),
        method: req.method as "GET",
        headers,
        body: req.body ?? null,
        signal: controller.signal,
      });
      status = res.statusCode;
      res.body.on("error", () => {}); // a destroyed body emits UND_ERR_ABORTED: already handled below
      const max = this.opts.maxResponseBytes;
      const cl = Number(res.headers["content-length"]);
      if (Number.isFinite(cl) && cl > max) {
        res.body.destroy();
        throw new CalDAVError("RESPONSE_TOO_LARGE", { status, url: href, detail: `Content-Length ${cl} > ${max}` });
      }
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const chunk of res.body) {
        const b = chunk as Buffer;
        total += b.length;
        this.stats.bytesReceived += b.length;
        if (total > max) {
          res.body.destroy();
          throw new CalDAVError("RESPONSE_TOO_LARGE", { status, url: href, detail: `more than ${max} bytes` });
        }
        chunks.push(b);
      }
      this.stats.waitMs += performance.now() - started;
      // undici marks the connection idle a moment after the body ends: wait for that, so the next
      // request (this sync's or a queued one) reuses it instead of opening another connection.
      await new Promise((resolve) => setImmediate(resolve));
      return {
        status,
        headers: res.headers as Record<string, string | string[] | undefined>,
        // Invalid UTF-8 becomes U+FFFD; NUL too: it means nothing in XML or iCalendar text, and
        // PostgreSQL cannot store it, so a server sending one must not break every later sync.
        body: new TextDecoder("utf-8").decode(Buffer.concat(chunks)).replaceAll("\u0000", "\uFFFD"),
        url: href,
      };
    } catch (e) {
      if (e instanceof CalDAVError) throw e;
      const error = mapTransportError(e, href, controller.signal.aborted, this.opts.verifyTls);
      connectionFailure = connectionFailureOf(error);
      throw error;
    } finally {
      clearTimeout(timer);
      release();
      this.stats.requests++;
      this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
      this.opts.onRequest?.({ method: req.method, status, durationMs: performance.now() - started, ...(connectionFailure ? { connectionFailure } : {}) });
    }
  }
}

export function createCalDAVClient(options: CalDAVClientOptions): CalDAVHttpClient {
  return new CalDAVHttpClient(options);
}
