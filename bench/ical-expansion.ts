// Expansion cost: node --import tsx bench/ical-expansion.ts
import { calendarOccurrenceBudget, expandCalendarObject } from "../src/caldav/ical/index.js";
import { fixture, options } from "../src/caldav/ical/test-fixtures.js";
import { MS_PER_DAY } from "../src/time-window.js";
import { generateCalendar } from "./generate.js";

// The benchmark's 10,000-object calendar as a sync expands it: one options object and one occurrence
// budget for the calendar, 365 days back. CPU time (user + system), which a busy machine distorts less
// than wall time. The first pass is what a fresh sync process pays (it includes V8's warm-up).
const now = new Date();
const calendar = generateCalendar(10_000, now);
const passes: number[] = [];
for (let pass = 0; pass < 6; pass++) {
  const calendarOptions = options({
    windowStart: new Date(now.getTime() - 365 * MS_PER_DAY),
    windowEnd: new Date(now.getTime() + 2 * MS_PER_DAY),
    calendarBudget: calendarOccurrenceBudget(),
  });
  const started = process.cpuUsage();
  for (const object of calendar) expandCalendarObject(object.ics, calendarOptions);
  const used = process.cpuUsage(started);
  passes.push((used.user + used.system) / 1000);
}
const later = passes.slice(1).sort((a, b) => a - b);
console.log(`10k calendar: first pass ${passes[0]!.toFixed(0)} ms CPU, later passes median ${later[Math.floor(later.length / 2)]!.toFixed(0)} ms CPU`);

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
