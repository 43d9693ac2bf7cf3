/**
 * The session cookie, and the checks that keep it from being used by another site's page
 * (cross-site request forgery). The cookie is SameSite=Strict, and on top of that only accepted on
 * JSON POSTs whose Origin is this server (docs/security.md).
 */
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { SESSION_MAX_AGE_MS } from "../users/sessions.js";

export const SESSION_COOKIE = "tt_session";

/** Where a request comes from, as far as the browser told us (RFC 6454 Origin, Fetch metadata). */
export type RequestSite = "same-origin" | "cross-site" | "unknown";

export interface ProxySettings {
  /** Behind a reverse proxy we trust: X-Forwarded-Proto, -Host and -For describe the client's request. */
  trustProxy: boolean;
}

const lastForwarded = (value: string | string[] | undefined): string | undefined => {
  const joined = Array.isArray(value) ? value.join(",") : value;
  // The last entry is what our own proxy added; earlier ones the client may have made up.
  return joined?.split(",").at(-1)?.trim() || undefined;
};

/** The host the client addressed: Host, or the proxy's X-Forwarded-Host when trusted. */
function requestedHost(headers: IncomingHttpHeaders, proxy: ProxySettings): string | undefined {
  return (proxy.trustProxy ? lastForwarded(headers["x-forwarded-host"]) : undefined) ?? headers.host;
}

export function requestSite(headers: IncomingHttpHeaders, proxy: ProxySettings): RequestSite {
  const origin = headers.origin;
  if (origin !== undefined) {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return "cross-site"; // "null" (sandboxed pages, privacy redirects) and garbage
    }
    return host !== "" && host === requestedHost(headers, proxy)?.toLowerCase() ? "same-origin" : "cross-site";
  }
  const fetchSite = headers["sec-fetch-site"];
  if (fetchSite === "same-origin") return "same-origin";
  // same-site is another origin (a sibling subdomain): not ours either.
  return fetchSite === undefined ? "unknown" : "cross-site";
}

export function isHttps(req: IncomingMessage, proxy: ProxySettings): boolean {
  if ((req.socket as TLSSocket).encrypted) return true;
  return proxy.trustProxy && lastForwarded(req.headers["x-forwarded-proto"])?.toLowerCase() === "https";
}

/** For per-address limits: the peer, or the client our trusted proxy saw. */
export function clientAddress(req: IncomingMessage, proxy: ProxySettings): string {
  return (proxy.trustProxy ? lastForwarded(req.headers["x-forwarded-for"]) : undefined) ?? req.socket.remoteAddress ?? "unknown";
}

/** The session secret from the Cookie header, or null. */
export function readSessionCookie(headers: IncomingHttpHeaders): string | null {
  for (const pair of (headers.cookie ?? "").split(";")) {
    const at = pair.indexOf("=");
    if (at !== -1 && pair.slice(0, at).trim() === SESSION_COOKIE) return pair.slice(at + 1).trim() || null;
  }
  return null;
}

/** Set-Cookie for a new session (RFC 6265bis), or, with null, one that removes the cookie. */
export function sessionCookie(secret: string | null, secure: boolean): string {
  const attributes = ["Path=/", "HttpOnly", "SameSite=Strict", ...(secure ? ["Secure"] : [])];
  const value = secret === null ? `${SESSION_COOKIE}=; Max-Age=0` : `${SESSION_COOKIE}=${secret}; Max-Age=${SESSION_MAX_AGE_MS / 1000}`;
  return [value, ...attributes].join("; ");
}
