import { MS_PER_DAY } from "../../time-window.js";

/** A local ("wall clock") date-time without zone; month is 1-12. For DATE values the time fields are 0. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export { MS_PER_DAY };

/** Milliseconds of the wall time read as if it were UTC: a cheap, zone-free ordering key. */
export function wallToNaiveMs(wall: WallTime): number {
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  date.setUTCHours(wall.hour, wall.minute, wall.second, 0);
  return date.getTime();
}

export function naiveMsToWall(ms: number): WallTime {
  const date = new Date(ms);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
  };
}

export function addDays(wall: WallTime, days: number): WallTime {
  return naiveMsToWall(wallToNaiveMs(wall) + days * MS_PER_DAY);
}

export function withTime(wall: WallTime, hour: number, minute: number, second: number): WallTime {
  return { year: wall.year, month: wall.month, day: wall.day, hour, minute, second };
}

/** Whole days from a's date to b's date. */
export function daysBetween(a: WallTime, b: WallTime): number {
  return Math.round((wallToNaiveMs(withTime(b, 0, 0, 0)) - wallToNaiveMs(withTime(a, 0, 0, 0))) / MS_PER_DAY);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/** "2025-03-24" */
export function formatDate(wall: WallTime): string {
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}`;
}

/** "2025-03-24T08:00:00Z": the canonical RECURRENCE-ID form of a timed instance. */
export function formatUtcInstant(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
