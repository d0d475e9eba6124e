// Token buckets kept in this process's memory: each key (e.g. a shop's pixel client) may spend
// `capacity` units at once and gets `refillPerSecond` back. Per process on purpose — a storefront
// flood is refused without a database round trip; with N web processes a client can get N times
// the rate, which is still bounded (docs/decisions/012-browse-pixel-and-account-extension.md).
// The number of keys is capped, so rotating keys cannot grow memory without bound.

export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly options: { capacity: number; refillPerSecond: number; maxKeys?: number }) {
    if (options.capacity <= 0 || options.refillPerSecond <= 0)
      throw new Error("a bucket must hold and refill");
  }

  /** Spends `cost` units of `key`'s bucket at `now`, or says how long until it could. */
  take(key: string, now: Date, cost = 1): RateLimitDecision {
    return this.takeAll(new Map([[key, cost]]), now);
  }

  /** Spends from every key's bucket only if all of them can (one request: all or nothing). */
  takeAll(costs: ReadonlyMap<string, number>, now: Date): RateLimitDecision {
    const { capacity, refillPerSecond } = this.options;
    const at = now.getTime();
    let retryAfterSeconds = 0;
    for (const [key, cost] of costs) {
      const missing = cost - (cost > capacity ? 0 : this.tokensAt(key, at));
      if (missing > 0) {
        retryAfterSeconds = Math.max(retryAfterSeconds, Math.max(1, Math.ceil(missing / refillPerSecond)));
      }
    }
    if (retryAfterSeconds > 0) return { allowed: false, retryAfterSeconds };
    for (const [key, cost] of costs) {
      const tokens = this.tokensAt(key, at);
      // Re-inserted, so the Map's order is least recently used first (evicted first).
      this.buckets.delete(key);
      this.buckets.set(key, { tokens: tokens - cost, updatedAt: at });
    }
    this.evict(at);
    return { allowed: true };
  }

  /** Keys tracked now (bounded by maxKeys). */
  get size(): number {
    return this.buckets.size;
  }

  private tokensAt(key: string, at: number): number {
    const { capacity, refillPerSecond } = this.options;
    const bucket = this.buckets.get(key);
    if (!bucket) return capacity;
    return Math.min(capacity, bucket.tokens + (Math.max(0, at - bucket.updatedAt) / 1000) * refillPerSecond);
  }

  private evict(at: number): void {
    const maxKeys = this.options.maxKeys ?? 100_000;
    if (this.buckets.size <= maxKeys) return;
    // Full buckets carry no information: forget them first, then the least recently used.
    const fullAfterMs = (this.options.capacity / this.options.refillPerSecond) * 1000;
    for (const [key, bucket] of this.buckets) {
      if (at - bucket.updatedAt >= fullAfterMs) this.buckets.delete(key);
    }
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= maxKeys) break;
      this.buckets.delete(key);
    }
  }
}
