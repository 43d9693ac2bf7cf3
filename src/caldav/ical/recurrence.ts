import ICAL from "ical.js";
import type { NominalDuration, TimeValue, VEventData } from "./event-data.js";
import type { Zone } from "./time-zones.js";
import {
  formatDate,
  formatUtcInstant,
  MS_PER_DAY,
  naiveMsToWall,
  wallToNaiveMs,
  withTime,
  type WallTime,
} from "./wall-time.js";

/** One member of a recurrence set (RFC 5545 §3.8.5), before overrides are applied. */
export interface SeriesInstance {
  /** Canonical RECURRENCE-ID: UTC instant for timed series, date for all-day series */
  key: string;
  /** Start in the series zone; for all-day series the date */
  wall: WallTime;
  /** Start instant of a timed instance; NaN for all-day */
  startMs: number;
  /** End of an RDATE;VALUE=PERIOD instance */
  periodEnd: TimeValue | NominalDuration | null;
}

export interface SeriesRequest {
  master: VEventData;
  start: TimeValue;
  /** Zone of DTSTART (timed) or the integration zone (all-day) */
  zone: Zone;
  zoneOf: (value: TimeValue) => Zone;
  /** Instances whose wall start (read as UTC) is outside [lowerNaive, upperNaive) are not returned */
  lowerNaive: number;
  upperNaive: number;
  maxIterations: number;
  warn: (message: string) => void;
}

const STEP_SECONDS: Readonly<Partial<Record<string, number>>> = {
  SECONDLY: 1,
  MINUTELY: 60,
  HOURLY: 3_600,
  DAILY: 86_400,
  WEEKLY: 604_800,
};

function floatingTime(wall: WallTime, isDate: boolean): ICAL.Time {
  // Floating times make ical.js iterate pure wall time (RFC 5545 recurrence is local); zones are applied afterwards.
  return new ICAL.Time({ ...wall, isDate }, ICAL.Timezone.localTimezone);
}

function wallOf(time: ICAL.Time): WallTime {
  return { year: time.year, month: time.month, day: time.day, hour: time.hour, minute: time.minute, second: time.second };
}

/** UNTIL is usually UTC; compare it in the series' own wall time instead (§3.3.10: UNTIL is inclusive). */
export function localizeUntil(rule: ICAL.Recur, request: SeriesRequest): void {
  const until = rule.until;
  if (!until) return;
  let wall = wallOf(until);
  if (!until.isDate && until.zone === ICAL.Timezone.utcTimezone) wall = request.zone.toWall(wallToNaiveMs(wall));
  if (request.start.isDate) rule.until = floatingTime(withTime(wall, 0, 0, 0), true);
  else rule.until = floatingTime(until.isDate ? withTime(wall, 23, 59, 59) : wall, false);
}

/**
 * Moves the iteration start close to the window for rules whose periods have a fixed length, so a daily series
 * from 2010 does not iterate 15 years. Without COUNT and BYSETPOS, restarting a whole number of intervals later
 * yields the same later members; the artificial start itself lies before the window and is dropped.
 */
function iterationStart(rule: ICAL.Recur, request: SeriesRequest): WallTime {
  const unitSeconds = STEP_SECONDS[rule.freq];
  const { start } = request;
  if (!unitSeconds || rule.count || rule.parts.BYSETPOS || (start.isDate && unitSeconds < 86_400)) return start.wall;
  const step = unitSeconds * 1000 * Math.max(1, rule.interval);
  const startNaive = wallToNaiveMs(start.wall);
  const periods = Math.floor((request.lowerNaive - step - startNaive) / step);
  return periods > 0 ? naiveMsToWall(startNaive + periods * step) : start.wall;
}

const WEEKDAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"] as const;

/**
 * The step in days of a DAILY or WEEKLY rule with no BY* part (a WEEKLY BYDAY naming only DTSTART's
 * own weekday is none either): its members are then DTSTART + k × INTERVAL periods of wall time
 * (RFC 5545 §3.3.10). Most series in real calendars have this shape. null for every other rule.
 */
export function fixedStepDays(rule: ICAL.Recur, start: TimeValue): number | null {
  const periodDays = rule.freq === "DAILY" ? 1 : rule.freq === "WEEKLY" ? 7 : 0;
  if (periodDays === 0 || !Number.isInteger(rule.interval) || rule.interval < 1) return null;
  const ownWeekday = WEEKDAYS[new Date(wallToNaiveMs(start.wall)).getUTCDay()];
  for (const [part, values] of Object.entries(rule.parts)) {
    const onlyOwnWeekday = part === "BYDAY" && periodDays === 7 && Array.isArray(values) && values.length === 1 && values[0] === ownWeekday;
    if (!onlyOwnWeekday) return null;
  }
  return periodDays * rule.interval;
}

/** The members of a rule in [lowerNaive, upperNaive), as wall times of the series zone. */
export function ruleWalls(rule: ICAL.Recur, request: SeriesRequest): WallTime[] {
  localizeUntil(rule, request);
  const stepDays = fixedStepDays(rule, request.start);
  return stepDays === null ? iteratedWalls(rule, request) : steppedWalls(rule, stepDays, request);
}

/**
 * A fixed-step rule by adding days to the wall time: the same members as ical.js's iterator (a
 * property test compares the two) at a fraction of its cost, which dominated expanding a calendar.
 */
