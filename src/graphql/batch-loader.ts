/**
 * Collects the keys asked for while one GraphQL execution step runs and loads them with one
 * call: a page of 100 entries asking for `externalEvent` makes one query, not 100.
 */
export class BatchLoader<K, V> {
  private pending: { key: K; resolve: (v: V | null) => void; reject: (e: unknown) => void }[] = [];

  constructor(private readonly loadMany: (keys: K[]) => Promise<Map<K, V>>) {}

  load(key: K): Promise<V | null> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({ key, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    try {
      const values = await this.loadMany([...new Set(batch.map((p) => p.key))]);
      for (const p of batch) p.resolve(values.get(p.key) ?? null);
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
}
