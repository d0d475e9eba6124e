// The analytics domain's subscription to order events: each event's customers are recomputed into
// the shop's rollups (rollups.ts). A claimed batch is applied in one transaction per shop on the
// batch path's connection, its jobs marked done in the same transaction.
import type { DomainEvent } from "@prisma/client";
import { sqlConnectionOf } from "../db/client";
import type { DomainEventSubscriber } from "../events/domain-events";
import { perShopBatch, type DomainEventSubscription } from "../events/event-delivery";
import { applyOrderEvents } from "./rollups";

export const analyticsSubscriber: DomainEventSubscriber = {
  name: "analytics",
  types: ["order.created", "order.paid", "order.cancelled", "order.refunded"],
};

export function analyticsSubscription(): DomainEventSubscription {
  return {
    handle: async (db, event: DomainEvent) => {
      await sqlConnectionOf(db).transaction((tx) => applyOrderEvents(tx, event.shopId, [event]));
    },
    handleBatch: perShopBatch((tx, shopId, events) => applyOrderEvents(tx, shopId, events)),
  };
}
