// Sticky random assignment (R-FLOW-8): bucketOf is a uniform, stable number in [0, 1); a weighted
// split and the control group follow the weights over many customers, give the same customer the
// same answer on every re-entry, and are drawn independently per flow.
//
// Statistical checks use random customer ids, so each one can fail by chance. Every count is
// checked against n·p within 4.5 binomial standard deviations (σ = sqrt(n·p·(1 − p))). By the
// normal approximation (n = 10,000, so it is very close), P(|count − n·p| > 4.5σ) = 2·(1 − Φ(4.5))
// ≈ 6.8e-6: a false alarm has a probability below 1e-5 per checked count.
import { createHash, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { bucketOf, chooseVariant, inControlGroup } from "../../app/flows/assignment";

const n = 10_000;
const sigmas = 4.5;

function customers(count: number): string[] {
  return Array.from({ length: count }, () => randomUUID());
}

/** Asserts that `count` successes of `trials` Bernoulli(p) trials are within 4.5σ of trials·p. */
function expectBinomial(count: number, trials: number, p: number, label: string): void {
  const sigma = Math.sqrt(trials * p * (1 - p));
  const bound = sigmas * sigma;
  expect(
    Math.abs(count - trials * p),
    `${label}: ${count} of ${trials}, expected ${trials * p} ± ${bound.toFixed(1)}`,
  ).toBeLessThanOrEqual(bound);
}

const variants = [
  { id: "A", weight: 50, next: "a" },
  { id: "B", weight: 30, next: "b" },
  { id: "C", weight: 20, next: "c" },
] as const;

describe("bucketOf", () => {
  it("is the first 52 bits of SHA-256 of the key over 2^52", () => {
    for (const key of ["", "a", "split:flow:step:customer", "control:f:c", "ünïcödé ✓"]) {
      const hex = createHash("sha256").update(key).digest("hex");
      expect(bucketOf(key)).toBe(parseInt(hex.slice(0, 13), 16) / 2 ** 52);
    }
  });

  it("is stable and in [0, 1)", () => {
    for (const key of customers(2_000)) {
      const value = bucketOf(key);
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
      expect(bucketOf(key)).toBe(value);
    }
  });

  it("is roughly uniform: each decile holds 10 % of 10,000 keys (± 4.5σ)", () => {
    const deciles = new Array<number>(10).fill(0);
    for (const key of customers(n)) {
      const decile = Math.floor(bucketOf(key) * 10);
      deciles[decile] = (deciles[decile] ?? 0) + 1;
    }
    // σ = sqrt(10,000 · 0.1 · 0.9) = 30, bound ± 135.
    deciles.forEach((count, index) => expectBinomial(count, n, 0.1, `decile ${index}`));
  });
});

describe("chooseVariant", () => {
  it("splits 10,000 customers 50/30/20 within 4.5σ per variant", () => {
    const counts = { A: 0, B: 0, C: 0 };
    for (const customer of customers(n)) counts[chooseVariant(variants, "flow-1", "split", customer).id] += 1;
    // σ: A sqrt(10,000·0.5·0.5) = 50 (± 225), B sqrt(10,000·0.3·0.7) ≈ 45.8 (± 206),
    // C sqrt(10,000·0.2·0.8) = 40 (± 180).
    expectBinomial(counts.A, n, 0.5, "A");
    expectBinomial(counts.B, n, 0.3, "B");
    expectBinomial(counts.C, n, 0.2, "C");
    expect(counts.A + counts.B + counts.C).toBe(n);
  });

  it("is sticky: the same customer gets the same variant on every call (re-entry)", () => {
    for (const customer of customers(1_000)) {
      const first = chooseVariant(variants, "flow-1", "split", customer);
      for (let entry = 0; entry < 3; entry += 1) {
        // A fresh copy of the step, as a re-parsed definition would give.
        const again = chooseVariant(
          variants.map((variant) => ({ ...variant })),
          "flow-1",
          "split",
          customer,
        );
        expect(again.id).toBe(first.id);
      }
    }
  });

  it("picks the variant whose cumulative weight range holds the customer's bucket", () => {
    for (let index = 0; index < 2_000; index += 1) {
      const customer = `customer-${index}`;
      const point = bucketOf(`split:flow-1:split:${customer}`);
      const expected = point < 0.5 ? "A" : point < 0.8 ? "B" : "C";
      expect(chooseVariant(variants, "flow-1", "split", customer).id).toBe(expected);
    }
  });

  it("uses weights that need not sum to 100 (5/3/2 splits as 50/30/20)", () => {
    const scaled = variants.map((variant) => ({ ...variant, weight: variant.weight / 10 }));
    for (let index = 0; index < 2_000; index += 1) {
      const customer = `customer-${index}`;
      expect(chooseVariant(scaled, "flow-1", "split", customer).id).toBe(
        chooseVariant(variants, "flow-1", "split", customer).id,
      );
    }
  });

  it("is independent across flows: P(same variant) = 0.5² + 0.3² + 0.2² = 0.38", () => {
    let different = 0;
    for (const customer of customers(n)) {
      const one = chooseVariant(variants, "flow-1", "split", customer).id;
      const other = chooseVariant(variants, "flow-2", "split", customer).id;
      if (one !== other) different += 1;
    }
    // Independent choices differ for 62 %: σ = sqrt(10,000 · 0.62 · 0.38) ≈ 48.5, bound ± 218.
    expectBinomial(different, n, 0.62, "different variant in another flow");
  });

  it("is independent across split steps of the same flow", () => {
    let different = 0;
    for (const customer of customers(n)) {
      const one = chooseVariant(variants, "flow-1", "split-1", customer).id;
      const other = chooseVariant(variants, "flow-1", "split-2", customer).id;
      if (one !== other) different += 1;
    }
    expectBinomial(different, n, 0.62, "different variant in another step");
  });
});

describe("inControlGroup", () => {
  it("holds out 10 % of 10,000 customers within 4.5σ", () => {
    const held = customers(n).filter((customer) => inControlGroup("flow-1", customer, 10)).length;
    // σ = sqrt(10,000 · 0.1 · 0.9) = 30, bound ± 135.
    expectBinomial(held, n, 0.1, "control group");
  });

  it("is sticky: the same customer is in or out on every call", () => {
    for (const customer of customers(2_000)) {
      const first = inControlGroup("flow-1", customer, 10);
      expect(inControlGroup("flow-1", customer, 10)).toBe(first);
      expect(inControlGroup("flow-1", customer, 10)).toBe(first);
    }
  });

  it("is the customer's bucket below the share", () => {
    for (let index = 0; index < 2_000; index += 1) {
      const customer = `customer-${index}`;
      expect(inControlGroup("flow-1", customer, 10)).toBe(bucketOf(`control:flow-1:${customer}`) < 0.1);
    }
  });

  it("grows with the share: a customer held out at 10 % is held out at 20 %", () => {
    for (const customer of customers(2_000)) {
      if (inControlGroup("flow-1", customer, 10)) expect(inControlGroup("flow-1", customer, 20)).toBe(true);
    }
  });

  it("is independent across flows: 1 % of customers are held out of both at 10 %", () => {
    let both = 0;
    for (const customer of customers(n)) {
      if (inControlGroup("flow-1", customer, 10) && inControlGroup("flow-2", customer, 10)) both += 1;
    }
    // σ = sqrt(10,000 · 0.01 · 0.99) ≈ 9.95, bound ± 44.8.
    expectBinomial(both, n, 0.01, "held out of both flows");
  });

  it("holds out nobody at 0 % (or less) and everybody at 100 %", () => {
    for (const customer of customers(1_000)) {
      expect(inControlGroup("flow-1", customer, 0)).toBe(false);
      expect(inControlGroup("flow-1", customer, -5)).toBe(false);
      expect(inControlGroup("flow-1", customer, 100)).toBe(true);
    }
  });
});
