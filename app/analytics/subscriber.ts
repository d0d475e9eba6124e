// The analytics domain's subscription to order events: each event's customers are recomputed into
// the shop's rollups (rollups.ts). A claimed batch is applied in one transaction per shop on the
// batch path's connection, its jobs marked done in the same transaction.
import type { DomainEvent } from "@prisma/client";
import { sqlConnectionOf } from "../db/client";
import type { DomainEventSubscriber } from "../events/domain-events";
import type { DomainEventSubscription, EventDelivery } from "../events/event-delivery";
import { markJobsDone } from "../jobs/claims";
import type { BatchJobOutcome } from "../jobs/worker";
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
    handleBatch: async (deliveries, context) => {
      const outcome: BatchJobOutcome = { done: [], failed: [], single: [] };
      const byShop = new Map<string, EventDelivery[]>();
      for (const delivery of deliveries) {
        const list = byShop.get(delivery.event.shopId) ?? [];
        list.push(delivery);
        byShop.set(delivery.event.shopId, list);
      }
      for (const [shopId, shopDeliveries] of byShop) {
        const jobIds = shopDeliveries.map((delivery) => delivery.job.id);
        try {
          await context.sql.transaction(async (tx) => {
            await applyOrderEvents(
              tx,
              shopId,
              shopDeliveries.map((delivery) => delivery.event),
            );
            await markJobsDone(tx, jobIds, context.workerId, context.now);
          });
          outcome.done.push(...jobIds);
        } catch {
          // Nothing of this shop's batch committed: each delivery on its own finds out why.
          outcome.single.push(...shopDeliveries.map((delivery) => delivery.job));
        }
      }
      return outcome;
    },
  };
}
