import ICAL from "ical.js";
import { IANAZone } from "luxon";
import { findIana } from "windows-iana";
import { MS_PER_DAY, naiveMsToWall, wallToNaiveMs, type WallTime } from "./wall-time.js";

/** Converts between wall times and instants (epoch milliseconds) in one zone. */
export interface Zone {
  readonly name: string;
  toInstant(wall: WallTime): number;
  toWall(instant: number): WallTime;
}

const MAX_CACHE_ENTRIES = 2_000;

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= MAX_CACHE_ENTRIES) cache.clear();
  cache.set(key, value);
  return value;
}

export const UTC_ZONE: Zone = {
  name: "UTC",
  toInstant: (wall) => wallToNaiveMs(wall),
  toWall: (instant) => naiveMsToWall(instant),
};

const MAX_CACHED_DAYS = 100_000;

/**
 * The instant of a wall time (naive milliseconds) in a zone given by its UTC offset at each instant. RFC 5545
 * §3.3.5: a local time that occurs twice (the hour the clocks go back) means its first occurrence; one that does
 * not occur (the hour they skip) is read with the offset before the gap. One rule for every kind of zone, so the
 * same wall time is the same instant whether the TZID is an IANA name, a Windows name or a VTIMEZONE.
 */
export function instantOfWall(naive: number, offsetAt: (instant: number) => number): number {
  const offsetBefore = offsetAt(naive - MS_PER_DAY);
  const offsetAfter = offsetAt(naive + MS_PER_DAY);
  if (offsetBefore === offsetAfter) return naive - offsetBefore;
  const early = naive - offsetBefore;
  const late = naive - offsetAfter;
  const earlyValid = offsetAt(early) === offsetBefore;
  const lateValid = offsetAt(late) === offsetAfter;
  if (earlyValid && lateValid) return Math.min(early, late);
  if (lateValid) return late;
  return early;
}

class IanaZone implements Zone {
  private readonly zone: IANAZone;
  /**
   * Offset per UTC day, NaN for a day containing a transition (asked of luxon per instant).
   * luxon's offset() costs an Intl call (~5 µs); a year of meetings touches a few hundred days.
   */
  private readonly offsetByDay = new Map<number, number>();

  constructor(readonly name: string) {
    this.zone = IANAZone.create(name);
  }

  private offsetMs(instant: number): number {
    const day = Math.floor(instant / MS_PER_DAY);
    let offset = this.offsetByDay.get(day);
    if (offset === undefined) {
      const atStart = this.zone.offset(day * MS_PER_DAY);
      offset = atStart === this.zone.offset((day + 1) * MS_PER_DAY - 1) ? atStart * 60_000 : Number.NaN;
      if (this.offsetByDay.size >= MAX_CACHED_DAYS) this.offsetByDay.clear();
      this.offsetByDay.set(day, offset);
    }
    return Number.isNaN(offset) ? this.zone.offset(instant) * 60_000 : offset;
  }

  toInstant(wall: WallTime): number {
    return instantOfWall(wallToNaiveMs(wall), (instant) => this.offsetMs(instant));
  }

  toWall(instant: number): WallTime {
    return naiveMsToWall(instant + this.offsetMs(instant));
  }
}

interface OffsetChange {
  /** Instant of the change */
  at: number;
  offsetMs: number;
  offsetBeforeMs: number;
}

/**
 * A zone defined by the object's own VTIMEZONE (used only when its TZID is not an IANA name). ical.js expands
 * the observances into UTC change instants; the offset at an instant is read from those, not from ical.js's
 * conversions, which look the offset up by local time and so are off by an hour next to each change.
 */
class VTimezoneZone implements Zone {
  private readonly timezone: ICAL.Timezone;
  private changes: OffsetChange[] = [];
  private coveredUntilYear = Number.NEGATIVE_INFINITY;

  constructor(readonly name: string, component: ICAL.Component) {
    this.timezone = new ICAL.Timezone({ component, tzid: name });
  }

  private offsetAt(instant: number): number {
    const year = new Date(instant).getUTCFullYear() + 1;
    if (year > this.coveredUntilYear) {
      // Declared in ical.js's typings; expands observances up to that year (kept by the cached zone).
      this.timezone._ensureCoverage(year);
      this.changes = this.timezone.changes.map((change: Record<string, number>) => ({
        at: wallToNaiveMs({ year: change.year!, month: change.month!, day: change.day!, hour: change.hour!, minute: change.minute!, second: change.second! }),
        offsetMs: change.utcOffset! * 1000,
        offsetBeforeMs: change.prevUtcOffset! * 1000,
      }));
      this.coveredUntilYear = year;
    }
    const { changes } = this;
    let low = 0;
    let high = changes.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (changes[middle]!.at <= instant) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    if (found >= 0) return changes[found]!.offsetMs;
    return changes[0]?.offsetBeforeMs ?? 0;
  }

  toInstant(wall: WallTime): number {
    return instantOfWall(wallToNaiveMs(wall), (instant) => this.offsetAt(instant));
  }

  toWall(instant: number): WallTime {
    return naiveMsToWall(instant + this.offsetAt(instant));
  }
}

const ianaZones = new Map<string, Zone>();

