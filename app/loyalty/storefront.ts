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

/** The shopper redeems a reward; the same idempotency key (the widget's request id) is the same redemption. */
export async function redeemShopperReward(
  db: Database,
  shopper: StorefrontShopper,
  request: { rewardId: string; idempotencyKey: string },
  options: RedemptionOptions,
): Promise<Redemption> {
  return redeemReward(
    db,
    {
      shopId: shopper.shop.id,
      customerId: shopperCustomerId(shopper),
      rewardId: request.rewardId,
      idempotencyKey: request.idempotencyKey,
    },
    options,
  );
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
