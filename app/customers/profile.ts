// Derived customer fields (R-CUS-1, R-CUS-2), recomputed from the stored orders on every relevant
// event. Computing from the orders (not incrementing) keeps them right whatever order events came in.
import type { DomainEventInput, Tx } from "../events/domain-events";
import { lifecycleStage, type LifecycleStage } from "./lifecycle";
import { fromStoredRow } from "../money/stored";

export interface ProfileOrder {
  processedAt: Date;
  totalMinor: number;
  refundedMinor: number;
  currency: string;
}

export interface CustomerProfile {
  ordersCount: number;
  totalSpentMinor: number;
  averageOrderValueMinor: number;
  currency: string | null;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  lifecycleStage: LifecycleStage;
}

/** The profile of a customer with these (non-cancelled) orders, as of `now`. */
export function customerProfile(orders: readonly ProfileOrder[], now: Date): CustomerProfile {
  const dates = orders.map((order) => order.processedAt);
  const times = dates.map((date) => date.getTime());
  const totalSpentMinor = orders.reduce((sum, order) => sum + order.totalMinor - order.refundedMinor, 0);
  return {
    ordersCount: orders.length,
    totalSpentMinor,
    // Rounded half up to a whole minor unit.
    averageOrderValueMinor: orders.length > 0 ? Math.round(totalSpentMinor / orders.length) : 0,
    currency: orders[0]?.currency ?? null,
    firstOrderAt: times.length > 0 ? new Date(Math.min(...times)) : null,
    lastOrderAt: times.length > 0 ? new Date(Math.max(...times)) : null,
    lifecycleStage: lifecycleStage(dates, now),
  };
}

export function lifecycleChangedEvent(
  customerId: string,
  from: string,
  to: LifecycleStage,
  now: Date,
): DomainEventInput {
  return {
    type: "customer.lifecycle_changed",
    subjectId: customerId,
    dedupeKey: `customer.lifecycle_changed:${customerId}:${from}>${to}:${now.toISOString()}`,
    payload: { from, to },
    occurredAt: now,
  };
}

export interface ProfileChange {
  customerId: string;
  previousStage: string;
  stage: LifecycleStage;
}

export async function recomputeCustomerProfile(
  tx: Tx,
  shopId: string,
  customerId: string,
  now: Date,
): Promise<ProfileChange> {
  // Taking the customer's row lock first serialises concurrent recomputations (PostgreSQL): the
  // second one waits, then reads the orders the first one committed.
  await tx.customer.updateMany({ where: { id: customerId, shopId }, data: { updatedAt: now } });
  const [customer, orders] = await Promise.all([
    tx.customer.findFirstOrThrow({ where: { id: customerId, shopId }, select: { lifecycleStage: true } }),
    tx.order.findMany({
      where: { shopId, customerId, cancelledAt: null },
      select: { processedAt: true, totalMinor: true, refundedMinor: true, currency: true },
    }),
  ]);
  const profile = customerProfile(
    orders.map((order) => fromStoredRow(order)),
    now,
  );
  await tx.customer.update({ where: { id: customerId }, data: profile });
  return { customerId, previousStage: customer.lifecycleStage, stage: profile.lifecycleStage };
}
