import type { OccurrenceBudget } from "./budget.js";

export interface ExpandOptions {
  /** Occurrences whose start lies in [windowStart, windowEnd) are returned (and only those are reported as skipped). */
  windowStart: Date;
  windowEnd: Date;
  /** IANA zone of the integration: used for floating times, unresolvable TZIDs and all-day entries. */
  defaultZone: string;
  importAllDay: boolean;
  /** "HH:MM" in defaultZone. */
  allDayStart: string;
  allDayHours: number;
  skipFreeEvents: boolean;
  /**
   * Addresses that are the integration's user: calendar user addresses (mailto:, principal URLs),
   * e-mail addresses and the username; compared case-insensitively, with or without "mailto:".
   */
  attendeeIdentities: string[];
  /** Skip invitations of another organizer the user answered TENTATIVE or not yet (NEEDS-ACTION); default false. */
  skipTentativeInvitations?: boolean;
  /** Skip events another person organises where the user is not an attendee at all; default false. */
  skipEventsWithoutMe?: boolean;
  /** RRULE iterations per series before giving up with a warning. */
  maxOccurrencesPerSeries?: number;
  /** RRULE iterations of all series of one calendar object before giving up with a warning. */
  maxOccurrencesPerObject?: number;
  /** Shared by every object of one calendar's sync (see calendarOccurrenceBudget); none = no calendar total. */
  calendarBudget?: OccurrenceBudget;
}

export interface Occurrence {
  uid: string;
  /**
   * null for a non-recurring timed event. Otherwise the original start: "2025-03-24T08:00:00Z" for timed series,
   * "2025-03-24" for all-day series; an imported all-day entry adds "/<day>" for the 2nd, 3rd… day of its instance.
   */
  recurrenceId: string | null;
  start: Date;
  end: Date;
  allDay: boolean;
  summary: string;
  description: string | null;
  categories: string[];
  transparent: boolean;
}

export type SkipReason = "ALL_DAY" | "CANCELLED" | "DECLINED" | "TENTATIVE" | "NOT_ATTENDING" | "FREE" | "INVALID_TIME";

export interface SkippedOccurrence {
  uid: string;
  recurrenceId: string | null;
  reason: SkipReason;
  /** Start of the skipped instance (lets a caller re-filter a cached expansion by window). */
  start: Date;
}

export interface ExpandResult {
  occurrences: Occurrence[];
  skipped: SkippedOccurrence[];
  warnings: string[];
}
