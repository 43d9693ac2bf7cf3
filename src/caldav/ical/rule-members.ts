import type { Frequency, RecurrenceRule } from "./rule.js";
import { MS_PER_DAY } from "./wall-time.js";

/**
 * RFC 5545 §3.3.10 evaluated on wall time ("naive" milliseconds: the wall time read as if it were UTC, so every
 * day has 24 hours and zones play no part). Each period of FREQ × INTERVAL yields the days and times the BY* parts
 * select, BYSETPOS picks among them, and members before DTSTART, after UNTIL or beyond COUNT are dropped.
 */

const MS_PER_HOUR = 3_600_000;
const MS_PER_MINUTE = 60_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** Inverse of dayNumber (H. Hinnant's civil_from_days). */
export function civilDate(days: number): CivilDate {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day: dayOfYear - Math.floor((153 * mp + 2) / 5) + 1 };
}

/** 0 = SU … 6 = SA; day 0 (1970-01-01) was a Thursday. */
export function weekdayOf(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

function daysInYear(year: number): number {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 366 : 365;
}

function daysInMonth(year: number, month: number): number {
  return month === 12 ? 31 : dayNumber(year, month + 1, 1) - dayNumber(year, month, 1);
}

/** First day of the week (starting on wkst) that contains `days`. */
function weekStart(days: number, wkst: number): number {
  return days - ((weekdayOf(days) - wkst + 7) % 7);
}

/** RFC 5545 §3.3.10 BYWEEKNO: week 1 is the first week with at least four days of the year, i.e. the one holding January 4. */
function firstWeekStart(year: number, wkst: number): number {
  return weekStart(dayNumber(year, 1, 4), wkst);
}

/** Week number of a day within its own week-numbering year, and how many weeks that year has. */
function weekNumber(days: number, year: number, wkst: number): { week: number; weeks: number } {
  let weekYear = year;
  if (days < firstWeekStart(year, wkst)) weekYear = year - 1;
  else if (days >= firstWeekStart(year + 1, wkst)) weekYear = year + 1;
  const first = firstWeekStart(weekYear, wkst);
  return { week: Math.floor((days - first) / 7) + 1, weeks: (firstWeekStart(weekYear + 1, wkst) - first) / 7 };
}

/** A list of positive and negative positions (BYMONTHDAY, BYYEARDAY, BYWEEKNO) holds position `index` of `length`. */
function holds(list: readonly number[], index: number, length: number): boolean {
  return list.includes(index) || list.includes(index - length - 1);
}

/** The rule with what it leaves open filled in from DTSTART (RFC 5545 §3.3.10, last paragraph but one). */
interface EffectiveRule extends RecurrenceRule {
  /** BYDAY ordinals count within the month (MONTHLY, or YEARLY with BYMONTH) or the year (YEARLY); else ignored */
  ordinalScope: "month" | "year" | null;
  times: number[] | null;
}

function effectiveRule(rule: RecurrenceRule, start: CivilDate & { weekday: number }, startTimeMs: number, allDay: boolean): EffectiveRule {
  const effective: EffectiveRule = { ...rule, ordinalScope: null, times: null };
  const noDayPart = !rule.byWeekNo && !rule.byYearDay && !rule.byMonthDay && !rule.byDay;
  if (noDayPart) {
    if (rule.freq === "YEARLY") {
      effective.byMonth = rule.byMonth ?? [start.month];
      effective.byMonthDay = [start.day];
    } else if (rule.freq === "MONTHLY") effective.byMonthDay = [start.day];
    else if (rule.freq === "WEEKLY") effective.byDay = [{ ordinal: 0, weekday: start.weekday }];
  } else if (rule.freq === "YEARLY" && rule.byWeekNo && !rule.byYearDay && !rule.byMonthDay && !rule.byDay) {
    // A week number alone names a week; the day in it comes from DTSTART like every other unstated field.
    effective.byDay = [{ ordinal: 0, weekday: start.weekday }];
  }
  if (rule.freq === "MONTHLY") effective.ordinalScope = "month";
  else if (rule.freq === "YEARLY") effective.ordinalScope = rule.byMonth ? "month" : "year";
  if (["DAILY", "WEEKLY", "MONTHLY", "YEARLY"].includes(rule.freq)) {
    const hours = allDay ? [0] : (rule.byHour ?? [Math.floor(startTimeMs / MS_PER_HOUR)]);
    const minutes = allDay ? [0] : (rule.byMinute ?? [Math.floor(startTimeMs / MS_PER_MINUTE) % 60]);
    const seconds = allDay ? [0] : (rule.bySecond ?? [Math.floor(startTimeMs / 1000) % 60]);
    effective.times = hours.flatMap((h) => minutes.flatMap((m) => seconds.map((s) => h * MS_PER_HOUR + m * MS_PER_MINUTE + s * 1000)));
  }
  return effective;
}

function dayMatches(rule: EffectiveRule, days: number): boolean {
  const { byMonth, byWeekNo, byYearDay, byMonthDay, byDay } = rule;
  if (!byMonth && !byWeekNo && !byYearDay && !byMonthDay && !byDay) return true;
  const date = civilDate(days);
  if (byMonth && !byMonth.includes(date.month)) return false;
  if (byWeekNo) {
    const { week, weeks } = weekNumber(days, date.year, rule.wkst);
    if (!holds(byWeekNo, week, weeks)) return false;
  }
  const yearDay = days - dayNumber(date.year, 1, 1) + 1;
  if (byYearDay && !holds(byYearDay, yearDay, daysInYear(date.year))) return false;
  const monthLength = byMonthDay || rule.ordinalScope === "month" ? daysInMonth(date.year, date.month) : 0;
  if (byMonthDay && !holds(byMonthDay, date.day, monthLength)) return false;
  if (!byDay) return true;
  const weekday = weekdayOf(days);
  const [index, length] = rule.ordinalScope === "month" ? [date.day, monthLength] : [yearDay, daysInYear(date.year)];
  return byDay.some(
    ({ ordinal, weekday: wanted }) =>
      wanted === weekday &&
      (ordinal === 0 || rule.ordinalScope === null || ordinal === Math.floor((index - 1) / 7) + 1 || ordinal === -(Math.floor((length - index) / 7) + 1)),
  );
}

function selectPositions(candidates: number[], positions: readonly number[] | null): number[] {
  if (!positions) return candidates;
  const chosen = new Set<number>();
  for (const position of positions) {
    const candidate = candidates[position > 0 ? position - 1 : candidates.length + position];
    if (candidate !== undefined) chosen.add(candidate);
  }
  return [...chosen].sort((a, b) => a - b);
}

/** The candidate days of one DAILY…YEARLY period, in order. */
function periodDays(rule: EffectiveRule, freq: Frequency, period: number): number[] {
  if (freq === "DAILY") return [period];
  if (freq === "WEEKLY") return [0, 1, 2, 3, 4, 5, 6].map((offset) => period + offset);
  const days: number[] = [];
  const months = freq === "MONTHLY" ? [period] : (rule.byMonth ?? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]).map((m) => period * 12 + m - 1);
  for (const monthIndex of months) {
    const year = Math.floor(monthIndex / 12);
    const month = monthIndex - year * 12 + 1;
    const first = dayNumber(year, month, 1);
    const length = daysInMonth(year, month);
    for (let day = 0; day < length; day++) days.push(first + day);
  }
  return days;
}

