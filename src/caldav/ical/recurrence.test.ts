import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TimeValue, VEventData } from "./event-data.js";
import { fixedStepDays, memberWalls, ruleWalls, steppedWalls, type SeriesRequest } from "./recurrence.js";
import { ruleOf } from "./test-fixtures.js";
import { ianaZone } from "./time-zones.js";
import { MS_PER_DAY, naiveMsToWall, wallToNaiveMs, type WallTime } from "./wall-time.js";

const WEEKDAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];
const zone = ianaZone("Europe/Berlin");

function request(start: TimeValue, lowerNaive: number, upperNaive: number, maxIterations = 10_000): SeriesRequest & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    master: { uid: "series@test" } as VEventData,
    start,
    zone,
    zoneOf: () => zone,
    lowerNaive,
    upperNaive,
    maxIterations,
    budgets: [],
    warn: (message) => warnings.push(message),
    warnings,
  };
}

/** A DAILY or WEEKLY rule of the fixed-step shape, with COUNT, UNTIL (UTC, local or DATE) or neither. */
const fixedStepRule = fc.record({
  startDay: fc.integer({ min: 0, max: 3 * 365 }),
  hour: fc.integer({ min: 0, max: 23 }),
  isDate: fc.boolean(),
  freq: fc.constantFrom("DAILY", "WEEKLY"),
  interval: fc.option(fc.integer({ min: 1, max: 4 })),
  byOwnDay: fc.boolean(),
  end: fc.oneof(
    fc.constant({ kind: "none" as const }),
    fc.record({ kind: fc.constant("count" as const), count: fc.integer({ min: 1, max: 80 }) }),
    fc.record({ kind: fc.constantFrom("utc" as const, "local" as const, "date" as const), days: fc.integer({ min: -5, max: 400 }) }),
  ),
  windowFrom: fc.integer({ min: -30, max: 500 }),
  windowDays: fc.integer({ min: 1, max: 400 }),
});

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const basic = (w: WallTime, date: boolean) => `${pad(w.year, 4)}${pad(w.month)}${pad(w.day)}${date ? "" : `T${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`}`;

describe("fixed-step rules", () => {
  it("give the same members as the general iteration", () => {
    fc.assert(
      fc.property(fixedStepRule, (c) => {
        const startNaive = Date.UTC(2023, 0, 2) + c.startDay * MS_PER_DAY + (c.isDate ? 0 : c.hour * 3_600_000);
        const startWall = naiveMsToWall(startNaive);
        const start: TimeValue = { wall: startWall, isDate: c.isDate, utc: false, tzid: c.isDate ? null : "Europe/Berlin" };
        let text = `FREQ=${c.freq}`;
        if (c.interval !== null) text += `;INTERVAL=${c.interval}`;
        if (c.byOwnDay && c.freq === "WEEKLY") text += `;BYDAY=${WEEKDAYS[new Date(startNaive).getUTCDay()]}`;
        if (c.end.kind === "count") text += `;COUNT=${c.end.count}`;
        else if (c.end.kind !== "none") {
          const until = naiveMsToWall(startNaive + c.end.days * MS_PER_DAY);
          text += `;UNTIL=${basic(until, c.end.kind === "date")}${c.end.kind === "utc" ? "Z" : ""}`;
        }
        const lower = startNaive + c.windowFrom * MS_PER_DAY;
        const upper = lower + c.windowDays * MS_PER_DAY;

        const rule = ruleOf(text);
        const stepDays = fixedStepDays(rule, start);
        expect(stepDays).not.toBeNull();
        const fastRequest = request(start, lower, upper);
        const slowRequest = request(start, lower, upper);

        expect(steppedWalls(rule, stepDays!, fastRequest).map(wallToNaiveMs)).toEqual(memberWalls(rule, slowRequest).map(wallToNaiveMs));
        expect(fastRequest.warnings).toEqual(slowRequest.warnings);
      }),
      { numRuns: 500 },
    );
  });

  it("stop after the iteration limit with the same warning", () => {
    const start: TimeValue = { wall: naiveMsToWall(Date.UTC(2025, 0, 6, 9)), isDate: false, utc: false, tzid: "Europe/Berlin" };
    const lower = Date.UTC(2025, 0, 1);
    const upper = Date.UTC(2026, 0, 1);
    const fastRequest = request(start, lower, upper, 5);
    const slowRequest = request(start, lower, upper, 5);
    const fast = ruleWalls(ruleOf("FREQ=DAILY"), fastRequest);
    expect(fast).toEqual(memberWalls(ruleOf("FREQ=DAILY"), slowRequest));
    expect(fast).toHaveLength(5);
    expect(fastRequest.warnings).toEqual(["Series series@test stopped after 5 occurrences"]);
    expect(slowRequest.warnings).toEqual(fastRequest.warnings);
  });

  it("are only rules without BY* parts (BYDAY of DTSTART's own weekday aside)", () => {
    const monday: TimeValue = { wall: naiveMsToWall(Date.UTC(2025, 0, 6, 9)), isDate: false, utc: false, tzid: null };
    const step = (text: string) => fixedStepDays(ruleOf(text), monday);
    expect(step("FREQ=WEEKLY")).toBe(7);
    expect(step("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;WKST=SU")).toBe(14);
    expect(step("FREQ=DAILY;INTERVAL=3;COUNT=4")).toBe(3);
    expect(step("FREQ=WEEKLY;BYDAY=TU")).toBeNull();
    expect(step("FREQ=WEEKLY;BYDAY=MO,WE")).toBeNull();
    expect(step("FREQ=DAILY;BYDAY=MO")).toBeNull();
    expect(step("FREQ=DAILY;BYMONTH=1")).toBeNull();
    expect(step("FREQ=WEEKLY;BYSETPOS=1;BYDAY=MO")).toBeNull();
    expect(step("FREQ=MONTHLY")).toBeNull();
    expect(step("FREQ=HOURLY")).toBeNull();
  });
});
