/**
 * Per-user rate limits for the operations that make this server talk to a CalDAV server
 * (syncNow, testConnection, discoverCalendars): one token bucket per user and operation, kept in
 * memory. Limits are therefore per instance — N instances behind a load balancer allow N times
 * the rate (docs/security.md).
 */
import type { MiddlewareFn } from "type-graphql";
import type { Config } from "../config.js";
import { AppError } from "../errors.js";
import type { GraphQLContext } from "./context.js";

export interface RateLimitSettings {
  /** Sustained rate per user and operation; 0 turns limiting off. */
  perMinute: number;
  /** Requests allowed at once (the bucket's size). */
  burst: number;
}

export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets are dropped once full again, so memory follows the active users only. */
const PRUNE_THRESHOLD = 10_000;

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly settings: RateLimitSettings,
    private readonly now: () => number = Date.now,
  ) {
    if (!(settings.perMinute >= 0) || !(settings.burst >= 1)) throw new RangeError("rate limit: perMinute >= 0 and burst >= 1 required");
  }

  take(key: string): RateLimitDecision {
    const { perMinute, burst } = this.settings;
    if (perMinute === 0) return { allowed: true };
    const perMs = perMinute / 60_000;
    const t = this.now();
    const previous = this.buckets.get(key);
    const tokens = previous ? Math.min(burst, previous.tokens + Math.max(0, t - previous.at) * perMs) : burst;
    if (tokens >= 1) {
      this.buckets.set(key, { tokens: tokens - 1, at: t });
      if (this.buckets.size > PRUNE_THRESHOLD) this.prune(t);
      return { allowed: true };
    }
    this.buckets.set(key, { tokens, at: t });
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)) };
  }

  /** Gives back what take() took, for attempts that turned out not to count (a successful sign-in). */
  refund(key: string): void {
    const bucket = this.buckets.get(key);
    if (bucket) bucket.tokens = Math.min(this.settings.burst, bucket.tokens + 1);
  }

  /** Number of buckets held (for tests). */
  get size(): number {
    return this.buckets.size;
  }

  private prune(t: number): void {
    const { perMinute, burst } = this.settings;
    for (const [key, b] of this.buckets) {
      if (b.tokens + (t - b.at) * (perMinute / 60_000) >= burst) this.buckets.delete(key);
    }
  }
}

/**
 * Sign-in attempts per account and per address: a person mistyping gets ten tries at once and one
 * every 12 s after; a password guesser gets 300 an hour per account (OWASP Authentication Cheat Sheet).
 */
export const SIGN_IN_RATE_LIMIT: RateLimitSettings = { perMinute: 5, burst: 10 };

/** No limit: tests and embeddings that do not ask for one. */
export const NO_RATE_LIMIT: RateLimitSettings = { perMinute: 0, burst: 1 };

export function rateLimitSettings(config: Pick<Config, "rateLimitPerMinute" | "rateLimitBurst">): RateLimitSettings {
  return { perMinute: config.rateLimitPerMinute, burst: config.rateLimitBurst };
}

/** type-graphql middleware: `@UseMiddleware(RateLimit("syncNow"))`. */
export function RateLimit(operation: string): MiddlewareFn<GraphQLContext> {
  return async ({ context }, next) => {
    const decision = context.rateLimiter.take(`${context.user.id}\u0000${operation}`);
    if (!decision.allowed) {
      context.log.warn({ operation, retryAfterSeconds: decision.retryAfterSeconds }, "rate limited");
      throw new AppError("RATE_LIMITED", `Too many ${operation} requests: try again in ${decision.retryAfterSeconds} s.`, undefined, {
        retryAfterSeconds: decision.retryAfterSeconds,
      });
    }
    return next();
  };
}
