/**
 * The events of the history test, as plain data, and their iCalendar text (RFC 5545). Every time
 * is UTC on a whole minute, so the reference model computes occurrences with plain arithmetic.
 */

/** One calendar object: a VEVENT, its RRULE (DAILY/WEEKLY with COUNT), EXDATEs and overrides. */
export interface EventSpec {
  uid: string;
  /** DTSTART, epoch ms */
  start: number;
  minutes: number;
  title: string;
  description: string | null;
  rule: { freq: "DAILY" | "WEEKLY"; count: number } | null;
  /** instants of the series excluded by EXDATE */
  exdates: number[];
  /** RECURRENCE-ID overrides of single instances of the series */
  overrides: OverrideSpec[];
}

export interface OverrideSpec {
  /** the original start of the instance it replaces */
  recurrenceId: number;
  start: number;
  minutes: number;
  title: string;
  /** STATUS:CANCELLED: the instance is cancelled */
  cancelled: boolean;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** What an object that turned unreadable holds: an HTML error page instead of iCalendar. */
export const UNREADABLE_ICS = "<html><body><h1>502 Bad Gateway</h1></body></html>\r\n";

export function toIcs(event: EventSpec): string {
  const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//caldav-timesheet//history test//EN", "BEGIN:VEVENT", `UID:${event.uid}`, "DTSTAMP:20250101T000000Z"];
  lines.push(`DTSTART:${icsTime(event.start)}`, `DTEND:${icsTime(event.start + event.minutes * MINUTE_MS)}`, `SUMMARY:${icsText(event.title)}`);
  if (event.description !== null) lines.push(`DESCRIPTION:${icsText(event.description)}`);
  if (event.rule) {
    lines.push(`RRULE:FREQ=${event.rule.freq};COUNT=${event.rule.count}`);
    for (const exdate of event.exdates) lines.push(`EXDATE:${icsTime(exdate)}`);
  }
  lines.push("END:VEVENT");
  if (event.rule) {
    for (const override of event.overrides) {
      lines.push("BEGIN:VEVENT", `UID:${event.uid}`, "DTSTAMP:20250101T000000Z", `RECURRENCE-ID:${icsTime(override.recurrenceId)}`);
      lines.push(`DTSTART:${icsTime(override.start)}`, `DTEND:${icsTime(override.start + override.minutes * MINUTE_MS)}`, `SUMMARY:${icsText(override.title)}`);
      if (override.cancelled) lines.push("STATUS:CANCELLED");
      lines.push("END:VEVENT");
    }
  }
  lines.push("END:VCALENDAR", "");
  return lines.join("\r\n");
}

/** 20250601T090000Z */
export function icsTime(instant: number): string {
  return new Date(instant).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
}

/** RFC 5545 §3.3.11 TEXT escaping. */
function icsText(text: string): string {
  return text.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\n/g, "\\n");
}
