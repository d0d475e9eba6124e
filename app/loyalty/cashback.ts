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
// A take-back records its intent first (amount, the account's last transaction, the time) and settles
// an unknown outcome by looking for its debit among the transactions after that one, so a lost answer,
// a timeout or a crash never debits the customer twice.
//
// Store credit has no idempotency key at Shopify, so a payout whose outcome is unknown (the request
// left, no answer came back, or the process died) is never repeated blindly: the credit becomes
// "uncertain" for the merchant to check, rather than risk paying twice. Codes are chosen and stored
// before the call, so a code payout with a lost answer is settled by looking the code up.
import type { CashbackCredit as StoredCashbackCredit, LoyaltyProgram } from "@prisma/client";
import { z } from "zod";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import type { Tx } from "../events/domain-events";
import type { JobHandler } from "../jobs/worker";
import { lastErrorText } from "../jobs/last-error";
import { multiplyDivideFloor, toDecimalAmount, toMinorUnits } from "../money/money";
import { fromStoredRow, type FromStored } from "../money/stored";
import type { AdminClient } from "../shopify/admin-client";
import {
  lastStoreCreditTransactionQuery,
  storeCreditAccountCreditMutation,
  storeCreditAccountDebitMutation,
  storeCreditTransactionsAfterQuery,
} from "../shopify/admin-operations";
import { shopAdminClient, type AdminClientFactory } from "../shopify/shop-admin";
import { createCodeDiscount, deleteCodeDiscount, findCodeDiscount, newDiscountCode } from "./discount-codes";
import { eligibleAmountMinor, refundedShare, shareOf, type Order } from "./earning";
import { ledgerTransactionOptions, loyaltyMemberFor, postLedgerEntry } from "./ledger";
import { scheduleJobOnce } from "../jobs/schedule";

export const cashbackJobKind = "loyalty.cashback";

/** A cashback credit with its amounts as numbers. */
export type CashbackCredit = FromStored<StoredCashbackCredit>;

