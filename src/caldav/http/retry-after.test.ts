import { describe, expect, it } from "vitest";
import { backoffDelay, parseRetryAfter } from "./retry-after.js";

describe("Retry-After", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it("parses delay-seconds and HTTP-dates", () => {
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now)).toBe(0); // past
    expect(parseRetryAfter(["5", "9"], now)).toBe(5000);
  });
  it("returns null for absent or invalid values", () => {
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter("", now)).toBeNull();
    expect(parseRetryAfter("-1", now)).toBeNull();
    expect(parseRetryAfter("1.5", now)).toBeNull();
    expect(parseRetryAfter("soon", now)).toBeNull();
  });
  it("backs off exponentially within [50%, 100%] of base*2^n", () => {
    expect(backoffDelay(0, 500, () => 0)).toBe(250);
    expect(backoffDelay(0, 500, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, () => 1)).toBe(4000);
  });
});
