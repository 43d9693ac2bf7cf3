import type { OccurrenceBudget } from "./budget.js";
import type { NominalDuration, TimeValue, VEventData } from "./event-data.js";
import type { RecurrenceRule } from "./rule.js";
import { ruleMembers, weekdayOf } from "./rule-members.js";
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
  /** Shared with the other series of the object (and of the calendar) */
  budgets: readonly OccurrenceBudget[];
  warn: (message: string) => void;
}

/** UNTIL as an inclusive naive bound in the series' own terms (RFC 5545 §3.3.10: UNTIL is inclusive). */
export function untilNaiveOf(rule: RecurrenceRule, request: Pick<SeriesRequest, "start" | "zone">): number {
  const { until } = rule;
  if (!until) return Number.POSITIVE_INFINITY;
  // An all-day series counts days: a DATE-TIME UNTIL (against §3.3.10, but common) is read as the date it names,
  // so the number of days does not depend on the zone of whoever looks at the calendar.
  if (request.start.isDate || until.isDate) return wallToNaiveMs(withTime(until.wall, 23, 59, 59));
  return until.utc ? wallToNaiveMs(request.zone.toWall(wallToNaiveMs(until.wall))) : wallToNaiveMs(until.wall);
}

const NO_FIXED_STEP_PARTS = ["byMonth", "byWeekNo", "byYearDay", "byMonthDay", "byHour", "byMinute", "bySecond", "bySetPos"] as const;

/**
 * The step in days of a DAILY or WEEKLY rule with no BY* part (a WEEKLY BYDAY naming only DTSTART's
 * own weekday is none either): its members are then DTSTART + k × INTERVAL periods of wall time
 * (RFC 5545 §3.3.10). Most series in real calendars have this shape. null for every other rule.
 */
export function fixedStepDays(rule: RecurrenceRule, start: TimeValue): number | null {
  const periodDays = rule.freq === "DAILY" ? 1 : rule.freq === "WEEKLY" ? 7 : 0;
  if (periodDays === 0 || NO_FIXED_STEP_PARTS.some((part) => rule[part] !== null)) return null;
  if (rule.byDay) {
    const ownWeekday = weekdayOf(Math.floor(wallToNaiveMs(start.wall) / MS_PER_DAY));
    const onlyOwnWeekday = periodDays === 7 && rule.byDay.length === 1 && rule.byDay[0]?.weekday === ownWeekday;
    if (!onlyOwnWeekday) return null;
  }
  return periodDays * rule.interval;
}

/** The members of a rule in [lowerNaive, upperNaive), as wall times of the series zone. */
export function ruleWalls(rule: RecurrenceRule, request: SeriesRequest): WallTime[] {
  const stepDays = fixedStepDays(rule, request.start);
  return stepDays === null ? memberWalls(rule, request) : steppedWalls(rule, stepDays, request);
}

/**
 * A fixed-step rule by adding days to the wall time: the same members as the general iteration (a property test
 * compares the two, and both with an independent implementation) at a fraction of its cost.
 */
export function steppedWalls(rule: RecurrenceRule, stepDays: number, request: SeriesRequest): WallTime[] {
  const { lowerNaive, upperNaive } = request;
  const startNaive = wallToNaiveMs(request.start.wall);
  const step = stepDays * MS_PER_DAY;
  // Without COUNT, restarting a whole number of steps later yields the same later members.
  const skipped = rule.count === null ? Math.max(0, Math.floor((lowerNaive - step - startNaive) / step)) : 0;
  const untilNaive = untilNaiveOf(rule, request);
  const count = rule.count ?? Number.POSITIVE_INFINITY;
  const walls: WallTime[] = [];
  const take = memberCounter(request);
  for (let index = skipped; ; index++) {
    const naive = startNaive + index * step;
    if (index >= count || naive > untilNaive || naive >= upperNaive || !take()) break;
    if (naive >= lowerNaive) walls.push(naiveMsToWall(naive));
  }
  return walls;
}

/** Counts members against the per-series limit and checks the shared budgets; false (with a warning) once one is reached. */
function memberCounter(request: SeriesRequest): () => boolean {
  let members = 0;
  return () => {
    if (members++ >= request.maxIterations) {
      request.warn(`Series ${request.master.uid} stopped after ${request.maxIterations} occurrences`);
      return false;
    }
    return hasRoom(request);
  };
}

/** Whether the shared budgets allow another instance; warns (once per budget) when one does not. */
function hasRoom(request: SeriesRequest): boolean {
  const exhausted = request.budgets.find((budget) => !budget.hasRoom());
  const warning = exhausted?.exhaustedWarning(request.master.uid);
  if (warning) request.warn(warning);
  return !exhausted;
}

