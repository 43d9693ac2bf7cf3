import { CalDAVError } from "../errors.js";

const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "HOSTNAME_MISMATCH",
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "EPROTO",
]);
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET", "EPIPE", "ENODATA", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);
const TIMEOUT_CODES = new Set(["ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

function* causeChain(e: unknown): Generator<unknown> {
  let cur: unknown = e;
  for (let i = 0; cur && i < 8; i++) {
    yield cur;
    const c = cur as { cause?: unknown; errors?: unknown[] };
    if (Array.isArray(c.errors)) for (const x of c.errors) yield* causeChain(x); // AggregateError (happy eyeballs)
    cur = c.cause;
  }
}

/** Maps a thrown transport error (undici / net / tls / abort) to a CalDAVError. */
export function mapTransportError(e: unknown, url: string, timedOut: boolean, verifyTls = true): CalDAVError {
  for (const c of causeChain(e)) if (c instanceof CalDAVError) return c;
  if (timedOut) return new CalDAVError("TIMEOUT", { url, cause: e });
  for (const c of causeChain(e)) {
    const code = (c as { code?: unknown })?.code;
    const name = (c as { name?: unknown })?.name;
    if (name === "TimeoutError") return new CalDAVError("TIMEOUT", { url, cause: e });
    if (typeof code !== "string") continue;
    if (TLS_CODES.has(code) || code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_")) {
      // OpenSSL reads an HTTP answer as a TLS record of an unknown version: the port speaks plain http.
      const tls = code === "ERR_SSL_WRONG_VERSION_NUMBER" ? "PLAIN_HTTP" : verifyTls ? "CERTIFICATE" : "HANDSHAKE";
      return new CalDAVError("TLS_ERROR", { url, detail: code, tls, cause: e });
    }
    if (TIMEOUT_CODES.has(code)) return new CalDAVError("TIMEOUT", { url, detail: code, cause: e });
    if (UNREACHABLE_CODES.has(code)) return new CalDAVError("UNREACHABLE", { url, detail: code, cause: e });
  }
  return new CalDAVError("UNREACHABLE", { url, detail: (e as Error)?.message ?? String(e), cause: e });
}

/** Maps a final HTTP status to a CalDAVError (callers decide which statuses are acceptable). */
export function errorForStatus(status: number, url: string, detail?: string): CalDAVError {
  const init = detail === undefined ? { status, url } : { status, url, detail };
  if (status === 401) return new CalDAVError("AUTH_FAILED", init);
  if (status === 403) return new CalDAVError("FORBIDDEN", init);
  if (status === 404 || status === 410) return new CalDAVError("NOT_FOUND", init);
  if (status === 405 || status === 501) return new CalDAVError("NOT_CALDAV", init); // PROPFIND/REPORT unknown
  if (status >= 500) return new CalDAVError("SERVER_ERROR", init);
  return new CalDAVError("INVALID_RESPONSE", init);
}

export type ConnectionFailure = "refused" | "reset";

/** Transport codes of a server that refused or dropped the connection (overloaded, restarting). */
const CONNECTION_FAILURES: Record<string, ConnectionFailure> = { ECONNREFUSED: "refused", ECONNRESET: "reset", EPIPE: "reset", UND_ERR_SOCKET: "reset" };

/** Whether an error from mapTransportError (its detail is the transport code) is a refused or reset connection. */
export function connectionFailureOf(error: unknown): ConnectionFailure | null {
  if (!(error instanceof CalDAVError) || error.code !== "UNREACHABLE" || error.detail === undefined) return null;
  return CONNECTION_FAILURES[error.detail] ?? null;
}
