import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { claimShopperReferral } from "../loyalty/storefront";
import { idempotencyKeySchema, proxyError, proxyJson, proxyWrite } from "../storefront/proxy.server";

const referralBody = z.object({
  code: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{4,32}$/, "is not a referral code"),
  idempotencyKey: idempotencyKeySchema,
});

// POST /apps/stayloop/referral {code, idempotencyKey}: the shopper joined through a friend's code.
// A shopper is referred once: asking again returns the first referral unchanged.
export const action = ({ request, context }: ActionFunctionArgs) =>
  proxyWrite(request, context, referralBody, async (shopper, input, _caller, deps) => {
    const referral = await claimShopperReferral(deps.db, shopper, input.code);
    return proxyJson({ status: referral.status, rejectedReason: referral.rejectedReason });
  });

export const loader = () => proxyError(405, "method_not_allowed", "use POST", { allow: "POST" });
