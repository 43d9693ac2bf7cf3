import { describe, expect, it } from "vitest";
import { expandCalendarObject } from "./index.js";
import { options } from "./test-fixtures.js";

/**
 * The RRULE examples of RFC 5545 §3.8.5.3 and the Gregorian ones of RFC 7529 §4.3.4. Every expected list is
 * typed from the RFC text ("==> (1997 9:00 AM EDT) September 2-11"), with the offset the RFC names (EDT = -04:00,
 * EST = -05:00), so neither our zone code nor any recurrence library is the oracle. Where the RFC ends with "...",
 * the window ends after the last instance it lists (arithmetic runs such as "2,4,6...30" are written out).
 */

type Offset = "EDT" | "EST";
const OFFSETS: Record<Offset, string> = { EDT: "-04:00", EST: "-05:00" };

/** "EDT 1997-09: 2..11, 15, 16..30/2" → instants at `time` local. */
function days(spec: string, time = "09:00"): string[] {
  const match = /^(EDT|EST) (\d{4})-(\d{2}): (.+)$/.exec(spec);
  if (!match) throw new Error(`bad spec ${spec}`);
  const [, offset, year, month, list] = match as unknown as [string, Offset, string, string, string];
  const result: string[] = [];
  for (const item of list.split(",").map((i) => i.trim())) {
    const range = /^(\d+)\.\.(\d+)(?:\/(\d+))?$/.exec(item);
    const [from, to, step] = range ? [Number(range[1]), Number(range[2]), Number(range[3] ?? 1)] : [Number(item), Number(item), 1];
    for (let day = from; day <= to; day += step) {
      result.push(new Date(`${year}-${month}-${String(day).padStart(2, "0")}T${time}:00${OFFSETS[offset]}`).toISOString());
    }
  }
  return result;
}

/** "EDT 1997-09-02: 09:00, 09:15" */
function times(spec: string): string[] {
  const match = /^(EDT|EST) (\d{4}-\d{2}-\d{2}): (.+)$/.exec(spec);
  if (!match) throw new Error(`bad spec ${spec}`);
  const [, offset, date, list] = match as unknown as [string, Offset, string, string];
  return list.split(",").map((t) => new Date(`${date}T${t.trim()}:00${OFFSETS[offset]}`).toISOString());
}

interface Example {
  name: string;
  dtstart: string;
  rrule: string;
  exdate?: string;
  expected: string[];
}

const everyTwentyMinutes = (offset: Offset, date: string): string[] =>
  times(`${offset} ${date}: ${[9, 10, 11, 12, 13, 14, 15, 16].flatMap((h) => ["00", "20", "40"].map((m) => `${h}:${m}`.padStart(5, "0"))).join(", ")}`);

