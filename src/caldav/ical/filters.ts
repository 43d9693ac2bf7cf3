import type { Attendee, VEventData } from "./event-data.js";

/** The fields an instance shows; an override lacking one inherits the master's (minimal overrides exist). */
export type EventContent = Pick<VEventData, "summary" | "description" | "categories" | "transparent" | "attendees" | "cancelled">;

export function contentOf(event: VEventData, master?: VEventData): EventContent {
  return {
    summary: event.summary ?? master?.summary ?? null,
    description: event.description ?? master?.description ?? null,
    categories: event.categories ?? master?.categories ?? null,
    transparent: event.transparent ?? master?.transparent ?? null,
    attendees: event.attendees ?? master?.attendees ?? null,
    // RFC 5545 §3.8.1.11: a cancelled master cancels the whole series, overrides included.
    cancelled: event.cancelled || (master?.cancelled ?? false),
  };
}

function normalizeAddress(address: string): string {
  return address.trim().replace(/^mailto:/i, "").toLowerCase();
}

function isIdentity(attendee: Attendee, identities: ReadonlySet<string>): boolean {
  const address = normalizeAddress(attendee.address);
  if (identities.has(address)) return true;
  if (attendee.email && identities.has(normalizeAddress(attendee.email))) return true;
  // Principal URLs like "/remote.php/dav/principals/users/alice/" name the user in their last segment.
  const lastSegment = address.includes("/") ? address.split("/").filter(Boolean).at(-1) : undefined;
  return lastSegment !== undefined && identities.has(lastSegment);
}

export function declinedBy(content: EventContent, identities: ReadonlySet<string>): boolean {
  return (content.attendees ?? []).some((a) => a.partstat === "DECLINED" && isIdentity(a, identities));
}

export function normalizeIdentities(identities: readonly string[]): ReadonlySet<string> {
  return new Set(identities.map(normalizeAddress).filter((i) => i !== ""));
}
