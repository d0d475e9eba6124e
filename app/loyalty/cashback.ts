// Cashback (R-LOY-3): a percentage of a paid order's eligible amount goes back to the customer as
// Shopify store credit or as a single-use discount code for that amount, per the shop's setting.
//
// - order.paid records the credit (once per order): floor(eligible amount × basis points ÷ 10,000)
//   in the order's currency. Nothing is paid out yet.
// - Refunds and cancellation before the payout shrink it: in total, floor(amount × refunded share)
//   is taken back (the whole amount on cancellation) — the same rule as points.
// - The payout runs when the returns window (the program's pending days) has passed, as a
//   "loyalty.cashback" job: store credit via storeCreditAccountCredit, or a code via
//   discountCodeBasicCreate. A "cashback" ledger entry records what was paid.
// - A refund after the payout takes the share back where possible: store credit is debited (Shopify
//   refuses a debit beyond the balance — what was already spent is recorded as unrecovered); an
//   unused code is deleted when the whole amount is taken back; a partly refunded code is recorded
//   as unrecovered (Shopify cannot lower a code's value once the customer has it).
//
// Store credit has no idempotency key at Shopify, so a payout whose outcome is unknown (the request
// left, no answer came back, or the process died) is never repeated blindly: the credit becomes
// "uncertain" for the merchant to check, rather than risk paying twice. Codes are chosen and stored
// before the call, so a code payout with a lost answer is settled by looking the code up.
import type { CashbackCredit, LoyaltyProgram, Order } from "@prisma/client";
import { z } from "zod";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import type { Tx } from "../events/domain-events";
import type { JobHandler } from "../jobs/worker";
import { lastErrorText } from "../jobs/last-error";
import { toDecimalAmount } from "../money/money";
import type { AdminClient } from "../shopify/admin-client";
import {
  storeCreditAccountCreditMutation,
  storeCreditAccountDebitMutation,
} from "../shopify/admin-operations";
import { shopAdminClient, type AdminClientFactory } from "../shopify/shop-admin";
import { createCodeDiscount, deleteCodeDiscount, findCodeDiscount, newDiscountCode } from "./discount-codes";
import { eligibleAmountMinor, refundedShare } from "./earning";
import { ledgerTransactionOptions, loyaltyMemberFor, postLedgerEntry } from "./ledger";
import { scheduleJobOnce } from "../jobs/schedule";

export const cashbackJobKind = "loyalty.cashback";

/** The cashback an eligible amount earns: rounded down to the minor unit. */
export function cashbackForAmount(eligibleMinor: number, basisPoints: number): number {
  return Math.floor((eligibleMinor * basisPoints) / 10_000);
}

/** What the customer holds of this credit once it is paid out: earned minus what refunds claim. */
export function netCashback(credit: Pick<CashbackCredit, "amountMinor" | "reversedMinor">): number {
  return Math.max(0, credit.amountMinor - credit.reversedMinor);
}

async function scheduleSettlement(tx: Tx, credit: CashbackCredit, key: string, runAt: Date): Promise<void> {
  await scheduleJobOnce(tx, {
    shopId: credit.shopId,
    kind: cashbackJobKind,
    key,
    payload: { orderId: credit.orderId },
    runAt,
  });
}

/** order.paid: records the order's cashback and schedules its payout after the returns window. */
export async function recordOrderCashback(
  tx: Tx,
  order: Order,
  program: LoyaltyProgram,
  now: Date,
): Promise<void> {
  if (!program.enabled || program.cashbackBasisPoints <= 0 || !order.customerId || order.cancelledAt) return;
  const amountMinor = cashbackForAmount(eligibleAmountMinor(order, program), program.cashbackBasisPoints);
  if (amountMinor <= 0) return;
  const existing = await tx.cashbackCredit.findUnique({
    where: { shopId_orderId: { shopId: order.shopId, orderId: order.id } },
  });
  if (existing) return;
  const credit = await tx.cashbackCredit.create({
    data: {
      shopId: order.shopId,
      orderId: order.id,
      customerId: order.customerId,
      amountMinor,
      currency: order.currency,
      method: program.cashbackMethod,
    },
  });
  const payableAt = new Date(
    Math.max(now.getTime(), order.processedAt.getTime() + program.pendingDays * 86_400_000),
  );
  await scheduleSettlement(tx, credit, `payout:${order.id}`, payableAt);
}

