import { describe, expect, it } from "vitest";
import { expandCalendarObject, type ExpandOptions } from "./index.js";
import { options } from "./test-fixtures.js";

/**
 * Whose answer counts, against hand-written invitations. The user is Anna: her server lists
 * mailto:anna@example.com and her principal URL (RFC 6638 §2.4.1 calendar-user-address-set), she
 * logs in as "anna.k" and her e-mail in the timesheet is admin@localhost. The expected outcome of
 * each event is read off RFC 5545 §3.2.12 (PARTSTAT) and §3.8.4.3 (ORGANIZER), not computed.
 */
const ANNA = ["mailto:anna@example.com", "https://dav.example.com/principals/users/anna.k/", "anna.k", "admin@localhost"];

function event(uid: string, ...lines: string[]): string {
  return ["BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20250301T000000Z", "DTSTART:20250310T090000Z", "DTEND:20250310T100000Z", `SUMMARY:${uid}`, ...lines, "END:VEVENT"].join("\r\n");
}

const BOB = "ORGANIZER;CN=Bob:mailto:bob@example.com";
const CALENDAR = [
  "BEGIN:VCALENDAR",
  "VERSION:2.0",
  "PRODID:-//hand-written//EN",
  event("declined-alias", BOB, "ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.com", "ATTENDEE;CN=Anna;PARTSTAT=DECLINED:mailto:ANNA@Example.COM"),
  // Apple writes urn:uuid addresses and puts the e-mail into the EMAIL parameter (RFC 7986 §6.2).
  event("declined-email-parameter", BOB, "ATTENDEE;EMAIL=anna@example.com;PARTSTAT=DECLINED:urn:uuid:6f1c1a0e-3c0b-4a36-9d4e-0c6a4c2a11aa"),
  event("declined-principal-url", BOB, "ATTENDEE;PARTSTAT=DECLINED:https://dav.example.com/principals/users/anna.k/"),
  event("tentative", BOB, "ATTENDEE;PARTSTAT=TENTATIVE:mailto:anna@example.com"),
  // No PARTSTAT: NEEDS-ACTION is the default (§3.2.12).
  event("unanswered", BOB, "ATTENDEE;RSVP=TRUE:mailto:admin@localhost"),
  // A value a VEVENT does not define is read as NEEDS-ACTION (§3.2.12).
  event("unknown-partstat", BOB, "ATTENDEE;PARTSTAT=X-MAYBE:mailto:anna@example.com"),
  // Listed under two of her addresses: the acceptance counts.
  event("accepted-under-one-address", BOB, "ATTENDEE;PARTSTAT=ACCEPTED:mailto:anna@example.com", "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:admin@localhost"),
  event("delegated", BOB, "ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO=\"mailto:carol@example.com\":mailto:anna@example.com"),
  event("without-her", BOB, "ATTENDEE;PARTSTAT=ACCEPTED:mailto:carol@example.com"),
  event("organized-by-her", "ORGANIZER:mailto:Anna@example.com", "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:bob@example.com"),
  event("organized-by-her-principal", "ORGANIZER:https://dav.example.com/principals/users/anna.k/", "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:anna@example.com"),
  // Attendees without ORGANIZER: not an invitation (RFC 5546 §3.2.2 requires it in a REQUEST).
  event("no-organizer", "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:anna@example.com"),
  event("own", "DESCRIPTION:no attendees, no organizer"),
  event("busy-status-free", "X-MICROSOFT-CDO-BUSYSTATUS:FREE"),
  event("busy-status-busy", "TRANSP:OPAQUE", "X-MICROSOFT-CDO-BUSYSTATUS:BUSY"),
  "END:VCALENDAR",
].join("\r\n");

type Outcome = "imported" | "DECLINED" | "TENTATIVE" | "NOT_ATTENDING" | "FREE";

function outcomes(overrides: Partial<ExpandOptions>): Record<string, Outcome> {
  const result = expandCalendarObject(CALENDAR, options({ attendeeIdentities: ANNA, ...overrides }));
  const out: Record<string, Outcome> = {};
  for (const o of result.occurrences) out[o.uid] = "imported";
  for (const s of result.skipped) out[s.uid] = s.reason as Outcome;
  return out;
}

