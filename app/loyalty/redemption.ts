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
// Every status change is a compare-and-set on (status, attempt), so a caller that created the code
// and a give-back that ran meanwhile cannot both win: the loser of "issued" deletes the code it made.
// Each attempt schedules a reconcile job when it starts (a timer in the database): if the attempt is
// still "issuing" after redemptionSettleMs (its process died, or its answer never came), the job
// looks the code up at Shopify — there → issued, absent → points back.
import type { Redemption as StoredRedemption } from "@prisma/client";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import type { Tx } from "../events/domain-events";
import { lastErrorText } from "../jobs/last-error";
import { scheduleJobOnce } from "../jobs/schedule";
import type { JobHandler } from "../jobs/worker";
import type { AdminClient } from "../shopify/admin-client";
import { shopAdminClient, type AdminClientFactory } from "../shopify/shop-admin";
import { z } from "zod";
import { fromStoredRow, type FromStored } from "../money/stored";
import { createCodeDiscount, deleteCodeDiscount, findCodeDiscount, newDiscountCode } from "./discount-codes";
import { ledgerTransactionOptions, loyaltyMemberFor, postLedgerEntry } from "./ledger";
import { rewardBenefit } from "./rewards";

/** A redemption with its points as a number. */
export type Redemption = FromStored<StoredRedemption>;

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

export const redemptionReconcileJobKind = "loyalty.redemption-reconcile";

/**
 * How long an attempt may stay "issuing" before the reconcile job settles it: longer than any
 * Admin API call (with its retries) can take, so a call still in flight has landed by then.
 */
export const redemptionSettleMs = 10 * 60_000;

function attemptKey(redemption: Pick<Redemption, "id" | "attempts">): string {
  return `${redemption.id}/${redemption.attempts}`;
}

/** The durable timer that settles this attempt if nothing else does (a crash, a lost answer). */
async function scheduleReconcile(tx: Tx, redemption: Redemption, runAt: Date, suffix = ""): Promise<void> {
  await scheduleJobOnce(tx, {
    shopId: redemption.shopId,
    kind: redemptionReconcileJobKind,
    key: `${attemptKey(redemption)}${suffix}`,
    payload: { redemptionId: redemption.id, attempts: redemption.attempts },
    runAt,
  });
}

