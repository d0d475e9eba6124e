// Derived customer fields (R-CUS-1, R-CUS-2), recomputed from the stored orders on every relevant
// event. Computing from the orders (not incrementing) keeps them right whatever order events came in.
import type { Tx } from "../events/domain-events";
import { lifecycleStage, type LifecycleStage } from "./lifecycle";

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
  const dates = orders.map((order) => order.processedAt);
  const stage = lifecycleStage(dates, now);
  const times = dates.map((date) => date.getTime());
  await tx.customer.update({
    where: { id: customerId },
    data: {
      ordersCount: orders.length,
      totalSpentMinor: orders.reduce((sum, order) => sum + order.totalMinor - order.refundedMinor, 0),
      currency: orders[0]?.currency ?? null,
      firstOrderAt: times.length > 0 ? new Date(Math.min(...times)) : null,
      lastOrderAt: times.length > 0 ? new Date(Math.max(...times)) : null,
      lifecycleStage: stage,
    },
  });
  return { customerId, previousStage: customer.lifecycleStage, stage };
}
