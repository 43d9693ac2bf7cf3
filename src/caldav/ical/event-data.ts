import { createHash } from "node:crypto";
import ICAL from "ical.js";
import { parseRule, type ParsedRule } from "./rule.js";
import type { WallTime } from "./wall-time.js";

/** A DATE or DATE-TIME value as written: wall time plus where it is anchored. */
export interface TimeValue {
  wall: WallTime;
  isDate: boolean;
  /** "Z" suffix */
  utc: boolean;
  /** TZID parameter of a non-UTC DATE-TIME; null = floating */
  tzid: string | null;
}

/** Nominal duration (RFC 5545 §3.3.6): days and weeks follow the calendar, the rest is exact. */
export interface NominalDuration {
  days: number;
  seconds: number;
}

export interface RecurrenceDate {
  start: TimeValue;
  /** End of a VALUE=PERIOD RDATE */
  periodEnd: TimeValue | NominalDuration | null;
}

/** A CAL-ADDRESS (RFC 5545 §3.3.3) with the EMAIL parameter some producers add (RFC 7986 §6.2). */
export interface CalendarUser {
  address: string;
  email: string | null;
}

export interface Attendee extends CalendarUser {
  partstat: string;
}

/** What expansion needs from one VEVENT. Optional text-ish fields are null when the property is absent. */
export interface VEventData {
  uid: string;
  /** UID was missing and derived from the content */
  uidDerived: boolean;
  recurrenceId: TimeValue | null;
  rangeThisAndFuture: boolean;
  sequence: number;
  start: TimeValue | null;
  end: TimeValue | null;
  duration: NominalDuration | null;
  rrules: ParsedRule[];
  /** RFC 2445's EXRULE: deprecated by RFC 5545 but still written by old Lotus Notes exports */
  exrules: ParsedRule[];
  rdates: RecurrenceDate[];
  exdates: TimeValue[];
  summary: string | null;
  description: string | null;
  categories: string[] | null;
  cancelled: boolean;
  transparent: boolean | null;
  /** X-MICROSOFT-CDO-BUSYSTATUS (Outlook, Exchange): FREE, TENTATIVE, BUSY, OOF, WORKINGELSEWHERE */
  busyStatus: string | null;
  attendees: Attendee[] | null;
  organizer: CalendarUser | null;
}

// jCal date/date-time strings. ical.js turns an untyped 8-digit EXDATE/RDATE into "YYYY-MM-DDT::".
const JCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(?:(\d{2}):(\d{2}):(\d{2})(Z?)|::))?$/;

function parseTimeValue(raw: unknown, property: ICAL.Property): TimeValue | null {
  if (typeof raw !== "string") return null;
  const m = JCAL_TIME.exec(raw.trim());
  if (!m) return null;
  const isDate = m[4] === undefined;
  const wall: WallTime = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Math.min(Number(m[6] ?? 0), 59), // leap second 60
  };
  if (wall.month < 1 || wall.month > 12 || wall.day < 1 || wall.day > 31 || wall.hour > 23 || wall.minute > 59) return null;
  const utc = m[7] === "Z";
  const tzid = isDate || utc ? null : stringParameter(property, "tzid");
  return { wall, isDate, utc, tzid };
}

function stringParameter(property: ICAL.Property, name: string): string | null {
  const value = property.getParameter(name);
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === "string" && first.trim() !== "" ? first : null;
}

function parseDuration(raw: unknown): NominalDuration | null {
  if (typeof raw !== "string") return null;
  try {
    const d = ICAL.Duration.fromString(raw.trim());
    const sign = d.isNegative ? -1 : 1;
    return { days: sign * (d.weeks * 7 + d.days), seconds: sign * (d.hours * 3600 + d.minutes * 60 + d.seconds) };
  } catch {
    return null;
  }
}

function rawValues(property: ICAL.Property): unknown[] {
  // jCal: [name, params, type, ...values]. Raw strings avoid ical.js hydrating VTIMEZONEs per property.
  return property.jCal.slice(3);
}

function textValue(property: ICAL.Property): string {
  const value: unknown = property.getFirstValue();
  return typeof value === "string" ? value : String(value ?? "");
}

