// Token buckets for the storefront's writes (R-WID-3): each key (a customer of a shop, a client
// address) holds up to `capacity` requests and regains them evenly over `windowMs`. Kept in the web
// process's memory: the limits bound abuse of one process, and the App Proxy's writes are
// idempotent, so a request a second process lets through changes nothing twice
// (docs/decisions/011-app-proxy-and-widget.md). The clock is injected, so tests move time instead
// of sleeping.
export interface RateLimit {
  /** Requests a key may make at once. */
  capacity: number;
  /** Time in which an empty bucket fills up again. */
  windowMs: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

/** Most keys kept; past it, full buckets (keys that would be allowed anyway) are forgotten first. */
const maxKeys = 50_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly limit: RateLimit) {
    if (limit.capacity < 1 || limit.windowMs < 1)
      throw new Error("a rate limit needs a capacity and a window");
  }

  /** Takes one request from the key's bucket, or says how many seconds until one is available. */
  take(key: string, now: Date): RateDecision {
    const at = now.getTime();
    const perMs = this.limit.capacity / this.limit.windowMs;
    const bucket = this.buckets.get(key);
    const tokens = bucket
      ? Math.min(this.limit.capacity, bucket.tokens + Math.max(0, at - bucket.at) * perMs)
      : this.limit.capacity;
    if (tokens >= 1) {
      if (!bucket && this.buckets.size >= maxKeys) this.prune(at);
      this.buckets.set(key, { tokens: tokens - 1, at });
      return { allowed: true };
    }
    this.buckets.set(key, { tokens, at });
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)) };
  }

  private prune(at: number): void {
    const perMs = this.limit.capacity / this.limit.windowMs;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (at - bucket.at) * perMs >= this.limit.capacity) this.buckets.delete(key);
    }
    // Still full of active keys: drop the oldest half rather than grow without bound.
    if (this.buckets.size >= maxKeys) {
      let drop = Math.floor(this.buckets.size / 2);
      for (const key of this.buckets.keys()) {
        if (drop-- <= 0) break;
        this.buckets.delete(key);
      }
    }
  }
}
