import { describe, expect, it } from "vitest";
import { DateTime, toISOString } from "./scalars.js";

describe("DateTime", () => {
  it("formats every instant exactly as Date#toISOString", () => {
    const instants = [0, -1, 1, 86_399_999, 86_400_000, -86_400_001, 951_782_400_000, 253_402_300_799_999, 253_402_300_800_000, -62_167_219_200_001, 8.64e15, -8.64e15];
    for (let i = 0; i < 20_000; i++) instants.push(Math.floor((Math.random() - 0.5) * 2 * 8.64e15), 1.7e12 + Math.floor(Math.random() * 1e10));
    for (const ms of instants) expect(toISOString(new Date(ms))).toBe(new Date(ms).toISOString());
  });

  it("serializes Dates, ISO strings and timestamps to ISO strings, and refuses an invalid Date", () => {
    expect(DateTime.serialize(new Date("2026-03-02T08:00:00Z"))).toBe("2026-03-02T08:00:00.000Z");
    expect(DateTime.serialize("2026-03-02T09:00:00+01:00")).toBe("2026-03-02T08:00:00.000Z");
    expect(() => DateTime.serialize(new Date(Number.NaN))).toThrow(/invalid/i);
  });
});
