/** Error codes shared with the GraphQL `ConnectionTestResult.errorCode` enum (see docs/servers.md). */
export type CalDAVErrorCode =
  | "AUTH_FAILED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "NOT_CALDAV"
  | "NO_CALENDARS"
  | "TLS_ERROR"
  | "TIMEOUT"
  | "UNREACHABLE"
  | "SERVER_ERROR"
  | "INVALID_RESPONSE"
  | "BLOCKED_ADDRESS"
  | "INVALID_SYNC_TOKEN"
  | "RESPONSE_TOO_LARGE";

export interface CalDAVErrorInit {
  status?: number;
  retryAfterMs?: number;
  url?: string;
  /** Short, credential-free technical detail (logged, and appended to the user message). */
  detail?: string;
  /**
   * For TLS_ERROR, what failed: the port answered in plain http, the certificate was refused, or
   * the handshake failed with certificate verification already off.
   */
  tls?: TlsFailure;
  cause?: unknown;
}

export type TlsFailure = "PLAIN_HTTP" | "CERTIFICATE" | "HANDSHAKE";

/**
 * The only error type the CalDAV layer throws. Never holds credentials: `url` is stripped of
 * userinfo, and `detail` is built by us from status lines / error codes, never from request headers.
 */
export class CalDAVError extends Error {
  readonly code: CalDAVErrorCode;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly url?: string;
  readonly detail?: string;
  readonly tls?: TlsFailure;

  constructor(code: CalDAVErrorCode, init: CalDAVErrorInit = {}) {
    const url = init.url === undefined ? undefined : redactUrl(init.url);
    super(`${code}${init.status ? ` (HTTP ${init.status})` : ""}${init.detail ? `: ${init.detail}` : ""}${url ? ` [${url}]` : ""}`);
    this.name = "CalDAVError";
    this.code = code;
    if (init.status !== undefined) this.status = init.status;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (url !== undefined) this.url = url;
    if (init.detail !== undefined) this.detail = init.detail;
    if (init.tls !== undefined) this.tls = init.tls;
    // keep the low-level cause for logs, but only its code/message (undici errors can carry request options)
    if (init.cause !== undefined) {
      const c = init.cause as { code?: unknown; message?: unknown };
      Object.defineProperty(this, "cause", {
        value: { code: typeof c?.code === "string" ? c.code : undefined, message: typeof c?.message === "string" ? c.message : String(init.cause) },
        enumerable: false,
      });
    }
  }
}

/** Removes `user:password@` from a URL string (users sometimes paste URLs with credentials). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = "";
      u.password = "";
    }
    return u.toString();
  } catch {
    return url.replace(/\/\/[^/@\s]*@/, "//");
  }
}

const MESSAGES: Record<CalDAVErrorCode, string> = {
  AUTH_FAILED:
    "The server rejected the username or password. Check them, or create an app password if your account uses two-factor authentication (Nextcloud, Fastmail, iCloud).",
  FORBIDDEN:
    "The server accepted the login but refused access to this address. Check that the URL belongs to this account, or that the calendar is shared with it.",
  NOT_FOUND:
    "Nothing was found at this URL. Check the path, or enter only the server's base URL (e.g. https://cloud.example.com/remote.php/dav) and let discovery find the calendars.",
  NOT_CALDAV:
    "This URL answers, but not as a CalDAV server. Try the server's base URL (e.g. https://cloud.example.com/remote.php/dav) or its /.well-known/caldav URL.",
  NO_CALENDARS:
    "The connection works, but this account has no calendar that can hold events. Create a calendar on the server, or check that it is shared with this account.",
  TLS_ERROR:
    "The server's TLS certificate is not trusted (self-signed, expired, or issued for another name). Fix the certificate, or, if the server uses a self-signed certificate you trust, turn off TLS verification for this integration.",
  TIMEOUT: "The server did not answer in time. Check that it is up and not overloaded, then try again.",
  UNREACHABLE:
    "The server could not be reached. Check the host name and port, and that the server is running and reachable from this machine.",
  SERVER_ERROR: "The server reported an internal error or is temporarily unavailable. Try again later; if it persists, check the server's logs.",
  INVALID_RESPONSE: "The server sent a response that is not valid CalDAV/WebDAV. Check the URL; if it is right, the server may be misconfigured or behind a proxy that alters responses.",
  BLOCKED_ADDRESS:
    "This address is not allowed: it resolves to a link-local, metadata or (unless allowed by the administrator) private/loopback network address.",
  INVALID_SYNC_TOKEN: "The server no longer accepts the saved synchronisation state; a full resynchronisation is needed (this happens automatically).",
  RESPONSE_TOO_LARGE: "The server's response exceeded the size limit. The calendar may be too large, or the server misbehaves.",
};

/** Actionable, user-facing text for an error code (never contains credentials). */
export function calDAVErrorMessage(code: CalDAVErrorCode): string {
  return MESSAGES[code];
}

/** The error's message: by its code, or for a TLS failure by what failed. Advice to turn verification off only while it is on. */
export function errorMessageOf(err: CalDAVError): string {
  if (err.tls === "PLAIN_HTTP") {
    const http = err.url ? ` (${err.url.replace(/^https:/i, "http:")})` : "";
    return `This server speaks plain HTTP, not HTTPS, on this port. Use the http:// URL instead${http}, or the server's HTTPS port.`;
  }
  if (err.tls === "HANDSHAKE") {
    return "The secure (TLS) connection failed although certificate verification is off for this integration. Check that the port serves HTTPS and that the server's TLS setup works with current clients.";
  }
  return MESSAGES[err.code];
}

/** User-facing message for an error, naming the URL it is about; adds the (credential-free) detail when there is one. */
export function userMessageFor(err: unknown): string {
  if (err instanceof CalDAVError) {
    const about = [err.url, err.detail].filter(Boolean).join(": ");
    const extra = about ? ` (${about})` : "";
    const retry = err.retryAfterMs ? ` The server asked to retry after ${Math.ceil(err.retryAfterMs / 1000)} s.` : "";
    return errorMessageOf(err) + extra + retry;
  }
  return MESSAGES.SERVER_ERROR;
}
