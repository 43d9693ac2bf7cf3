import { describe, expect, it } from "vitest";
import { TokenBucketLimiter } from "./rate-limit.js";

describe("token bucket", () => {
  it("allows a burst, then one request per interval, and says when to retry", () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ perMinute: 6, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => limiter.take("u").allowed)).toEqual([true, true, true]);
    expect(limiter.take("u")).toEqual({ allowed: false, retryAfterSeconds: 10 });
    now = 4_000;
    expect(limiter.take("u")).toEqual({ allowed: false, retryAfterSeconds: 6 });
    now = 10_000;
    expect(limiter.take("u").allowed).toBe(true);
    expect(limiter.take("u").allowed).toBe(false);
  });

  it("keeps one bucket per key", () => {
    const limiter = new TokenBucketLimiter({ perMinute: 1, burst: 1 }, () => 0);
    expect(limiter.take("alice").allowed).toBe(true);
    expect(limiter.take("alice").allowed).toBe(false);
    expect(limiter.take("bob").allowed).toBe(true);
  });

  it("never holds more than the burst, however long the pause", () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ perMinute: 60, burst: 2 }, () => now);
    limiter.take("u");
    now = 10 * 60 * 60_000;
    expect([1, 2, 3].map(() => limiter.take("u").allowed)).toEqual([true, true, false]);
  });

  it("is off with perMinute 0", () => {
    const limiter = new TokenBucketLimiter({ perMinute: 0, burst: 1 }, () => 0);
    expect(Array.from({ length: 100 }, () => limiter.take("u").allowed).every(Boolean)).toBe(true);
    expect(limiter.size).toBe(0);
  });

  it("forgets buckets that are full again, so memory follows the active users", () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ perMinute: 60, burst: 1 }, () => now);
    for (let i = 0; i < 10_000; i++) limiter.take(`user-${i}`);
    now = 120_000;
    limiter.take("one-more");
    expect(limiter.size).toBeLessThan(10);
  });

  it("refuses nonsense settings", () => {
    expect(() => new TokenBucketLimiter({ perMinute: -1, burst: 1 })).toThrow(RangeError);
    expect(() => new TokenBucketLimiter({ perMinute: 1, burst: 0 })).toThrow(RangeError);
  });
});
