// How close the sync cache's byte estimate comes to the heap it stands for:
// node --expose-gc --import tsx bench/cache-calibration.ts
import { expandCalendarObject } from "../src/caldav/ical/index.js";
import { options } from "../src/caldav/ical/test-fixtures.js";
import { buildDesiredEntries } from "../src/sync/desired.js";
import { cachedExpansion, estimateBytes, type CachedExpansion } from "../src/sync/object-cache.js";
import { MS_PER_DAY } from "../src/time-window.js";
import { generateCalendar } from "./generate.js";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc");
const now = new Date();
const objects = generateCalendar(Number(process.env.OBJECTS ?? 10_000), now);
const window = options({ windowStart: new Date(now.getTime() - 365 * MS_PER_DAY), windowEnd: new Date(now.getTime() + MS_PER_DAY) });
const held: CachedExpansion[] = [];
gc();
const before = process.memoryUsage().heapUsed;
let estimate = 0;
for (const [i, object] of objects.entries()) {
  const result = expandCalendarObject(object.ics, window);
  // Strings as the sync holds them: ids and hrefs built per object, not literals shared by all.
  const desired = buildDesiredEntries({ calendarId: `cal-${i % 3}`, href: `/cal/${object.name}`, etag: `"${i}-etag"`, defaultProjectId: null }, result.occurrences, () => ({ projectId: null, matchedBy: "NONE" as const }));
  const cached = cachedExpansion(0, 1, object.ics, result, desired, `k${i % 7}`);
  held.push(cached);
  estimate += estimateBytes(cached);
}
gc();
const heap = process.memoryUsage().heapUsed - before;
const occurrences = held.reduce((n, c) => n + c.occurrenceStarts.length, 0);
console.log(`${objects.length} objects, ${occurrences} occurrences: heap ${(heap / 2 ** 20).toFixed(1)} MiB, estimate ${(estimate / 2 ** 20).toFixed(1)} MiB (estimate/heap ${(estimate / heap).toFixed(2)}), ${(heap / objects.length).toFixed(0)} heap bytes per object`);
