import { describe, expect, it } from "vitest";
import { TokenCache, type CachedToken } from "./token-cache.js";

const token = (user: string): CachedToken<string> => ({ user, tokenId: `id-${user}`, lastUsedAt: null });

describe("token cache", () => {
  it("asks again once the entry is older than the TTL", async () => {
    const cache = new TokenCache<string>(1_000, 10);
    let lookups = 0;
    const lookup = async () => (lookups++, token("alice"));
    await cache.get("h", 0, lookup);
    await cache.get("h", 999, lookup);
    expect(lookups).toBe(1);
    await cache.get("h", 1_000, lookup);
    expect(lookups).toBe(2);
  });

  it("never keeps an unknown or revoked token", async () => {
    const cache = new TokenCache<string>(1_000, 10);
    let lookups = 0;
    const lookup = async () => (lookups++, null);
    expect(await cache.get("h", 0, lookup)).toBeNull();
    expect(await cache.get("h", 1, lookup)).toBeNull();
    expect(lookups).toBe(2);
    expect(cache.size).toBe(0);
  });

  it("shares one lookup among the requests that arrive while it runs", async () => {
    const cache = new TokenCache<string>(1_000, 10);
    let lookups = 0;
    let release = () => {};
    const lookup = () => {
      lookups++;
      return new Promise<CachedToken<string>>((resolve) => (release = () => resolve(token("alice"))));
    };
    const answers = [cache.get("h", 0, lookup), cache.get("h", 0, lookup), cache.get("h", 0, lookup)];
    release();
    expect((await Promise.all(answers)).map((t) => t?.user)).toEqual(["alice", "alice", "alice"]);
    expect(lookups).toBe(1);
  });

  it("does not keep what a lookup started before clear() found: it may predate a revocation", async () => {
    const cache = new TokenCache<string>(1_000, 10);
    let release = () => {};
    const slow = () => new Promise<CachedToken<string>>((resolve) => (release = () => resolve(token("alice"))));
    const pending = cache.get("h", 0, slow);
    cache.clear();
    release();
    expect((await pending)?.user).toBe("alice");
    let lookups = 0;
    expect(await cache.get("h", 1, async () => (lookups++, null))).toBeNull();
    expect(lookups).toBe(1);
  });

  it("holds at most maxEntries, dropping expired and then the oldest entries", async () => {
    const cache = new TokenCache<string>(1_000, 3);
    for (const [i, hash] of ["a", "b", "c"].entries()) await cache.get(hash, i, async () => token(hash));
    await cache.get("d", 500, async () => token("d"));
    expect(cache.size).toBe(3);
    let lookups = 0;
    await cache.get("a", 600, async () => (lookups++, token("a")));
    expect(lookups).toBe(1);
    await cache.get("d", 601, async () => (lookups++, token("d")));
    expect(lookups).toBe(1);
  });

  it("keeps nothing with a TTL of 0", async () => {
    const cache = new TokenCache<string>(0, 10);
    await cache.get("h", 0, async () => token("alice"));
    expect(cache.size).toBe(0);
  });
});
