import type { Zone } from "./time-zones.js";
import { addDays, daysBetween, formatDate, withTime, type WallTime } from "./wall-time.js";

export interface AllDaySettings {
  zone: Zone;
  startHour: number;
  startMinute: number;
  hours: number;
}

/** One day of an all-day instance, placed at the integration's working hours. */
export interface AllDayEntry {
  recurrenceId: string;
  start: number;
  end: number;
}

export function parseAllDayStart(value: string): { hour: number; minute: number } {
  const match = /^(\d{1,2}):(\d{2})$/.exec(value.trim());
  const hour = Number(match?.[1]);
  const minute = Number(match?.[2]);
  if (!match || hour > 23 || minute > 59) throw new RangeError(`allDayStart must be "HH:MM", got "${value}"`);
  return { hour, minute };
}

/**
 * The days of an all-day instance whose entry starts in [windowStart, windowEnd). Keys: the day itself for a
 * single event; for a series instance its RECURRENCE-ID, then "<id>/<day>" for its further days.
 */
export function allDayEntries(
  firstDay: WallTime,
  dayCount: number,
  instanceId: string | null,
  settings: AllDaySettings,
  windowStart: number,
  windowEnd: number,
): AllDayEntry[] {
  const { zone } = settings;
  // Only the days around the window: a "whole year" event must not produce 365 candidates.
  const from = Math.max(0, daysBetween(firstDay, zone.toWall(windowStart)) - 1);
  const to = Math.min(dayCount - 1, daysBetween(firstDay, zone.toWall(windowEnd)) + 1);
  const entries: AllDayEntry[] = [];
  for (let index = from; index <= to; index++) {
    const day = addDays(firstDay, index);
    const start = zone.toInstant(withTime(day, settings.startHour, settings.startMinute, 0));
    if (start < windowStart || start >= windowEnd) continue;
    const date = formatDate(day);
    const recurrenceId = instanceId === null ? date : index === 0 ? instanceId : `${instanceId}/${date}`;
    entries.push({ recurrenceId, start, end: start + settings.hours * 3_600_000 });
  }
  return entries;
}
