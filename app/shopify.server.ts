// The one place Shopify is configured (API version, scopes, session storage, distribution).
// Routes use the exports below; nothing else builds a Shopify client.
import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { systemClock } from "./clock";
import prisma from "./db.server";
import { env } from "./env.server";
import { createLogger } from "./observability/logger";
import { backfillJobKind, requestBackfill } from "./shopify/backfill-job";
import { reinstallShop } from "./shops/reinstall";
import { connectBrowsePixel, pixelEndpoint } from "./storefront/pixel-connection";

/** Pinned Admin API version; shopify.app.toml's `[webhooks] api_version` names the same one. */
export const adminApiVersion = ApiVersion.October26;

const logger = createLogger(env.logLevel, "web");

const shopify = shopifyApp({
  apiKey: env.shopify.apiKey,
  apiSecretKey: env.shopify.apiSecret,
  apiVersion: adminApiVersion,
  scopes: env.shopify.scopes,
  appUrl: env.shopify.appUrl,
  authPathPrefix: "/auth",
  sessionStorage: new PrismaSessionStorage(prisma),
  distribution: AppDistribution.AppStore,
  hooks: {
    // A new (or returning) install: make sure the shop exists and import its history once.
    // After an uninstall, the work it paused resumes (app/shops/reinstall.ts).
    afterAuth: async ({ session, admin }) => {
      const shop = await reinstallShop(prisma, session.shop, systemClock);
      const imported = await prisma.job.count({ where: { shopId: shop.id, kind: backfillJobKind } });
      if (imported === 0) await requestBackfill(prisma, shop.id, systemClock);
      // The browse pixel runs once created for the shop; the install goes on if Shopify refuses.
      await connectBrowsePixel(
        (query, options) => admin.graphql(query, options),
        pixelEndpoint(env.shopify.appUrl),
      ).catch((error: unknown) =>
        logger.warn({ err: error, shop: session.shop }, "browse pixel not connected"),
      );
    },
  },
  future: {
    unstable_newEmbeddedAuthStrategy: true,
    expiringOfflineAccessTokens: true,
  },
  ...(env.shopify.customShopDomains.length > 0 ? { customShopDomains: env.shopify.customShopDomains } : {}),
});

export default shopify;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const sessionStorage = shopify.sessionStorage;
