import { describe, expect, it } from "vitest";
import { inWindow, MS_PER_DAY, syncWindow } from "./time-window.js";

describe("sync window", () => {
  const now = new Date("2026-03-28T12:00:00Z");

  it("counts whole 24-hour days, also across a DST change", () => {
    // Europe/Berlin moves its clocks on 2026-03-29; 90 days back is 2025-12-28 (31 + 31 + 28).
    const window = syncWindow(now, 90, 2);
    expect(window.start.toISOString()).toBe("2025-12-28T12:00:00.000Z");
    expect(window.end.toISOString()).toBe("2026-03-30T12:00:00.000Z");
    expect(MS_PER_DAY).toBe(24 * 60 * 60 * 1000);
  });

  it("holds its start and not its end", () => {
    const window = syncWindow(now, 1, 1);
    expect(inWindow(new Date("2026-03-27T12:00:00Z"), window)).toBe(true);
    expect(inWindow(new Date("2026-03-27T11:59:59.999Z"), window)).toBe(false);
    expect(inWindow(new Date("2026-03-29T11:59:59.999Z"), window)).toBe(true);
    expect(inWindow(new Date("2026-03-29T12:00:00Z"), window)).toBe(false);
  });

  it("is empty when it looks neither back nor ahead", () => {
    const window = syncWindow(now, 0, 0);
    expect(inWindow(now, window)).toBe(false);
  });
});
