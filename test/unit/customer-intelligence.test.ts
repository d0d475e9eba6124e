// Customer intelligence's pure rules (R-CUS-2…3, R-WIN, R-REPL): rhythm and lifecycle, RFM against a
// hand-computed table, predicted CLV and value bands, affinities, insights and replenishment.
import { describe, expect, it } from "vitest";
import { affinitiesOf } from "../../app/customers/intelligence/affinities";
import { bestsellers, boughtTogether } from "../../app/customers/intelligence/insights";
import {
  learnedInterval,
  replenishmentPlan,
  type ProductPurchase,
} from "../../app/customers/intelligence/replenishment";
import { customerRhythm } from "../../app/customers/intelligence/rhythm";
import {
  cutPoints,
  groupOf,
  predictedClvMinor,
  rfmScores,
  rfmSegment,
  shopAverages,
  shopCutPoints,
  valueBand,
} from "../../app/customers/intelligence/scores";
import { defaultLifecycleSettings } from "../../app/customers/lifecycle";
import { orderDatesOf, rfmTable } from "../fixtures/rfm-table";

const day = 86_400_000;
const now = new Date("2026-12-04T12:00:00Z");
const daysAgo = (days: number) => new Date(now.getTime() - days * day);

describe("a customer's rhythm (R-WIN)", () => {
  const buyerEvery = (gap: number, orders: number, lastDaysAgo: number) =>
    Array.from({ length: orders }, (_, index) => daysAgo(lastDaysAgo + (orders - 1 - index) * gap));

  it("a 10-day buyer is at risk at 21 days, a 60-day buyer is not", () => {
    const tenDay = customerRhythm(buyerEvery(10, 5, 21), now, defaultLifecycleSettings);
    expect(tenDay.typicalIntervalDays).toBe(10);
    expect(tenDay.lifecycleStage).toBe("at_risk");
    expect(tenDay.atRiskAt).toEqual(daysAgo(1));
    expect(customerRhythm(buyerEvery(10, 5, 20), now, defaultLifecycleSettings).lifecycleStage).toBe(
      "repeat",
    );
    const sixtyDay = customerRhythm(buyerEvery(60, 4, 21), now, defaultLifecycleSettings);
    expect(sixtyDay.lifecycleStage).toBe("repeat");
    expect(sixtyDay.atRiskAt).toEqual(daysAgo(21 - 120));
  });

  it("a one-time buyer becomes at risk at the 90-day floor, lapsed after 180", () => {
    expect(customerRhythm([daysAgo(90)], now, defaultLifecycleSettings)).toEqual({
      typicalIntervalDays: null,
      atRiskAt: now,
      lifecycleStage: "one_time",
    });
    expect(customerRhythm([daysAgo(91)], now, defaultLifecycleSettings).lifecycleStage).toBe("at_risk");
    expect(customerRhythm([daysAgo(181)], now, defaultLifecycleSettings).lifecycleStage).toBe("lapsed");
  });

  it("follows the shop's own multiplier and floor", () => {
    const settings = { atRiskMultiplier: 3, oneTimeFloorDays: 30 };
    expect(customerRhythm(buyerEvery(10, 3, 25), now, settings).lifecycleStage).toBe("repeat");
    expect(customerRhythm(buyerEvery(10, 3, 31), now, settings).lifecycleStage).toBe("at_risk");
    expect(customerRhythm([daysAgo(31)], now, settings).lifecycleStage).toBe("at_risk");
  });

  it("a lead has no rhythm", () => {
    expect(customerRhythm([], now, defaultLifecycleSettings)).toEqual({
      typicalIntervalDays: null,
      atRiskAt: null,
      lifecycleStage: "lead",
    });
  });
});

describe("RFM scores and segments (R-CUS-3)", () => {
  it("quintile cut points put ties in the lower group", () => {
    expect(cutPoints([1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 12], 5)).toEqual([
      1, 2, 3, 7,
    ]);
    expect(groupOf(1, [1, 2, 3, 7])).toBe(1);
    expect(groupOf(7, [1, 2, 3, 7])).toBe(4);
    expect(groupOf(8, [1, 2, 3, 7])).toBe(5);
    expect(cutPoints([], 5)).toEqual([]);
  });

  it("match the hand-computed 20-customer table", () => {
    const buyers = rfmTable.map((buyer) => ({
      recencyDays: buyer.recencyDays,
      ordersCount: buyer.orders,
      netRevenueMinor: buyer.netMinor,
      predictedClvMinor: 0,
    }));
    const points = shopCutPoints(buyers, { averageOrderMinor: 0, repeatShare: 0 });
    const computed = rfmTable.map((buyer, index) => {
      const scores = rfmScores(buyers[index] as (typeof buyers)[number], points);
      return {
        name: buyer.name,
        stage: customerRhythm(orderDatesOf(buyer, now), now, defaultLifecycleSettings).lifecycleStage,
        r: scores.recency,
        f: scores.frequency,
        m: scores.monetary,
        segment: rfmSegment(scores, buyer.orders),
      };
    });
    expect(computed).toEqual(
      rfmTable.map(({ name, stage, r, f, m, segment }) => ({ name, stage, r, f, m, segment })),
    );
  });
});

