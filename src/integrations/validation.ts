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
 * that is not encrypted.
 */
export function validateCalDAVUrl(field: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw badInput(field, "must not be empty");
  if (trimmed.length > URL_MAX_LENGTH) throw badInput(field, `must be at most ${URL_MAX_LENGTH} characters`);
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw badInput(field, "is not a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw badInput(field, "must be an http or https URL");
  if (url.username || url.password) throw badInput(field, "must not contain a user name or password: use the username and password fields");
  if (!url.hostname) throw badInput(field, "has no host");
  url.hash = "";
  return url.toString();
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
