// Replenishment (R-REPL; docs/decisions/015-customer-intelligence.md), the pure rules:
// - a product's consumption interval is the median over repeat pairs (two consecutive purchases of
//   it by the same customer) of days between them ÷ the quantity bought at the earlier one, learned
//   only with at least `minimumRepeatPairs` pairs in the shop;
// - a customer with two or more repeat pairs of their own uses their own median;
// - the merchant's override wins; an excluded product, or one without a pattern, never enrols;
// - due = last purchase + interval × quantity; the reminder goes `leadDays` before it.
import { dayMs } from "./rhythm";

/** One purchase of a product: an order of a customer with the units of it that order had. */
export interface ProductPurchase {
  customerId: string;
  orderId: string;
  purchasedAt: Date;
  quantity: number;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Days per unit between consecutive purchases of one customer (sorted by time in any order). */
export function unitIntervals(purchases: readonly ProductPurchase[]): number[] {
  const sorted = [...purchases].sort((a, b) => a.purchasedAt.getTime() - b.purchasedAt.getTime());
  const intervals: number[] = [];
  for (let index = 1; index < sorted.length; index += 1) {
    const earlier = sorted[index - 1] as ProductPurchase;
    const later = sorted[index] as ProductPurchase;
    const days = (later.purchasedAt.getTime() - earlier.purchasedAt.getTime()) / dayMs;
    // Two orders the same day are one shopping trip, not a consumption interval.
    if (days < 1) continue;
    intervals.push(days / Math.max(1, earlier.quantity));
  }
  return intervals;
}

/** Groups a product's purchases by customer. */
function byCustomer(purchases: readonly ProductPurchase[]): Map<string, ProductPurchase[]> {
  const groups = new Map<string, ProductPurchase[]>();
  for (const purchase of purchases) {
    const list = groups.get(purchase.customerId) ?? [];
    list.push(purchase);
    groups.set(purchase.customerId, list);
  }
  return groups;
}

export interface LearnedInterval {
  /** Median days per unit; null below the minimum number of pairs. */
  intervalDays: number | null;
  repeatPairs: number;
}

/** The shop-wide interval of one product from all its purchases. */
export function learnedInterval(
  purchases: readonly ProductPurchase[],
  minimumRepeatPairs: number,
): LearnedInterval {
  const intervals = [...byCustomer(purchases).values()].flatMap(unitIntervals);
  return {
    intervalDays: intervals.length >= Math.max(1, minimumRepeatPairs) ? median(intervals) : null,
    repeatPairs: intervals.length,
  };
}

/** What the shop knows of a product's consumption (ProductConsumption). */
export interface Consumption {
  learnedIntervalDays: number | null;
  overrideIntervalDays: number | null;
  excluded: boolean;
}

/** Own pairs a customer needs before their own interval counts. */
export const ownRepeatPairs = 2;

/** The interval for this customer's purchases of a product, or null: never enrols. */
export function intervalFor(
  consumption: Consumption | undefined,
  customerPurchases: readonly ProductPurchase[],
): number | null {
  if (!consumption || consumption.excluded) return null;
  if (consumption.overrideIntervalDays !== null && consumption.overrideIntervalDays > 0)
    return consumption.overrideIntervalDays;
  if (consumption.learnedIntervalDays === null) return null;
  const own = unitIntervals(customerPurchases);
  return own.length >= ownRepeatPairs ? (median(own) as number) : consumption.learnedIntervalDays;
}

export interface ReplenishmentPlan {
  productShopifyId: string;
  lastOrderId: string;
  lastPurchaseAt: Date;
  quantity: number;
  intervalDays: number;
  dueAt: Date;
  remindAt: Date;
}

/**
 * The customer's replenishment of a product after their purchases of it, or null (no interval, or
 * so long overdue — more than a whole interval past due — that they clearly buy it elsewhere now).
 */
export function replenishmentPlan(
  productShopifyId: string,
  customerPurchases: readonly ProductPurchase[],
  consumption: Consumption | undefined,
  leadDays: number,
  now: Date,
): ReplenishmentPlan | null {
  if (customerPurchases.length === 0) return null;
  const interval = intervalFor(consumption, customerPurchases);
  if (interval === null) return null;
  const last = customerPurchases.reduce((latest, purchase) =>
    purchase.purchasedAt.getTime() > latest.purchasedAt.getTime() ||
    (purchase.purchasedAt.getTime() === latest.purchasedAt.getTime() && purchase.orderId > latest.orderId)
      ? purchase
      : latest,
  );
  const quantity = Math.max(1, last.quantity);
  const lastsDays = interval * quantity;
  const dueAt = new Date(Math.round(last.purchasedAt.getTime() + lastsDays * dayMs));
  if (dueAt.getTime() + lastsDays * dayMs < now.getTime()) return null;
  return {
    productShopifyId,
    lastOrderId: last.orderId,
    lastPurchaseAt: last.purchasedAt,
    quantity,
    intervalDays: interval,
    dueAt,
    remindAt: new Date(dueAt.getTime() - leadDays * dayMs),
  };
}
