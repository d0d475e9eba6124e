// A customer's rhythm (R-CUS-2, R-WIN): their typical interval between orders, when they become "at
// risk" if they do not order again, and their lifecycle stage under the shop's settings. The rules
// are lifecycle.ts's (one source): at risk after max(k × interval, 7 days), or after the shop-wide
// floor for one-time buyers; lapsed after twice that.
import {
  lifecycleStage,
  typicalIntervalDays,
  type LifecycleSettings,
  type LifecycleStage,
} from "../lifecycle";

export const dayMs = 86_400_000;

export interface Rhythm {
  typicalIntervalDays: number | null;
  /** When they count as at risk without a new order; null for leads (no order). */
  atRiskAt: Date | null;
  lifecycleStage: LifecycleStage;
}

/** Days after the last order before a customer counts as at risk (see lifecycle.ts). */
export function atRiskAfterDays(interval: number | null, settings: LifecycleSettings): number {
  return interval === null ? settings.oneTimeFloorDays : Math.max(settings.atRiskMultiplier * interval, 7);
}

/** The rhythm of a customer with these qualifying (not cancelled) order dates, as of `now`. */
export function customerRhythm(orderDates: readonly Date[], now: Date, settings: LifecycleSettings): Rhythm {
  const interval = typicalIntervalDays(orderDates);
  if (orderDates.length === 0) return { typicalIntervalDays: null, atRiskAt: null, lifecycleStage: "lead" };
  const last = Math.max(...orderDates.map((date) => date.getTime()));
  return {
    typicalIntervalDays: interval,
    atRiskAt: new Date(last + atRiskAfterDays(interval, settings) * dayMs),
    lifecycleStage: lifecycleStage(orderDates, now, settings),
  };
}
