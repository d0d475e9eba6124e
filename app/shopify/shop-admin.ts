// The Admin API client for a shop outside a request (worker jobs): built from the shop's offline
// session. Every domain that writes back to Shopify from the worker (consent, discount codes,
// store credit, customer tags, the backfill) goes through here. Expiring offline tokens are
// refreshed before they run out and once after a 401 (app/shopify/offline-tokens.ts).
import type { Shop } from "@prisma/client";
import type { Database } from "../db/client";
import { offlineSessionId } from "../shops/registry";
import { AdminHttpError, type AdminClient } from "./admin-client";
import {
  accessTokenAfterRejection,
  currentAccessToken,
  storedTokenFields,
  type OfflineTokenRefresher,
} from "./offline-tokens";

/**
 * Builds the Admin client for a shop from its offline access token (tests point it at a fake).
 * `offlineTokens` refreshes expiring tokens; without it the stored token is used as it is.
 */
export type AdminClientFactory = ((shop: Shop, accessToken: string) => AdminClient) & {
  offlineTokens?: OfflineTokenRefresher;
};

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
  const sessionId = offlineSessionId(shop.domain);
  const session = await db.session.findUnique({
    where: { id: sessionId },
    select: { ...storedTokenFields, shop: true },
  });
  if (!session || session.shop !== shop.domain || !session.accessToken) {
    throw new ShopUnavailableError(`no offline session for ${shop.domain}`);
  }
  const refresher = adminClientFor.offlineTokens;
  let token = await currentAccessToken(db, refresher, shop.domain, session);
  let client = adminClientFor(shop, token);
  if (!refresher) return { shop, adminClient: client };

  // A 401 means the call was not run: refresh once and send it again with the new token.
  const adminClient: AdminClient = {
    shopDomain: client.shopDomain,
    get stats() {
      return client.stats;
    },
    throttleStatus: () => client.throttleStatus(),
    async request(document, options) {
      try {
        return await client.request(document, options);
      } catch (error) {
        if (!(error instanceof AdminHttpError) || error.status !== 401) throw error;
        const fresh = await accessTokenAfterRejection(db, refresher, shop.domain, sessionId, token);
        if (!fresh || fresh === token) throw error;
        token = fresh;
        client = adminClientFor(shop, token);
        return client.request(document, options);
      }
    },
  };
  return { shop, adminClient };
}
