// Redeeming a reward (R-LOY-5): points are debited and a unique, single-use code for the customer
// is created through the Admin API. The order of steps makes every failure recoverable:
//   1. one transaction debits the points (refused when short — never below zero, also under
//      concurrent redemptions) and stores the redemption with the code it will have;
//   2. the Admin API creates that code;
//   3. the redemption is marked issued — or, when Shopify did not create the code (looked up by
//      code, so a lost answer is not mistaken for a failure), the debit is reversed and the
//      redemption marked failed: the customer has their points back and no orphan code exists.
// The caller's idempotency key names the redemption: asking again returns the same code; asking
// again after a failure retries with the same code (a new debit under a new attempt key).
import type { Redemption } from "@prisma/client";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { lastErrorText } from "../jobs/last-error";
import { shopAdminClient, type AdminClientFactory } from "../shopify/shop-admin";
import { createCodeDiscount, findCodeDiscount, newDiscountCode } from "./discount-codes";
import { ledgerTransactionOptions, loyaltyMemberFor, postLedgerEntry } from "./ledger";
import { rewardBenefit } from "./rewards";

export interface RedemptionRequest {
  shopId: string;
  customerId: string;
  rewardId: string;
  /** The same key is the same redemption (e.g. the storefront's request id). */
  idempotencyKey: string;
}

export interface RedemptionOptions {
  clock: Clock;
  adminClientFor: AdminClientFactory;
}

/** The request cannot be redeemed as asked (unknown or inactive reward, unknown customer, bad key). */
export class RedemptionError extends Error {}

/** Shopify did not create the code; the points were given back. Retrying with the same key tries again. */
export class RedemptionFailedError extends Error {
  constructor(
    readonly redemption: Redemption,
    cause: unknown,
  ) {
    super(
      `the reward could not be issued, points restored: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}

const dayMs = 86_400_000;

function attemptKey(redemption: Pick<Redemption, "id" | "attempts">): string {
  return `${redemption.id}/${redemption.attempts}`;
}

/** Step 1: the debit and the stored redemption (or the existing one for this key). */
async function startRedemption(db: Database, request: RedemptionRequest, now: Date): Promise<Redemption> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    try {
      return await db.$transaction(async (tx) => {
        const existing = await tx.redemption.findUnique({
          where: {
            shopId_idempotencyKey: { shopId: request.shopId, idempotencyKey: request.idempotencyKey },
          },
        });
        if (existing && existing.status !== "failed") return existing;
        if (existing) {
          const retried = await tx.redemption.update({
            where: { id: existing.id },
            data: { status: "issuing", attempts: existing.attempts + 1, lastError: null },
          });
          await postLedgerEntry(tx, request.shopId, {
            memberId: retried.memberId,
            kind: "redeem",
            source: "reward",
            sourceId: attemptKey(retried),
            pointsDelta: -retried.points,
            reason: `Reward ${retried.code} (retry)`,
            occurredAt: now,
          });
          return retried;
        }
        const reward = await tx.loyaltyReward.findFirst({
          where: { id: request.rewardId, shopId: request.shopId, active: true },
        });
        if (!reward) throw new RedemptionError(`reward ${request.rewardId} is not available in this shop`);
        const customer = await tx.customer.findFirst({
          where: { id: request.customerId, shopId: request.shopId, deletedAt: null, redactedAt: null },
        });
        if (!customer) throw new RedemptionError(`customer ${request.customerId} not found in this shop`);
        const member = await loyaltyMemberFor(tx, request.shopId, customer.id);
        const redemption = await tx.redemption.create({
          data: {
            shopId: request.shopId,
            memberId: member.id,
            rewardId: reward.id,
            idempotencyKey: request.idempotencyKey,
            points: reward.pointsCost,
            code: newDiscountCode("LOYAL"),
            endsAt: reward.validDays === null ? null : new Date(now.getTime() + reward.validDays * dayMs),
          },
        });
        // Refused whole when the balance is short: the redemption row goes with it.
        await postLedgerEntry(tx, request.shopId, {
          memberId: member.id,
          kind: "redeem",
          source: "reward",
          sourceId: attemptKey(redemption),
          pointsDelta: -reward.pointsCost,
          reason: `Reward: ${reward.name} (${redemption.code})`,
          occurredAt: now,
        });
        return redemption;
      }, ledgerTransactionOptions);
    } catch (error) {
      // Another request with the same key won the race, or (rarely) the code was taken: look again.
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new RedemptionError("could not store the redemption; try again");
}

async function giveBack(
  db: Database,
  redemption: Redemption,
  cause: unknown,
  now: Date,
): Promise<Redemption> {
  return db.$transaction(async (tx) => {
    const current = await tx.redemption.findUniqueOrThrow({ where: { id: redemption.id } });
    if (current.status !== "issuing") return current;
    await postLedgerEntry(tx, redemption.shopId, {
      memberId: redemption.memberId,
      kind: "reversal",
      source: "reward",
      sourceId: attemptKey(current),
      pointsDelta: current.points,
      reason: `Reward ${current.code} could not be issued`,
      occurredAt: now,
    });
    return tx.redemption.update({
      where: { id: current.id },
      data: {
        status: "failed",
        lastError: lastErrorText(cause),
      },
    });
  }, ledgerTransactionOptions);
}

/** Redeems a reward for a customer and returns the issued redemption (with its code). */
export async function redeemReward(
  db: Database,
  request: RedemptionRequest,
  options: RedemptionOptions,
): Promise<Redemption> {
  if (request.idempotencyKey.trim() === "" || request.idempotencyKey.length > 200) {
    throw new RedemptionError("an idempotency key of 1–200 characters is required");
  }
  const redemption = await startRedemption(db, request, options.clock.now());
  if (redemption.status === "issued") return redemption;

  const [reward, member] = await Promise.all([
    db.loyaltyReward.findUniqueOrThrow({ where: { id: redemption.rewardId } }),
    db.loyaltyMember.findUniqueOrThrow({ where: { id: redemption.memberId }, include: { customer: true } }),
  ]);
  const { shop, adminClient } = await shopAdminClient(db, redemption.shopId, options.adminClientFor);
  let discountId: string;
  try {
    discountId = await createCodeDiscount(adminClient, {
      code: redemption.code,
      title: `Stayloop reward: ${reward.name} (${redemption.code})`,
      customerShopifyId: member.customer.shopifyId,
      benefit: rewardBenefit(reward),
      startsAt: redemption.createdAt,
      endsAt: redemption.endsAt,
      minimumSubtotalMinor: reward.minimumSubtotalMinor,
      currency: shop.currency,
    });
  } catch (error) {
    // The answer may have been lost after Shopify created the code: only a code Shopify does not
    // have is a failure. If even the lookup fails, the redemption stays "issuing" and a retry
    // with the same key finishes it — points are never given back for a code that may exist.
    const existing = await findCodeDiscount(adminClient, redemption.code);
    if (!existing) {
      const failed = await giveBack(db, redemption, error, options.clock.now());
      throw new RedemptionFailedError(failed, error);
    }
    discountId = existing;
  }
  return db.redemption.update({
    where: { id: redemption.id },
    data: { status: "issued", discountId, issuedAt: options.clock.now(), lastError: null },
  });
}
