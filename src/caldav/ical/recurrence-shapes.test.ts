import { describe, expect, it } from "vitest";
import { calendarOccurrenceBudget, expandCalendarObject, type ExpandOptions } from "./index.js";
import { options } from "./test-fixtures.js";

/** Rule shapes that were silently wrong before (issue: recurrence exactly as RFC 5545 says); expected values from the RFC. */

function vcalendar(...lines: string[]): string {
  return ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//shapes//EN", ...lines, "END:VCALENDAR", ""].join("\r\n");
}

function vevent(...lines: string[]): string[] {
  return ["BEGIN:VEVENT", "DTSTAMP:20250101T000000Z", ...lines, "END:VEVENT"];
}

function starts(ics: string, overrides: Partial<ExpandOptions> = {}): string[] {
  return expandCalendarObject(ics, options(overrides)).occurrences.map((o) => o.start.toISOString());
}

const window = (from: string, to: string): Partial<ExpandOptions> => ({ windowStart: new Date(from), windowEnd: new Date(to) });

describe("rule shapes", () => {
  it("FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO gives the Monday of week 20 only: 3 instances in 1997-1999", () => {
    const ics = vcalendar(...vevent("UID:weekno", "DTSTART:19970512T090000Z", "DURATION:PT1H", "RRULE:FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO"));
    expect(starts(ics, window("1997-01-01T00:00:00Z", "2000-01-01T00:00:00Z"))).toEqual([
      "1997-05-12T09:00:00.000Z",
      "1998-05-11T09:00:00.000Z",
      "1999-05-17T09:00:00.000Z",
    ]);
  });

  it("BYSETPOS on a WEEKLY rule: the last of Monday/Friday each week is the Friday", () => {
    const ics = vcalendar(...vevent("UID:setpos-weekly", "DTSTART:20250307T090000Z", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;BYDAY=MO,FR;BYSETPOS=-1;COUNT=4"));
    expect(starts(ics)).toEqual(["2025-03-07T09:00:00.000Z", "2025-03-14T09:00:00.000Z", "2025-03-21T09:00:00.000Z", "2025-03-28T09:00:00.000Z"]);
  });

  it("BYSETPOS on a DAILY rule picks among the day's times", () => {
    const ics = vcalendar(...vevent("UID:setpos-daily", "DTSTART:20250303T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;BYHOUR=9,17;BYSETPOS=-1;COUNT=3"));
    // DTSTART (09:00) is the first instance, then the last time of each day.
    expect(starts(ics)).toEqual(["2025-03-03T09:00:00.000Z", "2025-03-03T17:00:00.000Z", "2025-03-04T17:00:00.000Z", "2025-03-05T17:00:00.000Z"]);
  });

  it("a DTSTART that is not an instance of the rule comes on top of COUNT (what Google and Apple show)", () => {
    const ics = vcalendar(...vevent("UID:unsynced", "DTSTART:20250303T090000Z", "DURATION:PT1H", "RRULE:FREQ=MONTHLY;BYMONTHDAY=15;COUNT=3"));
    expect(starts(ics, window("2025-03-01T00:00:00Z", "2025-07-01T00:00:00Z"))).toEqual([
      "2025-03-03T09:00:00.000Z",
      "2025-03-15T09:00:00.000Z",
      "2025-04-15T09:00:00.000Z",
      "2025-05-15T09:00:00.000Z",
    ]);
  });

  it("a DTSTART on the rule counts as one of COUNT", () => {
    const ics = vcalendar(...vevent("UID:synced", "DTSTART:20250315T090000Z", "DURATION:PT1H", "RRULE:FREQ=MONTHLY;BYMONTHDAY=15;COUNT=3"));
    expect(starts(ics, window("2025-03-01T00:00:00Z", "2025-07-01T00:00:00Z"))).toEqual([
      "2025-03-15T09:00:00.000Z",
      "2025-04-15T09:00:00.000Z",
      "2025-05-15T09:00:00.000Z",
    ]);
  });

  it("EXRULE (RFC 2445, still written by Lotus Notes) removes its instances", () => {
    const ics = vcalendar(...vevent("UID:exrule", "DTSTART:20250303T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=8", "EXRULE:FREQ=WEEKLY;BYDAY=SA,SU"));
    expect(starts(ics)).toEqual(["03", "04", "05", "06", "07", "10"].map((d) => `2025-03-${d}T09:00:00.000Z`));
  });

  it("a sub-daily rule on an all-day event is refused with a warning naming the rule", () => {
    const ics = vcalendar(...vevent("UID:hourly-day", "DTSTART;VALUE=DATE:20250303", "RRULE:FREQ=HOURLY;COUNT=3"));
    const result = expandCalendarObject(ics, options({ importAllDay: true }));
    expect(result.occurrences).toEqual([]);
    expect(result.warnings).toEqual([
      'Recurring event hourly-day was not imported: its RRULE "FREQ=HOURLY;COUNT=3" repeats within a day, but the event lasts whole days. Change the series in your calendar app to import it.',
    ]);
  });
});

describe("all-day series with a DATE-TIME UNTIL", () => {
  // 2025-03-05T23:00:00Z is already March 6 in Berlin and still March 5 in New York; the series names March 5.
  const ics = vcalendar(...vevent("UID:allday-until", "DTSTART;VALUE=DATE:20250303", "DTEND;VALUE=DATE:20250304", "RRULE:FREQ=DAILY;UNTIL=20250305T230000Z"));

  it.each(["Europe/Berlin", "America/New_York", "Pacific/Kiritimati"])("has the same days for a user in %s", (defaultZone) => {
    const result = expandCalendarObject(ics, options({ importAllDay: true, defaultZone }));
    expect(result.occurrences.map((o) => o.recurrenceId)).toEqual(["2025-03-03", "2025-03-04", "2025-03-05"]);
  });
});

describe("RECURRENCE-ID in any form", () => {
  const master = vevent(
    "UID:rid",
    "DTSTART;TZID=America/New_York:20250303T090000",
    "DTEND;TZID=America/New_York:20250303T100000",
    "RRULE:FREQ=DAILY;COUNT=3",
    "SUMMARY:Standup",
  );
  const moved = (recurrenceId: string) => vcalendar(...master, ...vevent("UID:rid", recurrenceId, "DTSTART;TZID=America/New_York:20250304T150000", "DTEND;TZID=America/New_York:20250304T160000", "SUMMARY:Moved"));

  it.each([
    ["zoned", "RECURRENCE-ID;TZID=America/New_York:20250304T090000"],
    ["UTC", "RECURRENCE-ID:20250304T140000Z"],
    ["floating (read in the series' zone, not the user's)", "RECURRENCE-ID:20250304T090000"],
    ["DATE (the instance on that day)", "RECURRENCE-ID;VALUE=DATE:20250304"],
  ])("%s replaces its instance", (_form, recurrenceId) => {
    const result = expandCalendarObject(moved(recurrenceId), options({ defaultZone: "Europe/Berlin" }));
    expect(result.occurrences.map((o) => [o.recurrenceId, o.start.toISOString(), o.summary])).toEqual([
      ["2025-03-03T14:00:00Z", "2025-03-03T14:00:00.000Z", "Standup"],
      ["2025-03-04T14:00:00Z", "2025-03-04T20:00:00.000Z", "Moved"],
      ["2025-03-05T14:00:00Z", "2025-03-05T14:00:00.000Z", "Standup"],
    ]);
  });

  it("RANGE=THISANDFUTURE moves that instance and all later ones (RFC 5545 §3.8.4.4)", () => {
    const ics = vcalendar(
      ...vevent("UID:future", "DTSTART;TZID=Europe/Berlin:20250303T090000", "DTEND;TZID=Europe/Berlin:20250303T100000", "RRULE:FREQ=WEEKLY;COUNT=5", "SUMMARY:Planning"),
      ...vevent(
        "UID:future",
        "RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20250317T090000",
        "DTSTART;TZID=Europe/Berlin:20250317T110000",
        "DTEND;TZID=Europe/Berlin:20250317T113000",
        "SUMMARY:Planning (new time)",
      ),
    );
    const result = expandCalendarObject(ics, options());
    expect(result.warnings).toEqual([]);
    expect(result.occurrences.map((o) => [o.recurrenceId, o.start.toISOString(), o.end.toISOString(), o.summary])).toEqual([
      ["2025-03-03T08:00:00Z", "2025-03-03T08:00:00.000Z", "2025-03-03T09:00:00.000Z", "Planning"],
      ["2025-03-10T08:00:00Z", "2025-03-10T08:00:00.000Z", "2025-03-10T09:00:00.000Z", "Planning"],
      ["2025-03-17T08:00:00Z", "2025-03-17T10:00:00.000Z", "2025-03-17T10:30:00.000Z", "Planning (new time)"],
      ["2025-03-24T08:00:00Z", "2025-03-24T10:00:00.000Z", "2025-03-24T10:30:00.000Z", "Planning (new time)"],
      // After the change to summer time, the two hours later stay two hours of elapsed time.
      ["2025-03-31T07:00:00Z", "2025-03-31T09:00:00.000Z", "2025-03-31T09:30:00.000Z", "Planning (new time)"],
    ]);
  });
});

describe("occurrence caps", () => {
  const daily = (uid: string) => vevent(`UID:${uid}`, "DTSTART:20250301T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY");

  it("stop the series of one object together at the object's limit, with a warning", () => {
    const result = expandCalendarObject(vcalendar(...daily("a"), ...daily("b")), options({ maxOccurrencesPerObject: 50 }));
    expect(result.occurrences).toHaveLength(50);
    expect(result.warnings).toEqual([
      "The limit of 50 occurrences per calendar object was reached at event a: later occurrences were not imported. Shorten the sync window or end the series that repeat most often.",
    ]);
  });

  it("stop a calendar's objects at the calendar's limit, with one warning", () => {
    const calendarBudget = calendarOccurrenceBudget(70);
    const first = expandCalendarObject(vcalendar(...daily("first")), options({ calendarBudget }));
    const second = expandCalendarObject(vcalendar(...daily("second")), options({ calendarBudget }));
    // March and April: 61 days, plus May 1, which expansion computes as a day of margin around the window; the
    // second object gets what is left.
    expect(first.occurrences).toHaveLength(61);
    expect(first.warnings).toEqual([]);
    expect(second.occurrences).toHaveLength(70 - 62);
    expect(second.warnings).toEqual([
      "The limit of 70 occurrences per calendar was reached at event second: later occurrences were not imported. Shorten the sync window or end the series that repeat most often.",
    ]);
    expect(expandCalendarObject(vcalendar(...daily("third")), options({ calendarBudget })).occurrences).toEqual([]);
  });
});
