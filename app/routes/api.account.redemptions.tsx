// POST /api/account/redemptions {rewardId, idempotencyKey} — the signed-in shopper redeems a reward
// from the customer-account block; the same key returns the same code (one debit). 401 without a
// valid session token, 400 for a bad body, 404 for a reward the shop does not offer, 409 when the
// balance is short, 429 when redeeming too fast, 502 when Shopify did not create the code (the
// points are back), 503 when the shop cannot issue codes now (no offline session).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import {
  accountAdminClientFor,
  accountJson,
  accountPreflight,
  requireAccountShopper,
} from "../account.server";
import prisma from "../db.server";
import { redeemFromAccount } from "../loyalty/account-data";
import { InsufficientPointsError } from "../loyalty/ledger";
import { RedemptionError, RedemptionFailedError } from "../loyalty/redemption";
import { StorefrontConflictError, StorefrontRewardNotFoundError } from "../loyalty/storefront";
import { ShopUnavailableError } from "../shopify/shop-admin";
import { TokenBuckets } from "../storefront/rate-limit";

const redeemSchema = z.object({
  rewardId: z.string().min(1).max(100),
  idempotencyKey: z.string().regex(/^[\w-]{8,100}$/, "must be 8–100 letters, digits, _ or -"),
});

// Per customer: ten redemptions in a row (retries of one count too), then one every 30 seconds.
const redeemers = new TokenBuckets({ capacity: 10, refillPerSecond: 1 / 30 });

export const loader = ({ request }: LoaderFunctionArgs) =>
  request.method === "OPTIONS" ? accountPreflight() : accountJson(405, { error: "POST a redemption here" });

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const now = context.clock.now();
  const shopper = await requireAccountShopper(request, now);
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    return accountJson(400, { error: "the body is not JSON" });
  }
  const parsed = redeemSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return accountJson(400, { error: `${issue?.path.join(".") ?? "body"}: ${issue?.message ?? "invalid"}` });
  }
  const limited = redeemers.take(`${shopper.shop.id} ${shopper.customer.id}`, now);
  if (!limited.allowed) {
    return accountJson(
      429,
      { error: "too many redemptions" },
      { "retry-after": String(limited.retryAfterSeconds) },
    );
  }
  try {
    const redemption = await redeemFromAccount(prisma, shopper, parsed.data, {
      clock: context.clock,
      adminClientFor: accountAdminClientFor,
    });
    return accountJson(200, redemption);
  } catch (error) {
    if (error instanceof InsufficientPointsError) {
      return accountJson(409, { error: "not enough points", available: error.available });
    }
    if (error instanceof RedemptionFailedError)
      return accountJson(502, { error: "the code could not be created" });
    if (error instanceof StorefrontRewardNotFoundError || error instanceof RedemptionError)
      return accountJson(404, { error: "this reward is not available" });
    if (error instanceof StorefrontConflictError) return accountJson(409, { error: error.message });
    if (error instanceof ShopUnavailableError)
      return accountJson(503, { error: "rewards cannot be issued now" });
    throw error;
  }
};
