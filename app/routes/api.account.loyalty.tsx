// GET /api/account/loyalty — the signed-in shopper's points, tier and affordable rewards for the
// customer-account block (extensions/loyalty-account); authenticated by its session token.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { accountJson, accountPreflight, requireAccountShopper } from "../account.server";
import prisma from "../db.server";
import { accountLoyaltyFor } from "../loyalty/account-data";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  if (request.method === "OPTIONS") return accountPreflight();
  const shopper = await requireAccountShopper(request, context.clock.now());
  return accountJson(200, await accountLoyaltyFor(prisma, shopper));
};
