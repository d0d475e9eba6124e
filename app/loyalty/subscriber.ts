// The loyalty domain's subscription to store events: sign-up points for new customers, points on
// paid orders (and referral progress), back on cancellation and refunds, the member's tier
// re-evaluated after each. Each handler runs in one transaction and is idempotent (ledger keys),
// as job handlers must be.
import type { DomainEvent, LoyaltyProgram } from "@prisma/client";
import { z } from "zod";
import type { Clock } from "../clock";
import type { DomainEventSubscriber, Tx } from "../events/domain-events";
import type { DomainEventHandler } from "../events/event-delivery";
import type { JobHandler } from "../jobs/worker";
import { fromStoredRow } from "../money/stored";
import { awardBonus } from "./bonus";
import { recordOrderCashback, reduceOrderCashback } from "./cashback";
import { scheduleDailyLoyaltyRun } from "./daily";
import {
  awardOrderPoints,
  lockOrder,
  releaseOrderPoints,
  reverseCancelledOrder,
  reverseRefundedPoints,
  type Order,
} from "./earning";
import { loyaltyProgramFor } from "./program";
import { referredOrderPaid, settleReferral } from "./referrals";
import { evaluateMemberTier } from "./vip";

export const loyaltySubscriber: DomainEventSubscriber = {
  name: "loyalty",
  types: ["customer.created", "order.paid", "order.cancelled", "order.refunded"],
};

/** What an order.refunded event carries that the loyalty subscriber reads. */
export const refundedEventPayload = z.object({ refundShopifyId: z.string(), orderShopifyId: z.string() });

async function reevaluateTier(
  tx: Tx,
  program: LoyaltyProgram,
  order: Order,
  now: Date,
  subscribers: readonly DomainEventSubscriber[],
): Promise<void> {
  if (!order.customerId) return;
  const member = await tx.loyaltyMember.findUnique({
    where: { shopId_customerId: { shopId: order.shopId, customerId: order.customerId } },
    select: { id: true },
  });
  if (!member) return;
  await evaluateMemberTier(tx, program, member.id, now, subscribers);
}

/**
 * Refunds stored before the order was paid — or before it existed, when refunds/create came first —
 * found nothing to take back then; now that the order has earned, they take their share back, as
 * if they had come after it (same entries, same idempotency keys), so delivery order does not matter.
 */
async function takeBackEarlierRefunds(tx: Tx, order: Order, now: Date): Promise<void> {
  const refunds = await tx.refund.findMany({
    where: { shopId: order.shopId, orderShopifyId: order.shopifyId },
    orderBy: [{ processedAt: "asc" }, { shopifyId: "asc" }],
    select: { shopifyId: true },
  });
  for (const refund of refunds) {
    await reverseRefundedPoints(tx, order, refund.shopifyId, now);
    await reduceOrderCashback(tx, order, { kind: "refund", refundShopifyId: refund.shopifyId }, now);
  }
}

/**
 * The order, read under its row lock: what the handler decides on (paid, cancelled, its entries and
 * refunds) cannot change under it while another event or the release job for the order runs.
 */
async function lockedOrder(tx: Tx, shopId: string, orderId: string, now: Date): Promise<Order | null> {
  if (!(await lockOrder(tx, shopId, orderId, now))) return null;
  return fromStoredRow(await tx.order.findFirst({ where: { id: orderId, shopId } }));
}

/** The handler for the loyalty subscriber's domain events. */
export function loyaltyEventHandler(subscribers: readonly DomainEventSubscriber[]): DomainEventHandler {
  return async (db, event: DomainEvent, now) => {
    await db.$transaction(
      async (tx) => {
        // Earning stops while the program is off; taking back what cancelled orders earned does not.
        const program = await loyaltyProgramFor(tx, event.shopId);
        // Self-healing schedule: whatever happened to the daily chain, activity restarts it.
        if (program.enabled) await scheduleDailyLoyaltyRun(tx, event.shopId, now);
        if (event.type === "customer.created") {
          await awardBonus(tx, program, event.subjectId, "signup", event.subjectId, now);
          return;
        }
        if (event.type === "order.refunded") {
          const { refundShopifyId, orderShopifyId } = refundedEventPayload.parse(event.payload);
          // Not here yet: the refund is stored, and the order's award takes it back when it comes.
          const known = await tx.order.findUnique({
            where: { shopId_shopifyId: { shopId: event.shopId, shopifyId: orderShopifyId } },
            select: { id: true },
          });
          const order = known && (await lockedOrder(tx, event.shopId, known.id, now));
          if (!order) return;
          await reverseRefundedPoints(tx, order, refundShopifyId, now);
          await reduceOrderCashback(tx, order, { kind: "refund", refundShopifyId }, now);
          await reevaluateTier(tx, program, order, now, subscribers);
          return;
        }
        const order = await lockedOrder(tx, event.shopId, event.subjectId, now);
        if (!order) return;
        if (event.type === "order.paid") {
          await awardOrderPoints(tx, order, now);
          await recordOrderCashback(tx, order, program, now);
          await takeBackEarlierRefunds(tx, order, now);
          await referredOrderPaid(tx, order, now);
        }
        if (event.type === "order.cancelled") {
          await reverseCancelledOrder(tx, order, now);
          await reduceOrderCashback(tx, order, { kind: "cancellation" }, now);
        }
        await reevaluateTier(tx, program, order, now, subscribers);
      },
      { timeout: 30_000 },
    );
  };
}

const releasePayload = z.object({ orderId: z.string() });

/** The worker's handler for "loyalty.release" jobs: pending points become spendable. */
export function releaseJobHandler(clock: Clock): JobHandler {
  return async (job, db) => {
    const { orderId } = releasePayload.parse(job.payload);
    await db.$transaction((tx) => releaseOrderPoints(tx, job.shopId, orderId, clock.now()));
  };
}

const referralPayload = z.object({ referralId: z.string() });

/** The worker's handler for "loyalty.referral" jobs: the friend's order passed its returns window. */
export function referralJobHandler(options: {
  clock: Clock;
  subscribers: readonly DomainEventSubscriber[];
}): JobHandler {
  return async (job, db) => {
    const { referralId } = referralPayload.parse(job.payload);
    await db.$transaction(async (tx) => {
      const referral = await settleReferral(
        tx,
        job.shopId,
        referralId,
        options.clock.now(),
        options.subscribers,
      );
      if (referral?.status !== "rewarded") return;
      const program = await loyaltyProgramFor(tx, job.shopId);
      await evaluateMemberTier(
        tx,
        program,
        referral.referrerMemberId,
        options.clock.now(),
        options.subscribers,
      );
    });
  };
}
