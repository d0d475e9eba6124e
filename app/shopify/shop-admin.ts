// The Admin API client for a shop outside a request (worker jobs): built from the shop's offline
// session. Every domain that writes back to Shopify from the worker (consent, discount codes,
// store credit, customer tags, the backfill) goes through here.
import type { Shop } from "@prisma/client";
import type { Database } from "../db/client";
import { offlineSessionId } from "../shops/registry";
import type { AdminClient } from "./admin-client";

/** Builds the Admin client for a shop from its offline access token (tests point it at a fake). */
export type AdminClientFactory = (shop: Shop, accessToken: string) => AdminClient;

export class ShopUnavailableError extends Error {}

/** The shop and its Admin client; throws when the shop is gone, uninstalled or has no offline token. */
export async function shopAdminClient(
  db: Database,
  shopId: string,
  adminClientFor: AdminClientFactory,
): Promise<{ shop: Shop; adminClient: AdminClient }> {
  const shop = await db.shop.findUnique({ where: { id: shopId } });
  if (!shop) throw new ShopUnavailableError(`shop ${shopId} no longer exists`);
  if (shop.uninstalledAt) throw new ShopUnavailableError(`${shop.domain} uninstalled Stayloop`);
  const session = await db.session.findUnique({
    where: { id: offlineSessionId(shop.domain) },
    select: { accessToken: true, shop: true },
  });
  if (!session || session.shop !== shop.domain || !session.accessToken) {
    throw new ShopUnavailableError(`no offline session for ${shop.domain}`);
  }
  return { shop, adminClient: adminClientFor(shop, session.accessToken) };
}
