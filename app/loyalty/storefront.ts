// What a shopper does with the loyalty program from the storefront (the widget, through the signed
// App Proxy): see their referral code, join through a friend's code, redeem a reward, and be
// rewarded for a review. Every function takes the verified shopper — the shop the request was
// signed for and its logged-in customer — never ids sent by the browser, and refuses a customer who
// does not belong to that shop. The App Proxy route verifies the signature, calls storefrontShopper
// with the shop's domain and `logged_in_customer_id`, then one of these.
import type { Customer, Referral, Shop } from "@prisma/client";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import { recordReview } from "./bonus";
import { redeemReward, type Redemption, type RedemptionOptions } from "./redemption";
import { claimReferral, referralCodeFor } from "./referrals";

/** The shop a storefront request was signed for, and the customer logged in to it. */
export interface StorefrontShopper {
  shop: Shop;
  customer: Customer;
}

/** No shopper: the shop is not installed, nobody is logged in, or the customer is not the shop's. */
export class StorefrontShopperError extends Error {}

/** The verified shopper of an App Proxy request (shop domain and `logged_in_customer_id` from the signed query). */
export async function storefrontShopper(
  db: Database,
  shopDomain: string,
  loggedInCustomerId: string | null,
): Promise<StorefrontShopper> {
  const shop = await db.shop.findUnique({ where: { domain: shopDomain } });
  if (!shop || shop.uninstalledAt) throw new StorefrontShopperError(`${shopDomain} does not use Stayloop`);
  if (!loggedInCustomerId || !/^\d+$/.test(loggedInCustomerId)) {
    throw new StorefrontShopperError("the shopper is not logged in");
  }
  const customer = await db.customer.findFirst({
    where: { shopId: shop.id, shopifyId: loggedInCustomerId, deletedAt: null, redactedAt: null },
  });
  if (!customer)
    throw new StorefrontShopperError(`customer ${loggedInCustomerId} not found in ${shopDomain}`);
  return { shop, customer };
}

/** The shopper's customer id, once it is certain the customer is the shop's (and still there). */
function shopperCustomerId(shopper: StorefrontShopper): string {
  const { shop, customer } = shopper;
  if (customer.shopId !== shop.id || customer.deletedAt || customer.redactedAt) {
    throw new StorefrontShopperError(`customer ${customer.id} is not a customer of ${shop.domain}`);
  }
  return customer.id;
}

/** The shopper's own referral code, to share (created on first use). */
export async function shopperReferralCode(db: Database, shopper: StorefrontShopper): Promise<string> {
  return referralCodeFor(db, shopper.shop.id, shopperCustomerId(shopper));
}

/** The shopper signed up through a friend's referral code. */
export async function claimShopperReferral(
  db: Database,
  shopper: StorefrontShopper,
  code: string,
): Promise<Referral> {
  return claimReferral(db, { shopId: shopper.shop.id, code, friendCustomerId: shopperCustomerId(shopper) });
}

/** The reward asked for is not one of the shop's active rewards (another shop's id, or withdrawn). */
export class StorefrontRewardNotFoundError extends Error {}

/** The request cannot be done as asked: the program is off, the key was used for something else. */
export class StorefrontConflictError extends Error {
  constructor(
    readonly code: "program_disabled" | "idempotency_key_reused" | "birthday_already_set",
    message: string,
  ) {
    super(message);
  }
}

/**
 * The shop-wide redemption key of a shopper's request key: the shopper's own namespace, so one
 * shopper's key can never name (and return) another shopper's redemption.
 */
export function shopperRedemptionKey(customerId: string, idempotencyKey: string): string {
  return `storefront:${customerId}:${idempotencyKey}`;
}

/**
 * The shopper redeems a reward; the same idempotency key (the widget's request id) is the same
 * redemption — also when asked again concurrently. The key is the shopper's own: the same key from
 * another shopper is another redemption. A key already used for another reward is refused.
 */
export async function redeemShopperReward(
  db: Database,
  shopper: StorefrontShopper,
  request: { rewardId: string; idempotencyKey: string },
  options: RedemptionOptions,
): Promise<Redemption> {
  const customerId = shopperCustomerId(shopper);
  const idempotencyKey = shopperRedemptionKey(customerId, request.idempotencyKey);
  const [program, reward, earlier] = await Promise.all([
    db.loyaltyProgram.findUnique({ where: { shopId: shopper.shop.id }, select: { enabled: true } }),
    db.loyaltyReward.findFirst({
      where: { id: request.rewardId, shopId: shopper.shop.id, active: true },
      select: { id: true },
    }),
    db.redemption.findUnique({
      where: { shopId_idempotencyKey: { shopId: shopper.shop.id, idempotencyKey } },
      select: { rewardId: true },
    }),
  ]);
  if (earlier && earlier.rewardId !== request.rewardId) {
    throw new StorefrontConflictError(
      "idempotency_key_reused",
      "this request id was used for another reward",
    );
  }
  if (!earlier) {
    if (!reward)
      throw new StorefrontRewardNotFoundError(`reward ${request.rewardId} is not available in this shop`);
    if (!program?.enabled)
      throw new StorefrontConflictError("program_disabled", "the loyalty program is off");
  }
  return redeemReward(
    db,
    { shopId: shopper.shop.id, customerId, rewardId: request.rewardId, idempotencyKey },
    options,
  );
}

/** A birthday as the shopper gives it: "MM-DD" or "YYYY-MM-DD", a real calendar day (29 February allowed without a year). */
export function parseBirthday(text: string, now: Date): string | null {
  const match = /^(?:(\d{4})-)?(\d{2})-(\d{2})$/.exec(text.trim());
  if (!match) return null;
  const year = match[1] === undefined ? null : Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year !== null && (year < 1900 || year > now.getUTCFullYear())) return null;
  const probe = new Date(Date.UTC(year ?? 2000, month - 1, day));
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  if (year !== null && probe.getTime() > now.getTime()) return null;
  return text.trim();
}

/**
 * The shopper enters their birthday, once (the daily loyalty run awards the birthday points on the
 * day). Entering the same birthday again changes nothing and succeeds; a different one is refused.
 */
export async function setShopperBirthday(
  db: Database,
  shopper: StorefrontShopper,
  birthday: string,
): Promise<{ birthday: string; changed: boolean }> {
  const customerId = shopperCustomerId(shopper);
  const { count } = await db.customer.updateMany({
    where: { id: customerId, shopId: shopper.shop.id, birthday: null, deletedAt: null, redactedAt: null },
    data: { birthday },
  });
  if (count === 1) return { birthday, changed: true };
  const current = await db.customer.findFirst({
    where: { id: customerId, shopId: shopper.shop.id },
    select: { birthday: true },
  });
  if (current?.birthday === birthday) return { birthday, changed: false };
  throw new StorefrontConflictError("birthday_already_set", "the birthday can be entered only once");
}

/** The shopper wrote a review (its id from the review widget): review points, once per review. */
export async function recordShopperReview(
  db: Database,
  shopper: StorefrontShopper,
  reviewId: string,
  clock: Clock,
): Promise<boolean> {
  return recordReview(
    db,
    { shopId: shopper.shop.id, customerId: shopperCustomerId(shopper), reviewId },
    clock.now(),
  );
}
