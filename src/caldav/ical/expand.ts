import { DEFAULT_MAX_OCCURRENCES_PER_OBJECT, OccurrenceBudget } from "./budget.js";
import { IcsParseError } from "./errors.js";
import type ICAL from "ical.js";
import { allDayEntries, parseAllDayStart, type AllDaySettings } from "./all-day.js";
import { readVEvent, type NominalDuration, type TimeValue, type VEventData } from "./event-data.js";
import { attendanceSkip, contentOf, normalizeIdentities, type AttendanceRules, type EventContent } from "./filters.js";
import { parseCalendarObject } from "./parse.js";
import { exclusionTest, expandSeries, instanceKey, seriesProblem, type SeriesRequest } from "./recurrence.js";
import { ianaNameOf, ianaZone, isIanaName, resolveTimeZone, UTC_ZONE, vtimezoneZone, type Zone } from "./time-zones.js";
import type { ExpandOptions, ExpandResult, SkipReason } from "./types.js";
import { addDays, daysBetween, MS_PER_DAY, wallToNaiveMs, withTime, type WallTime } from "./wall-time.js";

const DEFAULT_MAX_ITERATIONS = 10_000;

/** How long an instance lasts: DTEND gives an exact duration, DURATION a nominal one (RFC 5545 §3.8.5.3). */
type Length = { exactMs: number } | { nominal: NominalDuration } | null;

/** TZID → zone for one calendar object, in the order of the rules: IANA, own VTIMEZONE, Windows/display name. */
class ObjectZones {
  private readonly byTzid = new Map<string, Zone>();

  constructor(
    private readonly vtimezones: ReadonlyMap<string, ICAL.Component>,
    readonly defaultZone: Zone,
    private readonly warn: (message: string) => void,
  ) {}

  zoneOf(value: TimeValue, uid: string): Zone {
    if (value.utc) return UTC_ZONE;
    if (value.tzid === null) return this.defaultZone; // floating: the integration's zone
    const known = this.byTzid.get(value.tzid);
    if (known) return known;
    const zone = this.resolve(value.tzid, uid);
    this.byTzid.set(value.tzid, zone);
    return zone;
  }

  private resolve(tzid: string, uid: string): Zone {
    const iana = ianaNameOf(tzid);
    if (iana) return ianaZone(iana);
    const vtimezone = this.vtimezones.get(tzid);
    const own = vtimezone ? vtimezoneZone(tzid, vtimezone) : null;
    if (own) return own;
    const resolved = resolveTimeZone(tzid);
    if (resolved) return ianaZone(resolved);
    this.warn(`Unknown time zone "${tzid}" in event ${uid}: used ${this.defaultZone.name}`);
    return this.defaultZone;
  }
}

class Expansion {
  readonly result: ExpandResult = { occurrences: [], skipped: [], warnings: [] };
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly zones: ObjectZones;
  /** The object's own budget, then the calendar's */
  readonly budgets: OccurrenceBudget[];
  private readonly attendance: AttendanceRules;
  /** The instances of a series share their content: the user's answer is worked out once per content. */
  private readonly attendanceOf = new WeakMap<EventContent, SkipReason | null>();
  private readonly allDay: AllDaySettings;

  constructor(
    readonly options: ExpandOptions,
    vtimezones: ReadonlyMap<string, ICAL.Component>,
  ) {
    this.windowStart = options.windowStart.getTime();
    this.windowEnd = options.windowEnd.getTime();
    const defaultZone = ianaZone(options.defaultZone);
    this.zones = new ObjectZones(vtimezones, defaultZone, (m) => this.warn(m));
    this.attendance = {
      identities: normalizeIdentities(options.attendeeIdentities),
      skipTentativeInvitations: options.skipTentativeInvitations ?? false,
      skipEventsWithoutMe: options.skipEventsWithoutMe ?? false,
    };
    this.budgets = [new OccurrenceBudget(options.maxOccurrencesPerObject ?? DEFAULT_MAX_OCCURRENCES_PER_OBJECT, "calendar object")];
    if (options.calendarBudget) this.budgets.push(options.calendarBudget);
    const { hour, minute } = parseAllDayStart(options.allDayStart);
    this.allDay = { zone: defaultZone, startHour: hour, startMinute: minute, hours: options.allDayHours };
  }

  warn(message: string): void {
    if (!this.result.warnings.includes(message)) this.result.warnings.push(message);
  }

  zoneFor(uid: string): (value: TimeValue) => Zone {
    return (value) => this.zones.zoneOf(value, uid);
  }

