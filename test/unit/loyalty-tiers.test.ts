// VIP tier rules (R-LOY-4).
import { describe, expect, it } from "vitest";
import {
  evaluateTier,
  qualifyingValue,
  tierRulesSchema,
  withTierMultiplier,
  type TierActivity,
  type TierRules,
} from "../../app/loyalty/tiers";

const rules: TierRules = tierRulesSchema.parse({
  metric: "spend",
  period: "rolling_12_months",
  graceDays: 30,
  tiers: [
    { id: "silver", name: "Silver", threshold: 0, earnMultiplierPercent: 100, perks: [] },
    { id: "gold", name: "Gold", threshold: 50_000, earnMultiplierPercent: 150, perks: ["Free shipping"] },
    { id: "vip", name: "VIP", threshold: 150_000, earnMultiplierPercent: 200, perks: ["Early access"] },
  ],
});
const day = 86_400_000;
const now = new Date("2026-11-23T00:00:00Z");
const order = (daysAgo: number, spendMinor: number): TierActivity => ({
  at: new Date(now.getTime() - daysAgo * day),
  spendMinor,
  points: Math.floor(spendMinor / 100),
  orders: 1,
});

describe("VIP tiers", () => {
  it("upgrades on the order that reaches the threshold", () => {
    const before = qualifyingValue(rules, [order(40, 30_000), order(10, 19_999)], now);
    expect(evaluateTier(rules, { tierId: "silver", belowSince: null }, before, now).change).toBe("none");
    const after = qualifyingValue(rules, [order(40, 30_000), order(10, 19_999), order(0, 1)], now);
    expect(after).toBe(50_000);
    expect(evaluateTier(rules, { tierId: "silver", belowSince: null }, after, now)).toEqual({
      tierId: "gold",
      belowSince: null,
      change: "upgrade",
    });
  });

  it("counts only the rolling 12 months, or the calendar year, or everything", () => {
    const history = [order(400, 100_000), order(300, 20_000), order(5, 1_000)];
    expect(qualifyingValue(rules, history, now)).toBe(21_000);
    expect(qualifyingValue({ ...rules, period: "calendar_year" }, history, now)).toBe(21_000);
    expect(qualifyingValue({ ...rules, period: "lifetime" }, history, now)).toBe(121_000);
    expect(qualifyingValue({ ...rules, metric: "orders" }, history, now)).toBe(2);
  });

  it("downgrades only after the grace period below the tier", () => {
    const gold = { tierId: "gold", belowSince: null };
    const first = evaluateTier(rules, gold, 10_000, now);
    expect(first).toEqual({ tierId: "gold", belowSince: now, change: "none" });
    const day29 = new Date(now.getTime() + 29 * day);
    expect(evaluateTier(rules, first, 10_000, day29).change).toBe("none");
    const day30 = new Date(now.getTime() + 30 * day);
    expect(evaluateTier(rules, first, 10_000, day30)).toEqual({
      tierId: "silver",
      belowSince: null,
      change: "downgrade",
    });
    // Qualifying again during the grace period clears it.
    expect(evaluateTier(rules, first, 60_000, day29)).toEqual({
      tierId: "gold",
      belowSince: null,
      change: "none",
    });
  });

  it("applies the tier's earn multiplier, rounding down", () => {
    expect(withTierMultiplier(75, rules.tiers[1] ?? null)).toBe(112);
    expect(withTierMultiplier(75, null)).toBe(75);
  });

  it("rejects tiers whose thresholds do not rise, naming the tier", () => {
    const result = tierRulesSchema.safeParse({
      ...rules,
      tiers: [rules.tiers[0], { ...rules.tiers[1], threshold: 0 }],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("must be higher than Silver's threshold");
    expect(result.error?.issues[0]?.path).toEqual(["tiers", 1, "threshold"]);
  });
});
