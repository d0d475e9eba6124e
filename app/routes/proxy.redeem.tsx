import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { redeemShopperReward } from "../loyalty/storefront";
import { idempotencyKeySchema, proxyError, proxyJson, proxyWrite } from "../storefront/proxy.server";

const redeemBody = z.object({ rewardId: z.string().min(1).max(100), idempotencyKey: idempotencyKeySchema });

// POST /apps/stayloop/redeem {rewardId, idempotencyKey} → the reward's single-use code. The same
// key is the same redemption (one debit, one code), also when sent again at once.
export const action = ({ request, context }: ActionFunctionArgs) =>
  proxyWrite(request, context, redeemBody, async (shopper, input, caller, deps) => {
    const redemption = await redeemShopperReward(deps.db, shopper, input, {
      clock: context.clock,
      adminClientFor: deps.adminClientFor,
    });
    if (redemption.status !== "issued") {
      return proxyJson(
        { status: "issuing", message: "the code is being created; ask again with the same request id" },
        202,
      );
    }
    return proxyJson({
      code: redemption.code,
      points: redemption.points,
      endsAt: redemption.endsAt?.toISOString() ?? null,
      applyPath: `discount/${encodeURIComponent(redemption.code)}`,
      shop: caller.shop.domain,
    });
  });

export const loader = () => proxyError(405, "method_not_allowed", "use POST", { allow: "POST" });
