import ICAL from "ical.js";
import { IcsParseError } from "./errors.js";
import { repairIcsText } from "./repair.js";

function uidHint(text: string): string {
  const uid = /^UID:(.{1,200})$/im.exec(text)?.[1]?.trim();
  return uid ? ` (UID ${uid})` : "";
}

/** Repairs and parses one calendar object resource into its VCALENDAR component(s). */
export function parseCalendarObject(ics: string | Uint8Array): ICAL.Component[] {
  const text = repairIcsText(ics);
  if (text === "") throw new IcsParseError("Calendar object is not iCalendar data");
  let jcal: unknown;
  try {
    jcal = ICAL.parse(text);
  } catch {
    throw new IcsParseError(`Calendar object${uidHint(text)} could not be parsed`);
  }
  // One root gives a component, several give a list of components.
  const roots: unknown[] = Array.isArray(jcal) && Array.isArray(jcal[0]) ? jcal : [jcal];
  return roots
    .filter((root): root is unknown[] => Array.isArray(root) && root[0] === "vcalendar")
    .map((root) => new ICAL.Component(root));
}
