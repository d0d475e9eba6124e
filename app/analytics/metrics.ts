// The retention metrics exactly as REQUIREMENTS.md §8 (R-ANA) and issue 17 define them — pure
// functions of counts and sums, so the formulas are tested with the worked examples alone
// (docs/decisions/013-analytics.md). Rates are percentages rounded to two decimals, half away from
// zero, from exact integer arithmetic; money is integer minor units.

/** n / d × 100 with two decimals (exact: rounded from integers), or null when d is 0. */
export function percentage(numerator: number, denominator: number): number | null {
  if (denominator === 0) return null;
  return roundedQuotient(BigInt(numerator) * 10_000n, BigInt(denominator)) / 100;
}

/** n / d with two decimals, or null when d is 0. */
export function ratio(numerator: number, denominator: number): number | null {
  if (denominator === 0) return null;
  return roundedQuotient(BigInt(numerator) * 100n, BigInt(denominator)) / 100;
}

/** round(n / d), half away from zero, for integers of any size. */
export function roundedQuotient(numerator: bigint, denominator: bigint): number {
  if (denominator === 0n) throw new Error("division by zero");
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const rounded = (2n * n + d) / (2n * d);
  return Number(negative ? -rounded : rounded);
}

/** S, E, N of a period [start, end): active at start, active at end, new in the period. */
export interface RetentionCounts {
  atStart: number;
  atEnd: number;
  acquired: number;
  /** Active at start and at end. */
  retained: number;
}

/** Customer retention rate: (E − N) / S × 100. */
export function customerRetentionRate(counts: Pick<RetentionCounts, "atStart" | "atEnd" | "acquired">) {
  return percentage(counts.atEnd - counts.acquired, counts.atStart);
}

/** Churn rate: customers lost (active at start, not at end) / S × 100. */
export function churnRate(counts: Pick<RetentionCounts, "atStart" | "retained">): number | null {
  return percentage(counts.atStart - counts.retained, counts.atStart);
}

/** Repeat purchase rate: customers with ≥ 2 qualifying orders / customers with ≥ 1, × 100. */
export function repeatPurchaseRate(repeatCustomers: number, customers: number): number | null {
  return percentage(repeatCustomers, customers);
}

/** Average order value in minor units: revenue / orders, rounded half up; null without orders. */
export function averageOrderValue(revenueMinor: number, orders: number): number | null {
  if (orders === 0) return null;
  return roundedQuotient(BigInt(revenueMinor), BigInt(orders));
}

/** Purchase frequency: orders / distinct customers, two decimals. */
export function purchaseFrequency(orders: number, customers: number): number | null {
  return ratio(orders, customers);
}

export interface ClvSettings {
  expectedLifespanMonths: number;
  profitMarginBasisPoints: number;
}

export const defaultClvSettings: ClvSettings = { expectedLifespanMonths: 36, profitMarginBasisPoints: 3000 };

/**
 * CLV = AOV × purchase frequency per year × expected lifespan (years) × profit margin, over the
 * orders of a window of `windowDays` (the activity window before the period's end, a year by
 * default): AOV × frequency = revenue / customers exactly, and a window of W days is scaled to a
 * year by 365 / W, so CLV = revenue × 365 × lifespan months × margin basis points /
 * (customers × W × 12 × 10,000), rounded once.
 */
export function customerLifetimeValue(
  windowRevenueMinor: number,
  windowCustomers: number,
  settings: ClvSettings,
  windowDays = 365,
): number | null {
  if (windowCustomers === 0) return null;
  return roundedQuotient(
    BigInt(windowRevenueMinor) *
      365n *
      BigInt(settings.expectedLifespanMonths) *
      BigInt(settings.profitMarginBasisPoints),
    BigInt(windowCustomers) * BigInt(windowDays) * 12n * 10_000n,
  );
}

/** Historical CLV of a customer: their net revenue × margin, in minor units. */
export function historicalCustomerValue(revenueMinor: number, profitMarginBasisPoints: number): number {
  return roundedQuotient(BigInt(revenueMinor) * BigInt(profitMarginBasisPoints), 10_000n);
}

export interface NpsCounts {
  promoters: number;
  passives: number;
  detractors: number;
}

/** Buckets survey scores (0–10): promoters 9–10, passives 7–8, detractors 0–6. */
export function npsCounts(scores: Iterable<{ score: number; count: number }>): NpsCounts {
  const counts: NpsCounts = { promoters: 0, passives: 0, detractors: 0 };
  for (const { score, count } of scores) {
    if (score >= 9) counts.promoters += count;
    else if (score >= 7) counts.passives += count;
    else counts.detractors += count;
  }
  return counts;
}

/** NPS = % promoters − % detractors, two decimals; null without answers. */
export function netPromoterScore(counts: NpsCounts): number | null {
  const answers = counts.promoters + counts.passives + counts.detractors;
  return percentage(counts.promoters - counts.detractors, answers);
}