  private notWorkReason(content: EventContent): SkipReason | null {
    if (content.cancelled) return "CANCELLED";
    let reason = this.attendanceOf.get(content);
    if (reason === undefined) this.attendanceOf.set(content, (reason = attendanceSkip(content, this.attendance)));
    return reason;
  }

  private add(uid: string, recurrenceId: string | null, content: EventContent, start: number, end: number, allDay: boolean, reason: SkipReason | null): void {
    if (reason) {
      this.result.skipped.push({ uid, recurrenceId, reason, start: new Date(start) });
      return;
    }
    this.result.occurrences.push({
      uid,
      recurrenceId,
      start: new Date(start),
      end: new Date(end),
      allDay,
      summary: content.summary ?? "",
      description: content.description || null,
      categories: content.categories ?? [],
      transparent: content.transparent ?? false,
    });
  }

  emitTimed(uid: string, recurrenceId: string | null, content: EventContent, start: number, end: number | null): void {
    if (start < this.windowStart || start >= this.windowEnd) return;
    let reason = this.notWorkReason(content);
    if (!reason && (end === null || end <= start)) reason = "INVALID_TIME";
    if (!reason && content.transparent && this.options.skipFreeEvents) reason = "FREE";
    this.add(uid, recurrenceId, content, start, end ?? start, false, reason);
  }

  emitAllDay(uid: string, instanceId: string | null, content: EventContent, firstDay: WallTime, dayCount: number): void {
    const invalid = dayCount <= 0;
    const entries = allDayEntries(firstDay, Math.max(1, dayCount), instanceId, this.allDay, this.windowStart, this.windowEnd);
    for (const entry of entries) {
      let reason = this.notWorkReason(content);
      if (!reason && invalid) reason = "INVALID_TIME";
      if (!reason && !this.options.importAllDay) reason = "ALL_DAY";
      if (!reason && content.transparent && this.options.skipFreeEvents) reason = "FREE";
      this.add(uid, entry.recurrenceId, content, entry.start, entry.end, true, reason);
    }
  }
}

function lengthOf(event: VEventData, startMs: number, zoneOf: (value: TimeValue) => Zone, startZone: Zone): Length {
  // Zimbra writes DTEND and DURATION together; DTEND wins.
  if (event.end) {
    const endWall = event.end.isDate ? withTime(event.end.wall, 0, 0, 0) : event.end.wall;
    const endZone = event.end.isDate ? startZone : zoneOf(event.end);
    return { exactMs: endZone.toInstant(endWall) - startMs };
  }
  if (event.duration) return { nominal: event.duration };
  return null;
}

function endOf(length: Length, startMs: number, startWall: WallTime, zone: Zone): number | null {
  if (!length) return null;
  if ("exactMs" in length) return startMs + length.exactMs;
  const { days, seconds } = length.nominal;
  const dayEnd = days === 0 ? startMs : zone.toInstant(addDays(startWall, days));
  return dayEnd + seconds * 1000;
}

/** Days an all-day event covers; DTEND is exclusive, neither DTEND nor DURATION means one day (RFC 5545 §3.6.1). */
function dayCountOf(event: VEventData, firstDay: WallTime): number | null {
  if (event.end) {
    const partialDay = !event.end.isDate && (event.end.wall.hour > 0 || event.end.wall.minute > 0 || event.end.wall.second > 0);
    return daysBetween(firstDay, event.end.wall) + (partialDay ? 1 : 0);
  }
  if (event.duration) return event.duration.days + Math.ceil(Math.max(0, event.duration.seconds) / 86_400);
  return null;
}

/** What the instances of a series look like: the master's, or a RANGE=THISANDFUTURE override's from its instance on. */
interface InstanceShape {
  content: EventContent;
  length: Length;
  dayCount: number;
  /** How far the instance's start moves: milliseconds (timed series) or days (all-day series) */
  shift: number;
}

/** RFC 5545 §3.8.4.4: a THISANDFUTURE override's content, length and move apply to its instance and all later ones. */
function futureShapeOf(override: VEventData, master: VEventData, masterShape: InstanceShape, key: string, allDay: boolean, zoneOf: (value: TimeValue) => Zone): InstanceShape & { key: string } {
  const content = contentOf(override, master);
  const start = override.start;
  if (!start) return { ...masterShape, key, content };
  if (allDay) {
    const shift = start.isDate ? daysBetween(override.recurrenceId!.wall, start.wall) : 0;
    return { key, content, length: null, dayCount: dayCountOf(override, start.wall) ?? masterShape.dayCount, shift };
  }
  if (start.isDate) return { ...masterShape, key, content };
  const startZone = zoneOf(start);
  const startMs = startZone.toInstant(start.wall);
  const length = override.end || override.duration ? lengthOf(override, startMs, zoneOf, startZone) : masterShape.length;
  return { key, content, length, dayCount: 0, shift: startMs - Date.parse(key) };
}