export function steppedWalls(rule: ICAL.Recur, stepDays: number, request: SeriesRequest): WallTime[] {
  const { master, lowerNaive, upperNaive, maxIterations } = request;
  const firstNaive = wallToNaiveMs(iterationStart(rule, request));
  const untilNaive = rule.until ? wallToNaiveMs(wallOf(rule.until)) : Number.POSITIVE_INFINITY;
  const count = rule.count ?? Number.POSITIVE_INFINITY;
  const walls: WallTime[] = [];
  for (let iterations = 0; ; iterations++) {
    if (iterations >= maxIterations) {
      request.warn(`Series ${master.uid} stopped after ${maxIterations} occurrences`);
      break;
    }
    const naive = firstNaive + iterations * stepDays * MS_PER_DAY;
    if (iterations >= count || naive > untilNaive || naive >= upperNaive) break;
    if (naive >= lowerNaive) walls.push(naiveMsToWall(naive));
  }
  return walls;
}

/** Any rule with a localized UNTIL, through ical.js's iterator (on floating times, so it steps wall time). */
export function iteratedWalls(rule: ICAL.Recur, request: SeriesRequest): WallTime[] {
  const { master, start, lowerNaive, upperNaive, maxIterations } = request;
  const walls: WallTime[] = [];
  let iterator: ICAL.RecurIterator;
  try {
    iterator = rule.iterator(floatingTime(iterationStart(rule, request), start.isDate));
  } catch {
    request.warn(`Invalid RRULE in event ${master.uid}: ignored`);
    return walls;
  }
  for (let iterations = 0; ; iterations++) {
    if (iterations >= maxIterations) {
      request.warn(`Series ${master.uid} stopped after ${maxIterations} occurrences`);
      break;
    }
    let next: ICAL.Time | null;
    try {
      next = iterator.next();
    } catch {
      request.warn(`Invalid RRULE in event ${master.uid}: expansion stopped`);
      break;
    }
    if (!next) break;
    const wall = wallOf(next);
    const naive = wallToNaiveMs(wall);
    if (naive >= upperNaive) break;
    if (naive >= lowerNaive) walls.push(wall);
  }
  return walls;
}

/** EXDATE as a test on instance keys (and on days, for DATE EXDATEs of a timed series). */
export function exclusionTest(request: Pick<SeriesRequest, "master" | "start" | "zone" | "zoneOf">): (key: string, wall: WallTime) => boolean {
  const { master, start, zone, zoneOf } = request;
  const excludedKeys = new Set<string>();
  const excludedDays = new Set<string>();
  for (const exdate of master.exdates) {
    if (start.isDate) excludedKeys.add(formatDate(exdate.isDate ? exdate.wall : zone.toWall(zoneOf(exdate).toInstant(exdate.wall))));
    else if (exdate.isDate) excludedDays.add(formatDate(exdate.wall)); // lenient: a DATE EXDATE on a timed series
    else excludedKeys.add(formatUtcInstant(zoneOf(exdate).toInstant(exdate.wall)));
  }
  return (key, wall) => excludedKeys.has(key) || excludedDays.has(formatDate(wall));
}

/** RRULE ∪ RDATE − EXDATE of a master, limited to the requested wall-time range, in start order. */
export function expandSeries(request: SeriesRequest): SeriesInstance[] {
  const { master, start, zone, zoneOf, lowerNaive, upperNaive } = request;
  const allDay = start.isDate;
  const instances = new Map<string, SeriesInstance>();

  const add = (wall: WallTime, periodEnd: SeriesInstance["periodEnd"], knownStartMs?: number): void => {
    const naive = wallToNaiveMs(wall);
    if (naive < lowerNaive || naive >= upperNaive) return;
    const startMs = allDay ? Number.NaN : (knownStartMs ?? zone.toInstant(wall));
    const key = allDay ? formatDate(wall) : formatUtcInstant(startMs);
    if (!instances.has(key)) instances.set(key, { key, wall, startMs, periodEnd });
  };
  /** A DATE-TIME written in another zone, as wall time of the series zone. */
  const inSeriesZone = (value: TimeValue): WallTime => zone.toWall(zoneOf(value).toInstant(value.wall));

  // RFC 5545 §3.8.5.3: DTSTART is always the first instance (ical.js does not always yield it, e.g. with BYWEEKNO).
  add(start.wall, null);
  for (const rule of master.rrules) for (const wall of ruleWalls(rule, request)) add(wall, null);

  for (const rdate of master.rdates) {
    if (allDay) add(withTime(rdate.start.isDate ? rdate.start.wall : inSeriesZone(rdate.start), 0, 0, 0), null);
    else if (rdate.start.isDate) {
      add(withTime(rdate.start.wall, start.wall.hour, start.wall.minute, start.wall.second), rdate.periodEnd);
    } else {
      const startMs = zoneOf(rdate.start).toInstant(rdate.start.wall);
      add(zone.toWall(startMs), rdate.periodEnd, startMs);
    }
  }

  const isExcluded = exclusionTest(request);
  return [...instances.values()]
    .filter((i) => !isExcluded(i.key, i.wall))
    .sort((a, b) => wallToNaiveMs(a.wall) - wallToNaiveMs(b.wall));
}

/** Canonical RECURRENCE-ID of an override, in the same form expandSeries gives the matching instance. */
export function recurrenceKey(value: TimeValue, seriesIsAllDay: boolean, zoneOf: (value: TimeValue) => Zone): string {
  if (value.isDate || seriesIsAllDay) return formatDate(value.wall);
  return formatUtcInstant(zoneOf(value).toInstant(value.wall));
}