const EXAMPLES: Example[] = [
  { name: "Daily for 10 occurrences", dtstart: "19970902T090000", rrule: "FREQ=DAILY;COUNT=10", expected: days("EDT 1997-09: 2..11") },
  {
    name: "Daily until December 24, 1997",
    dtstart: "19970902T090000",
    rrule: "FREQ=DAILY;UNTIL=19971224T000000Z",
    expected: [...days("EDT 1997-09: 2..30"), ...days("EDT 1997-10: 1..25"), ...days("EST 1997-10: 26..31"), ...days("EST 1997-11: 1..30"), ...days("EST 1997-12: 1..23")],
  },
  {
    name: "Every other day - forever",
    dtstart: "19970902T090000",
    rrule: "FREQ=DAILY;INTERVAL=2",
    expected: [...days("EDT 1997-09: 2..30/2"), ...days("EDT 1997-10: 2..24/2"), ...days("EST 1997-10: 26..30/2"), ...days("EST 1997-11: 1..29/2"), ...days("EST 1997-12: 1..31/2")],
  },
  { name: "Every 10 days, 5 occurrences", dtstart: "19970902T090000", rrule: "FREQ=DAILY;INTERVAL=10;COUNT=5", expected: [...days("EDT 1997-09: 2, 12, 22"), ...days("EDT 1997-10: 2, 12")] },
  {
    name: "Every day in January, for 3 years (YEARLY)",
    dtstart: "19980101T090000",
    rrule: "FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
    expected: [...days("EST 1998-01: 1..31"), ...days("EST 1999-01: 1..31"), ...days("EST 2000-01: 1..31")],
  },
  {
    name: "Every day in January, for 3 years (DAILY)",
    dtstart: "19980101T090000",
    rrule: "FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1",
    expected: [...days("EST 1998-01: 1..31"), ...days("EST 1999-01: 1..31"), ...days("EST 2000-01: 1..31")],
  },
  {
    name: "Weekly for 10 occurrences",
    dtstart: "19970902T090000",
    rrule: "FREQ=WEEKLY;COUNT=10",
    expected: [...days("EDT 1997-09: 2, 9, 16, 23, 30"), ...days("EDT 1997-10: 7, 14, 21"), ...days("EST 1997-10: 28"), ...days("EST 1997-11: 4")],
  },
  {
    name: "Weekly until December 24, 1997",
    dtstart: "19970902T090000",
    rrule: "FREQ=WEEKLY;UNTIL=19971224T000000Z",
    expected: [
      ...days("EDT 1997-09: 2, 9, 16, 23, 30"),
      ...days("EDT 1997-10: 7, 14, 21"),
      ...days("EST 1997-10: 28"),
      ...days("EST 1997-11: 4, 11, 18, 25"),
      ...days("EST 1997-12: 2, 9, 16, 23"),
    ],
  },
  {
    name: "Every other week - forever",
    dtstart: "19970902T090000",
    rrule: "FREQ=WEEKLY;INTERVAL=2;WKST=SU",
    expected: [
      ...days("EDT 1997-09: 2, 16, 30"),
      ...days("EDT 1997-10: 14"),
      ...days("EST 1997-10: 28"),
      ...days("EST 1997-11: 11, 25"),
      ...days("EST 1997-12: 9, 23"),
      ...days("EST 1998-01: 6, 20"),
      ...days("EST 1998-02: 3, 17"),
    ],
  },
  {
    name: "Weekly on Tuesday and Thursday for five weeks (UNTIL)",
    dtstart: "19970902T090000",
    rrule: "FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH",
    expected: [...days("EDT 1997-09: 2, 4, 9, 11, 16, 18, 23, 25, 30"), ...days("EDT 1997-10: 2")],
  },
  {
    name: "Weekly on Tuesday and Thursday for five weeks (COUNT)",
    dtstart: "19970902T090000",
    rrule: "FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH",
    expected: [...days("EDT 1997-09: 2, 4, 9, 11, 16, 18, 23, 25, 30"), ...days("EDT 1997-10: 2")],
  },
  {
    name: "Every other week on Monday, Wednesday, and Friday until December 24, 1997",
    dtstart: "19970901T090000",
    rrule: "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR",
    expected: [
      ...days("EDT 1997-09: 1, 3, 5, 15, 17, 19, 29"),
      ...days("EDT 1997-10: 1, 3, 13, 15, 17"),
      ...days("EST 1997-10: 27, 29, 31"),
      ...days("EST 1997-11: 10, 12, 14, 24, 26, 28"),
      ...days("EST 1997-12: 8, 10, 12, 22"),
    ],
  },
  {
    name: "Every other week on Tuesday and Thursday, for 8 occurrences",
    dtstart: "19970902T090000",
    rrule: "FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH",
    expected: [...days("EDT 1997-09: 2, 4, 16, 18, 30"), ...days("EDT 1997-10: 2, 14, 16")],
  },
  {
    name: "Monthly on the first Friday for 10 occurrences",
    dtstart: "19970905T090000",
    rrule: "FREQ=MONTHLY;COUNT=10;BYDAY=1FR",
    expected: [
      ...days("EDT 1997-09: 5"),
      ...days("EDT 1997-10: 3"),
      ...days("EST 1997-11: 7"),
      ...days("EST 1997-12: 5"),
      ...days("EST 1998-01: 2"),
      ...days("EST 1998-02: 6"),
      ...days("EST 1998-03: 6"),
      ...days("EST 1998-04: 3"),
      ...days("EDT 1998-05: 1"),
      ...days("EDT 1998-06: 5"),
    ],
  },
  {
    name: "Monthly on the first Friday until December 24, 1997",
    dtstart: "19970905T090000",
    rrule: "FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR",
    expected: [...days("EDT 1997-09: 5"), ...days("EDT 1997-10: 3"), ...days("EST 1997-11: 7"), ...days("EST 1997-12: 5")],
  },
  {
    name: "Every other month on the first and last Sunday of the month for 10 occurrences",
    dtstart: "19970907T090000",
    rrule: "FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU",
    expected: [
      ...days("EDT 1997-09: 7, 28"),
      ...days("EST 1997-11: 2, 30"),
      ...days("EST 1998-01: 4, 25"),
      ...days("EST 1998-03: 1, 29"),
      ...days("EDT 1998-05: 3, 31"),
    ],
  },
  {
    name: "Monthly on the second-to-last Monday of the month for 6 months",
    dtstart: "19970922T090000",
    rrule: "FREQ=MONTHLY;COUNT=6;BYDAY=-2MO",
    expected: [
      ...days("EDT 1997-09: 22"),
      ...days("EDT 1997-10: 20"),
      ...days("EST 1997-11: 17"),
      ...days("EST 1997-12: 22"),
      ...days("EST 1998-01: 19"),
      ...days("EST 1998-02: 16"),
    ],
  },
  {
    name: "Monthly on the third-to-the-last day of the month, forever",
    dtstart: "19970928T090000",
    rrule: "FREQ=MONTHLY;BYMONTHDAY=-3",
    expected: [
      ...days("EDT 1997-09: 28"),
      ...days("EST 1997-10: 29"),
      ...days("EST 1997-11: 28"),
      ...days("EST 1997-12: 29"),
      ...days("EST 1998-01: 29"),
      ...days("EST 1998-02: 26"),
    ],
  },
  {
    name: "Monthly on the 2nd and 15th of the month for 10 occurrences",
    dtstart: "19970902T090000",
    rrule: "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15",
    expected: [
      ...days("EDT 1997-09: 2, 15"),
      ...days("EDT 1997-10: 2, 15"),
      ...days("EST 1997-11: 2, 15"),
      ...days("EST 1997-12: 2, 15"),
      ...days("EST 1998-01: 2, 15"),
    ],
  },
  {
    name: "Monthly on the first and last day of the month for 10 occurrences",
    dtstart: "19970930T090000",
    rrule: "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1",
    expected: [
      ...days("EDT 1997-09: 30"),
      ...days("EDT 1997-10: 1"),
      ...days("EST 1997-10: 31"),
      ...days("EST 1997-11: 1, 30"),
      ...days("EST 1997-12: 1, 31"),
      ...days("EST 1998-01: 1, 31"),
      ...days("EST 1998-02: 1"),
    ],
  },
  {
    name: "Every 18 months on the 10th thru 15th of the month for 10 occurrences",
    dtstart: "19970910T090000",
    rrule: "FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15",
    expected: [...days("EDT 1997-09: 10..15"), ...days("EST 1999-03: 10..13")],
  },
  {
    name: "Every Tuesday, every other month",
    dtstart: "19970902T090000",
    rrule: "FREQ=MONTHLY;INTERVAL=2;BYDAY=TU",
    expected: [
      ...days("EDT 1997-09: 2, 9, 16, 23, 30"),
      ...days("EST 1997-11: 4, 11, 18, 25"),
      ...days("EST 1998-01: 6, 13, 20, 27"),
      ...days("EST 1998-03: 3, 10, 17, 24, 31"),
    ],
  },
  {
    name: "Yearly in June and July for 10 occurrences",
    dtstart: "19970610T090000",
    rrule: "FREQ=YEARLY;COUNT=10;BYMONTH=6,7",
    expected: [1997, 1998, 1999, 2000, 2001].flatMap((y) => [...days(`EDT ${y}-06: 10`), ...days(`EDT ${y}-07: 10`)]),
  },
  {
    name: "Every other year on January, February, and March for 10 occurrences",
    dtstart: "19970310T090000",
    rrule: "FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3",
    expected: [...days("EST 1997-03: 10"), ...[1999, 2001, 2003].flatMap((y) => ["01", "02", "03"].flatMap((m) => days(`EST ${y}-${m}: 10`)))],
  },
  {
    name: "Every third year on the 1st, 100th, and 200th day for 10 occurrences",
    dtstart: "19970101T090000",
    rrule: "FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200",
    expected: [
      ...days("EST 1997-01: 1"),
      ...days("EDT 1997-04: 10"),
      ...days("EDT 1997-07: 19"),
      ...days("EST 2000-01: 1"),
      ...days("EDT 2000-04: 9"),
      ...days("EDT 2000-07: 18"),
      ...days("EST 2003-01: 1"),
      ...days("EDT 2003-04: 10"),
      ...days("EDT 2003-07: 19"),
      ...days("EST 2006-01: 1"),
    ],
  },
  {
    name: "Every 20th Monday of the year, forever",
    dtstart: "19970519T090000",
    rrule: "FREQ=YEARLY;BYDAY=20MO",
    expected: [...days("EDT 1997-05: 19"), ...days("EDT 1998-05: 18"), ...days("EDT 1999-05: 17")],
  },
  {
    name: "Monday of week number 20, forever",
    dtstart: "19970512T090000",
    rrule: "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO",
    expected: [...days("EDT 1997-05: 12"), ...days("EDT 1998-05: 11"), ...days("EDT 1999-05: 17")],
  },
  {
    name: "Every Thursday in March, forever",
    dtstart: "19970313T090000",
    rrule: "FREQ=YEARLY;BYMONTH=3;BYDAY=TH",
    expected: [...days("EST 1997-03: 13, 20, 27"), ...days("EST 1998-03: 5, 12, 19, 26"), ...days("EST 1999-03: 4, 11, 18, 25")],
  },
  {
    name: "Every Thursday, but only during June, July, and August, forever",
    dtstart: "19970605T090000",
    rrule: "FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8",
    expected: [
      ...days("EDT 1997-06: 5, 12, 19, 26"),
      ...days("EDT 1997-07: 3, 10, 17, 24, 31"),
      ...days("EDT 1997-08: 7, 14, 21, 28"),
      ...days("EDT 1998-06: 4, 11, 18, 25"),
      ...days("EDT 1998-07: 2, 9, 16, 23, 30"),
      ...days("EDT 1998-08: 6, 13, 20, 27"),
      ...days("EDT 1999-06: 3, 10, 17, 24"),
      ...days("EDT 1999-07: 1, 8, 15, 22, 29"),
      ...days("EDT 1999-08: 5, 12, 19, 26"),
    ],
  },
  {
    name: "Every Friday the 13th, forever",
    dtstart: "19970902T090000",
    exdate: "19970902T090000",
    rrule: "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
    expected: [...days("EST 1998-02: 13"), ...days("EST 1998-03: 13"), ...days("EST 1998-11: 13"), ...days("EDT 1999-08: 13"), ...days("EDT 2000-10: 13")],
  },
  {
    name: "The first Saturday that follows the first Sunday of the month, forever",
    dtstart: "19970913T090000",
    rrule: "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13",
    expected: [
      ...days("EDT 1997-09: 13"),
      ...days("EDT 1997-10: 11"),
      ...days("EST 1997-11: 8"),
      ...days("EST 1997-12: 13"),
      ...days("EST 1998-01: 10"),
      ...days("EST 1998-02: 7"),
      ...days("EST 1998-03: 7"),
      ...days("EDT 1998-04: 11"),
      ...days("EDT 1998-05: 9"),
      ...days("EDT 1998-06: 13"),
    ],
  },
  {
    name: "Every 4 years, the first Tuesday after a Monday in November, forever (U.S. Presidential Election day)",
    dtstart: "19961105T090000",
    rrule: "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
    expected: [...days("EST 1996-11: 5"), ...days("EST 2000-11: 7"), ...days("EST 2004-11: 2")],
  },
  {
    name: "The third instance into the month of one of Tuesday, Wednesday, or Thursday, for the next 3 months",
    dtstart: "19970904T090000",
    rrule: "FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3",
    expected: [...days("EDT 1997-09: 4"), ...days("EDT 1997-10: 7"), ...days("EST 1997-11: 6")],
  },
  {
    name: "The second-to-last weekday of the month",
    dtstart: "19970929T090000",
    rrule: "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2",
    expected: [
      ...days("EDT 1997-09: 29"),
      ...days("EST 1997-10: 30"),
      ...days("EST 1997-11: 27"),
      ...days("EST 1997-12: 30"),
      ...days("EST 1998-01: 29"),
      ...days("EST 1998-02: 26"),
      ...days("EST 1998-03: 30"),
    ],
  },
  {
    // The RFC's UNTIL (17:00 UTC = 13:00 EDT) contradicts its own list; 21:00 UTC (17:00 EDT) is what the list says.
    name: "Every 3 hours from 9:00 AM to 5:00 PM on a specific day (UNTIL as the list means it)",
    dtstart: "19970902T090000",
    rrule: "FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T210000Z",
    expected: times("EDT 1997-09-02: 09:00, 12:00, 15:00"),
  },
  {
    name: "Every 3 hours from 9:00 AM on a specific day (UNTIL as written: 13:00 EDT)",
    dtstart: "19970902T090000",
    rrule: "FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z",
    expected: times("EDT 1997-09-02: 09:00, 12:00"),
  },
  {
    name: "Every 15 minutes for 6 occurrences",
    dtstart: "19970902T090000",
    rrule: "FREQ=MINUTELY;INTERVAL=15;COUNT=6",
    expected: times("EDT 1997-09-02: 09:00, 09:15, 09:30, 09:45, 10:00, 10:15"),
  },
  {
    name: "Every hour and a half for 4 occurrences",
    dtstart: "19970902T090000",
    rrule: "FREQ=MINUTELY;INTERVAL=90;COUNT=4",
    expected: times("EDT 1997-09-02: 09:00, 10:30, 12:00, 13:30"),
  },
  {
    name: "Every 20 minutes from 9:00 AM to 4:40 PM every day (DAILY)",
    dtstart: "19970902T090000",
    rrule: "FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40",
    expected: [...everyTwentyMinutes("EDT", "1997-09-02"), ...everyTwentyMinutes("EDT", "1997-09-03")],
  },
  {
    name: "Every 20 minutes from 9:00 AM to 4:40 PM every day (MINUTELY)",
    dtstart: "19970902T090000",
    rrule: "FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16",
    expected: [...everyTwentyMinutes("EDT", "1997-09-02"), ...everyTwentyMinutes("EDT", "1997-09-03")],
  },
  {
    name: "WKST=MO",
    dtstart: "19970805T090000",
    rrule: "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO",
    expected: days("EDT 1997-08: 5, 10, 19, 24"),
  },
  {
    name: "WKST=SU",
    dtstart: "19970805T090000",
    rrule: "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU",
    expected: days("EDT 1997-08: 5, 17, 19, 31"),
  },
  {
    name: "An invalid date (i.e., February 30) is ignored",
    dtstart: "20070115T090000",
    rrule: "FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5",
    expected: [...days("EST 2007-01: 15, 30"), ...days("EST 2007-02: 15"), ...days("EDT 2007-03: 15, 30")],
  },
  // RFC 7529 §4.3.4: without SKIP (i.e. SKIP=OMIT), a yearly rule from a leap day recurs in leap years only.
  {
    name: "RFC 7529: RSCALE=GREGORIAN yearly from February 29 (SKIP=OMIT)",
    dtstart: "20120229T090000",
    rrule: "RSCALE=GREGORIAN;FREQ=YEARLY;COUNT=3",
    expected: [...days("EST 2012-02: 29"), ...days("EST 2016-02: 29"), ...days("EST 2020-02: 29")],
  },
  {
    name: "RFC 7529: RSCALE=GREGORIAN;SKIP=OMIT written out",
    dtstart: "20120229T090000",
    rrule: "RSCALE=GREGORIAN;FREQ=YEARLY;SKIP=OMIT;COUNT=2",
    expected: [...days("EST 2012-02: 29"), ...days("EST 2016-02: 29")],
  },
];

