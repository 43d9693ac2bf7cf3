// Expansion cost per calendar object: node --import tsx bench/ical-expansion.ts
import { expandCalendarObject } from "../src/caldav/ical/index.js";
import { fixture, options } from "../src/caldav/ical/test-fixtures.js";

const cases: Array<[label: string, ics: string]> = [
  ["simple UTC event", fixture("utc-single.ics")],
  ["weekly series + EXDATE + 3 overrides (VTIMEZONE)", fixture("weekly-overrides.ics")],
  ["Outlook weekly series, 1601 VTIMEZONE", fixture("outlook-1601-vtimezone.ics")],
  ["weekday series since 2012", fixture("unbounded-series.ics").replace(/BEGIN:VEVENT\nUID:secondly[\s\S]*?END:VEVENT\n/, "")],
];
const window = options({ windowStart: new Date("2025-01-01T00:00:00Z"), windowEnd: new Date("2025-07-01T00:00:00Z") });
const runs = 2_000;
for (const [label, ics] of cases) {
  for (let i = 0; i < 200; i++) expandCalendarObject(ics, window); // warm-up
  const started = performance.now();
  for (let i = 0; i < runs; i++) expandCalendarObject(ics, window);
  const perObject = ((performance.now() - started) / runs) * 1000;
  console.log(`${label}: ${perObject.toFixed(0)} µs per object`);
}
