// The loyalty domain's subscription to store events: points on paid orders, back on cancellation
// and refunds. Each handler runs in one transaction and is idempotent (ledger keys), as job
// handlers must be.
import type { DomainEvent } from "@prisma/client";
import type { Database } from "../db/client";
import type { DomainEventSubscriber } from "../events/domain-events";
import type { JobHandler } from "../jobs/worker";
import type { Clock } from "../clock";
import { z } from "zod";
import {
  awardOrderPoints,
  releaseOrderPoints,
  reverseCancelledOrder,
  reverseRefundedPoints,
} from "./earning";

export const loyaltySubscriber: DomainEventSubscriber = {
  name: "loyalty",
  types: ["order.paid", "order.cancelled", "order.refunded"],
};

const refundPayload = z.object({ refundShopifyId: z.string(), orderShopifyId: z.string() });

export async function handleLoyaltyEvent(db: Database, event: DomainEvent, now: Date): Promise<void> {
  await db.$transaction(
    async (tx) => {
      if (event.type === "order.refunded") {
        const { refundShopifyId, orderShopifyId } = refundPayload.parse(event.payload);
        const order = await tx.order.findUnique({
          where: { shopId_shopifyId: { shopId: event.shopId, shopifyId: orderShopifyId } },
        });
        if (order) await reverseRefundedPoints(tx, order, refundShopifyId, now);
        return;
      }
      const order = await tx.order.findFirst({ where: { id: event.subjectId, shopId: event.shopId } });
      if (!order) return;
      if (event.type === "order.paid") await awardOrderPoints(tx, order, now);
      if (event.type === "order.cancelled") await reverseCancelledOrder(tx, order, now);
    },
    { timeout: 30_000 },
  );
}

const releasePayload = z.object({ orderId: z.string() });

/** The worker's handler for "loyalty.release" jobs: pending points become spendable. */
export function releaseJobHandler(clock: Clock): JobHandler {
  return async (job, db) => {
    const { orderId } = releasePayload.parse(job.payload);
    await db.$transaction((tx) => releaseOrderPoints(tx, job.shopId, orderId, clock.now()));
  };
}