function expandMaster(expansion: Expansion, master: VEventData & { start: TimeValue }, overrides: VEventData[]): void {
  const { uid, start } = master;
  const zoneOf = expansion.zoneFor(uid);
  const allDay = start.isDate;
  const problem = seriesProblem(master, allDay);
  if (problem) {
    expansion.warn(`Recurring event ${uid} was not imported: ${problem}. Change the series in your calendar app to import it.`);
    return;
  }
  const isSeries = master.rrules.length > 0 || master.rdates.length > 0;
  const zone = allDay ? expansion.zones.defaultZone : zoneOf(start);
  const masterDayCount = allDay ? (dayCountOf(master, start.wall) ?? 1) : 0;
  const masterStartMs = allDay ? Number.NaN : zone.toInstant(start.wall);
  const masterLength = allDay ? null : lengthOf(master, masterStartMs, zoneOf, zone);
  const series = { start, zone, zoneOf };

  const overridesByKey = new Map<string, VEventData>();
  const unrelated: VEventData[] = [];
  const masterKey = instanceKey(start, series);
  for (const override of overrides) {
    if (!override.recurrenceId) continue;
    const key = instanceKey(override.recurrenceId, series);
    if (!isSeries && key !== masterKey) {
      unrelated.push(override);
      continue;
    }
    const existing = overridesByKey.get(key);
    if (!existing || override.sequence >= existing.sequence) overridesByKey.set(key, override);
  }
  const masterShape: InstanceShape = { content: contentOf(master), length: masterLength, dayCount: masterDayCount, shift: 0 };
  // Keys of one series have one form (UTC instant or date), so they sort as strings.
  const futureShapes = [...overridesByKey]
    .filter(([, override]) => override.rangeThisAndFuture)
    .map(([key, override]) => futureShapeOf(override, master, masterShape, key, allDay, zoneOf))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  // Instances a THISANDFUTURE override moves into the window come from as far outside it as the move.
  const reachMs = Math.min(366 * MS_PER_DAY, Math.max(0, ...futureShapes.map((c) => Math.abs(c.shift) * (allDay ? MS_PER_DAY : 1))));

  const windowStartWall = zone.toWall(expansion.windowStart);
  const request: SeriesRequest = {
    master,
    start,
    zone,
    zoneOf,
    lowerNaive:
      (allDay
        ? wallToNaiveMs(withTime(windowStartWall, 0, 0, 0)) - (masterDayCount + 1) * MS_PER_DAY
        : wallToNaiveMs(windowStartWall) - MS_PER_DAY) - reachMs,
    upperNaive: wallToNaiveMs(zone.toWall(expansion.windowEnd)) + MS_PER_DAY + reachMs,
    maxIterations: expansion.options.maxOccurrencesPerSeries ?? DEFAULT_MAX_ITERATIONS,
    budgets: expansion.budgets,
    warn: (m) => expansion.warn(m),
  };
  for (const instance of expandSeries(request)) {
    if (overridesByKey.has(instance.key)) continue;
    const recurrenceId = isSeries ? instance.key : null;
    const shape = futureShapes.length === 0 ? masterShape : (futureShapes.findLast((c) => c.key < instance.key) ?? masterShape);
    if (allDay) {
      expansion.emitAllDay(uid, recurrenceId, shape.content, shape.shift === 0 ? instance.wall : addDays(instance.wall, shape.shift), shape.dayCount);
      continue;
    }
    const startMs = instance.startMs + shape.shift;
    const startWall = shape.shift === 0 ? instance.wall : zone.toWall(startMs);
    const { periodEnd } = instance;
    const end =
      periodEnd === null
        ? endOf(shape.length, startMs, startWall, zone)
        : "wall" in periodEnd
          ? zoneOf(periodEnd).toInstant(periodEnd.wall)
          : endOf({ nominal: periodEnd }, startMs, startWall, zone);
    expansion.emitTimed(uid, recurrenceId, shape.content, startMs, end);
  }

  // Overrides are placed by their own start, so one moved into or out of the window needs no special case.
  const isExcluded = exclusionTest(request);
  for (const [key, override] of overridesByKey) {
    const originalWall = override.recurrenceId?.wall ?? start.wall;
    if (isExcluded(key, originalWall)) continue;
    const fallback = { dayCount: masterDayCount, length: masterLength };
    emitInstance(expansion, override, isSeries ? key : null, contentOf(override, master), fallback);
  }
  for (const override of unrelated) emitOrphan(expansion, override);
}

