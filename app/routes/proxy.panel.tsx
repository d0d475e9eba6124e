import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { guestPanel, maxPreviewAmountMinor, shopperPanel } from "../loyalty/widget-data";
import {
  describeIssues,
  proxyDependencies,
  proxyError,
  proxyJson,
  verifyProxyCaller,
} from "../storefront/proxy.server";

const panelQuery = z.object({
  amount: z
    .string()
    .regex(/^\d{1,15}$/, "must be a whole amount in minor units")
    .transform(Number)
    .optional(),
});

// GET /apps/stayloop/panel?amount= (Shopify → /proxy/panel, signed): the logged-in shopper's panel
// (balance, pending, tier, rewards, codes, history, referral link, birthday), or a guest's (how to
// join, what `amount` — a product's price or the cart, minor units — would earn).
export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const deps = proxyDependencies();
  const verified = await verifyProxyCaller(request, context.clock, deps);
  if (!verified.ok) return verified.response;
  const { shop, customer, signedIn, now } = verified.caller;
  const query = panelQuery.safeParse({
    amount: new URL(request.url).searchParams.get("amount") ?? undefined,
  });
  if (!query.success) return proxyError(400, "bad_request", describeIssues(query.error));
  const amountMinor =
    query.data.amount === undefined
      ? null
      : Math.min(query.data.amount, maxPreviewAmountMinor(shop.currency));
  if (customer) return proxyJson(await shopperPanel(deps.db, shop, customer, now, { amountMinor }));
  return proxyJson({ ...(await guestPanel(deps.db, shop, { amountMinor })), signedIn });
};