/**
 * A refund or cancellation: the credit's claimed-back total rises to floor(amount × share). Before
 * the payout that is all there is to do; after it, a settlement job takes the money back.
 */
export async function reduceOrderCashback(
  tx: Tx,
  order: Order,
  reason: { kind: "refund"; refundShopifyId: string } | { kind: "cancellation" },
  now: Date,
): Promise<void> {
  const credit = await tx.cashbackCredit.findUnique({
    where: { shopId_orderId: { shopId: order.shopId, orderId: order.id } },
  });
  if (!credit) return;
  const share = reason.kind === "cancellation" ? 1 : await refundedShare(tx, order);
  const target = Math.min(credit.amountMinor, Math.floor(credit.amountMinor * share));
  if (target <= credit.reversedMinor) return;
  const updated = await tx.cashbackCredit.update({
    where: { id: credit.id },
    data: { reversedMinor: target },
  });
  if (updated.status === "pending" || updated.status === "cancelled") return;
  const key =
    reason.kind === "refund"
      ? `reversal:${order.id}:${reason.refundShopifyId}`
      : `reversal:${order.id}:cancel`;
  await scheduleSettlement(tx, updated, key, now);
}

/**
 * What refunds claimed back after the payout and is not settled yet. At payout the customer got
 * amount − reversed-so-far (issuedMinor); issuedMinor then shrinks with each recovery and
 * unrecoveredMinor grows with each refusal, so the open claim is reversed − amount + issued − unrecovered.
 */
export function owedBack(
  credit: Pick<CashbackCredit, "amountMinor" | "reversedMinor" | "issuedMinor" | "unrecoveredMinor">,
): number {
  return Math.max(
    0,
    credit.reversedMinor - credit.amountMinor + credit.issuedMinor - credit.unrecoveredMinor,
  );
}

const userErrors = z.array(z.object({ message: z.string(), code: z.string().nullable() }));
const storeCreditResult = z.object({
  storeCreditAccountTransaction: z.object({ id: z.string() }).nullable(),
  userErrors,
});

/** Shopify refused the store credit change (userErrors); nothing changed at Shopify. */
class StoreCreditRefusedError extends Error {
  constructor(messages: string[]) {
    super(`Shopify refused the store credit change: ${messages.join("; ")}`);
  }
}

async function changeStoreCredit(
  adminClient: AdminClient,
  direction: "credit" | "debit",
  customerShopifyId: string,
  amountMinor: number,
  currency: string,
): Promise<string> {
  const amount = { amount: toDecimalAmount(amountMinor, currency), currencyCode: currency };
  const id = `gid://shopify/Customer/${customerShopifyId}`;
  const result =
    direction === "credit"
      ? (
          await adminClient.request(storeCreditAccountCreditMutation, {
            variables: { id, creditInput: { creditAmount: amount } },
            schema: z.object({ storeCreditAccountCredit: storeCreditResult }),
            retryTransient: false,
          })
        ).storeCreditAccountCredit
      : (
          await adminClient.request(storeCreditAccountDebitMutation, {
            variables: { id, debitInput: { debitAmount: amount } },
            schema: z.object({ storeCreditAccountDebit: storeCreditResult }),
            retryTransient: false,
          })
        ).storeCreditAccountDebit;
  if (result.storeCreditAccountTransaction) return result.storeCreditAccountTransaction.id;
  throw new StoreCreditRefusedError(result.userErrors.map((error) => error.message));
}

interface SettlementContext {
  db: Database;
  clock: Clock;
  adminClient: AdminClient;
  customerShopifyId: string;
}