const DECLINES = { "declined-alias": "DECLINED", "declined-email-parameter": "DECLINED", "declined-principal-url": "DECLINED" } as const;
const EVERYTHING_ELSE_IMPORTED = {
  tentative: "imported",
  unanswered: "imported",
  "unknown-partstat": "imported",
  "accepted-under-one-address": "imported",
  delegated: "imported",
  "without-her": "imported",
  "organized-by-her": "imported",
  "organized-by-her-principal": "imported",
  "no-organizer": "imported",
  own: "imported",
  "busy-status-free": "imported",
  "busy-status-busy": "imported",
} as const;

describe("attendance", () => {
  it("by default skips what she declined under any of her addresses and nothing else, and marks Outlook's free events free", () => {
    expect(outcomes({})).toEqual({ ...DECLINES, ...EVERYTHING_ELSE_IMPORTED });
    const result = expandCalendarObject(CALENDAR, options({ attendeeIdentities: ANNA }));
    expect(result.occurrences.filter((o) => o.uid.startsWith("busy-status")).map((o) => [o.uid, o.transparent])).toEqual([
      ["busy-status-busy", false],
      ["busy-status-free", true],
    ]);
  });

  it("skipTentativeInvitations skips invitations of others she answered tentatively or not at all", () => {
    expect(outcomes({ skipTentativeInvitations: true })).toEqual({
      ...DECLINES,
      ...EVERYTHING_ELSE_IMPORTED,
      tentative: "TENTATIVE",
      unanswered: "TENTATIVE",
      "unknown-partstat": "TENTATIVE",
    });
  });

  it("skipEventsWithoutMe skips events another person organises without her among the attendees", () => {
    expect(outcomes({ skipEventsWithoutMe: true })).toEqual({ ...DECLINES, ...EVERYTHING_ELSE_IMPORTED, "without-her": "NOT_ATTENDING" });
  });

  it("skipFreeEvents skips X-MICROSOFT-CDO-BUSYSTATUS:FREE like TRANSP:TRANSPARENT", () => {
    const skipping = outcomes({ skipFreeEvents: true });
    expect([skipping["busy-status-free"], skipping["busy-status-busy"]]).toEqual(["FREE", "imported"]);
  });

  it("an occurrence answered on its own follows its own answer, the others the series'", () => {
    const series = [
      "BEGIN:VCALENDAR",
      "VERSION:2.0",
      "PRODID:-//hand-written//EN",
      event("weekly", BOB, "RRULE:FREQ=WEEKLY;COUNT=3", "ATTENDEE;PARTSTAT=TENTATIVE:mailto:anna@example.com", "X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE"),
      // Outlook writes an exception as a full VEVENT with its own attendees (RFC 5545 §3.8.4.4).
      ["BEGIN:VEVENT", "UID:weekly", "DTSTAMP:20250301T000000Z", "RECURRENCE-ID:20250317T090000Z", "DTSTART:20250317T090000Z", "DTEND:20250317T100000Z", BOB, "ATTENDEE;PARTSTAT=ACCEPTED:mailto:anna@example.com", "END:VEVENT"].join("\r\n"),
      // A minimal exception without attendees inherits the series' (it only moves the time).
      ["BEGIN:VEVENT", "UID:weekly", "DTSTAMP:20250301T000000Z", "RECURRENCE-ID:20250324T090000Z", "DTSTART:20250324T100000Z", "DTEND:20250324T110000Z", "X-MICROSOFT-CDO-BUSYSTATUS:FREE", "END:VEVENT"].join("\r\n"),
      "END:VCALENDAR",
    ].join("\r\n");
    const result = expandCalendarObject(series, options({ attendeeIdentities: ANNA, skipTentativeInvitations: true }));
    expect(result.occurrences.map((o) => [o.recurrenceId, o.transparent])).toEqual([["2025-03-17T09:00:00Z", false]]);
    expect(result.skipped.map((s) => [s.recurrenceId, s.reason])).toEqual([
      ["2025-03-10T09:00:00Z", "TENTATIVE"],
      ["2025-03-24T09:00:00Z", "TENTATIVE"],
    ]);
    const free = expandCalendarObject(series, options({ attendeeIdentities: ANNA, skipFreeEvents: true }));
    expect(free.skipped.map((s) => [s.recurrenceId, s.reason])).toEqual([["2025-03-24T09:00:00Z", "FREE"]]);
  });
});