describe("predicted CLV and value bands (R-CUS-3)", () => {
  const averages = { averageOrderMinor: 5_000, repeatShare: 0.25 };

  it("a monthly buyer's next year at their average order value, shrunk toward the shop's", () => {
    // 6 orders of 10,000 → (6 × 10,000 + 2 × 5,000) / 8 = 8,750 per order, 365 / 30 orders a year.
    const clv = predictedClvMinor(
      { recencyDays: 10, ordersCount: 6, netRevenueMinor: 60_000, typicalIntervalDays: 30 },
      averages,
      defaultLifecycleSettings,
    );
    expect(clv).toBe(Math.round((365 / 30) * 8_750));
  });

  it("a one-time buyer is worth the shop's repeat share of an order", () => {
    // (1 × 3,000 + 2 × 5,000) / 3 = 4,333.3 × 0.25
    expect(
      predictedClvMinor(
        { recencyDays: 10, ordersCount: 1, netRevenueMinor: 3_000, typicalIntervalDays: null },
        averages,
        defaultLifecycleSettings,
      ),
    ).toBe(Math.round(0.25 * (13_000 / 3)));
  });

  it("fades once they are at risk, to a tenth when lapsed", () => {
    const buyer = { ordersCount: 4, netRevenueMinor: 20_000, typicalIntervalDays: 10 };
    const active = predictedClvMinor({ ...buyer, recencyDays: 20 }, averages, defaultLifecycleSettings);
    const halfway = predictedClvMinor({ ...buyer, recencyDays: 30 }, averages, defaultLifecycleSettings);
    const lapsed = predictedClvMinor({ ...buyer, recencyDays: 400 }, averages, defaultLifecycleSettings);
    expect(halfway).toBe(Math.round(active * 0.55));
    expect(lapsed).toBe(Math.round(active * 0.1));
  });

  it("bands by the shop's tertiles", () => {
    const points = cutPoints([100, 200, 300, 400, 500, 600], 3);
    expect(points).toEqual([200, 400]);
    expect([100, 200, 201, 400, 401, 600].map((clv) => valueBand(clv, points))).toEqual([
      "low",
      "low",
      "medium",
      "medium",
      "high",
      "high",
    ]);
  });

  it("shop averages from the totals", () => {
    expect(shopAverages({ netRevenueMinor: 10_001, orders: 2, buyers: 4, repeatBuyers: 1 })).toEqual({
      averageOrderMinor: 5_001,
      repeatShare: 0.25,
    });
    expect(shopAverages({ netRevenueMinor: 0, orders: 0, buyers: 0, repeatBuyers: 0 })).toEqual({
      averageOrderMinor: 0,
      repeatShare: 0,
    });
  });
});

describe("affinities and product insights (R-CUS-3)", () => {
  it("shares of units by product type and vendor", () => {
    expect(
      affinitiesOf([
        { quantity: 3, productType: "Coffee", vendor: "Roastery" },
        { quantity: 1, productType: "Tea", vendor: "Roastery" },
        { quantity: 1, productType: null, vendor: null },
      ]),
    ).toEqual({
      categories: [
        { name: "Coffee", share: 0.6 },
        { name: "Tea", share: 0.2 },
      ],
      vendors: [{ name: "Roastery", share: 0.8 }],
    });
  });

  it("bought together ranks the products most often in the same order", () => {
    const at = daysAgo(1);
    const lines = [
      ["o1", "A"],
      ["o1", "B"],
      ["o2", "A"],
      ["o2", "B"],
      ["o2", "C"],
      ["o3", "A"],
      ["o3", "C"],
      ["o3", "C"],
      ["o4", "A"],
      ["o4", "D"],
      ["o5", "E"],
    ].map(([orderId, productShopifyId]) => ({
      orderId: orderId as string,
      productShopifyId: productShopifyId as string,
      quantity: 1,
      purchasedAt: at,
    }));
    const together = boughtTogether(lines);
    expect(together.get("A")).toEqual(["B", "C", "D"]);
    expect(together.get("C")).toEqual(["A", "B"]);
    expect(together.has("E")).toBe(false);
  });

  it("bestsellers by units in the window, per product type and shop-wide", () => {
    const line = (productShopifyId: string, quantity: number, days: number) => ({
      orderId: `o${productShopifyId}${days}`,
      productShopifyId,
      quantity,
      purchasedAt: daysAgo(days),
    });
    const types: Record<string, string> = { A: "Coffee", B: "Coffee", C: "Tea" };
    const best = bestsellers(
      [line("A", 2, 5), line("B", 3, 5), line("C", 4, 5), line("A", 10, 200)],
      (id) => types[id] ?? null,
      daysAgo(90),
    );
    expect(best.get("*")).toEqual(["C", "B", "A"]);
    expect(best.get("Coffee")).toEqual(["B", "A"]);
    expect(best.get("Tea")).toEqual(["C"]);
  });
});

