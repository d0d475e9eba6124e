// Referrals (R-LOY-8). Every member has a referral code (shared as a link). A friend who signs up
// through it is recorded as a pending referral; their first paid order makes it "qualifying" and
// gives the friend their welcome points, pending like order points; once the returns window has
// passed without the order being cancelled or fully refunded, the referrer gets their points and
// the friend's welcome points become spendable. Otherwise the referral is rejected and the
// friend's welcome points are taken back.
//
// Abuse guards: a customer cannot refer themselves — not as the same customer, nor through a
// second account with the same e-mail (ignoring case, "+tags" and Gmail dots), phone number or
// shipping address; a friend who has ordered before is not new; and a referrer is rewarded for at
// most `referralMonthlyLimit` friends per calendar month (UTC). Rejected attempts are kept with
// their reason so the merchant can see them.
import type { Customer, LoyaltyProgram, Referral } from "@prisma/client";
import type { Database } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { recordDomainEvent, type DomainEventSubscriber, type Tx } from "../events/domain-events";
import { fromStoredRow } from "../money/stored";
import { readableCode } from "./discount-codes";
import type { Order } from "./earning";
import { loyaltyMemberFor, postLedgerEntry } from "./ledger";
import { loyaltyProgramFor } from "./program";
import { scheduleJobOnce } from "../jobs/schedule";

export const referralJobKind = "loyalty.referral";

export type ReferralRejection =
  | "self_referral"
  | "same_email"
  | "same_phone"
  | "same_address"
  | "existing_customer"
  | "order_cancelled"
  | "order_refunded"
  | "monthly_limit";

export function newReferralCode(): string {
  return readableCode(8);
}