/** Step 1 of a payout: claim the credit for paying (pending → issuing) with the amount and code. */
async function startPayout(db: Database, credit: CashbackCredit): Promise<CashbackCredit | null> {
  const net = netCashback(credit);
  const { count } = await db.cashbackCredit.updateMany({
    where: { id: credit.id, status: "pending" },
    data:
      net <= 0
        ? { status: "cancelled" }
        : {
            status: "issuing",
            issuedMinor: net,
            code: credit.method === "discount_code" ? newDiscountCode("CASHBACK") : null,
          },
  });
  if (count !== 1 || net <= 0) return null;
  return db.cashbackCredit.findUniqueOrThrow({ where: { id: credit.id } });
}

async function finishPayout(
  context: SettlementContext,
  credit: CashbackCredit,
  paid: { transactionId?: string; discountId?: string },
): Promise<void> {
  const now = context.clock.now();
  await context.db.$transaction(async (tx) => {
    const member = await loyaltyMemberFor(tx, credit.shopId, credit.customerId);
    await postLedgerEntry(tx, credit.shopId, {
      memberId: member.id,
      kind: "cashback",
      source: "cashback",
      sourceId: credit.orderId,
      pointsDelta: 0,
      basisMinor: credit.issuedMinor,
      reason:
        credit.method === "store_credit"
          ? `Cashback ${toDecimalAmount(credit.issuedMinor, credit.currency)} ${credit.currency} as store credit`
          : `Cashback ${toDecimalAmount(credit.issuedMinor, credit.currency)} ${credit.currency} as code ${credit.code}`,
      occurredAt: now,
    });
    await tx.cashbackCredit.update({
      where: { id: credit.id },
      data: {
        status: "issued",
        issuedAt: now,
        lastError: null,
        transactionId: paid.transactionId ?? null,
        discountId: paid.discountId ?? null,
      },
    });
  }, ledgerTransactionOptions);
}

async function payOut(context: SettlementContext, credit: CashbackCredit): Promise<void> {
  const { db, adminClient } = context;
  if (credit.method === "discount_code" && credit.code) {
    let discountId: string;
    try {
      discountId = await createCodeDiscount(adminClient, {
        code: credit.code,
        title: `Stayloop cashback (${credit.code})`,
        customerShopifyId: context.customerShopifyId,
        benefit: { kind: "fixed_amount", amountMinor: credit.issuedMinor, currency: credit.currency },
        startsAt: context.clock.now(),
        endsAt: null,
        minimumSubtotalMinor: null,
        currency: credit.currency,
      });
    } catch (error) {
      // A lost answer is recognised by the code; if Shopify has none, the payout waits for the retry.
      const existing = await findCodeDiscount(adminClient, credit.code);
      if (!existing) {
        await db.cashbackCredit.update({
          where: { id: credit.id },
          data: { lastError: lastErrorText(error) },
        });
        throw error;
      }
      discountId = existing;
    }
    await finishPayout(context, credit, { discountId });
    return;
  }
  try {
    const transactionId = await changeStoreCredit(
      adminClient,
      "credit",
      context.customerShopifyId,
      credit.issuedMinor,
      credit.currency,
    );
    await finishPayout(context, credit, { transactionId });
  } catch (error) {
    if (error instanceof StoreCreditRefusedError) {
      // Refused: nothing was credited, so the payout can safely be tried again later.
      await db.cashbackCredit.update({
        where: { id: credit.id },
        data: { status: "pending", issuedMinor: 0, lastError: lastErrorText(error) },
      });
      throw error;
    }
    await markUncertain(db, credit, error);
  }
}

async function markUncertain(db: Database, credit: CashbackCredit, error: unknown): Promise<void> {
  await db.cashbackCredit.update({
    where: { id: credit.id },
    data: {
      status: "uncertain",
      lastError: `The store credit payout may or may not have reached Shopify; check the customer's store credit before paying by hand. (${lastErrorText(error)})`,
    },
  });
}