/** A cached converter for a valid IANA zone name. */
export function ianaZone(name: string): Zone {
  return ianaZones.get(name) ?? remember(ianaZones, name, new IanaZone(name));
}

const vtimezoneZones = new Map<string, Zone>();

/**
 * A cached converter for a VTIMEZONE; the key is its content, so 10,000 objects carrying the same Outlook
 * definition (with its 1601 DTSTART) expand the transitions once.
 */
export function vtimezoneZone(tzid: string, vtimezone: ICAL.Component): Zone | null {
  const key = JSON.stringify(vtimezone.toJSON());
  const cached = vtimezoneZones.get(key);
  if (cached) return cached;
  const usable = vtimezone
    .getAllSubcomponents()
    .some((o) => o.hasProperty("dtstart") && o.hasProperty("tzoffsetto") && o.hasProperty("tzoffsetfrom"));
  if (!usable) return null;
  // A detached copy, so the cache does not keep the whole parsed calendar alive through `parent`.
  return remember(vtimezoneZones, key, new VTimezoneZone(tzid, new ICAL.Component(vtimezone.toJSON())));
}

const validIanaNames = new Map<string, boolean>();

/** luxon's isValidZone builds an Intl.DateTimeFormat per call, hence the cache. */
export function isIanaName(name: string): boolean {
  const known = validIanaNames.get(name);
  if (known !== undefined) return known;
  return remember(validIanaNames, name, name.length > 0 && IANAZone.isValidZone(name));
}

/** An IANA name written as such, possibly behind a vendor prefix like "/mozilla.org/20050126_1/Europe/Berlin". */
export function ianaNameOf(tzid: string): string | null {
  const name = tzid.trim().replace(/^"(.*)"$/, "$1");
  if (isIanaName(name)) return name;
  if (!name.startsWith("/")) return null;
  const segments = name.split("/").filter((s) => s.length > 0);
  for (let count = Math.min(3, segments.length - 1); count >= 1; count--) {
    const candidate = segments.slice(-count).join("/");
    if (isIanaName(candidate)) return candidate;
  }
  return null;
}

// Display names without a city that is also an IANA zone (Outlook / Zimbra "(GMT-05.00) Eastern Time (US & Canada)").
const DISPLAY_NAME_ZONES: Readonly<Record<string, string>> = {
  "eastern time (us & canada)": "America/New_York",
  "central time (us & canada)": "America/Chicago",
  "mountain time (us & canada)": "America/Denver",
  "pacific time (us & canada)": "America/Los_Angeles",
  "atlantic time (canada)": "America/Halifax",
  "alaska": "America/Anchorage",
  "hawaii": "Pacific/Honolulu",
  "arizona": "America/Phoenix",
  "newfoundland": "America/St_Johns",
  "saskatchewan": "America/Regina",
  "indiana (east)": "America/Indiana/Indianapolis",
  "coordinated universal time": "UTC",
};

let zonesByCity: Map<string, string> | undefined;

function zoneForCity(city: string): string | undefined {
  if (!zonesByCity) {
    zonesByCity = new Map();
    for (const zone of Intl.supportedValuesOf("timeZone")) {
      const last = zone.split("/").at(-1);
      if (last && zone.includes("/") && !zonesByCity.has(last.toLowerCase())) zonesByCity.set(last.toLowerCase(), zone);
    }
  }
  return zonesByCity.get(city.trim().toLowerCase().replace(/\s+/g, "_"));
}

/** Whether the zone has the stated offset in winter or in summer (the display name states standard time). */
function hasOffset(zone: string, offsetMinutes: number): boolean {
  const iana = IANAZone.create(zone);
  const year = new Date().getUTCFullYear();
  return iana.offset(Date.UTC(year, 0, 15)) === offsetMinutes || iana.offset(Date.UTC(year, 6, 15)) === offsetMinutes;
}

const DISPLAY_NAME = /^\((?:GMT|UTC)\s*(?:([+-])(\d{1,2})(?:[.:]?(\d{2}))?)?\)\s*(.*)$/i;

function zoneOfDisplayName(tzid: string): string | null {
  const match = DISPLAY_NAME.exec(tzid);
  const label = (match ? match[4] ?? "" : tzid).trim();
  const tableHit = DISPLAY_NAME_ZONES[label.toLowerCase()];
  if (tableHit) return tableHit;
  if (!match) return null;
  const offset = match[2] ? (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0)) : 0;
  for (const city of label.split(/[,/:;]|\s-\s/)) {
    const zone = zoneForCity(city);
    if (zone && hasOffset(zone, offset)) return zone;
  }
  return null;
}

const resolved = new Map<string, string | null>();

/**
 * Maps a TZID as servers write it to an IANA zone: IANA names (also behind /vendor/ prefixes), Windows names
 * ("W. Europe Standard Time") and Outlook/Zimbra display names ("(GMT+01.00) Amsterdam / Berlin / …").
 * Returns null when nothing matches.
 */
export function resolveTimeZone(tzid: string): string | null {
  const cached = resolved.get(tzid);
  if (cached !== undefined) return cached;
  const name = tzid.trim().replace(/^"(.*)"$/, "$1");
  const zone = ianaNameOf(name) ?? findIana(name)[0] ?? zoneOfDisplayName(name);
  return remember(resolved, tzid, zone ?? null);
}