/** A deterministic pseudo-random source (mulberry32). */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe("replenishment (R-REPL)", () => {
  const random = seeded(15);
  /** Customers rebuying every 30 days ± 5, `count` purchases each. */
  const history = (customers: number, count: number): ProductPurchase[] =>
    Array.from({ length: customers }, (_, customer) => {
      let at = daysAgo(400 + customer);
      return Array.from({ length: count }, (_, index) => {
        if (index > 0) at = new Date(at.getTime() + (30 + (random() * 10 - 5)) * day);
        return { customerId: `c${customer}`, orderId: `o${customer}-${index}`, purchasedAt: at, quantity: 1 };
      });
    }).flat();

  it("learns a ~30-day interval from noisy rebuys, within 10 %", () => {
    const learned = learnedInterval(history(8, 4), 5);
    expect(learned.repeatPairs).toBe(24);
    expect(learned.intervalDays).toBeGreaterThan(27);
    expect(learned.intervalDays).toBeLessThan(33);
  });

  it("learns nothing below the minimum number of repeat pairs", () => {
    expect(learnedInterval(history(2, 2), 5)).toEqual({ intervalDays: null, repeatPairs: 2 });
  });

  it("divides each gap by the quantity bought before it", () => {
    const purchases: ProductPurchase[] = [
      { customerId: "a", orderId: "1", purchasedAt: daysAgo(120), quantity: 2 },
      { customerId: "a", orderId: "2", purchasedAt: daysAgo(60), quantity: 1 },
      { customerId: "a", orderId: "3", purchasedAt: daysAgo(30), quantity: 1 },
    ];
    expect(learnedInterval(purchases, 2).intervalDays).toBe(30);
  });

  const consumption = { learnedIntervalDays: 30, overrideIntervalDays: null, excluded: false };
  const bought = (quantity: number, days = 1): ProductPurchase[] => [
    { customerId: "a", orderId: "last", purchasedAt: daysAgo(days), quantity },
  ];

  it("is due after the interval × quantity, reminded three days before", () => {
    const plan = replenishmentPlan("P", bought(1), consumption, 3, now);
    expect(plan?.dueAt).toEqual(daysAgo(1 - 30));
    expect(plan?.remindAt).toEqual(daysAgo(1 - 27));
    const double = replenishmentPlan("P", bought(2), consumption, 3, now);
    expect(double?.dueAt).toEqual(daysAgo(1 - 60));
  });

  it("uses the customer's own interval with two repeats of their own, the merchant's override first", () => {
    const own: ProductPurchase[] = [0, 20, 40].map((offset, index) => ({
      customerId: "a",
      orderId: `o${index}`,
      purchasedAt: daysAgo(41 - offset),
      quantity: 1,
    }));
    expect(replenishmentPlan("P", own, consumption, 3, now)?.intervalDays).toBe(20);
    expect(replenishmentPlan("P", own.slice(1), consumption, 3, now)?.intervalDays).toBe(30);
    expect(
      replenishmentPlan("P", own, { ...consumption, overrideIntervalDays: 45 }, 3, now)?.intervalDays,
    ).toBe(45);
  });

  it("never enrols an excluded product or one without a pattern", () => {
    expect(replenishmentPlan("P", bought(1), { ...consumption, excluded: true }, 3, now)).toBeNull();
    expect(
      replenishmentPlan("P", bought(1), { ...consumption, learnedIntervalDays: null }, 3, now),
    ).toBeNull();
    expect(replenishmentPlan("P", bought(1), undefined, 3, now)).toBeNull();
  });

  it("lets go of a purchase more than a whole interval past due", () => {
    expect(replenishmentPlan("P", bought(1, 59), consumption, 3, now)).not.toBeNull();
    expect(replenishmentPlan("P", bought(1, 61), consumption, 3, now)).toBeNull();
  });
});
