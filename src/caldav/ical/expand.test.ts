import { describe, expect, it } from "vitest";
import { expandCalendarObject, IcsParseError, type ExpandOptions, type ExpandResult } from "./index.js";
import { fixture, options } from "./test-fixtures.js";

function expand(name: string, overrides: Partial<ExpandOptions> = {}): ExpandResult {
  return expandCalendarObject(fixture(name), options(overrides));
}

/** [recurrenceId, start, end] of one UID's occurrences, instants as ISO strings. */
function times(result: ExpandResult, uid: string): Array<[string | null, string, string]> {
  return result.occurrences
    .filter((o) => o.uid === uid)
    .map((o) => [o.recurrenceId, o.start.toISOString(), o.end.toISOString()]);
}

function skips(result: ExpandResult, uid?: string): Array<[string, string | null, string]> {
  return result.skipped.filter((s) => uid === undefined || s.uid === uid).map((s) => [s.uid, s.recurrenceId, s.reason]);
}

describe("single timed events", () => {
  it("UTC, with text, description and categories", () => {
    const result = expand("utc-single.ics");
    expect(result.occurrences).toEqual([
      {
        uid: "utc-single@google.com",
        recurrenceId: null,
        start: new Date("2025-03-24T13:00:00Z"),
        end: new Date("2025-03-24T14:30:00Z"),
        allDay: false,
        summary: "Alpha review",
        description: "Line one\nLine two, with comma",
        categories: ["Alpha", "Review", "Meetings"],
        transparent: false,
      },
    ]);
    expect(result.skipped).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it("TZID with VTIMEZONE", () => {
    expect(times(expand("vtimezone-berlin.ics"), "berlin-single@apple")).toEqual([
      [null, "2025-03-24T08:00:00.000Z", "2025-03-24T09:30:00.000Z"],
    ]);
  });

  it("IANA TZID without VTIMEZONE", () => {
    expect(times(expand("iana-without-vtimezone.ics"), "iana-no-vtz")).toEqual([
      [null, "2025-03-24T13:00:00.000Z", "2025-03-24T14:00:00.000Z"],
    ]);
  });

  it("vendor-prefixed IANA TZID", () => {
    expect(times(expand("mozilla-prefix.ics"), "mozilla-prefix")).toEqual([
      [null, "2025-03-24T08:00:00.000Z", "2025-03-24T09:00:00.000Z"],
    ]);
  });

  it("Windows TZIDs without VTIMEZONE", () => {
    const result = expand("windows-tzids.ics");
    expect(times(result, "win-berlin")).toEqual([[null, "2025-03-24T08:00:00.000Z", "2025-03-24T09:00:00.000Z"]]);
    expect(times(result, "win-romance")).toEqual([[null, "2025-03-24T08:00:00.000Z", "2025-03-24T09:00:00.000Z"]]);
    expect(times(result, "win-eastern")).toEqual([[null, "2025-03-24T13:00:00.000Z", "2025-03-24T14:00:00.000Z"]]);
    expect(times(result, "win-pacific")).toEqual([[null, "2025-03-24T16:00:00.000Z", "2025-03-24T17:00:00.000Z"]]);
    expect(result.warnings).toEqual([]);
  });

  it("Zimbra / Outlook display-name TZIDs without VTIMEZONE", () => {
    const result = expand("display-name-tzids.ics");
    expect(times(result, "zimbra-gmt")).toEqual([[null, "2025-03-24T08:00:00.000Z", "2025-03-24T09:00:00.000Z"]]);
    expect(times(result, "outlook-utc")).toEqual([[null, "2025-03-24T08:00:00.000Z", "2025-03-24T09:00:00.000Z"]]);
    expect(times(result, "zimbra-eastern")).toEqual([[null, "2025-03-24T13:00:00.000Z", "2025-03-24T14:00:00.000Z"]]);
    expect(times(result, "zimbra-pacific")).toEqual([[null, "2025-03-24T16:00:00.000Z", "2025-03-24T17:00:00.000Z"]]);
    expect(result.warnings).toEqual([]);
  });

  it("floating times are in the integration's zone", () => {
    expect(times(expand("floating.ics"), "floating-1")).toEqual([[null, "2025-03-24T08:00:00.000Z", "2025-03-24T09:00:00.000Z"]]);
    expect(times(expand("floating.ics", { defaultZone: "America/New_York" }), "floating-1")).toEqual([
      [null, "2025-03-24T13:00:00.000Z", "2025-03-24T14:00:00.000Z"],
    ]);
  });

  it("DURATION: exact hours, and P1D as a calendar day across the DST change", () => {
    const result = expand("duration.ics");
    expect(times(result, "duration-1")).toEqual([[null, "2025-03-24T08:00:00.000Z", "2025-03-24T09:30:00.000Z"]]);
    expect(times(result, "duration-nominal-day")).toEqual([[null, "2025-03-29T11:00:00.000Z", "2025-03-30T10:00:00.000Z"]]);
  });

  it("missing end, end before start and zero length → INVALID_TIME", () => {
    const result = expand("invalid-times.ics");
    expect(result.occurrences).toEqual([]);
    expect(skips(result)).toEqual([
      ["end-before-start", null, "INVALID_TIME"],
      ["no-end", null, "INVALID_TIME"],
      ["zero-length", null, "INVALID_TIME"],
    ]);
  });

  it("unknown TZID falls back to the integration's zone with a warning", () => {
    const result = expand("unknown-tzid.ics");
    expect(times(result, "unknown-tz")).toEqual([[null, "2025-03-24T08:00:00.000Z", "2025-03-24T09:00:00.000Z"]]);
    expect(result.warnings).toEqual(['Unknown time zone "Foo/Bar" in event unknown-tz: used Europe/Berlin']);
  });

  it("only reports what starts in [windowStart, windowEnd)", () => {
    const at = (start: string, end: string) =>
      expand("invalid-times.ics", { windowStart: new Date(start), windowEnd: new Date(end) }).skipped.length;
    expect(at("2025-03-24T09:00:00Z", "2025-03-24T09:00:01Z")).toBe(3);
    expect(at("2025-03-24T08:00:00Z", "2025-03-24T09:00:00Z")).toBe(0);
    expect(at("2025-03-24T09:00:01Z", "2025-03-25T00:00:00Z")).toBe(0);
  });
});

describe("recurrence", () => {
  it("weekly series with EXDATE and moved, retitled and cancelled overrides (UNTIL boundary included)", () => {
    const result = expand("weekly-overrides.ics");
    expect(times(result, "weekly-1")).toEqual([
      ["2025-03-03T08:00:00Z", "2025-03-03T08:00:00.000Z", "2025-03-03T09:00:00.000Z"],
      ["2025-03-10T08:00:00Z", "2025-03-10T08:00:00.000Z", "2025-03-10T09:00:00.000Z"],
      ["2025-03-24T08:00:00Z", "2025-03-24T13:00:00.000Z", "2025-03-24T14:30:00.000Z"],
      ["2025-04-07T07:00:00Z", "2025-04-07T07:00:00.000Z", "2025-04-07T08:00:00.000Z"],
      ["2025-04-14T07:00:00Z", "2025-04-14T07:00:00.000Z", "2025-04-14T08:00:00.000Z"],
    ]);
    const byId = new Map(result.occurrences.map((o) => [o.recurrenceId, o]));
    expect(byId.get("2025-03-24T08:00:00Z")?.summary).toBe("Weekly sync (moved)");
    expect(byId.get("2025-04-07T07:00:00Z")).toMatchObject({ summary: "Weekly sync - retitled", description: "Agenda changed" });
    expect(skips(result)).toEqual([["weekly-1", "2025-03-31T07:00:00Z", "CANCELLED"]]);
  });

  it("an override moved into the window is included, one moved out is not", () => {
    const result = expand("override-moved-across-window.ics", {
      windowStart: new Date("2025-06-05T00:00:00Z"),
      windowEnd: new Date("2025-06-20T00:00:00Z"),
    });
    const ids = times(result, "moved@google.com").map(([id, start]) => `${id} ${start}`);
    expect(ids).toContain("2025-07-05T08:00:00Z 2025-06-15T12:00:00.000Z");
    expect(ids.some((id) => id.startsWith("2025-06-10T08:00:00Z"))).toBe(false);
    expect(ids).toHaveLength(15); // 06-05 … 06-19 is 15 days: −1 moved out, +1 moved in
  });

  it("an override whose new start is outside the window is not reported", () => {
    const result = expand("override-moved-across-window.ics", {
      windowStart: new Date("2025-07-01T00:00:00Z"),
      windowEnd: new Date("2025-07-10T00:00:00Z"),
    });
    expect(times(result, "moved@google.com").map(([id]) => id)).toEqual([
      "2025-07-01T08:00:00Z",
      "2025-07-02T08:00:00Z",
      "2025-07-03T08:00:00Z",
      "2025-07-04T08:00:00Z",
      "2025-07-06T08:00:00Z",
      "2025-07-07T08:00:00Z",
      "2025-07-08T08:00:00Z",
      "2025-07-09T08:00:00Z",
    ]);
  });

  it("COUNT, UNTIL (inclusive) and RDATE incl. PERIOD", () => {
    const result = expand("count-until-rdate.ics");
    expect(times(result, "count-3").map(([id]) => id)).toEqual(["2025-03-03T09:00:00Z", "2025-03-10T09:00:00Z", "2025-03-17T09:00:00Z"]);
    expect(times(result, "until-inclusive").map(([id]) => id)).toEqual(["2025-03-03T09:00:00Z", "2025-03-05T09:00:00Z", "2025-03-07T09:00:00Z"]);
    expect(times(result, "rdate")).toEqual([
      ["2025-03-03T09:00:00Z", "2025-03-03T09:00:00.000Z", "2025-03-03T10:00:00.000Z"],
      ["2025-03-05T14:00:00Z", "2025-03-05T14:00:00.000Z", "2025-03-05T15:00:00.000Z"],
      ["2025-03-10T09:00:00Z", "2025-03-10T09:00:00.000Z", "2025-03-10T10:00:00.000Z"],
      ["2025-03-12T08:00:00Z", "2025-03-12T08:00:00.000Z", "2025-03-12T10:00:00.000Z"],
    ]);
  });

  it("COUNT is counted from DTSTART even when the window starts later", () => {
    const result = expand("count-until-rdate.ics", { windowStart: new Date("2025-03-09T00:00:00Z") });
    expect(times(result, "count-3").map(([id]) => id)).toEqual(["2025-03-10T09:00:00Z", "2025-03-17T09:00:00Z"]);
  });

  it("an infinite weekday series since 2012 is bounded by the window, without a warning", () => {
    const result = expand("unbounded-series.ics", {
      windowStart: new Date("2025-03-28T00:00:00Z"),
      windowEnd: new Date("2025-04-05T00:00:00Z"),
    });
    expect(times(result, "daily-forever")).toEqual([
      ["2025-03-28T08:15:00Z", "2025-03-28T08:15:00.000Z", "2025-03-28T08:30:00.000Z"],
      ["2025-03-31T07:15:00Z", "2025-03-31T07:15:00.000Z", "2025-03-31T07:30:00.000Z"],
      ["2025-04-01T07:15:00Z", "2025-04-01T07:15:00.000Z", "2025-04-01T07:30:00.000Z"],
      ["2025-04-02T07:15:00Z", "2025-04-02T07:15:00.000Z", "2025-04-02T07:30:00.000Z"],
      ["2025-04-03T07:15:00Z", "2025-04-03T07:15:00.000Z", "2025-04-03T07:30:00.000Z"],
      ["2025-04-04T07:15:00Z", "2025-04-04T07:15:00.000Z", "2025-04-04T07:30:00.000Z"],
    ]);
    expect(result.warnings).toEqual(["Series secondly stopped after 10000 occurrences"]);
  });

  it("a biweekly series from 2020 keeps its week phase when iteration skips ahead to the window", () => {
    const ics = [
      "BEGIN:VCALENDAR",
      "BEGIN:VEVENT",
      "UID:biweekly",
      "DTSTART;TZID=Europe/Berlin:20200106T100000",
      "DTEND;TZID=Europe/Berlin:20200106T110000",
      "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
      "END:VEVENT",
      "END:VCALENDAR",
    ].join("\r\n");
    const result = expandCalendarObject(ics, options({ windowEnd: new Date("2025-03-20T00:00:00Z"), maxOccurrencesPerSeries: 20 }));
    expect(times(result, "biweekly").map(([id]) => id)).toEqual(["2025-03-10T09:00:00Z", "2025-03-13T09:00:00Z"]);
    expect(result.warnings).toEqual([]);
  });

  it("FREQ=SECONDLY without end stops at the cap with a warning", () => {
    const result = expand("unbounded-series.ics", { maxOccurrencesPerSeries: 500 });
    const secondly = times(result, "secondly");
    expect(secondly).toHaveLength(500);
    expect(secondly.at(-1)?.[1]).toBe("2025-03-01T00:08:19.000Z");
    expect(result.warnings).toEqual(["Series secondly stopped after 500 occurrences"]);
  });

  it("two UIDs in one object: each master gets only its own overrides", () => {
    const result = expand("two-uids-overrides.ics");
    expect(times(result, "series-a")).toEqual([
      ["2025-03-03T09:00:00Z", "2025-03-03T09:00:00.000Z", "2025-03-03T10:00:00.000Z"],
      ["2025-03-04T09:00:00Z", "2025-03-04T09:00:00.000Z", "2025-03-04T10:00:00.000Z"],
      ["2025-03-05T09:00:00Z", "2025-03-05T07:00:00.000Z", "2025-03-05T08:00:00.000Z"],
    ]);
    expect(times(result, "series-b")).toEqual([
      ["2025-03-03T09:00:00Z", "2025-03-03T09:00:00.000Z", "2025-03-03T10:00:00.000Z"],
      ["2025-03-04T09:00:00Z", "2025-03-04T15:00:00.000Z", "2025-03-04T16:00:00.000Z"],
      ["2025-03-05T09:00:00Z", "2025-03-05T09:00:00.000Z", "2025-03-05T10:00:00.000Z"],
    ]);
  });

  it("an override without master is a single occurrence keyed by its RECURRENCE-ID", () => {
    expect(times(expand("orphan-override.ics"), "orphan@google.com")).toEqual([
      ["2025-03-24T08:00:00Z", "2025-03-24T10:00:00.000Z", "2025-03-24T11:00:00.000Z"],
    ]);
  });

  it("the recurrenceId of an instance is the same whether a RECURRENCE-ID overrides it or not", () => {
    const withOverride = expand("weekly-overrides.ics");
    const masterOnly = expandCalendarObject(fixture("weekly-overrides.ics").split("BEGIN:VEVENT").slice(0, 2).join("BEGIN:VEVENT") + "END:VCALENDAR\n", options());
    expect(withOverride.occurrences.map((o) => o.recurrenceId).concat(withOverride.skipped.map((s) => s.recurrenceId)).sort()).toEqual(
      masterOnly.occurrences.map((o) => o.recurrenceId).sort(),
    );
  });

  it("an override may leave out what did not change: it inherits title and length from the master", () => {
    const ics = fixture("weekly-overrides.ics").replace(
      "BEGIN:VEVENT\nUID:weekly-1\nDTSTAMP:20250301T000000Z\nRECURRENCE-ID;TZID=Europe/Berlin:20250324T090000\nDTSTART;TZID=Europe/Berlin:20250324T140000\nDTEND;TZID=Europe/Berlin:20250324T153000\nSUMMARY:Weekly sync (moved)\n",
      "BEGIN:VEVENT\nUID:weekly-1\nRECURRENCE-ID;TZID=Europe/Berlin:20250324T090000\nDTSTART;TZID=Europe/Berlin:20250324T140000\n",
    );
    const moved = expandCalendarObject(ics, options()).occurrences.find((o) => o.recurrenceId === "2025-03-24T08:00:00Z");
    expect(moved).toMatchObject({ summary: "Weekly sync", start: new Date("2025-03-24T13:00:00Z"), end: new Date("2025-03-24T14:00:00Z") });
  });
});

describe("time zones and DST", () => {
  it("a weekly 09:00 Europe/Berlin meeting stays 09:00 local across the last Sunday of March and October", () => {
    const march = times(expand("dst-weeks.ics", { windowEnd: new Date("2025-04-08T00:00:00Z") }), "dst-berlin");
    expect(march.map(([, start]) => start)).toEqual([
      "2025-03-17T08:00:00.000Z",
      "2025-03-24T08:00:00.000Z",
      "2025-03-31T07:00:00.000Z",
      "2025-04-07T07:00:00.000Z",
    ]);
    const october = times(
      expand("dst-weeks.ics", { windowStart: new Date("2025-10-20T00:00:00Z"), windowEnd: new Date("2025-11-04T00:00:00Z") }),
      "dst-berlin",
    );
    expect(october.map(([, start]) => start)).toEqual(["2025-10-20T07:00:00.000Z", "2025-10-27T08:00:00.000Z", "2025-11-03T08:00:00.000Z"]);
  });

  it("a weekly 09:00 America/New_York meeting stays 09:00 local across the 2nd Sunday of March and 1st of November", () => {
    const march = times(expand("dst-weeks.ics", { windowEnd: new Date("2025-03-18T00:00:00Z") }), "dst-newyork");
    expect(march.map(([, start]) => start)).toEqual(["2025-03-03T14:00:00.000Z", "2025-03-10T13:00:00.000Z", "2025-03-17T13:00:00.000Z"]);
    const november = times(
      expand("dst-weeks.ics", { windowStart: new Date("2025-10-27T00:00:00Z"), windowEnd: new Date("2025-11-11T00:00:00Z") }),
      "dst-newyork",
    );
    expect(november.map(([, start]) => start)).toEqual(["2025-10-27T13:00:00.000Z", "2025-11-03T14:00:00.000Z", "2025-11-10T14:00:00.000Z"]);
  });

  it("Outlook VTIMEZONE starting in 1601 with a Windows TZID", () => {
    expect(times(expand("outlook-1601-vtimezone.ics"), "040000008200E00074C5B7101A82E00800000000")).toEqual([
      ["2025-03-17T08:00:00Z", "2025-03-17T08:00:00.000Z", "2025-03-17T09:00:00.000Z"],
      ["2025-03-24T08:00:00Z", "2025-03-24T08:00:00.000Z", "2025-03-24T09:00:00.000Z"],
      ["2025-03-31T07:00:00Z", "2025-03-31T07:00:00.000Z", "2025-03-31T08:00:00.000Z"],
    ]);
  });

  it("Zimbra: display-name TZID with 1601 VTIMEZONE, DTEND wins over DURATION", () => {
    expect(times(expand("zimbra-dtend-and-duration.ics"), "zimbra-both@example.com")).toEqual([
      [null, "2025-04-01T12:00:00.000Z", "2025-04-01T13:00:00.000Z"],
    ]);
  });
});

describe("all-day events", () => {
  it("are skipped as ALL_DAY unless imported, with the same keys either way", () => {
    const skipped = expand("all-day.ics");
    expect(skipped.occurrences).toEqual([]);
    const imported = expand("all-day.ics", { importAllDay: true });
    expect(skipped.skipped.every((s) => s.reason === "ALL_DAY")).toBe(true);
    expect(skipped.skipped.map((s) => `${s.uid} ${s.recurrenceId}`).sort()).toEqual(
      imported.occurrences.map((o) => `${o.uid} ${o.recurrenceId}`).sort(),
    );
  });

  it("single and multi-day events give one entry per day at allDayStart in the integration's zone", () => {
    const result = expand("all-day.ics", { importAllDay: true });
    expect(times(result, "allday-single")).toEqual([["2025-03-24", "2025-03-24T08:00:00.000Z", "2025-03-24T16:00:00.000Z"]]);
    expect(times(result, "allday-multi")).toEqual([
      ["2025-03-26", "2025-03-26T08:00:00.000Z", "2025-03-26T16:00:00.000Z"],
      ["2025-03-27", "2025-03-27T08:00:00.000Z", "2025-03-27T16:00:00.000Z"],
      ["2025-03-28", "2025-03-28T08:00:00.000Z", "2025-03-28T16:00:00.000Z"],
    ]);
    expect(times(result, "allday-implicit")).toEqual([["2025-04-01", "2025-04-01T07:00:00.000Z", "2025-04-01T15:00:00.000Z"]]);
    expect(result.occurrences.every((o) => o.allDay)).toBe(true);
  });

  it("recurring multi-day instances are keyed by instance and day", () => {
    const result = expand("all-day.ics", { importAllDay: true, allDayStart: "08:30", allDayHours: 4, defaultZone: "America/New_York" });
    expect(times(result, "allday-weekly")).toEqual([
      ["2025-03-03", "2025-03-03T13:30:00.000Z", "2025-03-03T17:30:00.000Z"],
      ["2025-03-03/2025-03-04", "2025-03-04T13:30:00.000Z", "2025-03-04T17:30:00.000Z"],
      ["2025-03-10", "2025-03-10T12:30:00.000Z", "2025-03-10T16:30:00.000Z"],
      ["2025-03-10/2025-03-11", "2025-03-11T12:30:00.000Z", "2025-03-11T16:30:00.000Z"],
    ]);
  });

  it("a multi-day event that started before the window contributes only its days in the window", () => {
    const result = expand("all-day.ics", { importAllDay: true, windowStart: new Date("2025-03-27T00:00:00Z") });
    expect(times(result, "allday-multi").map(([id]) => id)).toEqual(["2025-03-27", "2025-03-28"]);
  });
});

describe("not work", () => {
  it("cancelled master cancels the whole series incl. overrides; declined by us; transparent imported", () => {
    const result = expand("not-work.ics");
    expect(skips(result)).toEqual([
      ["cancelled-series", "2025-03-03T09:00:00Z", "CANCELLED"],
      ["cancelled-series", "2025-03-10T09:00:00Z", "CANCELLED"],
      ["declined", null, "DECLINED"],
      ["declined-principal", null, "DECLINED"],
    ]);
    expect(result.occurrences.map((o) => [o.uid, o.transparent])).toEqual([
      ["declined-by-other", false],
      ["free", true],
    ]);
  });

  it("TRANSP:TRANSPARENT → FREE when skipFreeEvents", () => {
    expect(skips(expand("not-work.ics", { skipFreeEvents: true }), "free")).toEqual([["free", null, "FREE"]]);
  });

  it("declines only count for the integration's identities", () => {
    const result = expand("not-work.ics", { attendeeIdentities: ["carol@example.com"] });
    expect(skips(result, "declined-by-other")).toEqual([["declined-by-other", null, "DECLINED"]]);
    expect(times(result, "declined")).toHaveLength(1);
  });
});

describe("tolerant parsing", () => {
  it("broken folding is repaired", () => {
    const [occurrence] = expand("broken-folding.ics").occurrences;
    expect(occurrence?.summary).toBe("Quarterly planning for the Alpha project with all teams");
  });

  it("missing DTSTAMP is fine; missing UID gets a stable derived one and a warning", () => {
    const first = expand("missing-dtstamp-and-uid.ics");
    const second = expand("missing-dtstamp-and-uid.ics");
    expect(first.occurrences.map((o) => o.summary)).toEqual(["No DTSTAMP", "No UID"]);
    const derived = first.occurrences[1]?.uid;
    expect(derived).toMatch(/^derived-[0-9a-f]{32}$/);
    expect(second.occurrences[1]?.uid).toBe(derived);
    expect(first.warnings).toEqual([`Event without UID: derived ${derived}`]);
  });

  it("CRLF and LF fixtures give the same result", () => {
    const lf = fixture("weekly-overrides.ics");
    expect(expandCalendarObject(lf.replace(/\n/g, "\r\n"), options())).toEqual(expandCalendarObject(lf, options()));
  });

  it("invalid UTF-8 bytes are replaced instead of failing the object", () => {
    const bytes = new TextEncoder().encode(fixture("utc-single.ics").replace("Alpha review", "Alpha r#view"));
    bytes[bytes.indexOf(0x23)] = 0xc3; // truncated two-byte sequence
    expect(expandCalendarObject(bytes, options()).occurrences[0]?.summary).toBe("Alpha r\uFFFDview");
  });

  it("garbage → IcsParseError", () => {
    expect(() => expand("garbage.ics")).toThrow(IcsParseError);
  });

  it("an RRULE that cannot be followed refuses the series, with a warning naming the rule", () => {
    const ics = fixture("utc-single.ics").replace("UID:utc-single@google.com", "UID:utc-single@google.com\nRRULE:garbage");
    const result = expandCalendarObject(ics, options());
    expect(times(result, "utc-single@google.com")).toEqual([]);
    expect(result.warnings).toEqual([
      'Recurring event utc-single@google.com was not imported: its RRULE "GARBAGE" has the unknown part GARBAGE. Change the series in your calendar app to import it.',
    ]);
  });

  it("an RRULE with an unknown FREQ makes the object unparseable", () => {
    const ics = fixture("utc-single.ics").replace("UID:utc-single@google.com", "UID:utc-single@google.com\nRRULE:FREQ=FOO");
    expect(() => expandCalendarObject(ics, options())).toThrow("Calendar object (UID utc-single@google.com) could not be parsed");
  });

  it("an event without a valid DTSTART makes the object unreadable (not empty)", () => {
    const ics = fixture("utc-single.ics").replace("DTSTART:20250324T130000Z", "DTSTART:tomorrow");
    expect(() => expandCalendarObject(ics, options())).toThrow("Calendar object (UID utc-single@google.com) has no valid DTSTART");
  });
});
