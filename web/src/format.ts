import { DateTime } from "luxon";

/** Dates and times in the user's zone (not the browser's) and the browser's locale. */
export function inZone(iso: string, zone: string): DateTime {
  return DateTime.fromISO(iso, { zone });
}

// One formatter per zone: building an Intl.DateTimeFormat costs more than using it, and a busy
// week formats a thousand times (luxon's toLocaleString made showing 500 entries take twice the CPU).
const timeFormats = new Map<string, Intl.DateTimeFormat>();
const dayKeyFormats = new Map<string, Intl.DateTimeFormat>();

function cached(formats: Map<string, Intl.DateTimeFormat>, zone: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let format = formats.get(zone);
  if (!format) formats.set(zone, (format = make()));
  return format;
}

export function formatTime(iso: string, zone: string): string {
  return cached(timeFormats, zone, () => new Intl.DateTimeFormat(undefined, { timeStyle: "short", timeZone: zone })).format(new Date(iso));
}

/** The local day an instant falls on in the zone, "YYYY-MM-DD" (the format of the Canadian locale). */
export function dayKey(iso: string, zone: string): string {
  return cached(dayKeyFormats, zone, () => new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone: zone })).format(new Date(iso));
}

export function formatDateTime(iso: string, zone: string): string {
  return inZone(iso, zone).toLocaleString({ dateStyle: "medium", timeStyle: "short" });
}

export function formatDay(day: DateTime): string {
  return day.toLocaleString({ weekday: "long", day: "numeric", month: "long" });
}

/** "2 h 05 min", "45 min", "0 min". */
export function formatDuration(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${String(rest).padStart(2, "0")} min`;
}

/** "in 12 minutes", "3 hours ago". */
export function formatRelative(iso: string): string {
  return DateTime.fromISO(iso).toRelative() ?? iso;
}

/** The value of an <input type="datetime-local"> for an instant, in the user's zone. */
export function toLocalInput(iso: string, zone: string): string {
  return inZone(iso, zone).toFormat("yyyy-LL-dd'T'HH:mm");
}

/** An <input type="datetime-local"> value read in the user's zone, as an ISO instant; null if invalid. */
export function fromLocalInput(value: string, zone: string): string | null {
  const time = DateTime.fromISO(value, { zone });
  return time.isValid ? time.toUTC().toISO() : null;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** A clean-up's counts in words: "3 entries removed; 1 you changed kept." */
export function describeCleanup({ deleted, kept }: { deleted: number; kept: number }): string {
  if (deleted === 0 && kept === 0) return "None of your entries came from there.";
  const removed = deleted > 0 ? `${plural(deleted, "entry", "entries")} removed from your timesheet` : "No entry removed";
  return `${removed}; ${plural(kept, "entry", "entries")} kept${deleted > 0 && kept > 0 ? " because you changed them" : ""}.`;
}
