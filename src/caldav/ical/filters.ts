import type { CalendarUser, VEventData } from "./event-data.js";
import type { SkipReason } from "./types.js";

/** The fields an instance shows; an override lacking one inherits the master's (minimal overrides exist). */
export type EventContent = Pick<VEventData, "summary" | "description" | "categories" | "transparent" | "attendees" | "organizer" | "cancelled">;

/** How a user answers invitations: which of their answers mean "not work" (ExpandOptions). */
export interface AttendanceRules {
  /** Addresses that are the user, normalized by normalizeIdentities. */
  identities: ReadonlySet<string>;
  skipTentativeInvitations: boolean;
  skipEventsWithoutMe: boolean;
}

export function contentOf(event: VEventData, master?: VEventData): EventContent {
  return {
    summary: event.summary ?? master?.summary ?? null,
    description: event.description ?? master?.description ?? null,
    categories: event.categories ?? master?.categories ?? null,
    transparent: shownAsFree(event) ?? (master ? shownAsFree(master) : null),
    attendees: event.attendees ?? master?.attendees ?? null,
    organizer: event.organizer ?? master?.organizer ?? null,
    // RFC 5545 §3.8.1.11: a cancelled master cancels the whole series, overrides included.
    cancelled: event.cancelled || (master?.cancelled ?? false),
  };
}

/**
 * TRANSP:TRANSPARENT (RFC 5545 §3.8.2.7), or Outlook's and Exchange's X-MICROSOFT-CDO-BUSYSTATUS:FREE,
 * which they write for "Show as: Free" and some servers pass on without a TRANSP. null: neither says.
 */
function shownAsFree(event: VEventData): boolean | null {
  if (event.transparent === null && event.busyStatus === null) return null;
  return event.transparent === true || event.busyStatus === "FREE";
}

function normalizeAddress(address: string): string {
  return address.trim().replace(/^mailto:/i, "").toLowerCase();
}

function isIdentity(user: CalendarUser, identities: ReadonlySet<string>): boolean {
  const address = normalizeAddress(user.address);
  if (identities.has(address)) return true;
  if (user.email && identities.has(normalizeAddress(user.email))) return true;
  // Principal URLs like "/remote.php/dav/principals/users/alice/" name the user in their last segment.
  const lastSegment = address.includes("/") ? address.split("/").filter(Boolean).at(-1) : undefined;
  return lastSegment !== undefined && identities.has(lastSegment);
}

/**
 * Whether the user's answer to an invitation makes it not work. PARTSTAT (RFC 5545 §3.2.12): an
 * attendee without one has not answered (NEEDS-ACTION), and so has one with a value a VEVENT does
 * not define. Listed under several of the user's addresses, any acceptance wins, then any refusal.
 * ORGANIZER (§3.8.4.3) names who invited: an event the user organises is never skipped as tentative
 * or without them; an event without ORGANIZER is not an invitation at all.
 */
export function attendanceSkip(content: EventContent, rules: AttendanceRules): SkipReason | null {
  let listed = false;
  let accepted = false;
  let declined = false;
  let unanswered = false;
  for (const attendee of content.attendees ?? []) {
    if (!isIdentity(attendee, rules.identities)) continue;
    listed = true;
    if (attendee.partstat === "ACCEPTED") accepted = true;
    else if (attendee.partstat === "DECLINED") declined = true;
    else if (attendee.partstat !== "DELEGATED") unanswered = true; // TENTATIVE, NEEDS-ACTION and unknown values
  }
  if (accepted) return null;
  if (declined) return "DECLINED";
  const invitedByOther = content.organizer !== null && !isIdentity(content.organizer, rules.identities);
  if (!invitedByOther) return null;
  if (unanswered && rules.skipTentativeInvitations) return "TENTATIVE";
  if (!listed && rules.skipEventsWithoutMe) return "NOT_ATTENDING";
  return null;
}

export function normalizeIdentities(identities: readonly string[]): ReadonlySet<string> {
  return new Set(identities.map(normalizeAddress).filter((i) => i !== ""));
}
