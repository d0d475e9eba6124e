// RFM scores, predicted CLV and value bands (R-CUS-3; docs/decisions/015-customer-intelligence.md).
// Pure functions: the daily run computes the shop's cut points from every buyer's figures, the
// per-event recomputation scores the customers of an event against the last run's cut points.
import { atRiskAfterDays, dayMs } from "./rhythm";
import type { LifecycleSettings } from "../lifecycle";

/** A buyer's figures from their qualifying orders (not cancelled; net = subtotal − refunds). */
export interface BuyerFigures {
  /** Whole days since the last qualifying order. */
  recencyDays: number;
  ordersCount: number;
  netRevenueMinor: number;
}

/** Cut points between quintiles (four each, ascending "better") and tertiles, plus shop averages. */
export interface ScoreCutPoints {
  /** Cut points over −recencyDays (more recent is better). */
  recency: number[];
  frequency: number[];
  monetary: number[];
  /** Two cut points over predicted CLV (minor units). */
  clv: number[];
  /** Net revenue per qualifying order over the shop (minor units, rounded). */
  averageOrderMinor: number;
  /** Share of buyers with two or more orders: a one-time buyer's chance to order again in a year. */
  repeatShare: number;
}

/**
 * Cut points splitting `values` into `parts` groups of equal size: the largest value of each group
 * but the last. Empty input gives no cut points (everyone scores the top group).
 */
export function cutPoints(values: readonly number[], parts: number): number[] {
  if (values.length === 0) return [];
  const sorted = [...values].sort((a, b) => a - b);
  const points: number[] = [];
  for (let part = 1; part < parts; part += 1) {
    points.push(sorted[Math.max(0, Math.ceil((part * sorted.length) / parts) - 1)] as number);
  }
  return points;
}

/** 1 + the number of cut points the value is above: 1…parts (ties share the lower group). */
export function groupOf(value: number, points: readonly number[]): number {
  return 1 + points.filter((point) => value > point).length;
}

export interface RfmScores {
  recency: number;
  frequency: number;
  monetary: number;
}

export function rfmScores(figures: BuyerFigures, points: ScoreCutPoints): RfmScores {
  return {
    recency: groupOf(-figures.recencyDays, points.recency),
    frequency: groupOf(figures.ordersCount, points.frequency),
    monetary: groupOf(figures.netRevenueMinor, points.monetary),
  };
}

export type RfmSegment =
  "champions" | "loyal" | "potential_loyalist" | "new" | "at_risk" | "cant_lose" | "hibernating" | "lost";

/**
 * The segment of a buyer's scores, first rule that applies (FM = frequency and monetary averaged,
 * rounded half up):
 * R ≥ 4 and FM ≥ 4 → champions; R ≥ 4 with a single order → new; R ≥ 3 and FM ≥ 3 → loyal;
 * R ≥ 3 → potential_loyalist; R = 1 and FM ≥ 4 → cant_lose; R ≤ 2 and FM ≥ 3 → at_risk;
 * R = 2 → hibernating; otherwise lost.
 */
export function rfmSegment(scores: RfmScores, ordersCount: number): RfmSegment {
  const fm = Math.floor((scores.frequency + scores.monetary + 1) / 2);
  const r = scores.recency;
  if (r >= 4 && fm >= 4) return "champions";
  if (r >= 4 && ordersCount === 1) return "new";
  if (r >= 3 && fm >= 3) return "loyal";
  if (r >= 3) return "potential_loyalist";
  if (r === 1 && fm >= 4) return "cant_lose";
  if (fm >= 3) return "at_risk";
  if (r === 2) return "hibernating";
  return "lost";
}

/** Orders whose weight the shop average has when a customer's own average order value is shrunk. */
export const aovPriorOrders = 2;

export interface ClvInput extends BuyerFigures {
  typicalIntervalDays: number | null;
}

/**
 * Predicted net revenue over the next 365 days:
 * expected orders × their average net order value shrunk toward the shop's
 * ((n × own + 2 × shop) / (n + 2)). Expected orders: 365 / max(interval, 7) for repeat buyers, the
 * shop's repeat share for one-time buyers, times the chance they are still active: 1 until they
 * are at risk, then falling linearly to 0.1 when they lapse (twice the at-risk threshold).
 */
export function predictedClvMinor(
  input: ClvInput,
  averages: Pick<ScoreCutPoints, "averageOrderMinor" | "repeatShare">,
  settings: LifecycleSettings,
): number {
  if (input.ordersCount === 0) return 0;
  const ownAverage = input.netRevenueMinor / input.ordersCount;
  const shrunkAverage =
    (input.ordersCount * ownAverage + aovPriorOrders * averages.averageOrderMinor) /
    (input.ordersCount + aovPriorOrders);
  const yearlyOrders =
    input.typicalIntervalDays === null ? averages.repeatShare : 365 / Math.max(input.typicalIntervalDays, 7);
  const atRiskAfter = atRiskAfterDays(input.typicalIntervalDays, settings);
  const overdue = (input.recencyDays - atRiskAfter) / atRiskAfter;
  const active = overdue <= 0 ? 1 : Math.max(0.1, 1 - 0.9 * overdue);
  return Math.max(0, Math.round(yearlyOrders * active * shrunkAverage));
}

export type ValueBand = "low" | "medium" | "high";

/** low / medium / high by the shop's predicted-CLV tertiles. */
export function valueBand(clvMinor: number, clvCutPoints: readonly number[]): ValueBand {
  return (["low", "medium", "high"] as const)[groupOf(clvMinor, clvCutPoints) - 1] ?? "high";
}

/** Whole days from `at` to `now` (0 for the same instant or later). */
export function daysSince(at: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - at.getTime()) / dayMs));
}

/** The shop's cut points from every buyer's figures and predicted CLV. */
export function shopCutPoints(
  buyers: readonly (BuyerFigures & { predictedClvMinor: number })[],
  averages: Pick<ScoreCutPoints, "averageOrderMinor" | "repeatShare">,
): ScoreCutPoints {
  return {
    recency: cutPoints(
      buyers.map((buyer) => -buyer.recencyDays),
      5,
    ),
    frequency: cutPoints(
      buyers.map((buyer) => buyer.ordersCount),
      5,
    ),
    monetary: cutPoints(
      buyers.map((buyer) => buyer.netRevenueMinor),
      5,
    ),
    clv: cutPoints(
      buyers.map((buyer) => buyer.predictedClvMinor),
      3,
    ),
    ...averages,
  };
}

/** Shop averages from its totals: net revenue and orders of qualifying orders, buyers, repeat buyers. */
export function shopAverages(totals: {
  netRevenueMinor: number;
  orders: number;
  buyers: number;
  repeatBuyers: number;
}): Pick<ScoreCutPoints, "averageOrderMinor" | "repeatShare"> {
  return {
    averageOrderMinor: totals.orders > 0 ? Math.round(totals.netRevenueMinor / totals.orders) : 0,
    repeatShare: totals.buyers > 0 ? totals.repeatBuyers / totals.buyers : 0,
  };
}
