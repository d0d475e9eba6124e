// Earning points on paid orders and giving them back on cancellation and refunds (R-LOY-2, R-LOY-6).
//
// Per order, all entries share source "order": the earn and its release under the order id, each
// refund's reversal under "<order id>/refund/<refund id>", a cancellation under the order id.
// Rounding: points = floor(eligible amount in whole currency units × points per unit), then
// floor(points × the member's tier multiplier) for the tier held before the order. A refund
// reverses floor(earned × refunded subtotal ÷ order subtotal), counted cumulatively over the
// order's refunds, so partial refunds never take back more than the whole order earned and a
// full refund takes back exactly what it earned.
//
// Concurrency: award, release and reversals of one order decide from the order's entries and
// refunds, so each takes the order's row lock (PostgreSQL; SQLite has a single writer) before it
// reads them. A release racing a refund, or two refunds racing each other, then queue up and each
// sees what the previous one posted. The order row is the lock rather than the member's because it
// exists before the member does: the first award and a refund of the same order serialise too.
import type { LoyaltyProgram, Order as StoredOrder, Refund } from "@prisma/client";
import type { Tx } from "../events/domain-events";
import { currencyExponent, multiplyDivideFloor } from "../money/money";
import { fromStoredInteger, fromStoredRow, type FromStored } from "../money/stored";
import type { JobRequest } from "../jobs/schedule";
import {
  loyaltyMemberFor,
  postLedgerEntry,
  type LedgerEntry,
  type LedgerPosting,
  type LoyaltyMember,
} from "./ledger";

/** What the points state of an order reads of its ledger entries. */
export type OrderEntry = Pick<
  LedgerEntry,
  "memberId" | "kind" | "pointsDelta" | "pendingDelta" | "shortfall" | "basisMinor"
>;
import { loyaltyProgramFor, tierRulesOf } from "./program";
import { withTierMultiplier, type TierRules } from "./tiers";
import { memberTier } from "./vip";

export const releaseJobKind = "loyalty.release";

/** An order as the loyalty domain reads it: amounts as numbers. */
export type Order = FromStored<StoredOrder>;

export function eligibleAmountMinor(order: Order, program: LoyaltyProgram): number {
  return (
    order.subtotalMinor +
    (program.includeShipping ? order.totalShippingMinor : 0) +
    (program.includeTaxes ? order.totalTaxMinor : 0)
  );
}

export function pointsForAmount(amountMinor: number, currency: string, pointsPerUnit: number): number {
  return multiplyDivideFloor(amountMinor, pointsPerUnit, 10 ** currencyExponent(currency));
}

/**
 * Takes the order's row lock for the rest of the transaction (a no-op write, as the ledger does for
 * members). False when the order is not in this shop.
 */
export async function lockOrder(tx: Tx, shopId: string, orderId: string, now: Date): Promise<boolean> {
  const { count } = await tx.order.updateMany({ where: { id: orderId, shopId }, data: { updatedAt: now } });
  return count === 1;
}

async function orderEntries(tx: Tx, shopId: string, orderId: string): Promise<LedgerEntry[]> {
  const entries = await tx.loyaltyLedgerEntry.findMany({
    where: {
      shopId,
      source: "order",
      OR: [{ sourceId: orderId }, { sourceId: { startsWith: `${orderId}/` } }],
    },
  });
  return entries.map((entry) => fromStoredRow(entry));
}

/** order.paid: the customer earns points, pending for the returns window when there is one. */
export async function awardOrderPoints(tx: Tx, order: Order, now: Date): Promise<void> {
  if (!order.customerId || order.cancelledAt) return;
  if (!(await lockOrder(tx, order.shopId, order.id, now))) return;
  const program = await loyaltyProgramFor(tx, order.shopId);
  if (!program.enabled) return;
  if (orderBasePoints(order, program) <= 0) return;
  const member = await loyaltyMemberFor(tx, order.shopId, order.customerId);
  const { created } = await postLedgerEntry(
    tx,
    order.shopId,
    orderEarnPosting(order, program, member, tierRulesOf(program), now),
  );
  if (created && program.pendingDays > 0) await tx.job.create({ data: releaseJob(order, program) });
}

