import { describe, expect, it } from "vitest";
import { IcsParseError } from "./errors.js";
import { parseCalendarObject } from "./parse.js";
import { repairIcsText } from "./repair.js";
import { fixture } from "./test-fixtures.js";

const EVENT = ["BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:x", "DTSTART:20250324T090000Z", "END:VEVENT", "END:VCALENDAR"];

describe("repairIcsText", () => {
  it("accepts bare LF, CR and CRLF line endings alike", () => {
    const expected = `${EVENT.join("\r\n")}\r\n`;
    expect(repairIcsText(EVENT.join("\n"))).toBe(expected);
    expect(repairIcsText(EVENT.join("\r"))).toBe(expected);
    expect(repairIcsText(EVENT.join("\r\n"))).toBe(expected);
  });

  it("unfolds correct folds and glues continuation lines that lost their leading space", () => {
    const text = repairIcsText(fixture("broken-folding.ics"));
    expect(text).toContain("SUMMARY:Quarterly planning for the Alpha project with all teams\r\n");
    expect(text).toContain(
      "DESCRIPTION:First part of a long description that a server folded at 75 octets and thenAgenda: lost the spaceand a correct fold.\r\n",
    );
  });

  it("keeps unknown upper-case and X- properties as properties", () => {
    const text = repairIcsText(["BEGIN:VCALENDAR", "X-WR-CALNAME:Work", "COLOR:red", "END:VCALENDAR"].join("\n"));
    expect(text.split("\r\n")).toEqual(["BEGIN:VCALENDAR", "X-WR-CALNAME:Work", "COLOR:red", "END:VCALENDAR", ""]);
  });

  it("replaces invalid UTF-8 and lone surrogates", () => {
    const bytes = new TextEncoder().encode(EVENT.join("\r\n").replace("UID:x", "UID:x\r\nSUMMARY:Caf\u00e9 XX"));
    const broken = new Uint8Array([...bytes]);
    const at = bytes.indexOf(0x58); // the first "X" of "XX"
    broken[at] = 0xff;
    expect(repairIcsText(broken)).toContain("SUMMARY:Café \uFFFDX");
    expect(repairIcsText(EVENT.join("\n").replace("UID:x", "UID:x\nSUMMARY:a\uD800b"))).toContain("SUMMARY:a\uFFFDb");
  });

  it("drops junk around the calendar and closes a truncated object", () => {
    const text = repairIcsText(["HTTP/1.1 200 OK", "", "BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:x", "DTSTART:20250324T090000Z"].join("\n"));
    expect(text.split("\r\n")).toEqual(["BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:x", "DTSTART:20250324T090000Z", "END:VEVENT", "END:VCALENDAR", ""]);
  });

  it("wraps a bare VEVENT and drops stray END lines", () => {
    const text = repairIcsText(["BEGIN:VEVENT", "UID:x", "END:VTODO", "END:VEVENT"].join("\n"));
    expect(text.split("\r\n")).toEqual(["BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:x", "END:VEVENT", "END:VCALENDAR", ""]);
  });
});

describe("parseCalendarObject", () => {
  it("throws IcsParseError for data that is not iCalendar", () => {
    expect(() => parseCalendarObject(fixture("garbage.ics"))).toThrow(IcsParseError);
    expect(() => parseCalendarObject("")).toThrow(IcsParseError);
  });

  it("throws IcsParseError naming only the UID when ical.js cannot parse the repaired text", () => {
    const bad = ["BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:bad-1", 'DTSTART;TZID="unterminated:20250324T090000', "END:VEVENT", "END:VCALENDAR"].join("\n");
    let error: unknown;
    try {
      parseCalendarObject(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IcsParseError);
    expect((error as IcsParseError).code).toBe("ICS_PARSE_ERROR");
    expect((error as IcsParseError).message).toBe("Calendar object (UID bad-1) could not be parsed");
  });

  it("returns every VCALENDAR of a concatenated object", () => {
    const one = EVENT.join("\r\n");
    expect(parseCalendarObject(`${one}\r\n${one.replace("UID:x", "UID:y")}`)).toHaveLength(2);
  });
});
