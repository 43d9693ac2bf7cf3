/**
 * When an integration is synced next: pure arithmetic, tested beside this file.
 *
 * - First due time after the interval is set: a random point within one interval, so a thousand
 *   integrations configured at once do not fire in the same second.
 * - After a successful (or partial) run: one interval later, give or take 5 %.
 * - After a failed run: exponential backoff (interval × 2^failures, capped), and never sooner than
 *   the server's Retry-After.
 */
const MINUTE_MS = 60_000;

export interface BackoffPolicy {
  /** The longest wait after repeated failures. */
  maxBackoffMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { maxBackoffMs: 24 * 60 * MINUTE_MS };

/** `random` returns [0, 1): injected so tests are exact. */
export type Random = () => number;

export function firstDueAt(now: Date, intervalMinutes: number, random: Random = Math.random): Date {
  return new Date(now.getTime() + Math.floor(random() * intervalMinutes * MINUTE_MS));
}

export function nextDueAt(
  now: Date,
  intervalMinutes: number,
  outcome: { failed: boolean; consecutiveFailures: number; retryAfterMs: number | null },
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: Random = Math.random,
): Date {
  const interval = intervalMinutes * MINUTE_MS;
  const jitter = 1 + (random() - 0.5) * 0.1;
  if (!outcome.failed) return new Date(now.getTime() + interval * jitter);
  const backoff = Math.min(interval * 2 ** Math.min(outcome.consecutiveFailures, 30), policy.maxBackoffMs) * jitter;
  return new Date(now.getTime() + Math.max(backoff, outcome.retryAfterMs ?? 0));
}