/** The points a paid order earns before any tier multiplier (0 or less: it earns nothing). */
export function orderBasePoints(order: Order, program: LoyaltyProgram): number {
  return pointsForAmount(eligibleAmountMinor(order, program), order.currency, program.pointsPerCurrencyUnit);
}

/**
 * The earn posting of a paid order: the tier the member held before this order sets its
 * multiplier (the order may then lift them into a higher tier, which applies from their next order
 * on); pending for the returns window when there is one.
 */
export function orderEarnPosting(
  order: Order,
  program: LoyaltyProgram,
  member: Pick<LoyaltyMember, "id" | "tierId">,
  rules: TierRules | null,
  now: Date,
): LedgerPosting {
  const tier = memberTier(rules, member);
  const points = withTierMultiplier(orderBasePoints(order, program), tier);
  const pending = program.pendingDays > 0;
  return {
    memberId: member.id,
    kind: "earn",
    source: "order",
    sourceId: order.id,
    pointsDelta: pending ? 0 : points,
    pendingDelta: pending ? points : 0,
    basisMinor: eligibleAmountMinor(order, program),
    reason: tier
      ? `Order ${order.name} (${tier.name} ×${tier.earnMultiplierPercent / 100})`
      : `Order ${order.name}`,
    occurredAt: now,
  };
}

/** The job that makes an order's pending points spendable once its returns window has passed. */
export function releaseJob(order: Order, program: LoyaltyProgram): JobRequest {
  return {
    shopId: order.shopId,
    kind: releaseJobKind,
    key: `order:${order.id}`,
    payload: { orderId: order.id },
    runAt: new Date(order.processedAt.getTime() + program.pendingDays * 86_400_000),
  };
}

export interface OrderPointsState {
  memberId: string;
  earned: number;
  basisMinor: number;
  released: boolean;
  reversed: number;
}

/** What an order earned and what was taken back so far, from its ledger entries (all under source "order"). */
export function pointsState(entries: readonly OrderEntry[]): OrderPointsState | null {
  const earn = entries.find((entry) => entry.kind === "earn");
  if (!earn) return null;
  return {
    memberId: earn.memberId,
    earned: earn.pointsDelta + earn.pendingDelta,
    basisMinor: earn.basisMinor ?? 0,
    released: earn.pendingDelta === 0 || entries.some((entry) => entry.kind === "release"),
    // What reversals took back, including what they could not (the shortfall counts as reversed).
    reversed: entries
      .filter((entry) => entry.kind === "reversal")
      .reduce((sum, entry) => sum - entry.pointsDelta - entry.pendingDelta + entry.shortfall, 0),
  };
}

/** The returns window has passed: what is still pending of the order's points becomes spendable. */
export async function releaseOrderPoints(tx: Tx, shopId: string, orderId: string, now: Date): Promise<void> {
  // An order no longer stored (erased) has no events left to race with: its points still release.
  await lockOrder(tx, shopId, orderId, now);
  const state = pointsState(await orderEntries(tx, shopId, orderId));
  if (!state || state.released) return;
  const remaining = Math.max(0, state.earned - state.reversed);
  await postLedgerEntry(tx, shopId, {
    memberId: state.memberId,
    kind: "release",
    source: "order",
    sourceId: orderId,
    pointsDelta: remaining,
    pendingDelta: -remaining,
    occurredAt: now,
  });
}

