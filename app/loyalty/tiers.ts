// VIP tiers (R-LOY-4): ordered thresholds over spend, points or order count within a period
// (lifetime, calendar year, rolling 12 months). A customer moves up as soon as they qualify; they
// move down only after spending `graceDays` below their tier, so one refund or a quiet month does
// not take a tier away at once. Periods are measured in UTC.
import { z } from "zod";

export const tierRulesSchema = z
  .object({
    metric: z.enum(["spend", "points", "orders"]),
    period: z.enum(["lifetime", "calendar_year", "rolling_12_months"]),
    graceDays: z.number().int().min(0).max(365),
    tiers: z
      .array(
        z.object({
          id: z.string().min(1),
          name: z.string().min(1),
          threshold: z.number().int().min(0),
          /** 100 = earns 1×, 150 = 1.5×. */
          earnMultiplierPercent: z.number().int().min(100).max(1000),
          perks: z.array(z.string()),
        }),
      )
      .min(1),
  })
  .superRefine((rules, context) => {
    rules.tiers.forEach((tier, index) => {
      if (rules.tiers.findIndex((other) => other.id === tier.id) !== index) {
        context.addIssue({
          code: "custom",
          path: ["tiers", index, "name"],
          message: `two tiers are called ${tier.name}`,
        });
      }
      const previous = rules.tiers[index - 1];
      if (previous && tier.threshold <= previous.threshold) {
        context.addIssue({
          code: "custom",
          path: ["tiers", index, "threshold"],
          message: `must be higher than ${previous.name}'s threshold`,
        });
      }
    });
  });

export type TierRules = z.infer<typeof tierRulesSchema>;
export type TierDefinition = TierRules["tiers"][number];

/** What a customer did, one row per order (spend in minor units, points earned). */
export interface TierActivity {
  at: Date;
  spendMinor: number;
  points: number;
  orders: number;
}

export function periodStart(period: TierRules["period"], now: Date): Date | null {
  if (period === "lifetime") return null;
  if (period === "calendar_year") return new Date(Date.UTC(now.getUTCFullYear(), 0, 1));
  const start = new Date(now);
  start.setUTCFullYear(start.getUTCFullYear() - 1);
  return start;
}

export function qualifyingValue(rules: TierRules, activities: readonly TierActivity[], now: Date): number {
  const start = periodStart(rules.period, now);
  const key = rules.metric === "spend" ? "spendMinor" : rules.metric;
  return activities
    .filter((activity) => activity.at <= now && (start === null || activity.at >= start))
    .reduce((sum, activity) => sum + activity[key], 0);
}

export function qualifiedTier(rules: TierRules, value: number): TierDefinition | null {
  let reached: TierDefinition | null = null;
  for (const tier of rules.tiers) if (value >= tier.threshold) reached = tier;
  return reached;
}

export interface TierStanding {
  tierId: string | null;
  /** Since when the customer has been below their current tier; null while they qualify. */
  belowSince: Date | null;
}

export interface TierEvaluation extends TierStanding {
  change: "upgrade" | "downgrade" | "none";
}

const rank = (rules: TierRules, tierId: string | null) =>
  tierId === null ? -1 : rules.tiers.findIndex((tier) => tier.id === tierId);

export function evaluateTier(
  rules: TierRules,
  standing: TierStanding,
  value: number,
  now: Date,
): TierEvaluation {
  const qualified = qualifiedTier(rules, value);
  const qualifiedRank = rank(rules, qualified?.id ?? null);
  const currentRank = rank(rules, standing.tierId);
  if (qualifiedRank > currentRank)
    return { tierId: qualified?.id ?? null, belowSince: null, change: "upgrade" };
  if (qualifiedRank === currentRank) return { tierId: standing.tierId, belowSince: null, change: "none" };
  const belowSince = standing.belowSince ?? now;
  const graceOver = now.getTime() - belowSince.getTime() >= rules.graceDays * 86_400_000;
  return graceOver
    ? { tierId: qualified?.id ?? null, belowSince: null, change: "downgrade" }
    : { tierId: standing.tierId, belowSince, change: "none" };
}

/** Points for an earning, with the tier's multiplier applied (rounded down). */
export function withTierMultiplier(points: number, tier: TierDefinition | null): number {
  return Math.floor((points * (tier?.earnMultiplierPercent ?? 100)) / 100);
}
