// R-ANA-1…5: the formulas with the worked examples of REQUIREMENTS.md §8 and issue 17.
import { describe, expect, it } from "vitest";
import {
  localDay,
  midnightOf,
  monthOfDay,
  firstDayOfMonth,
  isoToDay,
  dayToIso,
} from "../../app/analytics/calendar";
import {
  addContribution,
  customerRollup,
  emptyContribution,
  type RawOrder,
} from "../../app/analytics/customer-rollup";
import {
  averageOrderValue,
  churnRate,
  customerLifetimeValue,
  customerRetentionRate,
  historicalCustomerValue,
  netPromoterScore,
  npsCounts,
  percentage,
  purchaseFrequency,
  repeatPurchaseRate,
} from "../../app/analytics/metrics";

describe("retention (R-ANA-1, R-ANA-2)", () => {
  it("S = 1000, E = 900, N = 200 → CRR 70.00 %", () => {
    expect(customerRetentionRate({ atStart: 1000, atEnd: 900, acquired: 200 })).toBe(70);
    expect(customerRetentionRate({ atStart: 1000, atEnd: 900, acquired: 200 })?.toFixed(2)).toBe("70.00");
  });

  it("S = 150, N = 50, 7 lost → E = 193 → CRR 95.33 %, churn 4.67 %", () => {
    const atEnd = 150 + 50 - 7;
    expect(atEnd).toBe(193);
    expect(customerRetentionRate({ atStart: 150, atEnd, acquired: 50 })).toBe(95.33);
    expect(churnRate({ atStart: 150, retained: 143 })).toBe(4.67);
  });

  it("has no rate without customers at the start", () => {
    expect(customerRetentionRate({ atStart: 0, atEnd: 10, acquired: 10 })).toBeNull();
    expect(churnRate({ atStart: 0, retained: 0 })).toBeNull();
  });

  it("rounds half away from zero from exact integers", () => {
    expect(percentage(1, 8)).toBe(12.5);
    expect(percentage(1, 3)).toBe(33.33);
    expect(percentage(2, 3)).toBe(66.67);
    expect(percentage(-2, 3)).toBe(-66.67);
    expect(percentage(1, 20_000)).toBe(0.01); // 0.005 % rounds up
    expect(percentage(1, 20_001)).toBe(0);
  });
});

describe("orders (R-ANA-3, R-ANA-4)", () => {
  it("repeat purchase rate, AOV in minor units, purchase frequency", () => {
    expect(repeatPurchaseRate(30, 120)).toBe(25);
    expect(averageOrderValue(100_001, 2)).toBe(50_001); // 50,000.5 rounds up
    expect(averageOrderValue(0, 0)).toBeNull();
    expect(purchaseFrequency(350, 200)).toBe(1.75);
  });

  it("CLV = AOV × yearly frequency × lifespan × margin", () => {
    // 1,000 customers ordered 1,500 times for 6,000,000 minor units in a year: AOV 4,000, 1.5 per
    // year; 3 years at 30 % → 4,000 × 1.5 × 3 × 0.3 = 5,400.
    expect(
      customerLifetimeValue(6_000_000, 1_000, { expectedLifespanMonths: 36, profitMarginBasisPoints: 3000 }),
    ).toBe(5_400);
    expect(historicalCustomerValue(12_345, 3000)).toBe(3_704); // 3,703.5 rounds up
  });
});

describe("NPS (R-ANA-5)", () => {
  it("60 % promoters and 10 % detractors → 50", () => {
    const counts = npsCounts([
      { score: 10, count: 40 },
      { score: 9, count: 20 },
      { score: 8, count: 20 },
      { score: 7, count: 10 },
      { score: 6, count: 5 },
      { score: 0, count: 5 },
    ]);
    expect(counts).toEqual({ promoters: 60, passives: 30, detractors: 10 });
    expect(netPromoterScore(counts)).toBe(50);
    expect(netPromoterScore({ promoters: 0, passives: 0, detractors: 0 })).toBeNull();
  });
});

describe("shop-local calendar", () => {
  it("numbers days and months in the shop's zone, midnights included", () => {
    const zone = "Europe/Prague";
    const day = isoToDay("2026-03-29"); // clocks go forward at 02:00
    expect(dayToIso(day)).toBe("2026-03-29");
    expect(new Date(midnightOf(day, zone)).toISOString()).toBe("2026-03-28T23:00:00.000Z");
    expect(new Date(midnightOf(day + 1, zone)).toISOString()).toBe("2026-03-29T22:00:00.000Z");
    expect(localDay(midnightOf(day, zone), zone)).toBe(day);
    expect(localDay(midnightOf(day, zone) - 1, zone)).toBe(day - 1);
    expect(firstDayOfMonth(monthOfDay(day))).toBe(isoToDay("2026-03-01"));
  });
});

describe("a customer's rollup", () => {
  const context = { shopId: "s", zone: "UTC", activityWindowDays: 10 };
  const at = (iso: string) => Date.parse(iso);
  const order = (id: string, iso: string, extra: Partial<RawOrder> = {}): RawOrder => ({
    id,
    customerId: "c",
    placedAt: at(iso),
    subtotalMinor: 1000,
    totalMinor: 1200,
    refundedMinor: 0,
    cancelled: false,
    ...extra,
  });

  it("skips cancelled and fully refunded orders and nets partial refunds", () => {
    const rollup = customerRollup(
      "c",
      [
        order("a", "2026-01-01T10:00:00Z"),
        order("b", "2026-01-02T10:00:00Z", { cancelled: true }),
        order("c", "2026-01-03T10:00:00Z", { refundedMinor: 1200 }),
        order("d", "2026-01-04T10:00:00Z", { refundedMinor: 300 }),
      ],
      context,
    );
    expect(rollup.orders.map((fact) => [fact.orderId, fact.revenueMinor, fact.previousAt])).toEqual([
      ["a", 1000, null],
      ["d", 700, at("2026-01-01T10:00:00Z")],
    ]);
    expect(rollup.customer).toMatchObject({ orders: 2, revenueMinor: 1700 });
  });

  it("keeps an order's customer active on (t − W, t]: an order at midnight counts at that midnight", () => {
    const rollup = customerRollup(
      "c",
      [order("a", "2026-01-10T00:00:00Z"), order("b", "2026-01-25T12:00:00Z")],
      context,
    );
    const jan = (date: number) => isoToDay(`2026-01-${String(date).padStart(2, "0")}`);
    // a: active at midnights of Jan 10 … Jan 19; b: Jan 26 … Feb 4.
    expect(rollup.spells.map((spell) => [spell.seq, spell.activeFrom, spell.activeUntil])).toEqual([
      [1, jan(10), jan(19)],
      [2, jan(26), jan(26) + 9],
    ]);
    const contribution = addContribution(emptyContribution(), rollup, 1);
    addContribution(contribution, rollup, -1);
    expect([...contribution.days.values()].every((d) => Object.values(d).every((v) => v === 0))).toBe(true);
  });
});
