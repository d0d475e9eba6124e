// Lifecycle stage of a customer (R-CUS-2), from their orders and today's date.
// - lead: no order yet; one_time: one order; repeat: two or more;
// - at_risk: longer since the last order than k × their typical interval (k = 2), or, without a
//   rhythm of their own (one order), longer than the shop-wide floor (90 days) — as in R-WIN;
// - lapsed: twice the at-risk threshold has passed.
export type LifecycleStage = "lead" | "one_time" | "repeat" | "at_risk" | "lapsed";

export interface LifecycleSettings {
  atRiskMultiplier: number;
  oneTimeFloorDays: number;
}

export const defaultLifecycleSettings: LifecycleSettings = { atRiskMultiplier: 2, oneTimeFloorDays: 90 };

const dayMs = 24 * 60 * 60 * 1000;

/** Median gap in days between consecutive orders; null with fewer than two orders. */
export function typicalIntervalDays(orderDates: readonly Date[]): number | null {
  if (orderDates.length < 2) return null;
  const sorted = [...orderDates].sort((a, b) => a.getTime() - b.getTime());
  const gaps = sorted
    .slice(1)
    .map((date, index) => (date.getTime() - (sorted[index] as Date).getTime()) / dayMs);
  gaps.sort((a, b) => a - b);
  const middle = Math.floor(gaps.length / 2);
  return gaps.length % 2 === 1
    ? (gaps[middle] as number)
    : ((gaps[middle - 1] as number) + (gaps[middle] as number)) / 2;
}

export function lifecycleStage(
  orderDates: readonly Date[],
  now: Date,
  settings: LifecycleSettings = defaultLifecycleSettings,
): LifecycleStage {
  if (orderDates.length === 0) return "lead";
  const last = Math.max(...orderDates.map((date) => date.getTime()));
  const daysSinceLast = (now.getTime() - last) / dayMs;
  const interval = typicalIntervalDays(orderDates);
  // A very tight rhythm (several orders in a day) must not flag a customer after a few days.
  const atRiskAfter =
    interval === null ? settings.oneTimeFloorDays : Math.max(settings.atRiskMultiplier * interval, 7);
  if (daysSinceLast > 2 * atRiskAfter) return "lapsed";
  if (daysSinceLast > atRiskAfter) return "at_risk";
  return orderDates.length === 1 ? "one_time" : "repeat";
}
