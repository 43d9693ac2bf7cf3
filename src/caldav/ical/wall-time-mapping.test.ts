import { describe, expect, it } from "vitest";
import { expandCalendarObject } from "./index.js";
import { fixture, options } from "./test-fixtures.js";

/**
 * RFC 5545 §3.3.5: a wall time in the hour the clocks skip is read with the offset before the gap; one in the
 * hour they repeat means its first occurrence. Expected instants are worked out by hand from the offsets
 * (CET +01:00, CEST +02:00, EST -05:00, EDT -04:00), the same for every way of writing the zone.
 */
describe("wall time → instant in DST changes, for every kind of zone", () => {
  const result = expandCalendarObject(fixture("dst-wall-times.ics"), options({ windowStart: new Date("2025-01-01T00:00:00Z"), windowEnd: new Date("2026-01-01T00:00:00Z") }));
  const span = (uid: string) => {
    const occurrence = result.occurrences.find((o) => o.uid === uid);
    return occurrence ? [occurrence.start.toISOString(), occurrence.end.toISOString()] : null;
  };

  it("resolves every TZID without a warning", () => {
    expect(result.warnings).toEqual([]);
  });

  it.each(["iana", "windows-name", "outlook", "zimbra"])("Central Europe, %s: 02:30 in the spring gap uses the offset before it", (kind) => {
    expect(span(`spring-${kind}`)).toEqual(["2025-03-30T01:30:00.000Z", "2025-03-30T02:00:00.000Z"]);
  });

  it.each(["iana", "windows-name", "outlook", "zimbra"])("Central Europe, %s: 02:30 in the autumn overlap is the first one (2 h to 03:30)", (kind) => {
    expect(span(`autumn-${kind}`)).toEqual(["2025-10-26T00:30:00.000Z", "2025-10-26T02:30:00.000Z"]);
  });

  it.each(["new-york", "custom"])("US Eastern, %s: 02:30 in the spring gap uses the offset before it", (kind) => {
    expect(span(`spring-${kind}`)).toEqual(["2025-03-09T07:30:00.000Z", "2025-03-09T08:00:00.000Z"]);
  });

  it.each(["new-york", "custom"])("US Eastern, %s: 01:30 in the autumn overlap is the first one (2 h to 02:30)", (kind) => {
    expect(span(`autumn-${kind}`)).toEqual(["2025-11-02T05:30:00.000Z", "2025-11-02T07:30:00.000Z"]);
  });
});
