/**
 * Parses Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * Returns milliseconds from `now`, 0 for a date in the past, null when absent or invalid.
 */
export function parseRetryAfter(value: string | string[] | undefined | null, now: number = Date.now()): number | null {
  if (value == null) return null;
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return null;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // only accept something that looks like an HTTP-date (IMF-fixdate, RFC 850 or asctime), not any Date.parse input
  if (!/[A-Za-z]{3}/.test(v)) return null;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return null;
  return Math.max(0, t - now);
}

/** Exponential backoff with full jitter: base * 2^attempt, randomised in [50%, 100%]. */
export function backoffDelay(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const max = baseMs * 2 ** attempt;
  return Math.round(max / 2 + (random() * max) / 2);
}
