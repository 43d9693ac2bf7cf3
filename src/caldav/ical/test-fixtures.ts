import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ICAL from "ical.js";
import { parseRule, type RecurrenceRule } from "./rule.js";
import type { ExpandOptions } from "./types.js";

const FIXTURES = new URL("../../../test/fixtures/ics/", import.meta.url);

/** A fixture from test/fixtures/ics without its leading "#" provenance comments. */
export function fixture(name: string): string {
  const text = readFileSync(fileURLToPath(new URL(name, FIXTURES)), "utf8");
  return text
    .split("\n")
    .filter((line) => !line.startsWith("#"))
    .join("\n");
}

export function options(overrides: Partial<ExpandOptions> = {}): ExpandOptions {
  return {
    windowStart: new Date("2025-03-01T00:00:00Z"),
    windowEnd: new Date("2025-05-01T00:00:00Z"),
    defaultZone: "Europe/Berlin",
    importAllDay: false,
    allDayStart: "09:00",
    allDayHours: 8,
    skipFreeEvents: false,
    attendeeIdentities: ["alice@example.com", "alice"],
    ...overrides,
  };
}

/** An RRULE value as readVEvent reads it from a calendar object. */
export function ruleOf(text: string): RecurrenceRule {
  const vevent = new ICAL.Component(ICAL.parse(`BEGIN:VEVENT\r\nRRULE:${text}\r\nEND:VEVENT\r\n`) as unknown[]);
  const parsed = parseRule(vevent.getFirstProperty("rrule")?.jCal[3]);
  if (!("rule" in parsed)) throw new Error(`${text}: ${parsed.problem}`);
  return parsed.rule;
}