/** The posting that takes back points until `targetReversed` of the order's points are reversed; null when nothing is left to take. */
export function reversalPosting(
  state: OrderPointsState,
  targetReversed: number,
  sourceId: string,
  reason: string,
  now: Date,
): LedgerPosting | null {
  const amount = Math.min(state.earned, targetReversed) - state.reversed;
  if (amount <= 0) return null;
  return {
    memberId: state.memberId,
    kind: "reversal",
    source: "order",
    sourceId,
    pointsDelta: state.released ? -amount : 0,
    pendingDelta: state.released ? 0 : -amount,
    // Points already spent cannot be taken back: the balance stops at zero, the rest is recorded.
    whenShort: "floor",
    reason,
    occurredAt: now,
  };
}

async function reverseTo(
  tx: Tx,
  order: Order,
  state: OrderPointsState,
  targetReversed: number,
  sourceId: string,
  reason: string,
  now: Date,
): Promise<void> {
  const posting = reversalPosting(state, targetReversed, sourceId, reason, now);
  if (posting) await postLedgerEntry(tx, order.shopId, posting);
}

/** The reason and source id of a refund's reversal, and of a cancellation's. */
export function refundReversal(order: Pick<Order, "id" | "name">, refundShopifyId: string) {
  return { sourceId: `${order.id}/refund/${refundShopifyId}`, reason: `Refund on order ${order.name}` };
}

export function cancellationReversal(order: Pick<Order, "id" | "name">) {
  return { sourceId: order.id, reason: `Order ${order.name} cancelled` };
}

/** order.cancelled: everything the order earned is taken back. */
export async function reverseCancelledOrder(tx: Tx, order: Order, now: Date): Promise<void> {
  if (!(await lockOrder(tx, order.shopId, order.id, now))) return;
  const state = pointsState(await orderEntries(tx, order.shopId, order.id));
  if (!state) return;
  const { sourceId, reason } = cancellationReversal(order);
  await reverseTo(tx, order, state, state.earned, sourceId, reason, now);
}

/** A share of a whole: refunded / of, with refunded ≤ of (0 ≤ share ≤ 1), kept as integers to stay exact. */
export interface Share {
  part: number;
  of: number;
}

/** floor(amount × share), exact for any amount a number holds. */
export function shareOf(amount: number, share: Share): number {
  return share.of <= 0 ? 0 : multiplyDivideFloor(amount, share.part, share.of);
}

/** The share of the order's subtotal refunded so far, over all its refunds (capped at the whole). */
export async function refundedShare(tx: Tx, order: Order): Promise<Share> {
  if (order.subtotalMinor <= 0) return { part: 0, of: 0 };
  const refunds = await tx.refund.findMany({
    where: { shopId: order.shopId, orderShopifyId: order.shopifyId },
    select: { lineItems: true },
  });
  return refundedShareOf(order, refunds);
}

/** refundedShare, given the order's refunds. */
export function refundedShareOf(
  order: Pick<Order, "subtotalMinor">,
  refunds: readonly Pick<Refund, "lineItems">[],
): Share {
  if (order.subtotalMinor <= 0) return { part: 0, of: 0 };
  const refundedSubtotal = refunds.reduce(
    (sum, refund) =>
      sum +
      (refund.lineItems as { subtotalMinor: number }[]).reduce(
        (lines, line) => lines + fromStoredInteger(line.subtotalMinor),
        0,
      ),
    0,
  );
  return { part: Math.min(refundedSubtotal, order.subtotalMinor), of: order.subtotalMinor };
}

/** order.refunded: the share of the points matching the refunded share of the order's subtotal. */
export async function reverseRefundedPoints(
  tx: Tx,
  order: Order,
  refundShopifyId: string,
  now: Date,
): Promise<void> {
  if (!(await lockOrder(tx, order.shopId, order.id, now))) return;
  const state = pointsState(await orderEntries(tx, order.shopId, order.id));
  if (!state || order.subtotalMinor <= 0) return;
  const target = shareOf(state.earned, await refundedShare(tx, order));
  const { sourceId, reason } = refundReversal(order, refundShopifyId);
  await reverseTo(tx, order, state, target, sourceId, reason, now);
}