function readRecurrenceDates(property: ICAL.Property): RecurrenceDate[] {
  const dates: RecurrenceDate[] = [];
  for (const raw of rawValues(property)) {
    if (Array.isArray(raw)) {
      const start = parseTimeValue(raw[0], property);
      if (start) dates.push({ start, periodEnd: parseTimeValue(raw[1], property) ?? parseDuration(raw[1]) });
    } else {
      const start = parseTimeValue(raw, property);
      if (start) dates.push({ start, periodEnd: null });
    }
  }
  return dates;
}

const VOLATILE_PROPERTIES = new Set(["dtstamp", "last-modified", "created", "sequence"]);

/** RFC 5545 requires UID; for the few producers that omit it, a hash of the content that survives re-syncs. */
function derivedUid(vevent: ICAL.Component): string {
  const content = vevent.getAllProperties().filter((p) => !VOLATILE_PROPERTIES.has(p.name));
  const hash = createHash("sha256").update(JSON.stringify(content.map((p) => p.toJSON()))).digest("hex");
  return `derived-${hash.slice(0, 32)}`;
}

export function readVEvent(vevent: ICAL.Component): VEventData {
  const event: VEventData = {
    uid: "",
    uidDerived: false,
    recurrenceId: null,
    rangeThisAndFuture: false,
    sequence: 0,
    start: null,
    end: null,
    duration: null,
    rrules: [],
    exrules: [],
    rdates: [],
    exdates: [],
    summary: null,
    description: null,
    categories: null,
    cancelled: false,
    transparent: null,
    busyStatus: null,
    attendees: null,
    organizer: null,
  };
  for (const property of vevent.getAllProperties()) {
    switch (property.name) {
      case "uid":
        event.uid = textValue(property).trim();
        break;
      case "recurrence-id":
        event.recurrenceId = parseTimeValue(rawValues(property)[0], property);
        event.rangeThisAndFuture = stringParameter(property, "range")?.toUpperCase() === "THISANDFUTURE";
        break;
      case "sequence":
        event.sequence = Number(property.getFirstValue()) || 0;
        break;
      case "dtstart":
        event.start = parseTimeValue(rawValues(property)[0], property);
        break;
      case "dtend":
        event.end = parseTimeValue(rawValues(property)[0], property);
        break;
      case "duration":
        event.duration = parseDuration(rawValues(property)[0]);
        break;
      case "rrule":
        event.rrules.push(parseRule(rawValues(property)[0]));
        break;
      case "exrule":
        event.exrules.push(parseRule(rawValues(property)[0]));
        break;
      case "rdate":
        event.rdates.push(...readRecurrenceDates(property));
        break;
      case "exdate":
        for (const raw of rawValues(property)) {
          const value = parseTimeValue(raw, property);
          if (value) event.exdates.push(value);
        }
        break;
      case "summary":
        event.summary = textValue(property);
        break;
      case "description":
        event.description = textValue(property);
        break;
      case "categories":
        event.categories ??= [];
        for (const value of property.getValues()) {
          const category = String(value).trim();
          if (category && !event.categories.includes(category)) event.categories.push(category);
        }
        break;
      case "status": {
        // "CANCELED" is not RFC 5545 but some producers write the US spelling.
        const status = textValue(property).trim().toUpperCase();
        event.cancelled = status === "CANCELLED" || status === "CANCELED";
        break;
      }
      case "transp":
        event.transparent = textValue(property).trim().toUpperCase() === "TRANSPARENT";
        break;
      case "x-microsoft-cdo-busystatus":
        event.busyStatus = textValue(property).trim().toUpperCase();
        break;
      case "organizer":
        event.organizer = { address: textValue(property), email: stringParameter(property, "email") };
        break;
      case "attendee":
        (event.attendees ??= []).push({
          address: textValue(property),
          email: stringParameter(property, "email"),
          partstat: (stringParameter(property, "partstat") ?? "NEEDS-ACTION").toUpperCase(),
        });
        break;
    }
  }
  if (!event.uid) {
    event.uid = derivedUid(vevent);
    event.uidDerived = true;
  }
  return event;
}