/** The member's referral code, created on first use. */
export async function referralCodeFor(db: Database, shopId: string, customerId: string): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    try {
      return await db.$transaction(async (tx) => {
        const customer = await tx.customer.findFirst({
          where: { id: customerId, shopId },
          select: { id: true },
        });
        if (!customer) throw new ReferralError(`customer ${customerId} not found in this shop`);
        const member = await loyaltyMemberFor(tx, shopId, customerId);
        if (member.referralCode) return member.referralCode;
        const code = newReferralCode();
        await tx.loyaltyMember.update({ where: { id: member.id }, data: { referralCode: code } });
        return code;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new Error("could not find a free referral code");
}

/** An e-mail address as a person, not a mailbox: case, "+tags" and Gmail's dots do not make a new one. */
export function normalisedEmail(email: string): string {
  const [local = "", domain = ""] = email.trim().toLowerCase().split("@");
  const base = local.split("+")[0] ?? "";
  const gmail = domain === "gmail.com" || domain === "googlemail.com";
  return `${gmail ? base.replaceAll(".", "") : base}@${gmail ? "gmail.com" : domain}`;
}

export function normalisedPhone(phone: string): string {
  return phone.replace(/\D+/g, "");
}

export class ReferralError extends Error {}

function sameIdentity(
  referrer: Pick<Customer, "id" | "email" | "phone">,
  friend: Pick<Customer, "id" | "email" | "phone">,
): ReferralRejection | null {
  if (referrer.id === friend.id) return "self_referral";
  if (referrer.email && friend.email && normalisedEmail(referrer.email) === normalisedEmail(friend.email))
    return "same_email";
  if (referrer.phone && friend.phone && normalisedPhone(referrer.phone) === normalisedPhone(friend.phone))
    return "same_phone";
  return null;
}

/**
 * A friend signed up through a referral code. Returns the referral (pending, or rejected with the
 * reason); a friend is referred once, so claiming again returns the first referral unchanged.
 */
export async function claimReferral(
  db: Database,
  input: { shopId: string; code: string; friendCustomerId: string },
): Promise<Referral> {
  const code = input.code.trim().toUpperCase();
  return db.$transaction(async (tx) => {
    const friend = await tx.customer.findFirst({
      where: { id: input.friendCustomerId, shopId: input.shopId, deletedAt: null },
    });
    if (!friend) throw new ReferralError(`customer ${input.friendCustomerId} not found in this shop`);
    const referrer = await tx.loyaltyMember.findUnique({
      where: { shopId_referralCode: { shopId: input.shopId, referralCode: code } },
      include: { customer: true },
    });
    if (!referrer) throw new ReferralError(`unknown referral code "${input.code}"`);
    const existing = await tx.referral.findUnique({
      where: { shopId_friendCustomerId: { shopId: input.shopId, friendCustomerId: friend.id } },
    });
    if (existing) return existing;
    const earlierOrders = await tx.order.count({ where: { shopId: input.shopId, customerId: friend.id } });
    const rejection =
      sameIdentity(referrer.customer, friend) ??
      (earlierOrders > 0 || friend.ordersCount > 0 ? "existing_customer" : null);
    return tx.referral.create({
      data: {
        shopId: input.shopId,
        referrerMemberId: referrer.id,
        friendCustomerId: friend.id,
        status: rejection ? "rejected" : "pending",
        rejectedReason: rejection,
      },
    });
  });
}

/** order.paid: a referred friend's first paid order starts the referral's returns window. */
export async function referredOrderPaid(tx: Tx, order: Order, now: Date): Promise<void> {
  if (!order.customerId || order.cancelledAt) return;
  const referral = await tx.referral.findUnique({
    where: { shopId_friendCustomerId: { shopId: order.shopId, friendCustomerId: order.customerId } },
    include: { referrer: { include: { customer: true } } },
  });
  if (!referral || referral.status !== "pending") return;
  const program = await loyaltyProgramFor(tx, order.shopId);
  if (!program.enabled) return;

  const referrerCustomer = referral.referrer.customer;
  let rejection: ReferralRejection | null =
    order.email &&
    referrerCustomer.email &&
    normalisedEmail(order.email) === normalisedEmail(referrerCustomer.email)
      ? "same_email"
      : null;
  if (!rejection && order.shippingAddressKey) {
    const shipsToReferrer = await tx.order.count({
      where: {
        shopId: order.shopId,
        customerId: referrerCustomer.id,
        shippingAddressKey: order.shippingAddressKey,
      },
    });
    if (shipsToReferrer > 0) rejection = "same_address";
  }
  if (rejection) {
    await tx.referral.update({
      where: { id: referral.id },
      data: { status: "rejected", rejectedReason: rejection, orderId: order.id },
    });
    return;
  }

  const qualifiesAt = new Date(order.processedAt.getTime() + program.pendingDays * 86_400_000);
  await tx.referral.update({
    where: { id: referral.id },
    data: { status: "qualifying", orderId: order.id, qualifiesAt },
  });
  if (program.friendPoints > 0) {
    const friend = await loyaltyMemberFor(tx, order.shopId, order.customerId);
    const pending = program.pendingDays > 0;
    await postLedgerEntry(tx, order.shopId, {
      memberId: friend.id,
      kind: "earn",
      source: "referral",
      sourceId: `${referral.id}/friend`,
      pointsDelta: pending ? 0 : program.friendPoints,
      pendingDelta: pending ? program.friendPoints : 0,
      reason: "Welcome reward for joining through a referral",
      occurredAt: now,
    });
  }
  await scheduleJobOnce(tx, {
    shopId: order.shopId,
    kind: referralJobKind,
    key: referral.id,
    payload: { referralId: referral.id },
    runAt: qualifiesAt,
  });
}

function monthStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

async function settleFriendPoints(tx: Tx, shopId: string, referral: Referral, keep: boolean, now: Date) {
  const welcome = fromStoredRow(
    await tx.loyaltyLedgerEntry.findFirst({
      where: { shopId, kind: "earn", source: "referral", sourceId: `${referral.id}/friend` },
    }),
  );
  if (!welcome) return;
  if (keep) {
    if (welcome.pendingDelta === 0) return;
    await postLedgerEntry(tx, shopId, {
      memberId: welcome.memberId,
      kind: "release",
      source: "referral",
      sourceId: welcome.sourceId,
      pointsDelta: welcome.pendingDelta,
      pendingDelta: -welcome.pendingDelta,
      occurredAt: now,
    });
    return;
  }
  await postLedgerEntry(tx, shopId, {
    memberId: welcome.memberId,
    kind: "reversal",
    source: "referral",
    sourceId: welcome.sourceId,
    pointsDelta: -welcome.pointsDelta,
    pendingDelta: -welcome.pendingDelta,
    whenShort: "floor",
    reason: "Referral order cancelled or refunded",
    occurredAt: now,
  });
}

/** The returns window of the friend's first order has passed: reward, or reject. Safe to repeat. */
export async function settleReferral(
  tx: Tx,
  shopId: string,
  referralId: string,
  now: Date,
  subscribers: readonly DomainEventSubscriber[],
): Promise<Referral | null> {
  const referral = await tx.referral.findFirst({ where: { id: referralId, shopId } });
  if (!referral || referral.status !== "qualifying" || !referral.orderId) return referral;
  const order = await tx.order.findFirst({ where: { id: referral.orderId, shopId } });
  const program: LoyaltyProgram = await loyaltyProgramFor(tx, shopId);
  let rejection: ReferralRejection | null = null;
  if (!order || order.cancelledAt) rejection = "order_cancelled";
  else if (order.refundedMinor >= order.totalMinor) rejection = "order_refunded";
  else {
    const rewardedThisMonth = await tx.referral.count({
      where: {
        shopId,
        referrerMemberId: referral.referrerMemberId,
        status: "rewarded",
        rewardedAt: { gte: monthStart(now) },
      },
    });
    if (rewardedThisMonth >= program.referralMonthlyLimit) rejection = "monthly_limit";
  }
  // A friend whose order stands keeps their welcome points, even when the referrer is over the limit.
  await settleFriendPoints(tx, shopId, referral, rejection === null || rejection === "monthly_limit", now);
  if (rejection) {
    return tx.referral.update({
      where: { id: referral.id },
      data: { status: "rejected", rejectedReason: rejection },
    });
  }
  if (program.referrerPoints > 0) {
    await postLedgerEntry(tx, shopId, {
      memberId: referral.referrerMemberId,
      kind: "earn",
      source: "referral",
      sourceId: referral.id,
      pointsDelta: program.referrerPoints,
      reason: "Referral reward: a friend's first order",
      occurredAt: now,
    });
  }
  const rewarded = await tx.referral.update({
    where: { id: referral.id },
    data: { status: "rewarded", rewardedAt: now },
  });
  const referrer = await tx.loyaltyMember.findUniqueOrThrow({ where: { id: referral.referrerMemberId } });
  await recordDomainEvent(
    tx,
    shopId,
    {
      type: "loyalty.referral_rewarded",
      subjectId: referrer.customerId,
      dedupeKey: `loyalty.referral_rewarded:${referral.id}`,
      payload: {
        referralId: referral.id,
        referrerCustomerId: referrer.customerId,
        friendCustomerId: referral.friendCustomerId,
        points: program.referrerPoints,
      },
      occurredAt: now,
    },
    subscribers,
    now,
  );
  return rewarded;
}
