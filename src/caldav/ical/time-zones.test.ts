import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { ianaNameOf, ianaZone, resolveTimeZone, vtimezoneZone } from "./time-zones.js";

const wall = (year: number, month: number, day: number, hour: number, minute = 0) => ({ year, month, day, hour, minute, second: 0 });
const iso = (ms: number) => new Date(ms).toISOString();

describe("resolveTimeZone", () => {
  it.each([
    ["Europe/Berlin", "Europe/Berlin"],
    ['"America/New_York"', "America/New_York"],
    ["/mozilla.org/20050126_1/Europe/Berlin", "Europe/Berlin"],
    ["/freeassociation.sourceforge.net/Tzfile/America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"],
    ["W. Europe Standard Time", "Europe/Berlin"],
    ["Eastern Standard Time", "America/New_York"],
    ["Pacific Standard Time", "America/Los_Angeles"],
    ["Romance Standard Time", "Europe/Paris"],
    ["(GMT+01.00) Amsterdam / Berlin / Bern / Rome / Stockholm / Vienna", "Europe/Amsterdam"],
    ["(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Amsterdam"],
    ["(GMT-05.00) Eastern Time (US & Canada)", "America/New_York"],
    ["(GMT-08.00) Pacific Time (US & Canada)", "America/Los_Angeles"],
    ["(UTC-06:00) Central Time (US & Canada)", "America/Chicago"],
    ["(UTC+01:00) Brussels, Copenhagen, Madrid, Paris", "Europe/Brussels"],
    ["(GMT) Greenwich Mean Time : Dublin, Edinburgh, Lisbon, London", "Europe/Dublin"],
  ])("%s → %s", (tzid, zone) => {
    expect(resolveTimeZone(tzid)).toBe(zone);
  });

  it.each(["Foo/Bar", "Customized Time Zone", "(GMT+05.00) Nowhere City", ""])("%j is unresolvable", (tzid) => {
    expect(resolveTimeZone(tzid)).toBeNull();
  });

  it("rejects a city whose offset contradicts the display name", () => {
    expect(resolveTimeZone("(GMT+09.00) Berlin")).toBeNull();
  });

  it("ianaNameOf recognises IANA names only", () => {
    expect(ianaNameOf("/mozilla.org/20050126_1/Europe/Berlin")).toBe("Europe/Berlin");
    expect(ianaNameOf("W. Europe Standard Time")).toBeNull();
  });
});

describe("ianaZone", () => {
  const berlin = ianaZone("Europe/Berlin");
  const newYork = ianaZone("America/New_York");

  it("converts around DST changes (RFC 5545 §3.3.5: repeated time = first, skipped time = offset before)", () => {
    expect(iso(berlin.toInstant(wall(2025, 3, 30, 1, 30)))).toBe("2025-03-30T00:30:00.000Z");
    expect(iso(berlin.toInstant(wall(2025, 3, 30, 2, 30)))).toBe("2025-03-30T01:30:00.000Z");
    expect(iso(berlin.toInstant(wall(2025, 10, 26, 2, 30)))).toBe("2025-10-26T00:30:00.000Z");
    expect(iso(newYork.toInstant(wall(2025, 11, 2, 1, 30)))).toBe("2025-11-02T05:30:00.000Z");
    expect(iso(newYork.toInstant(wall(2025, 3, 9, 2, 30)))).toBe("2025-03-09T07:30:00.000Z");
  });

  it("uses historical rules (Sao Paulo had DST in 2018)", () => {
    expect(iso(ianaZone("America/Sao_Paulo").toInstant(wall(2018, 12, 1, 10)))).toBe("2018-12-01T12:00:00.000Z");
  });

  it("round-trips instants to wall time", () => {
    expect(berlin.toWall(Date.parse("2025-04-14T07:00:00Z"))).toEqual(wall(2025, 4, 14, 9));
  });
});

describe("vtimezoneZone", () => {
  const outlook = new ICAL.Component(
    ICAL.parse(
      [
        "BEGIN:VTIMEZONE",
        "TZID:Custom Outlook Zone",
        "BEGIN:STANDARD",
        "DTSTART:16010101T030000",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0100",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
        "END:STANDARD",
        "BEGIN:DAYLIGHT",
        "DTSTART:16010101T020000",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0200",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        "END:DAYLIGHT",
        "END:VTIMEZONE",
        "",
      ].join("\r\n"),
    ),
  );

  it("expands a 1601 definition correctly and once", () => {
    const zone = vtimezoneZone("Custom Outlook Zone", outlook);
    expect(zone).not.toBeNull();
    expect(iso(zone!.toInstant(wall(2025, 3, 24, 9)))).toBe("2025-03-24T08:00:00.000Z");
    expect(iso(zone!.toInstant(wall(2025, 3, 31, 9)))).toBe("2025-03-31T07:00:00.000Z");
    expect(zone!.toWall(Date.parse("2025-10-27T08:00:00Z"))).toEqual(wall(2025, 10, 27, 9));
    expect(vtimezoneZone("Custom Outlook Zone", outlook)).toBe(zone);
  });

  it("ignores a VTIMEZONE without observances", () => {
    const empty = new ICAL.Component(ICAL.parse("BEGIN:VTIMEZONE\r\nTZID:Empty\r\nEND:VTIMEZONE\r\n"));
    expect(vtimezoneZone("Empty", empty)).toBeNull();
  });
});