/** The cashback an eligible amount earns: rounded down to the minor unit. */
export function cashbackForAmount(eligibleMinor: number, basisPoints: number): number {
  return multiplyDivideFloor(eligibleMinor, basisPoints, 10_000);
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
  const existing = fromStoredRow(
    await tx.cashbackCredit.findUnique({
      where: { shopId_orderId: { shopId: order.shopId, orderId: order.id } },
    }),
  );
  if (existing) return;
  const credit = fromStoredRow(
    await tx.cashbackCredit.create({
      data: {
        shopId: order.shopId,
        orderId: order.id,
        customerId: order.customerId,
        amountMinor,
        currency: order.currency,
        method: program.cashbackMethod,
      },
    }),
  );
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
  const credit = fromStoredRow(
    await tx.cashbackCredit.findUnique({
      where: { shopId_orderId: { shopId: order.shopId, orderId: order.id } },
    }),
  );
  if (!credit) return;
  const share = reason.kind === "cancellation" ? { part: 1, of: 1 } : await refundedShare(tx, order);
  const target = Math.min(credit.amountMinor, shareOf(credit.amountMinor, share));
  if (target <= credit.reversedMinor) return;
  const updated = fromStoredRow(
    await tx.cashbackCredit.update({
      where: { id: credit.id },
      data: { reversedMinor: target },
    }),
  );
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
  return fromStoredRow(await db.cashbackCredit.findUniqueOrThrow({ where: { id: credit.id } }));
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

/**
 * How long a store credit take-back whose outcome is unknown may still land at Shopify: after this,
 * a debit not found among the account's transactions never happened and may be tried again.
 */
export const takeBackSettleMs = 10 * 60_000;

const storeCreditAccountQuery = (currency: string) => `currency_code:${currency}`;

const storeCreditAccounts = <T extends z.ZodType>(transactions: T) =>
  z.object({
    customer: z
      .object({ storeCreditAccounts: z.object({ nodes: z.array(z.object({ transactions })) }) })
      .nullable(),
  });

/** Where the search for a take-back's debit starts: the account's last transaction ("" for none yet). */
async function lastStoreCreditCursor(context: SettlementContext, currency: string): Promise<string> {
  const data = await context.adminClient.request(lastStoreCreditTransactionQuery, {
    variables: {
      customerId: `gid://shopify/Customer/${context.customerShopifyId}`,
      accountQuery: storeCreditAccountQuery(currency),
    },
    schema: storeCreditAccounts(z.object({ edges: z.array(z.object({ cursor: z.string() })) })),
  });
  return data.customer?.storeCreditAccounts.nodes[0]?.transactions.edges.at(-1)?.cursor ?? "";
}

const transactionsPage = z.object({
  edges: z.array(
    z.object({
      cursor: z.string(),
      node: z.object({
        __typename: z.string(),
        event: z.string(),
        amount: z.object({ amount: z.string(), currencyCode: z.string() }),
      }),
    }),
  ),
  pageInfo: z.object({ hasNextPage: z.boolean() }),
});

/**
 * Did Shopify make the take-back's debit (an adjustment of exactly that amount after the cursor)?
 * Transactions carry no note of ours before API 2027-01, so a merchant's own debit of the same amount
 * in those minutes would be taken for it — the safe side: the customer is never debited twice.
 */
async function findTakeBackDebit(
  context: SettlementContext,
  credit: CashbackCredit,
  intent: { amountMinor: number; after: string },
): Promise<boolean> {
  let after: string | null = intent.after === "" ? null : intent.after;
  for (let page = 0; page < 20; page += 1) {
    const data = await context.adminClient.request(storeCreditTransactionsAfterQuery, {
      variables: {
        customerId: `gid://shopify/Customer/${context.customerShopifyId}`,
        accountQuery: storeCreditAccountQuery(credit.currency),
        after,
      },
      schema: storeCreditAccounts(transactionsPage),
    });
    const transactions = data.customer?.storeCreditAccounts.nodes[0]?.transactions;
    if (!transactions) return false;
    const found = transactions.edges.some(
      ({ node }) =>
        node.__typename === "StoreCreditAccountDebitTransaction" &&
        node.event === "ADJUSTMENT" &&
        node.amount.currencyCode === credit.currency &&
        toMinorUnits(node.amount.amount.replace(/^-/, ""), credit.currency) === intent.amountMinor,
    );
    if (found) return true;
    const last = transactions.edges.at(-1);
    if (!transactions.pageInfo.hasNextPage || !last) return false;
    after = last.cursor;
  }
  throw new Error("too many store credit transactions to check the take-back; checked again later");
}

/**
 * Records a take-back's result: the ledger entry, what the customer still holds and what could not be
 * recovered. For store credit only the holder of the intent records it (compare-and-set on the intent),
 * so a debit is counted once; what later refunds claimed meanwhile is taken back by a follow-up run.
 */
async function recordTakeBack(
  context: SettlementContext,
  credit: CashbackCredit,
  claim: { amountMinor: number; recoveredMinor: number; claimedUpTo: number; intentStartedAt: Date | null },
): Promise<void> {
  const { db } = context;
  const now = context.clock.now();
  const { amountMinor, recoveredMinor } = claim;
  await db.$transaction(async (tx) => {
    const current = fromStoredRow(await tx.cashbackCredit.findUniqueOrThrow({ where: { id: credit.id } }));
    const issuedMinor = current.issuedMinor - recoveredMinor;
    const { count } = await tx.cashbackCredit.updateMany({
      where: {
        id: credit.id,
        ...(claim.intentStartedAt
          ? { takeBackMinor: amountMinor, takeBackStartedAt: claim.intentStartedAt }
          : {}),
      },
      data: {
        issuedMinor,
        unrecoveredMinor: current.unrecoveredMinor + (amountMinor - recoveredMinor),
        takeBackMinor: null,
        takeBackAfter: null,
        takeBackStartedAt: null,
        lastError: null,
        ...(issuedMinor === 0 && recoveredMinor > 0 ? { status: "cancelled" } : {}),
      },
    });
    if (count !== 1) return;
    const member = await loyaltyMemberFor(tx, credit.shopId, credit.customerId);
    await postLedgerEntry(tx, credit.shopId, {
      memberId: member.id,
      kind: "cashback",
      source: "cashback",
      sourceId: `${credit.orderId}/taken-back/${claim.claimedUpTo}`,
      pointsDelta: 0,
      basisMinor: recoveredMinor === 0 ? 0 : -recoveredMinor,
      reason:
        recoveredMinor === amountMinor
          ? `Cashback ${toDecimalAmount(amountMinor, credit.currency)} ${credit.currency} taken back after a refund`
          : `Cashback ${toDecimalAmount(amountMinor, credit.currency)} ${credit.currency} could not be taken back (already spent)`,
      occurredAt: now,
    });
    const updated = fromStoredRow(await tx.cashbackCredit.findUniqueOrThrow({ where: { id: credit.id } }));
    // A refund that arrived while this take-back was in flight is taken back next.
    if (updated.status !== "cancelled" && owedBack(updated) > 0) {
      await scheduleSettlement(tx, updated, `reversal:${credit.orderId}:after:${claim.claimedUpTo}`, now);
    }
  }, ledgerTransactionOptions);
}

/** Checks an unknown take-back again once any call still in flight must have landed. */
async function checkTakeBackLater(context: SettlementContext, credit: CashbackCredit, startedAt: Date) {
  await scheduleSettlement(
    context.db,
    credit,
    `take-back-check:${credit.orderId}:${startedAt.getTime()}`,
    new Date(startedAt.getTime() + takeBackSettleMs),
  );
}

/**
 * Store credit take-back: intent first (amount, the account's last transaction, the time), then the
 * debit. Shopify has no idempotency key for it, so an unknown outcome (lost answer, timeout, crash)
 * is settled by looking for the debit among the transactions after the recorded one — found: it is
 * recorded; not found once takeBackSettleMs has passed: the intent is dropped and the debit tried again.
 */
async function takeBackStoreCredit(context: SettlementContext, start: CashbackCredit): Promise<void> {
  const { db } = context;
  const now = context.clock.now();
  let credit = start;
  if (credit.takeBackMinor !== null && credit.takeBackStartedAt) {
    const intent = { amountMinor: credit.takeBackMinor, after: credit.takeBackAfter ?? "" };
    const claimedUpTo =
      intent.amountMinor + credit.amountMinor - credit.issuedMinor + credit.unrecoveredMinor;
    const startedAt = credit.takeBackStartedAt;
    if (await findTakeBackDebit(context, credit, intent)) {
      await recordTakeBack(context, credit, {
        amountMinor: intent.amountMinor,
        recoveredMinor: intent.amountMinor,
        claimedUpTo,
        intentStartedAt: startedAt,
      });
      return;
    }
    if (now.getTime() < startedAt.getTime() + takeBackSettleMs) {
      await checkTakeBackLater(context, credit, startedAt);
      return;
    }
    // Not at Shopify, and nothing can still be on its way: the debit never happened.
    const { count } = await db.cashbackCredit.updateMany({
      where: { id: credit.id, takeBackMinor: intent.amountMinor, takeBackStartedAt: startedAt },
      data: { takeBackMinor: null, takeBackAfter: null, takeBackStartedAt: null },
    });
    if (count !== 1) return;
    credit = fromStoredRow(await db.cashbackCredit.findUniqueOrThrow({ where: { id: credit.id } }));
  }
  const claim = owedBack(credit);
  if (claim <= 0) return;
  const after = await lastStoreCreditCursor(context, credit.currency);
  const { count } = await db.cashbackCredit.updateMany({
    where: { id: credit.id, takeBackMinor: null },
    data: { takeBackMinor: claim, takeBackAfter: after, takeBackStartedAt: now },
  });
  // Another take-back holds the intent; it schedules what is left when it is recorded.
  if (count !== 1) return;
  const claimedUpTo = credit.reversedMinor;
  const record = (recoveredMinor: number) =>
    recordTakeBack(context, credit, {
      amountMinor: claim,
      recoveredMinor,
      claimedUpTo,
      intentStartedAt: now,
    });
  try {
    await changeStoreCredit(context.adminClient, "debit", context.customerShopifyId, claim, credit.currency);
  } catch (error) {
    // Spent already (or the account is gone): Shopify refuses; the claim is recorded as unrecovered.
    if (error instanceof StoreCreditRefusedError) return record(0);
    // No answer: the debit may have been made. Look for it; never debit again blindly.
    const found = await findTakeBackDebit(context, credit, { amountMinor: claim, after }).catch(() => false);
    if (found) return record(claim);
    await db.cashbackCredit.updateMany({
      where: { id: credit.id, takeBackMinor: claim, takeBackStartedAt: now },
      data: {
        lastError: `The store credit take-back may or may not have reached Shopify; it is checked again before any new debit. (${lastErrorText(error)})`,
      },
    });
    await checkTakeBackLater(context, credit, now);
    return;
  }
  await record(claim);
}

/** Takes back what refunds claimed after the payout, as far as Shopify allows. */
async function takeBack(context: SettlementContext, credit: CashbackCredit): Promise<void> {
  if (credit.method === "store_credit") return takeBackStoreCredit(context, credit);
  const claim = owedBack(credit);
  if (claim <= 0) return;
  let recovered = 0;
  if (credit.discountId && claim === credit.issuedMinor) {
    // The whole code is claimed back: deleting it recovers everything if it is still unused.
    await deleteCodeDiscount(context.adminClient, credit.discountId);
    recovered = claim;
  }
  await recordTakeBack(context, credit, {
    amountMinor: claim,
    recoveredMinor: recovered,
    claimedUpTo: credit.reversedMinor,
    intentStartedAt: null,
  });
}

/** Pays out a due credit, or settles what refunds claimed after the payout. Safe to repeat. */
export async function settleCashback(
  db: Database,
  shopId: string,
  orderId: string,
  options: { clock: Clock; adminClientFor: AdminClientFactory },
): Promise<CashbackCredit | null> {
  const credit = fromStoredRow(
    await db.cashbackCredit.findUnique({ where: { shopId_orderId: { shopId, orderId } } }),
  );
  if (!credit) return null;
  if (credit.status === "cancelled" || credit.status === "uncertain") return credit;
  if (credit.status === "issuing" && credit.method === "store_credit") {
    // An earlier attempt died between the call and recording its answer.
    await markUncertain(db, credit, new Error("the worker stopped during the payout"));
    return fromStoredRow(await db.cashbackCredit.findUnique({ where: { id: credit.id } }));
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
  return fromStoredRow(await db.cashbackCredit.findUnique({ where: { id: credit.id } }));
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
