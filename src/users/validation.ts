import { IANAZone } from "luxon";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../auth/passwords.js";
import { badInput } from "../errors.js";

export const NAME_MAX_LENGTH = 200;

export function validateTimezone(field: string, timezone: string): string {
  if (!IANAZone.isValidZone(timezone)) {
    throw badInput(field, `"${timezone.slice(0, 64)}" is not an IANA time zone (for example Europe/Berlin)`);
  }
  return timezone;
}

export function validateEmail(field: string, email: string): string {
  refuseNul(field, email);
  if (!isEmail(email)) throw badInput(field, "must be an e-mail address");
  return email.trim().toLowerCase();
}

/** Whether validateEmail would accept it. */
export function isEmail(email: string): boolean {
  const trimmed = email.trim();
  return !trimmed.includes("\u0000") && trimmed.length <= 320 && /^[^\s@]+@[^\s@]+$/.test(trimmed);
}

/** Trims; refuses empty (when required) and over-long strings. */
export function validateText(field: string, value: string, maxLength: number, required = true): string {
  refuseNul(field, value);
  const trimmed = value.trim();
  if (required && trimmed.length === 0) throw badInput(field, "must not be empty");
  if (trimmed.length > maxLength) throw badInput(field, `must be at most ${maxLength} characters`);
  return trimmed;
}

/** PostgreSQL cannot store U+0000 in text: refuse it as bad input instead of failing the write. */
export function refuseNul(field: string, value: string): void {
  if (value.includes("\u0000")) throw badInput(field, "must not contain the NUL character");
}

/** Passwords are kept as typed (no trimming): only their length is checked (NIST SP 800-63B 5.1.1.2). */
export function validatePassword(field: string, password: string): string {
  if (password.length < PASSWORD_MIN_LENGTH) throw badInput(field, `must be at least ${PASSWORD_MIN_LENGTH} characters`);
  if (password.length > PASSWORD_MAX_LENGTH) throw badInput(field, `must be at most ${PASSWORD_MAX_LENGTH} characters`);
  return password;
}
