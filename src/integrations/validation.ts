import { normalizeCalendarUrl } from "../caldav/index.js";
import { badInput } from "../errors.js";
import { isEmail, refuseNul } from "../users/validation.js";

export const LOOKBACK_DAYS = { min: 1, max: 3650, default: 90 } as const;
export const LOOKAHEAD_DAYS = { min: 0, max: 365, default: 0 } as const;
export const AUTO_SYNC_MINUTES = { min: 5, max: 7 * 24 * 60 } as const;
export const ALL_DAY_HOURS = { min: 1, max: 24 } as const;
export const URL_MAX_LENGTH = 2048;
export const EXTRA_ATTENDEE_ADDRESSES_MAX = 20;

/**
 * A server or calendar URL as users type it: a bare host ("cloud.example.com") means https.
 * Only http and https; credentials inside the URL are refused so they never land in a column
 * that is not encrypted. Checked before anything is stored or resolved: a mistyped scheme
 * ("htp:/…") is refused here, never read as a host name and looked up.
 */
export function validateCalDAVUrl(field: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw badInput(field, "must not be empty");
  if (trimmed.length > URL_MAX_LENGTH) throw badInput(field, `must be at most ${URL_MAX_LENGTH} characters`);
  // "name:" starts a scheme unless digits follow: "cloud.example.com:8443/dav" is a host and port.
  const scheme = /^([a-z][a-z0-9+.-]*):(?!\d)/i.exec(trimmed)?.[1];
  if (scheme !== undefined && !/^https?$/i.test(scheme)) {
    throw badInput(field, `The URL starts with "${scheme}:", which is not a web address. Type it with http:// or https://, for example https://cloud.example.com/remote.php/dav.`);
  }
  if (scheme !== undefined && !/^[a-z]+:\/\/[^/]/i.test(trimmed)) {
    throw badInput(field, `The URL has no host after "${scheme}:". Type two slashes and the server's name, for example ${scheme.toLowerCase()}://cloud.example.com/.`);
  }
  let url: URL;
  try {
    url = new URL(scheme === undefined ? `https://${trimmed}` : trimmed);
  } catch {
    throw badInput(field, "This is not a valid URL. Check it for typos, for example a space or a stray character in the server's name.");
  }
  if (url.username || url.password) throw badInput(field, "must not contain a user name or password: use the username and password fields");
  url.hash = "";
  return url.toString();
}

/** A calendar collection's URL: validated like any CalDAV URL, then in its one spelling (src/caldav/http/calendar-url.ts). */
export function validateCalendarUrl(field: string, value: string): string {
  return normalizeCalendarUrl(validateCalDAVUrl(field, value));
}

export function validateRange(field: string, value: number, range: { min: number; max: number }): number {
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw badInput(field, `must be a whole number from ${range.min} to ${range.max}`);
  }
  return value;
}

/** "HH:MM", 24-hour clock. */
export function validateTimeOfDay(field: string, value: string): string {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value.trim());
  if (!match) throw badInput(field, 'must be a time of day as "HH:MM" (for example "09:00")');
  return match[0];
}

/**
 * The user's further calendar addresses: e-mail addresses, with or without "mailto:" (RFC 6068),
 * stored as "mailto:…" without duplicates (compared ignoring case, as attendees are matched).
 */
export function validateAttendeeAddresses(field: string, values: readonly string[]): string[] {
  if (values.length > EXTRA_ATTENDEE_ADDRESSES_MAX) throw badInput(field, `must list at most ${EXTRA_ATTENDEE_ADDRESSES_MAX} addresses`);
  const byKey = new Map<string, string>();
  for (const [i, value] of values.entries()) {
    refuseNul(`${field}[${i}]`, value);
    const address = value.trim().replace(/^mailto:/i, "");
    if (!isEmail(address)) throw badInput(`${field}[${i}]`, 'must be an e-mail address, for example "anna@example.com" or "mailto:anna@example.com"');
    if (!byKey.has(address.toLowerCase())) byKey.set(address.toLowerCase(), `mailto:${address}`);
  }
  return [...byKey.values()];
}
