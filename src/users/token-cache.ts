/**
 * Checked bearer tokens, kept for a moment so that a busy client does not cost a database query
 * per request. Keyed by the token's hash; unknown and revoked tokens are never kept.
 */

export interface CachedToken<U> {
  user: U;
  tokenId: string;
  lastUsedAt: Date | null;
}

interface Entry<U> {
  token: CachedToken<U>;
  checkedAt: number;
}

export class TokenCache<U> {
  private readonly entries = new Map<string, Entry<U>>();
  /** Lookups under way, shared by the requests that arrive meanwhile. */
  private readonly pending = new Map<string, Promise<CachedToken<U> | null>>();
  /** Bumped by every invalidation: a lookup that started before one must not fill the cache. */
  private generation = 0;

  constructor(
    readonly ttlMs: number,
    readonly maxEntries: number,
  ) {}

  async get(hash: string, now: number, lookup: () => Promise<CachedToken<U> | null>): Promise<CachedToken<U> | null> {
    const hit = this.entries.get(hash);
    if (hit && now - hit.checkedAt < this.ttlMs && now >= hit.checkedAt) return hit.token;
    const running = this.pending.get(hash);
    if (running) return running;
    const generation = this.generation;
    const promise = lookup().finally(() => {
      if (this.pending.get(hash) === promise) this.pending.delete(hash);
    });
    this.pending.set(hash, promise);
    const token = await promise;
    this.entries.delete(hash);
    if (token && generation === this.generation && this.ttlMs > 0) {
      if (this.entries.size >= this.maxEntries) this.evict(now);
      this.entries.set(hash, { token, checkedAt: now });
    }
    return token;
  }

  /** Forgets every token: after a revocation, the next request of each client asks the database. */
  clear(): void {
    this.generation++;
    this.entries.clear();
    this.pending.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drops expired entries, and the oldest ones if that is not enough. */
  private evict(now: number): void {
    for (const [hash, entry] of this.entries) {
      if (now - entry.checkedAt >= this.ttlMs) this.entries.delete(hash);
    }
    for (const hash of this.entries.keys()) {
      if (this.entries.size < this.maxEntries) break;
      this.entries.delete(hash);
    }
  }
}
