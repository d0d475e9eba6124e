// The in-memory token buckets behind the pixel endpoint's per-client limit.
import { describe, expect, it } from "vitest";
import { TokenBuckets } from "../../app/storefront/rate-limit";

const at = (seconds: number) => new Date(Date.UTC(2026, 11, 4, 12, 0, seconds));

describe("token buckets", () => {
  it("lets a burst through, refuses the rest with the seconds until it would pass, and refills", () => {
    const buckets = new TokenBuckets({ capacity: 10, refillPerSecond: 2 });
    expect(buckets.take("a", at(0), 10)).toEqual({ allowed: true });
    expect(buckets.take("a", at(0), 3)).toEqual({ allowed: false, retryAfterSeconds: 2 });
    // Another key has its own bucket.
    expect(buckets.take("b", at(0), 10)).toEqual({ allowed: true });
    expect(buckets.take("a", at(2), 3)).toEqual({ allowed: true });
    expect(buckets.take("a", at(2), 2)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it("spends from several buckets only when all of them can pay", () => {
    const buckets = new TokenBuckets({ capacity: 5, refillPerSecond: 1 });
    buckets.take("a", at(0), 5);
    const refused = buckets.takeAll(
      new Map([
        ["a", 1],
        ["b", 5],
      ]),
      at(0),
    );
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 1 });
    // b was not charged for the refused request.
    expect(buckets.take("b", at(0), 5)).toEqual({ allowed: true });
  });

  it("keeps at most maxKeys buckets, forgetting full ones and then the least recently used", () => {
    const buckets = new TokenBuckets({ capacity: 5, refillPerSecond: 1, maxKeys: 3 });
    for (const key of ["a", "b", "c", "d", "e"]) buckets.take(key, at(0), 5);
    expect(buckets.size).toBe(3);
    // "a" was forgotten: it starts full again.
    expect(buckets.take("a", at(0), 5)).toEqual({ allowed: true });
    // "e" is remembered and still empty.
    expect(buckets.take("e", at(0), 1)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });
});
