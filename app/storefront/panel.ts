// GET /proxy/panel — the widget's read, on every opening of a panel. Served by the web server's
// fast path (server/app-server.ts, no Express or Remix: about a millisecond of CPU less per
// request) and by the Remix route app/routes/proxy.panel.tsx alike.
import { z } from "zod";
import type { Clock } from "../clock";
import { guestPanel, maxPreviewAmountMinor, shopperPanel } from "../loyalty/widget-data";
import {
  describeIssues,
  proxyError,
  proxyJson,
  verifyProxyCaller,
  type ProxyDependencies,
} from "./proxy.server";

const panelQuery = z.object({
  amount: z
    .string()
    .regex(/^\d{1,15}$/, "must be a whole amount in minor units")
    .transform(Number)
    .optional(),
});

/** The signed shopper's panel (or a guest's): `amount` is a product's price or the cart, in minor units. */
export async function proxyPanel(request: Request, clock: Clock, deps: ProxyDependencies): Promise<Response> {
  const verified = await verifyProxyCaller(request, clock, deps);
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
}