/** Any rule, through the RFC 5545 iteration of rule-members.ts. */
export function memberWalls(rule: RecurrenceRule, request: SeriesRequest): WallTime[] {
  const { lowerNaive, upperNaive } = request;
  const walls: WallTime[] = [];
  const members = ruleMembers({
    rule,
    startNaive: wallToNaiveMs(request.start.wall),
    untilNaive: untilNaiveOf(rule, request),
    allDay: request.start.isDate,
    fromNaive: lowerNaive,
    toNaive: upperNaive,
  });
  const take = memberCounter(request);
  for (;;) {
    const next = members.next();
    if (next.done) {
      if (next.value === "no-members") request.warn(`Series ${request.master.uid}: RRULE ${rule.text} stopped yielding instances`);
      break;
    }
    if (next.value >= upperNaive || !take()) break;
    if (next.value >= lowerNaive) walls.push(naiveMsToWall(next.value));
  }
  return walls;
}

/**
 * The canonical key of a DATE or DATE-TIME that names an instance (RECURRENCE-ID, EXDATE), read in the series' own
 * terms: a date names a day of an all-day series, or the instance at DTSTART's time that day in a timed one; a
 * floating time is wall time of the series zone, whatever the zone of the reader (RFC 5545 §3.8.4.4: the value
 * matches the instance's original DTSTART, which is written in that zone).
 */
export function instanceKey(value: TimeValue, series: Pick<SeriesRequest, "start" | "zone" | "zoneOf">): string {
  const { start, zone, zoneOf } = series;
  if (start.isDate) return formatDate(value.wall);
  if (value.isDate) return formatUtcInstant(zone.toInstant(withTime(value.wall, start.wall.hour, start.wall.minute, start.wall.second)));
  const valueZone = !value.utc && value.tzid === null ? zone : zoneOf(value);
  return formatUtcInstant(valueZone.toInstant(value.wall));
}

/** EXDATE and EXRULE as a test on instance keys (and on days, for DATE EXDATEs of a timed series). */
export function exclusionTest(request: SeriesRequest): (key: string, wall: WallTime) => boolean {
  const { master, start } = request;
  const excludedKeys = new Set<string>();
  const excludedDays = new Set<string>();
  for (const exdate of master.exdates) {
    // Lenient: a DATE EXDATE on a timed series removes that day's instances (RFC 5545 wants the value types to match).
    if (!start.isDate && exdate.isDate) excludedDays.add(formatDate(exdate.wall));
    else excludedKeys.add(instanceKey(exdate, request));
  }
  for (const parsed of master.exrules) {
    if ("rule" in parsed) for (const wall of ruleWalls(parsed.rule, request)) excludedKeys.add(keyOfWall(wall, request));
  }
  return (key, wall) => excludedKeys.has(key) || excludedDays.has(formatDate(wall));
}

function keyOfWall(wall: WallTime, request: Pick<SeriesRequest, "start" | "zone">): string {
  return request.start.isDate ? formatDate(wall) : formatUtcInstant(request.zone.toInstant(wall));
}

const SUB_DAILY = new Set(["SECONDLY", "MINUTELY", "HOURLY"]);

/**
 * Why a series cannot be expanded exactly, or null. Such a series is refused whole rather than imported wrong:
 * a rule we cannot read, a non-Gregorian RSCALE (RFC 7529), or a sub-daily rule on an all-day event (whose DATE
 * values have no time to step).
 */
export function seriesProblem(master: VEventData, allDay: boolean): string | null {
  for (const [name, rules] of [["RRULE", master.rrules], ["EXRULE", master.exrules]] as const) {
    for (const parsed of rules) {
      if ("problem" in parsed) return `its ${name} "${parsed.text}" ${parsed.problem}`;
      if (allDay && SUB_DAILY.has(parsed.rule.freq)) return `its ${name} "${parsed.rule.text}" repeats within a day, but the event lasts whole days`;
    }
  }
  return null;
}

/** RRULE ∪ RDATE − EXDATE − EXRULE of a master, limited to the requested wall-time range, in start order. */
export function expandSeries(request: SeriesRequest): SeriesInstance[] {
  const { master, start, zone, zoneOf, lowerNaive, upperNaive } = request;
  const allDay = start.isDate;
  const instances = new Map<string, SeriesInstance>();

  const add = (wall: WallTime, periodEnd: SeriesInstance["periodEnd"], knownStartMs?: number): void => {
    const naive = wallToNaiveMs(wall);
    if (naive < lowerNaive || naive >= upperNaive) return;
    const startMs = allDay ? Number.NaN : (knownStartMs ?? zone.toInstant(wall));
    const key = allDay ? formatDate(wall) : formatUtcInstant(startMs);
    if (instances.has(key) || !hasRoom(request)) return;
    for (const budget of request.budgets) budget.take();
    instances.set(key, { key, wall, startMs, periodEnd });
  };
  /** A DATE-TIME written in another zone, as wall time of the series zone. */
  const inSeriesZone = (value: TimeValue): WallTime => zone.toWall(zoneOf(value).toInstant(value.wall));

  // RFC 5545 §3.8.5.3: DTSTART is always the first instance. When it is not a member of the rule (a set RFC 5545
  // calls undefined) it comes on top of the rule's COUNT members, as Google Calendar and Apple Calendar show it.
  add(start.wall, null);
  for (const parsed of master.rrules) if ("rule" in parsed) for (const wall of ruleWalls(parsed.rule, request)) add(wall, null);

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
