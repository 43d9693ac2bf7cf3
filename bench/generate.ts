/**
 * A realistic calendar of N objects, deterministic for a given N and seed:
 *   ≈ 90 % single meetings, spread over the last 330 days (working hours, 30–120 min);
 *   ≈ 10 % weekly series (some endless, some with COUNT or UNTIL), each with one or two EXDATEs
 *          and one or two overrides (moved / renamed / cancelled instance) in the same object;
 *   ≈ 2 %  all-day events (skipped by default, as real calendars have them).
 * Zones are mixed: UTC, TZID with its VTIMEZONE, IANA TZID without VTIMEZONE, floating.
 */
import { MS_PER_DAY as DAY } from "../src/time-window.js";

export interface GeneratedObject {
  /** file name inside the collection, e.g. "bench-000042.ics" */
  name: string;
  uid: string;
  ics: string;
}

const BERLIN = [
  "BEGIN:VTIMEZONE", "TZID:Europe/Berlin",
  "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST", "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
  "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET", "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
  "END:VTIMEZONE",
];

const TITLES = ["Alpha planning", "Beta review", "Standup", "1:1 with Sam", "Customer call", "Gamma retro", "Budget", "Hiring panel", "Design sync", "Ops handover", "Delta kickoff", "Lunch & learn"];
const CATEGORIES = ["", "", "", "Beta", "Internal", "Gamma"];
type ZoneKind = "utc" | "vtimezone" | "iana" | "floating";
const ZONES: ZoneKind[] = ["utc", "vtimezone", "iana", "floating"];

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
function basic(d: Date, utc: boolean): string {
  const s = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}00`;
  return utc ? `${s}Z` : s;
}
function dateOnly(d: Date): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
}

/** A property with a time value in the given zone kind (the wall time is taken from the UTC fields of `d`). */
function timeProp(name: string, d: Date, zone: ZoneKind): string {
  switch (zone) {
    case "utc":
      return `${name}:${basic(d, true)}`;
    case "vtimezone":
      return `${name};TZID=Europe/Berlin:${basic(d, false)}`;
    case "iana":
      return `${name};TZID=America/New_York:${basic(d, false)}`;
    case "floating":
      return `${name}:${basic(d, false)}`;
  }
}

export function generateCalendar(count: number, now: Date, seed = 42, revision = 0): GeneratedObject[] {
  const out: GeneratedObject[] = [];
  for (let i = 0; i < count; i++) out.push(generateObject(i, now, seed, revision));
  return out;
}

/** Object `i`; a higher `revision` changes its title (and DTSTAMP), nothing else. */
export function generateObject(i: number, now: Date, seed = 42, revision = 0): GeneratedObject {
  const r = rng(seed * 1_000_003 + i);
  const uid = `bench-${pad(i, 6)}@caldav-timesheet.bench`;
  const name = `bench-${pad(i, 6)}.ics`;
  const zone = ZONES[Math.floor(r() * ZONES.length)]!;
  const title = TITLES[Math.floor(r() * TITLES.length)]! + (revision > 0 ? ` (rev ${revision})` : "");
  const category = CATEGORIES[Math.floor(r() * CATEGORIES.length)]!;
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const kindRoll = r();
  const lines: string[] = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//caldav-timesheet//bench//EN"];
  if (zone === "vtimezone") lines.push(...BERLIN);
  const stamp = `DTSTAMP:${basic(new Date(Date.UTC(2025, 0, 1) + revision * 60_000), true)}`;
  const common = (extra: string[] = []) => [
    `SUMMARY:${title}`,
    ...(r() < 0.4 ? [`DESCRIPTION:Notes for ${uid}\\nAgenda: item one\\, item two`] : []),
    ...(category ? [`CATEGORIES:${category}`] : []),
    ...extra,
  ];

  if (kindRoll < 0.02) {
    // all-day
    const day = new Date(today - Math.floor(r() * 330) * DAY);
    lines.push("BEGIN:VEVENT", `UID:${uid}`, stamp, `DTSTART;VALUE=DATE:${dateOnly(day)}`, `DTEND;VALUE=DATE:${dateOnly(new Date(day.getTime() + DAY))}`, ...common(), "END:VEVENT");
  } else if (kindRoll < 0.12) {
    // weekly series, starting 40–300 days ago, 09:00–17:00 wall time
    const first = new Date(today - (40 + Math.floor(r() * 260)) * DAY + (9 + Math.floor(r() * 8)) * 3600_000);
    const minutes = [30, 45, 60, 90][Math.floor(r() * 4)]!;
    const end = new Date(first.getTime() + minutes * 60_000);
    const endRoll = r();
    const rrule = endRoll < 0.4 ? "RRULE:FREQ=WEEKLY" : endRoll < 0.7 ? `RRULE:FREQ=WEEKLY;COUNT=${8 + Math.floor(r() * 20)}` : `RRULE:FREQ=WEEKLY;UNTIL=${basic(new Date(first.getTime() + (10 + Math.floor(r() * 30)) * 7 * DAY), true)}`;
    const instance = (k: number) => new Date(first.getTime() + k * 7 * DAY);
    const exdates = [1 + Math.floor(r() * 3), 4 + Math.floor(r() * 3)].slice(0, 1 + Math.floor(r() * 2));
    lines.push("BEGIN:VEVENT", `UID:${uid}`, stamp, timeProp("DTSTART", first, zone), timeProp("DTEND", end, zone), rrule, ...exdates.map((k) => timeProp("EXDATE", instance(k), zone)), ...common(), "END:VEVENT");
    // overrides: instance 2 moved by 2 hours and renamed; sometimes instance 3 cancelled
    const moved = instance(2);
    lines.push(
      "BEGIN:VEVENT", `UID:${uid}`, stamp, timeProp("RECURRENCE-ID", moved, zone),
      timeProp("DTSTART", new Date(moved.getTime() + 2 * 3600_000), zone), timeProp("DTEND", new Date(moved.getTime() + 2 * 3600_000 + minutes * 60_000), zone),
      `SUMMARY:${title} (moved)`, "END:VEVENT",
    );
    if (r() < 0.5) {
      const cancelled = instance(3);
      lines.push("BEGIN:VEVENT", `UID:${uid}`, stamp, timeProp("RECURRENCE-ID", cancelled, zone), timeProp("DTSTART", cancelled, zone), timeProp("DTEND", new Date(cancelled.getTime() + minutes * 60_000), zone), `SUMMARY:${title}`, "STATUS:CANCELLED", "END:VEVENT");
    }
  } else {
    const start = new Date(today - (1 + Math.floor(r() * 330)) * DAY + (8 + Math.floor(r() * 9)) * 3600_000 + Math.floor(r() * 4) * 15 * 60_000);
    const end = new Date(start.getTime() + [30, 60, 60, 90, 120][Math.floor(r() * 5)]! * 60_000);
    lines.push("BEGIN:VEVENT", `UID:${uid}`, stamp, timeProp("DTSTART", start, zone), timeProp("DTEND", end, zone), ...common(r() < 0.1 ? ["LOCATION:Room 4.12"] : []), "END:VEVENT");
  }
  lines.push("END:VCALENDAR", "");
  return { name, uid, ics: lines.join("\r\n") };
}
