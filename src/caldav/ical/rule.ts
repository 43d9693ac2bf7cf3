import type { WallTime } from "./wall-time.js";

export const FREQUENCIES = ["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"] as const;
export type Frequency = (typeof FREQUENCIES)[number];

/** Weekday numbers as JavaScript counts them: 0 = SU … 6 = SA. */
export const WEEKDAY_CODES = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"] as const;

/** A BYDAY entry: ordinal 0 means "every such weekday of the period". */
export interface WeekdayNum {
  ordinal: number;
  weekday: number;
}

/** UNTIL as written (RFC 5545 §3.3.10): a DATE, a UTC DATE-TIME or, against the RFC but common, a local one. */
export interface RuleUntil {
  wall: WallTime;
  isDate: boolean;
  utc: boolean;
}

/** One RRULE or EXRULE value, read from ical.js's jCal form (ical.js has already checked the value ranges). */
export interface RecurrenceRule {
  /** The rule as written, for warnings */
  text: string;
  freq: Frequency;
  interval: number;
  count: number | null;
  until: RuleUntil | null;
  /** 0 = SU … 6 = SA; RFC 5545 §3.3.10: default MO */
  wkst: number;
  byDay: WeekdayNum[] | null;
  byMonth: number[] | null;
  byWeekNo: number[] | null;
  byYearDay: number[] | null;
  byMonthDay: number[] | null;
  byHour: number[] | null;
  byMinute: number[] | null;
  bySecond: number[] | null;
  bySetPos: number[] | null;
}

/** A rule we can follow, or why we cannot (the series is then imported without it, with a warning). */
export type ParsedRule = { rule: RecurrenceRule } | { problem: string; text: string };

const RULE_PARTS = ["freq", "count", "until", "interval", "bysecond", "byminute", "byhour", "byday", "bymonthday", "byyearday", "byweekno", "bymonth", "bysetpos", "wkst", "rscale", "skip"];

function ruleText(value: Record<string, unknown>): string {
  const parts = Object.entries(value).map(([name, part]) =>
    part === undefined ? name.toUpperCase() : `${name.toUpperCase()}=${Array.isArray(part) ? part.join(",") : String(part)}`,
  );
  return parts.join(";").slice(0, 300);
}

function numbers(value: unknown, min: number, max: number, allowNegative: boolean): number[] | null | undefined {
  if (value === undefined) return null;
  const list = (Array.isArray(value) ? value : [value]).map(Number);
  const valid = list.every((n) => Number.isInteger(n) && ((n >= min && n <= max) || (allowNegative && n <= -1 && n >= -max)));
  if (!valid || list.length === 0) return undefined;
  return [...new Set(list)].sort((a, b) => a - b);
}

const UNTIL_FORM = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(Z?))?$/;

function parseUntil(value: unknown): RuleUntil | null | undefined {
  if (value === undefined) return null;
  const m = typeof value === "string" ? UNTIL_FORM.exec(value) : null;
  if (!m) return undefined;
  const isDate = m[4] === undefined;
  const wall = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Math.min(59, Number(m[6] ?? 0)),
  };
  return { wall, isDate, utc: m[7] === "Z" };
}

function parseByDay(value: unknown): WeekdayNum[] | null | undefined {
  if (value === undefined) return null;
  const entries: WeekdayNum[] = [];
  for (const raw of Array.isArray(value) ? value : [value]) {
    const m = /^([+-]?\d{1,2})?(SU|MO|TU|WE|TH|FR|SA)$/.exec(String(raw).trim().toUpperCase());
    const ordinal = Number(m?.[1] ?? 0);
    if (!m || Math.abs(ordinal) > 53) return undefined;
    entries.push({ ordinal, weekday: WEEKDAY_CODES.indexOf(m[2] as (typeof WEEKDAY_CODES)[number]) });
  }
  return entries.length > 0 ? entries : undefined;
}