/** Consecutive periods without a member after which a rule can never yield again (one Gregorian 400-year cycle). */
const EMPTY_PERIOD_LIMIT: Readonly<Record<Frequency, number>> = {
  YEARLY: 400,
  MONTHLY: 4_800,
  WEEKLY: 20_871,
  DAILY: 146_097,
  HOURLY: 146_097 * 2,
  MINUTELY: 146_097 * 2,
  SECONDLY: 146_097 * 2,
};

const UNIT_MS: Readonly<Partial<Record<Frequency, number>>> = { HOURLY: MS_PER_HOUR, MINUTELY: MS_PER_MINUTE, SECONDLY: 1000 };

export interface MemberRequest {
  rule: RecurrenceRule;
  startNaive: number;
  /** Inclusive; +Infinity without UNTIL */
  untilNaive: number;
  allDay: boolean;
  /** Members before this are not wanted (iteration may skip ahead when there is no COUNT) */
  fromNaive: number;
  /** Iteration stops once periods start at or after this */
  toNaive: number;
}

/** Why iteration ended: the rule is exhausted / left the range, or it went too long without any member. */
export type MembersEnd = "done" | "no-members";

/** The rule's members from DTSTART on, in order, as naive milliseconds. */
export function* ruleMembers(request: MemberRequest): Generator<number, MembersEnd> {
  const { rule, startNaive, untilNaive, allDay, fromNaive, toNaive } = request;
  const startDay = Math.floor(startNaive / MS_PER_DAY);
  const startTimeMs = startNaive - startDay * MS_PER_DAY;
  const startDate = { ...civilDate(startDay), weekday: weekdayOf(startDay) };
  const effective = effectiveRule(rule, startDate, startTimeMs, allDay);
  const { freq, interval } = rule;
  const unitMs = UNIT_MS[freq];
  const skipAhead = rule.count === null;
  let remaining = rule.count ?? Number.POSITIVE_INFINITY;
  let emptyPeriods = 0;

  // A period is a year number, a month index, a week's first day, a day number or a naive instant (sub-daily).
  let period: number;
  let periodStart: (p: number) => number;
  if (freq === "YEARLY") {
    period = startDate.year;
    periodStart = (p) => dayNumber(p, 1, 1) * MS_PER_DAY;
  } else if (freq === "MONTHLY") {
    period = startDate.year * 12 + startDate.month - 1;
    periodStart = (p) => dayNumber(Math.floor(p / 12), (p % 12) + 1, 1) * MS_PER_DAY;
  } else if (freq === "WEEKLY") {
    period = weekStart(startDay, rule.wkst);
    periodStart = (p) => p * MS_PER_DAY;
  } else if (freq === "DAILY") {
    period = startDay;
    periodStart = (p) => p * MS_PER_DAY;
  } else {
    period = startNaive - (startNaive % unitMs!);
    periodStart = (p) => p;
  }
  const step = freq === "WEEKLY" ? 7 * interval : unitMs ? unitMs * interval : interval;
  const firstPeriod = period;
  /** The first period at or after `naive` that the interval reaches. */
  const periodAtOrAfter = (naive: number, unitsFromFirst: number): number => Math.max(0, Math.ceil(unitsFromFirst / interval)) * step + firstPeriod;
  const unitsTo = (naive: number): number => {
    if (freq === "YEARLY") return civilDate(Math.floor(naive / MS_PER_DAY)).year - firstPeriod;
    if (freq === "MONTHLY") {
      const date = civilDate(Math.floor(naive / MS_PER_DAY));
      return date.year * 12 + date.month - 1 - firstPeriod;
    }
    if (freq === "WEEKLY") return (weekStart(Math.floor(naive / MS_PER_DAY), rule.wkst) - firstPeriod) / 7;
    if (freq === "DAILY") return Math.floor(naive / MS_PER_DAY) - firstPeriod;
    return Math.floor((naive - firstPeriod) / unitMs!);
  };
  // Without COUNT, periods before the wanted range hold no wanted member: start one interval before it.
  if (skipAhead && fromNaive > startNaive) period = Math.max(firstPeriod, periodAtOrAfter(fromNaive, unitsTo(fromNaive)) - step);

  for (;;) {
    const startOfPeriod = periodStart(period);
    if (startOfPeriod >= toNaive || startOfPeriod > untilNaive) return "done";
    if (emptyPeriods >= EMPTY_PERIOD_LIMIT[freq]) return "no-members";
    let members: number[];
    if (unitMs) {
      const day = Math.floor(period / MS_PER_DAY);
      const time = period - day * MS_PER_DAY;
      const hour = Math.floor(time / MS_PER_HOUR);
      const minute = Math.floor(time / MS_PER_MINUTE) % 60;
      // A day, hour or minute that cannot match is passed over whole instead of unit by unit.
      let skipTo: number | null = null;
      if (!dayMatches(effective, day)) skipTo = (day + 1) * MS_PER_DAY;
      else if (rule.byHour && !rule.byHour.includes(hour)) skipTo = day * MS_PER_DAY + (hour + 1) * MS_PER_HOUR;
      else if (freq !== "HOURLY" && rule.byMinute && !rule.byMinute.includes(minute)) skipTo = period - (period % MS_PER_MINUTE) + MS_PER_MINUTE;
      if (skipTo !== null) {
        emptyPeriods++;
        period = Math.max(period + step, periodAtOrAfter(skipTo, (skipTo - firstPeriod) / unitMs));
        continue;
      }
      const minutes = freq === "HOURLY" ? (rule.byMinute ?? [Math.floor(startTimeMs / MS_PER_MINUTE) % 60]) : [minute];
      const seconds = freq === "SECONDLY" ? [Math.floor(time / 1000) % 60] : (rule.bySecond ?? [Math.floor(startTimeMs / 1000) % 60]);
      const hourStart = day * MS_PER_DAY + hour * MS_PER_HOUR;
      members = [];
      for (const m of minutes) for (const s of seconds) if (freq !== "SECONDLY" || !rule.bySecond || rule.bySecond.includes(s)) members.push(hourStart + m * MS_PER_MINUTE + s * 1000);
    } else {
      const times = effective.times!;
      members = [];
      for (const day of periodDays(effective, freq, period)) {
        if (!dayMatches(effective, day)) continue;
        for (const time of times) members.push(day * MS_PER_DAY + time);
      }
    }
    members = selectPositions(members, rule.bySetPos);
    emptyPeriods = members.length === 0 ? emptyPeriods + 1 : 0;
    for (const member of members) {
      if (member < startNaive) continue;
      if (member > untilNaive) return "done";
      yield member;
      if (--remaining <= 0) return "done";
    }
    period += step;
  }
}