/** Emits one VEVENT instance at its own DTSTART; length falls back to the master's when it has none. */
function emitInstance(
  expansion: Expansion,
  event: VEventData,
  recurrenceId: string | null,
  content: EventContent,
  fallback: { dayCount: number; length: Length },
): void {
  const zoneOf = expansion.zoneFor(event.uid);
  const start = event.start ?? event.recurrenceId; // an override without DTSTART keeps its original start
  if (!start) return;
  if (start.isDate) {
    expansion.emitAllDay(event.uid, recurrenceId, content, start.wall, dayCountOf(event, start.wall) ?? (fallback.dayCount || 1));
    return;
  }
  const zone = zoneOf(start);
  const startMs = zone.toInstant(start.wall);
  const length = event.end || event.duration ? lengthOf(event, startMs, zoneOf, zone) : fallback.length;
  expansion.emitTimed(event.uid, recurrenceId, content, startMs, endOf(length, startMs, start.wall, zone));
}

/** An override without its master (e.g. an invitation to one instance): a single occurrence keyed by its RECURRENCE-ID. */
function emitOrphan(expansion: Expansion, override: VEventData): void {
  if (!override.recurrenceId) return;
  const start = override.start ?? override.recurrenceId;
  const zoneOf = expansion.zoneFor(override.uid);
  const key = instanceKey(override.recurrenceId, { start, zone: zoneOf(start), zoneOf });
  emitInstance(expansion, override, key, contentOf(override), { dayCount: 1, length: null });
}

function vtimezonesOf(calendars: ICAL.Component[]): Map<string, ICAL.Component> {
  const byTzid = new Map<string, ICAL.Component>();
  for (const calendar of calendars) {
    for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
      const tzid: unknown = vtimezone.getFirstPropertyValue("tzid");
      if (typeof tzid === "string" && !byTzid.has(tzid)) byTzid.set(tzid, vtimezone);
    }
  }
  return byTzid;
}

/**
 * Expands one CalDAV calendar object resource into the occurrences whose start lies in the window, and the ones
 * in the window that are not work (with the reason). Pure: no I/O, independent of the process time zone.
 */
export function expandCalendarObject(ics: string | Uint8Array, options: ExpandOptions): ExpandResult {
  if (!isIanaName(options.defaultZone)) throw new RangeError(`Invalid defaultZone "${options.defaultZone}"`);
  const calendars = parseCalendarObject(ics);
  const expansion = new Expansion(options, vtimezonesOf(calendars));

  const byUid = new Map<string, { masters: VEventData[]; overrides: VEventData[] }>();
  for (const calendar of calendars) {
    for (const vevent of calendar.getAllSubcomponents("vevent")) {
      const event = readVEvent(vevent);
      if (event.uidDerived) expansion.warn(`Event without UID: derived ${event.uid}`);
      let group = byUid.get(event.uid);
      if (!group) byUid.set(event.uid, (group = { masters: [], overrides: [] }));
      (event.recurrenceId ? group.overrides : group.masters).push(event);
    }
  }

  for (const [uid, { masters, overrides }] of byUid) {
    if (masters.length > 1) expansion.warn(`Event ${uid} has ${masters.length} masters: used the first`);
    const master = masters[0];
    // Without a start nothing can be placed, and reading the object as empty would delete the
    // entries it produced before: it is unreadable (RFC 5545 §3.6.1 requires DTSTART here).
    if (master && !master.start) throw new IcsParseError(`Calendar object (UID ${uid}) has no valid DTSTART`);
    if (master?.start) expandMaster(expansion, { ...master, start: master.start }, overrides);
    else for (const override of overrides) emitOrphan(expansion, override);
  }

  const { occurrences, skipped } = expansion.result;
  occurrences.sort((a, b) => a.start.getTime() - b.start.getTime() || compareKeys(a, b));
  skipped.sort(compareKeys);
  return expansion.result;
}

function compareKeys(a: { uid: string; recurrenceId: string | null }, b: { uid: string; recurrenceId: string | null }): number {
  return a.uid.localeCompare(b.uid) || (a.recurrenceId ?? "").localeCompare(b.recurrenceId ?? "");
}