function calendar(example: Pick<Example, "dtstart" | "rrule" | "exdate">): string {
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//test//rfc examples//EN",
    "BEGIN:VEVENT",
    "UID:rfc-example",
    "DTSTAMP:19970901T000000Z",
    `DTSTART;TZID=America/New_York:${example.dtstart}`,
    "DURATION:PT10M",
    `RRULE:${example.rrule}`,
    ...(example.exdate ? [`EXDATE;TZID=America/New_York:${example.exdate}`] : []),
    "END:VEVENT",
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}

describe("RFC 5545 §3.8.5.3 examples", () => {
  it("are about 40", () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(EXAMPLES)("$name", (example) => {
    const last = example.expected.at(-1)!;
    const result = expandCalendarObject(
      calendar(example),
      options({
        defaultZone: "America/New_York",
        windowStart: new Date(Date.parse(example.expected[0]!) - 86_400_000),
        windowEnd: new Date(Date.parse(last) + 1),
      }),
    );
    expect(result.warnings).toEqual([]);
    expect(result.occurrences.map((o) => o.start.toISOString())).toEqual(example.expected);
  });
});

describe("RFC 7529 scales", () => {
  it.each([
    ["RSCALE=CHINESE;FREQ=YEARLY;UNTIL=20180101", "uses the calendar scale CHINESE, which is not supported"],
    ["RSCALE=HEBREW;FREQ=YEARLY;BYMONTH=5L;BYMONTHDAY=8;SKIP=FORWARD", "uses the calendar scale HEBREW, which is not supported"],
    ["RSCALE=GREGORIAN;FREQ=YEARLY;SKIP=FORWARD", "asks for SKIP=FORWARD, which is not supported"],
  ])("%s is refused with a warning naming the rule", (rrule, problem) => {
    const result = expandCalendarObject(
      calendar({ dtstart: "20130210T090000", rrule }),
      options({ windowStart: new Date("2013-01-01T00:00:00Z"), windowEnd: new Date("2019-01-01T00:00:00Z") }),
    );
    expect(result.occurrences).toEqual([]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/^Recurring event rfc-example was not imported: its RRULE ".*RSCALE=/);
    expect(result.warnings[0]).toContain(problem);
  });
});
