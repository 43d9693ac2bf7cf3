/**
 * Text-level repair of what real servers emit, before ical.js sees the object: bad encodings, bare LF, folding
 * that lost its leading space, junk around the VCALENDAR, unclosed components.
 */
import { IcsParseError } from "./errors.js";

// Properties of RFC 5545/7986 and common vendor ones; other names count as properties only when written in capitals.
const KNOWN_PROPERTIES = new Set(
  (
    "BEGIN END VERSION PRODID CALSCALE METHOD UID DTSTAMP DTSTART DTEND DURATION SUMMARY DESCRIPTION LOCATION " +
    "STATUS TRANSP CLASS CATEGORIES ATTENDEE ORGANIZER RRULE RDATE EXDATE EXRULE RECURRENCE-ID SEQUENCE CREATED " +
    "LAST-MODIFIED URL PRIORITY GEO COMMENT CONTACT RELATED-TO RESOURCES ATTACH REQUEST-STATUS TZID TZNAME TZURL " +
    "TZOFFSETFROM TZOFFSETTO ACTION TRIGGER REPEAT DUE COMPLETED PERCENT-COMPLETE FREEBUSY NAME COLOR IMAGE " +
    "CONFERENCE REFRESH-INTERVAL SOURCE ACKNOWLEDGED"
  ).split(" "),
);

const CONTENT_LINE_START = /^([A-Za-z0-9-]+)[;:]/;

function isContentLine(line: string): boolean {
  const name = CONTENT_LINE_START.exec(line)?.[1];
  if (!name) return false;
  const upper = name.toUpperCase();
  return KNOWN_PROPERTIES.has(upper) || upper.startsWith("X-") || (name === upper && /[A-Z]/.test(name));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function decode(input: string | Uint8Array): string {
  // TextDecoder (not fatal) replaces invalid UTF-8 with U+FFFD.
  const text = typeof input === "string" ? input : new TextDecoder("utf-8").decode(input);
  return text.replace(/^\uFEFF/, "").replace(LONE_SURROGATE, "\uFFFD").replace(/\0/g, "");
}

/** RFC 5545 §3.1 unfolding, plus gluing continuation lines that lost their leading space. */
function unfold(text: string): string[] {
  const lines: string[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line.trim() === "") continue;
    const last = lines.length - 1;
    if (last >= 0 && (line.startsWith(" ") || line.startsWith("\t"))) lines[last] += line.slice(1);
    else if (last >= 0 && !isContentLine(line)) lines[last] += line;
    else lines.push(line);
  }
  return lines;
}

/** Keeps the VCALENDAR(s), wraps a bare VEVENT, closes components a truncated object left open. */
const MAX_COMPONENT_DEPTH = 32;

function balanceComponents(lines: string[]): string[] {
  const out: string[] = [];
  const open: string[] = [];
  const hasCalendar = lines.some((l) => /^BEGIN:VCALENDAR\s*$/i.test(l));
  if (!hasCalendar) {
    if (!lines.some((l) => /^BEGIN:VEVENT\s*$/i.test(l))) return [];
    open.push("VCALENDAR");
    out.push("BEGIN:VCALENDAR");
  }
  for (const line of lines) {
    const begin = /^BEGIN:(.+)$/i.exec(line)?.[1]?.trim().toUpperCase();
    const end = /^END:(.+)$/i.exec(line)?.[1]?.trim().toUpperCase();
    if (open.length === 0 && begin !== "VCALENDAR") continue; // junk outside any VCALENDAR
    if (begin) {
      // Real objects nest three or four levels (VCALENDAR > VEVENT > VALARM); a hostile one could
      // nest 100,000 deep, and balancing that costs time quadratic in the depth.
      if (open.length >= MAX_COMPONENT_DEPTH) throw new IcsParseError(`Calendar object nests components deeper than ${MAX_COMPONENT_DEPTH} levels`);
      open.push(begin);
      out.push(`BEGIN:${begin}`);
    } else if (end) {
      if (!open.includes(end)) continue; // stray END
      while (open.length > 0) {
        const closed = open.pop();
        out.push(`END:${closed}`);
        if (closed === end) break;
      }
    } else {
      out.push(line);
    }
  }
  while (open.length > 0) out.push(`END:${open.pop()}`);
  return out;
}

export function repairIcsText(input: string | Uint8Array): string {
  // NUL is never meaningful in iCalendar text and PostgreSQL refuses it in text columns.
  const lines = balanceComponents(unfold(decode(input).replaceAll("\u0000", "")));
  return lines.length > 0 ? `${lines.join("\r\n")}\r\n` : "";
}