/** Step 1: the debit and the stored redemption (or the existing one for this key). */
async function startRedemption(db: Database, request: RedemptionRequest, now: Date): Promise<Redemption> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    try {
      const stored = await db.$transaction(async (tx): Promise<Redemption | null> => {
        const existing = fromStoredRow(
          await tx.redemption.findUnique({
            where: {
              shopId_idempotencyKey: { shopId: request.shopId, idempotencyKey: request.idempotencyKey },
            },
          }),
        );
        if (existing && existing.status !== "failed") return existing;
        if (existing) {
          const { count } = await tx.redemption.updateMany({
            where: { id: existing.id, status: "failed", attempts: existing.attempts },
            data: { status: "issuing", attempts: existing.attempts + 1, lastError: null },
          });
          // Another request retried it first: look again.
          if (count !== 1) return null;
          const retried = fromStoredRow(
            await tx.redemption.findUniqueOrThrow({ where: { id: existing.id } }),
          );
          // The timer before the debit: the debit locks the member, so the lock is held briefly.
          await scheduleReconcile(tx, retried, new Date(now.getTime() + redemptionSettleMs));
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
        const reward = fromStoredRow(
          await tx.loyaltyReward.findFirst({
            where: { id: request.rewardId, shopId: request.shopId, active: true },
          }),
        );
        if (!reward) throw new RedemptionError(`reward ${request.rewardId} is not available in this shop`);
        const customer = await tx.customer.findFirst({
          where: { id: request.customerId, shopId: request.shopId, deletedAt: null, redactedAt: null },
        });
        if (!customer) throw new RedemptionError(`customer ${request.customerId} not found in this shop`);
        const member = await loyaltyMemberFor(tx, request.shopId, customer.id);
        const redemption = fromStoredRow(
          await tx.redemption.create({
            data: {
              shopId: request.shopId,
              memberId: member.id,
              rewardId: reward.id,
              idempotencyKey: request.idempotencyKey,
              points: reward.pointsCost,
              code: newDiscountCode("LOYAL"),
              endsAt: reward.validDays === null ? null : new Date(now.getTime() + reward.validDays * dayMs),
            },
          }),
        );
        await scheduleReconcile(tx, redemption, new Date(now.getTime() + redemptionSettleMs));
        // Refused whole when the balance is short: the redemption row and its timer go with it.
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
      if (stored) return stored;
    } catch (error) {
      // Another request with the same key won the race, or (rarely) the code was taken: look again.
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new RedemptionError("could not store the redemption; try again");
}

/** issuing → failed with the points back, only if this attempt is still issuing (else the current row). */
async function giveBack(
  db: Database,
  redemption: Redemption,
  cause: unknown,
  now: Date,
): Promise<Redemption> {
  return db.$transaction(async (tx) => {
    // The status change first: whoever changes it decides; the reversal follows only for the winner.
    const { count } = await tx.redemption.updateMany({
      where: { id: redemption.id, status: "issuing", attempts: redemption.attempts },
      data: { status: "failed", lastError: lastErrorText(cause) },
    });
    const current = fromStoredRow(await tx.redemption.findUniqueOrThrow({ where: { id: redemption.id } }));
    if (count !== 1) return current;
    await postLedgerEntry(tx, redemption.shopId, {
      memberId: redemption.memberId,
      kind: "reversal",
      source: "reward",
      sourceId: attemptKey(redemption),
      pointsDelta: redemption.points,
      reason: `Reward ${redemption.code} could not be issued`,
      occurredAt: now,
    });
    return current;
  }, ledgerTransactionOptions);
}

/**
 * issuing → issued for a code that exists at Shopify. When a give-back won meanwhile (the points are
 * back), the code must not stay usable: it is deleted and the redemption stays failed.
 */
async function markIssued(
  db: Database,
  adminClient: AdminClient,
  redemption: Redemption,
  discountId: string,
  now: Date,
): Promise<Redemption> {
  const { count } = await db.redemption.updateMany({
    where: { id: redemption.id, status: "issuing", attempts: redemption.attempts },
    data: { status: "issued", discountId, issuedAt: now, lastError: null },
  });
  const current = fromStoredRow(await db.redemption.findUniqueOrThrow({ where: { id: redemption.id } }));
  if (count === 1 || current.status === "issued") return current;
  if (current.status === "failed" && current.attempts === redemption.attempts) {
    try {
      await deleteCodeDiscount(adminClient, discountId);
    } catch (error) {
      // The reconcile job deletes it later (a failed attempt's code must not exist).
      await db.$transaction((tx) => scheduleReconcile(tx, current, now, "/cleanup"));
      throw error;
    }
  }
  throw new RedemptionFailedError(current, new Error("the redemption was settled as failed meanwhile"));
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
    db.loyaltyReward
      .findUniqueOrThrow({ where: { id: redemption.rewardId } })
      .then((row) => fromStoredRow(row)),
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
    // with the same key (or the reconcile job) finishes it — points are never given back for a
    // code that may exist.
    const existing = await findCodeDiscount(adminClient, redemption.code);
    if (!existing) {
      const failed = await giveBack(db, redemption, error, options.clock.now());
      if (failed.status === "issued") return failed;
      throw new RedemptionFailedError(failed, error);
    }
    discountId = existing;
  }
  return markIssued(db, adminClient, redemption, discountId, options.clock.now());
}

/**
 * Settles one attempt that nobody finished: still "issuing" after redemptionSettleMs → the code at
 * Shopify decides (there → issued, absent → points back); "failed" → a code left over by a caller
 * that lost the race is deleted. Anything else (issued, a later attempt) is left alone.
 */
export async function reconcileRedemption(
  db: Database,
  target: { shopId: string; redemptionId: string; attempts: number },
  options: RedemptionOptions,
): Promise<Redemption | null> {
  const redemption = fromStoredRow(
    await db.redemption.findFirst({
      where: { id: target.redemptionId, shopId: target.shopId },
    }),
  );
  if (!redemption || redemption.attempts !== target.attempts || redemption.status === "issued") {
    return redemption;
  }
  // Runs when the attempt's timer is due (redemptionSettleMs after it started), so a call of its
  // own still in flight has landed by now.
  const now = options.clock.now();
  const { adminClient } = await shopAdminClient(db, redemption.shopId, options.adminClientFor);
  const existing = await findCodeDiscount(adminClient, redemption.code);
  if (redemption.status === "failed") {
    if (existing) await deleteCodeDiscount(adminClient, existing);
    return redemption;
  }
  if (existing) return markIssued(db, adminClient, redemption, existing, now);
  return giveBack(db, redemption, new Error("the code was never created at Shopify"), now);
}

const reconcilePayload = z.object({ redemptionId: z.string(), attempts: z.number().int() });

/** The worker's handler for "loyalty.redemption-reconcile" jobs. */
export function redemptionReconcileJobHandler(options: RedemptionOptions): JobHandler {
  return async (job, db) => {
    const { redemptionId, attempts } = reconcilePayload.parse(job.payload);
    try {
      await reconcileRedemption(db, { shopId: job.shopId, redemptionId, attempts }, options);
    } catch (error) {
      // Lost the race to a caller that settled it as failed: settled, nothing left to do.
      if (!(error instanceof RedemptionFailedError)) throw error;
    }
  };
}
