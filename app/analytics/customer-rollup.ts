// What one customer's orders contribute to a shop's analytics rollups — a pure function of the
// orders as they stand now (cancellations and refunds included), so the worker can recompute a
// customer whenever any of their orders changes, in any delivery order and any number of times,
// and the rebuild computes exactly the same rows (docs/decisions/013-analytics.md).
import { firstDayOfMonth, localDay, monthOfDay } from "./calendar";

/** An order as analytics reads it from the raw tables. */
export interface RawOrder {
  id: string;
  customerId: string;
  placedAt: number; // epoch ms
  subtotalMinor: number;
  totalMinor: number;
  refundedMinor: number;
  cancelled: boolean;
}

export interface OrderFact {
  shopId: string;
  orderId: string;
  customerId: string;
  placedAt: number;
  day: number;
  month: number;
  revenueMinor: number;
  previousAt: number | null;
  secondPreviousAt: number | null;
}

export interface CustomerFact {
  shopId: string;
  customerId: string;
  firstOrderAt: number;
  secondOrderAt: number | null;
  firstDay: number;
  cohortMonth: number;
  orders: number;
  revenueMinor: number;
}

export interface SpellFact {
  shopId: string;
  customerId: string;
  seq: number;
  activeFrom: number;
  activeUntil: number;
  /** The first day of the customer's next spell; null for their last one. */
  nextFrom: number | null;
}

export interface CustomerRollup {
  orders: OrderFact[];
  customer: CustomerFact | null;
  spells: SpellFact[];
}

export interface RollupContext {
  shopId: string;
  zone: string;
  activityWindowDays: number;
}

/** Cohort offsets shown: the first-order month (0) and the twelve months after it. */
export const cohortOffsets = 12;

/** Fully refunded: something was refunded and the refunds reach the order's total. */
export function isFullyRefunded(order: Pick<RawOrder, "refundedMinor" | "totalMinor">): boolean {
  return order.refundedMinor > 0 && order.refundedMinor >= order.totalMinor;
}

/** A qualifying order: not cancelled and not fully refunded. */
export function qualifies(order: RawOrder): boolean {
  return !order.cancelled && !isFullyRefunded(order);
}

/** Net revenue, the loyalty-earning basis: max(0, subtotal after discounts − refunds). */
export function netRevenueMinor(order: Pick<RawOrder, "subtotalMinor" | "refundedMinor">): number {
  return Math.max(0, order.subtotalMinor - order.refundedMinor);
}

const byPlacement = (a: RawOrder, b: RawOrder) =>
  a.placedAt - b.placedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The customer's rows. Active at the midnight starting day D means a qualifying order in
 * (midnight(D) − W days, midnight(D)], i.e. an order whose instant just before falls on a day in
 * [D − W, D − 1]: each order keeps the customer active on boundary days [d + 1, d + W], where
 * d = localDay(placedAt − 1 ms); overlapping or touching ranges merge into spells.
 */
export function customerRollup(
  customerId: string,
  orders: readonly RawOrder[],
  context: RollupContext,
): CustomerRollup {
  const { shopId, zone, activityWindowDays } = context;
  const qualifying = orders.filter(qualifies).sort(byPlacement);
  const facts: OrderFact[] = qualifying.map((order, index) => {
    const day = localDay(order.placedAt, zone);
    return {
      shopId,
      orderId: order.id,
      customerId,
      placedAt: order.placedAt,
      day,
      month: monthOfDay(day),
      revenueMinor: netRevenueMinor(order),
      previousAt: qualifying[index - 1]?.placedAt ?? null,
      secondPreviousAt: qualifying[index - 2]?.placedAt ?? null,
    };
  });
  const first = facts[0];
  if (!first) return { orders: [], customer: null, spells: [] };
  const customer: CustomerFact = {
    shopId,
    customerId,
    firstOrderAt: first.placedAt,
    secondOrderAt: facts[1]?.placedAt ?? null,
    firstDay: first.day,
    cohortMonth: first.month,
    orders: facts.length,
    revenueMinor: facts.reduce((sum, fact) => sum + fact.revenueMinor, 0),
  };
  const spells: SpellFact[] = [];
  for (const fact of facts) {
    const activityDay = localDay(fact.placedAt - 1, zone);
    const from = activityDay + 1;
    const until = activityDay + activityWindowDays;
    const last = spells[spells.length - 1];
    if (last && from <= last.activeUntil + 1) last.activeUntil = Math.max(last.activeUntil, until);
    else
      spells.push({
        shopId,
        customerId,
        seq: spells.length + 1,
        activeFrom: from,
        activeUntil: until,
        nextFrom: null,
      });
  }
  for (const [index, spell] of spells.entries()) spell.nextFrom = spells[index + 1]?.activeFrom ?? null;
  return { orders: facts, customer, spells };
}

/** A change to the daily rollup of one day. */
export interface DayTotals {
  orders: number;
  revenueMinor: number;
  newCustomers: number;
  activeDelta: number;
  secondOrders: number;
  monthLost: number;
}

/** What rows add to the shop's daily and cohort rollups (cohort key: "month:offset"). */
export interface Contribution {
  days: Map<number, DayTotals>;
  cohorts: Map<string, number>;
}

export function emptyContribution(): Contribution {
  return { days: new Map(), cohorts: new Map() };
}

function dayTotals(contribution: Contribution, day: number): DayTotals {
  let totals = contribution.days.get(day);
  if (!totals) {
    totals = { orders: 0, revenueMinor: 0, newCustomers: 0, activeDelta: 0, secondOrders: 0, monthLost: 0 };
    contribution.days.set(day, totals);
  }
  return totals;
}

/** Adds (sign 1) or takes away (sign −1) what a customer's rows contribute. */
export function addContribution(
  contribution: Contribution,
  rollup: CustomerRollup,
  sign: 1 | -1,
): Contribution {
  for (const fact of rollup.orders) {
    const totals = dayTotals(contribution, fact.day);
    totals.orders += sign;
    totals.revenueMinor += sign * fact.revenueMinor;
  }
  const activeOn = (day: number) =>
    rollup.spells.some((spell) => spell.activeFrom <= day && day <= spell.activeUntil);
  for (const spell of rollup.spells) {
    dayTotals(contribution, spell.activeFrom).activeDelta += sign;
    dayTotals(contribution, spell.activeUntil + 1).activeDelta -= sign;
    // Lost in the month the spell ends in, when it covered that month's first midnight and no
    // spell covers the next month's.
    const month = monthOfDay(spell.activeUntil);
    const monthStart = firstDayOfMonth(month);
    if (spell.activeFrom <= monthStart && !activeOn(firstDayOfMonth(month + 1)))
      dayTotals(contribution, monthStart).monthLost += sign;
  }
  const second = rollup.orders[1];
  if (second) dayTotals(contribution, second.day).secondOrders += sign;
  const { customer } = rollup;
  if (customer) {
    dayTotals(contribution, customer.firstDay).newCustomers += sign;
    const offsets = new Set([0]);
    for (const fact of rollup.orders) {
      const offset = fact.month - customer.cohortMonth;
      if (offset >= 1 && offset <= cohortOffsets) offsets.add(offset);
    }
    for (const offset of offsets) {
      const key = `${customer.cohortMonth}:${offset}`;
      contribution.cohorts.set(key, (contribution.cohorts.get(key) ?? 0) + sign);
    }
  }
  return contribution;
}
