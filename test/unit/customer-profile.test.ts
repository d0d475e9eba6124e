// Derived customer fields and lifecycle stages (R-CUS-1, R-CUS-2).
import { describe, expect, it } from "vitest";
import { lifecycleStage, typicalIntervalDays } from "../../app/customers/lifecycle";
import { customerProfile } from "../../app/customers/profile";

const day = 86_400_000;
const now = new Date("2026-11-23T00:00:00Z");
const daysAgo = (days: number) => new Date(now.getTime() - days * day);
const order = (days: number, totalMinor: number, refundedMinor = 0) => ({
  processedAt: daysAgo(days),
  totalMinor,
  refundedMinor,
  currency: "EUR",
});

describe("customer profile", () => {
  it("sums what was spent net of refunds and rounds the average order value half up", () => {
    const profile = customerProfile([order(30, 1000), order(20, 2001, 500), order(10, 1000)], now);
    expect(profile).toMatchObject({
      ordersCount: 3,
      totalSpentMinor: 3501,
      averageOrderValueMinor: 1167,
      currency: "EUR",
      firstOrderAt: daysAgo(30),
      lastOrderAt: daysAgo(10),
      lifecycleStage: "repeat",
    });
  });

  it("is a lead with nothing spent before any order", () => {
    expect(customerProfile([], now)).toMatchObject({
      ordersCount: 0,
      totalSpentMinor: 0,
      averageOrderValueMinor: 0,
      currency: null,
      lifecycleStage: "lead",
    });
  });
});

describe("lifecycle stage", () => {
  it("uses the median gap between orders as the customer's rhythm", () => {
    expect(typicalIntervalDays([daysAgo(100), daysAgo(70), daysAgo(60), daysAgo(10)])).toBe(30);
    expect(typicalIntervalDays([daysAgo(10)])).toBeNull();
  });

  it.each([
    ["one order, 30 days ago", [30], "one_time"],
    ["one order, past the 90-day floor", [91], "at_risk"],
    ["one order, past twice the floor", [181], "lapsed"],
    ["monthly buyer, 50 days since the last order", [110, 80, 50], "repeat"],
    ["monthly buyer, 61 days since the last order (k = 2)", [121, 91, 61], "at_risk"],
    ["monthly buyer, 121 days since the last order", [181, 151, 121], "lapsed"],
  ] as const)("%s → %s", (_label, ages, stage) => {
    expect(lifecycleStage(ages.map(daysAgo), now)).toBe(stage);
  });
});
