// Customer intelligence's subscription to store events: the customers of each order event (created,
// cancelled, refunded) and each redacted or deleted customer get their own fields and replenishment timers recomputed — a whole claimed
// batch per shop in one transaction — scored against the cut points of the shop's last daily run.
// Recomputing from the stored orders makes a delivery idempotent: twice gives the same result.
import type { DomainEvent, Order } from "@prisma/client";
import { sqlConnectionOf } from "../../db/client";
import { selectWhereIn, type SqlTx } from "../../db/sql";
import type { DomainEventSubscriber } from "../../events/domain-events";
import { perShopBatch, type DomainEventSubscription } from "../../events/event-delivery";
import { intelligenceConfigOf, recomputeCustomers } from "./store";

export const intelligenceSubscriber: DomainEventSubscriber = {
  name: "intelligence",
  // A redacted or deleted customer loses their timers and affinities (store.ts).
  types: ["order.created", "order.cancelled", "order.refunded", "customer.redacted", "customer.deleted"],
};

function customerIdOf(event: DomainEvent): string | null {
  const payload = event.payload;
  if (typeof payload === "object" && payload !== null && !Array.isArray(payload)) {
    const customerId = (payload as Record<string, unknown>).customerId;
    if (typeof customerId === "string") return customerId;
  }
  return null;
}

/** The customers these events are about (a refund names its order; the order, its customer). */
async function customersOf(tx: SqlTx, shopId: string, events: readonly DomainEvent[]): Promise<string[]> {
  const customerIds = new Set<string>();
  const refundedOrders: string[] = [];
  for (const event of events) {
    const customerId = event.type.startsWith("customer.") ? event.subjectId : customerIdOf(event);
    if (customerId) customerIds.add(customerId);
    else if (event.type === "order.refunded") refundedOrders.push(event.subjectId);
  }
  const orders = await selectWhereIn<Order>(tx, "Order", "id", refundedOrders, {
    where: `"shopId" = ?`,
    parameters: [shopId],
  });
  for (const order of orders) if (order.customerId) customerIds.add(order.customerId);
  return [...customerIds];
}

async function recomputeFor(
  tx: SqlTx,
  shopId: string,
  events: readonly DomainEvent[],
  now: Date,
  subscribers: readonly DomainEventSubscriber[],
): Promise<void> {
  const customerIds = await customersOf(tx, shopId, events);
  if (customerIds.length === 0) return;
  const config = await intelligenceConfigOf(tx, shopId);
  await recomputeCustomers(tx, shopId, customerIds, config, now, subscribers);
}

/** The handlers (one by one, and batched) of the intelligence subscriber's deliveries. */
export function intelligenceSubscription(
  subscribers: readonly DomainEventSubscriber[],
): DomainEventSubscription {
  return {
    handle: async (db, event, now) => {
      await sqlConnectionOf(db).transaction((tx) =>
        recomputeFor(tx, event.shopId, [event], now, subscribers),
      );
    },
    handleBatch: perShopBatch((tx, shopId, events, now) =>
      recomputeFor(tx, shopId, events, now, subscribers),
    ),
  };
}