/**
 * Reads the jCal value of an RRULE/EXRULE. RSCALE (RFC 7529): GREGORIAN is the scale RFC 5545 already uses, any
 * other scale (Hebrew, Chinese, …) is refused rather than misread as Gregorian, and so is SKIP other than OMIT.
 */
export function parseRule(value: unknown): ParsedRule {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { problem: "is not a recurrence rule", text: "" };
  const jcal = value as Record<string, unknown>;
  const text = ruleText(jcal);
  const rscale = typeof jcal["rscale"] === "string" ? jcal["rscale"].toUpperCase() : null;
  if (rscale !== null && rscale !== "GREGORIAN") return { problem: `uses the calendar scale ${rscale.slice(0, 40)}, which is not supported`, text };
  // RFC 7529 §4.1: SKIP moves instances on days a month lacks; OMIT (the default) is RFC 5545's rule, the others we do not do.
  const skip = typeof jcal["skip"] === "string" ? jcal["skip"].toUpperCase() : "OMIT";
  if (skip !== "OMIT") return { problem: `asks for SKIP=${skip.slice(0, 40)}, which is not supported`, text };
  const unknownPart = Object.keys(jcal).find((name) => !RULE_PARTS.includes(name) && !name.startsWith("x-"));
  if (unknownPart) return { problem: `has the unknown part ${unknownPart.toUpperCase().slice(0, 40)}`, text };
  const freq = String(jcal["freq"] ?? "").toUpperCase() as Frequency;
  if (!FREQUENCIES.includes(freq)) return { problem: "has no valid FREQ", text };

  const interval = jcal["interval"] === undefined ? 1 : Number(jcal["interval"]);
  const count = jcal["count"] === undefined ? null : Number(jcal["count"]);
  const until = parseUntil(jcal["until"]);
  const wkstRaw = jcal["wkst"];
  // ical.js's parser gives WKST as 1 = SU … 7 = SA, its Recur.toJSON as "SU" … "SA"
  const wkst = wkstRaw === undefined ? 1 : typeof wkstRaw === "string" ? WEEKDAY_CODES.indexOf(wkstRaw.toUpperCase() as "SU") : Number(wkstRaw) - 1;
  const rule: Partial<Record<keyof RecurrenceRule, unknown>> = {
    text,
    freq,
    interval,
    count,
    until,
    wkst,
    byDay: parseByDay(jcal["byday"]),
    byMonth: numbers(jcal["bymonth"], 1, 12, false),
    byWeekNo: numbers(jcal["byweekno"], 1, 53, true),
    byYearDay: numbers(jcal["byyearday"], 1, 366, true),
    byMonthDay: numbers(jcal["bymonthday"], 1, 31, true),
    byHour: numbers(jcal["byhour"], 0, 23, false),
    byMinute: numbers(jcal["byminute"], 0, 59, false),
    bySecond: numbers(jcal["bysecond"], 0, 60, false),
    bySetPos: numbers(jcal["bysetpos"], 1, 366, true),
  };
  const invalid = Object.entries(rule).find(([, part]) => part === undefined)?.[0];
  if (invalid) return { problem: `has an invalid ${invalid.toUpperCase()} part`, text };
  if (!Number.isInteger(interval) || interval < 1) return { problem: "has an invalid INTERVAL", text };
  if (count !== null && (!Number.isInteger(count) || count < 1)) return { problem: "has an invalid COUNT", text };
  if (!Number.isInteger(wkst) || wkst < 0 || wkst > 6) return { problem: "has an invalid WKST", text };
  const parsed = rule as unknown as RecurrenceRule;
  // RFC 5545 §3.3.10: a leap second 60 is accepted but, like DTSTART's, read as 59.
  if (parsed.bySecond) parsed.bySecond = [...new Set(parsed.bySecond.map((s) => Math.min(s, 59)))];
  return { rule: parsed };
}
