// What every customer-account endpoint (/api/account/*) starts with: the CORS answer for the
// extension's sandbox, the verified session token, and the shopper it names — the shop from `dest`,
// the customer from `sub`, never from anything else the request says.
import prisma from "./db.server";
import { env } from "./env.server";
import { storefrontShopper, StorefrontShopperError, type StorefrontShopper } from "./loyalty/storefront";
import { adminApiVersion, createAdminClient } from "./shopify/admin-client";
import type { AdminClientFactory } from "./shopify/shop-admin";
import {
  bearerToken,
  SessionTokenError,
  verifyCustomerAccountToken,
} from "./storefront/customer-account-token";

// The extension runs in Shopify's sandbox (its own origin) and sends the token as a header, not a
// cookie: any origin may call, and nothing works without a valid token.
export const accountCorsHeaders = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "authorization, content-type",
  "access-control-max-age": "86400",
};

export function accountJson(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, {
    status,
    headers: { ...accountCorsHeaders, "cache-control": "no-store", vary: "authorization", ...headers },
  });
}

export function accountPreflight(): Response {
  return new Response(null, { status: 204, headers: accountCorsHeaders });
}

/** The shopper of a customer-account request, or a 401 response (thrown) saying nothing more. */
export async function requireAccountShopper(request: Request, now: Date): Promise<StorefrontShopper> {
  const token = bearerToken(request.headers.get("authorization"));
  try {
    if (!token) throw new SessionTokenError("no session token");
    const session = verifyCustomerAccountToken(token, {
      apiKey: env.shopify.apiKey,
      apiSecret: env.shopify.apiSecret,
      now,
    });
    return await storefrontShopper(prisma, session.shopDomain, session.customerShopifyId);
  } catch (error) {
    if (error instanceof SessionTokenError || error instanceof StorefrontShopperError) {
      throw accountJson(401, { error: "unauthorized" });
    }
    throw error;
  }
}

// Redeeming creates the discount code through the Admin API from the web process; demo mode talks
// to the demo's stand-in, as the worker does (server/worker.ts).
const demoAdminApiUrl = env.demo.adminApiUrl;
export const accountAdminClientFor: AdminClientFactory = (shop, accessToken) =>
  createAdminClient({
    shopDomain: shop.domain,
    accessToken,
    ...(demoAdminApiUrl
      ? { endpoint: `${demoAdminApiUrl}/${shop.domain}/admin/api/${adminApiVersion}/graphql.json` }
      : {}),
  });
