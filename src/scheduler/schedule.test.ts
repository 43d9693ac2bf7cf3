import { describe, expect, it } from "vitest";
import { firstDueAt, nextDueAt } from "./schedule.js";

const now = new Date("2026-01-01T00:00:00Z");
const at = (d: Date) => (d.getTime() - now.getTime()) / 60_000;
const middle = () => 0.5;

describe("schedule", () => {
  it("spreads first due times over one interval", () => {
    expect(at(firstDueAt(now, 60, () => 0))).toBe(0);
    expect(at(firstDueAt(now, 60, () => 0.999))).toBeCloseTo(59.94, 1);
  });

  it("comes back one interval later after a success, with at most 5 % jitter", () => {
    expect(at(nextDueAt(now, 60, { failed: false, consecutiveFailures: 0, retryAfterMs: null }, undefined, middle))).toBe(60);
    expect(at(nextDueAt(now, 60, { failed: false, consecutiveFailures: 0, retryAfterMs: null }, undefined, () => 0))).toBe(57);
  });

  it("backs off exponentially after failures, up to the cap", () => {
    const after = (n: number) => at(nextDueAt(now, 15, { failed: true, consecutiveFailures: n, retryAfterMs: null }, { maxBackoffMs: 6 * 3600_000 }, middle));
    expect([1, 2, 3, 4].map(after)).toEqual([30, 60, 120, 240]);
    expect(after(10)).toBe(360);
    expect(after(1000)).toBe(360);
  });

  it("never comes back before the server's Retry-After", () => {
    expect(at(nextDueAt(now, 5, { failed: true, consecutiveFailures: 1, retryAfterMs: 3600_000 }, undefined, middle))).toBe(60);
  });
});
