// The Admin API client factory of a Stayloop process (web and worker): Shopify's Admin API for the
// shop, or the demo's stand-in in demo mode; expiring offline tokens are refreshed with the app's
// credentials when it has them.
import { systemClock } from "../clock";
import type { Environment } from "../env.server";
import { adminApiVersion, createAdminClient } from "./admin-client";
import type { AdminClientFactory } from "./shop-admin";

export function processAdminClientFactory(env: Pick<Environment, "demo" | "shopify">): AdminClientFactory {
  const demoAdminApiUrl = env.demo.adminApiUrl;
  const adminClientFor: AdminClientFactory = (shop, accessToken) =>
    createAdminClient({
      shopDomain: shop.domain,
      accessToken,
      ...(demoAdminApiUrl
        ? { endpoint: `${demoAdminApiUrl}/${shop.domain}/admin/api/${adminApiVersion}/graphql.json` }
        : {}),
    });
  // Expiring offline tokens are refreshed with the app's credentials (Shopify's endpoint; the demo's
  // stand-in in demo mode). Without credentials the stored token is used as it is. Token lifetimes
  // are the token server's real time, so this stays on the system clock in demo mode too.
  if (env.shopify.apiKey && env.shopify.apiSecret) {
    adminClientFor.offlineTokens = {
      clientId: env.shopify.apiKey,
      clientSecret: env.shopify.apiSecret,
      clock: systemClock,
      ...(demoAdminApiUrl
        ? { tokenUrl: (shopDomain: string) => `${demoAdminApiUrl}/${shopDomain}/admin/oauth/access_token` }
        : {}),
    };
  }
  return adminClientFor;
}