/** Takes back what refunds claimed after the payout, as far as Shopify allows. */
async function takeBack(context: SettlementContext, credit: CashbackCredit): Promise<void> {
  const { db, adminClient } = context;
  const claim = owedBack(credit);
  if (claim <= 0) return;
  let recovered = 0;
  if (credit.method === "store_credit") {
    try {
      await changeStoreCredit(adminClient, "debit", context.customerShopifyId, claim, credit.currency);
      recovered = claim;
    } catch (error) {
      // Spent already (or the account is gone): Shopify refuses; the claim is recorded as unrecovered.
      if (!(error instanceof StoreCreditRefusedError)) throw error;
    }
  } else if (credit.discountId && claim === credit.issuedMinor) {
    // The whole code is claimed back: deleting it recovers everything if it is still unused.
    await deleteCodeDiscount(adminClient, credit.discountId);
    recovered = claim;
  }
  const now = context.clock.now();
  await db.$transaction(async (tx) => {
    const current = await tx.cashbackCredit.findUniqueOrThrow({ where: { id: credit.id } });
    const member = await loyaltyMemberFor(tx, credit.shopId, credit.customerId);
    await postLedgerEntry(tx, credit.shopId, {
      memberId: member.id,
      kind: "cashback",
      source: "cashback",
      sourceId: `${credit.orderId}/taken-back/${current.reversedMinor}`,
      pointsDelta: 0,
      basisMinor: recovered === 0 ? 0 : -recovered,
      reason:
        recovered === claim
          ? `Cashback ${toDecimalAmount(claim, credit.currency)} ${credit.currency} taken back after a refund`
          : `Cashback ${toDecimalAmount(claim, credit.currency)} ${credit.currency} could not be taken back (already spent)`,
      occurredAt: now,
    });
    await tx.cashbackCredit.update({
      where: { id: credit.id },
      data: {
        issuedMinor: current.issuedMinor - recovered,
        unrecoveredMinor: current.unrecoveredMinor + (claim - recovered),
        ...(current.issuedMinor - recovered === 0 && recovered > 0 ? { status: "cancelled" } : {}),
      },
    });
  }, ledgerTransactionOptions);
}

/** Pays out a due credit, or settles what refunds claimed after the payout. Safe to repeat. */
export async function settleCashback(
  db: Database,
  shopId: string,
  orderId: string,
  options: { clock: Clock; adminClientFor: AdminClientFactory },
): Promise<CashbackCredit | null> {
  const credit = await db.cashbackCredit.findUnique({ where: { shopId_orderId: { shopId, orderId } } });
  if (!credit) return null;
  if (credit.status === "cancelled" || credit.status === "uncertain") return credit;
  if (credit.status === "issuing" && credit.method === "store_credit") {
    // An earlier attempt died between the call and recording its answer.
    await markUncertain(db, credit, new Error("the worker stopped during the payout"));
    return db.cashbackCredit.findUnique({ where: { id: credit.id } });
  }
  const customer = await db.customer.findFirst({ where: { id: credit.customerId, shopId } });
  if (!customer) return credit;
  const { adminClient } = await shopAdminClient(db, shopId, options.adminClientFor);
  const context = { db, clock: options.clock, adminClient, customerShopifyId: customer.shopifyId };
  if (credit.status === "pending") {
    const started = await startPayout(db, credit);
    if (started) await payOut(context, started);
  } else if (credit.status === "issuing") {
    await payOut(context, credit);
  } else {
    await takeBack(context, credit);
  }
  return db.cashbackCredit.findUnique({ where: { id: credit.id } });
}

const cashbackPayload = z.object({ orderId: z.string() });

/** The worker's handler for "loyalty.cashback" jobs. */
export function cashbackJobHandler(options: {
  clock: Clock;
  adminClientFor: AdminClientFactory;
}): JobHandler {
  return async (job, db) => {
    const { orderId } = cashbackPayload.parse(job.payload);
    await settleCashback(db, job.shopId, orderId, options);
  };
}
