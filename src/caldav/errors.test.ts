import { describe, expect, it } from "vitest";
import { CalDAVError, calDAVErrorMessage, redactUrl, userMessageFor, type CalDAVErrorCode } from "./errors.js";
import { errorForStatus, mapTransportError } from "./http/transport-errors.js";

const ALL: CalDAVErrorCode[] = ["AUTH_FAILED", "FORBIDDEN", "NOT_FOUND", "NOT_CALDAV", "NO_CALENDARS", "TLS_ERROR", "TIMEOUT", "UNREACHABLE", "SERVER_ERROR", "INVALID_RESPONSE", "BLOCKED_ADDRESS", "INVALID_SYNC_TOKEN", "RESPONSE_TOO_LARGE"];

describe("errors", () => {
  it("has an actionable message for every code", () => {
    for (const c of ALL) expect(calDAVErrorMessage(c).length).toBeGreaterThan(40);
    expect(calDAVErrorMessage("AUTH_FAILED")).toMatch(/app password/);
    expect(calDAVErrorMessage("TLS_ERROR")).toMatch(/turn off TLS verification/);
    expect(calDAVErrorMessage("NOT_CALDAV")).toMatch(/well-known/);
  });
  it("strips credentials from URLs", () => {
    const e = new CalDAVError("NOT_FOUND", { url: "https://bob:s3cret@dav.example.com/x" });
    expect(e.url).toBe("https://dav.example.com/x");
    expect(e.message).not.toContain("s3cret");
    expect(redactUrl("not a url //bob:pw@host/x")).not.toContain("pw@");
    expect(userMessageFor(new CalDAVError("SERVER_ERROR", { retryAfterMs: 90_000 }))).toMatch(/90 s/);
  });
  it.each([
    [401, "AUTH_FAILED"],
    [403, "FORBIDDEN"],
    [404, "NOT_FOUND"],
    [410, "NOT_FOUND"],
    [405, "NOT_CALDAV"],
    [501, "NOT_CALDAV"],
    [500, "SERVER_ERROR"],
    [503, "SERVER_ERROR"],
    [400, "INVALID_RESPONSE"],
  ])("status %i → %s", (status, code) => {
    expect(errorForStatus(status, "http://x/").code).toBe(code);
  });
  it.each([
    ["ECONNREFUSED", "UNREACHABLE"],
    ["ENOTFOUND", "UNREACHABLE"],
    ["EHOSTUNREACH", "UNREACHABLE"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "TLS_ERROR"],
    ["SELF_SIGNED_CERT_IN_CHAIN", "TLS_ERROR"],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "TLS_ERROR"],
    ["CERT_HAS_EXPIRED", "TLS_ERROR"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "TLS_ERROR"],
    ["UND_ERR_CONNECT_TIMEOUT", "TIMEOUT"],
    ["UND_ERR_HEADERS_TIMEOUT", "TIMEOUT"],
  ])("transport %s → %s (found in the cause chain)", (code, expected) => {
    const err = new TypeError("fetch failed", { cause: Object.assign(new Error("x"), { code }) });
    expect(mapTransportError(err, "https://x/", false).code).toBe(expected);
  });
  it("an abort by our timer is TIMEOUT; a CalDAVError inside the chain is passed through", () => {
    expect(mapTransportError(new Error("aborted"), "https://x/", true).code).toBe("TIMEOUT");
    const inner = new CalDAVError("BLOCKED_ADDRESS");
    expect(mapTransportError(new Error("x", { cause: inner }), "https://x/", false)).toBe(inner);
  });
});
