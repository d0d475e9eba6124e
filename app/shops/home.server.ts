// What Home loads: the shop's figures, the store history import, the analytics dashboard and the
// onboarding checklist (the theme is read with the shop's offline token through the Admin API —
// Shopify's, or the demo's stand-in in demo mode; app/shopify/process-admin-client.ts).
import type { Shop } from "@prisma/client";
import { analyticsPageData } from "../analytics/page-data.server";
import type { Clock } from "../clock";
import prisma from "../db.server";
import { env } from "../env.server";
import { storeHistoryImportStatus } from "../shopify/import-status";
import { processAdminClientFactory } from "../shopify/process-admin-client";
import { shopAdminClient } from "../shopify/shop-admin";
import { themeEmbedDeepLink, themeEmbedEnabled } from "../shopify/theme-embed";
import { onboardingStatus } from "./onboarding";
import { shopOverview } from "./overview";

const adminClientFor = processAdminClientFactory(env);
/** Home does not wait longer for the theme than this; the step then shows as not checked. */
const themeReadTimeoutMs = 3_000;

function withinTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export async function homePageData(request: Request, shop: Shop, clock: Clock) {
  const [overview, importStatus, analytics, onboarding] = await Promise.all([
    shopOverview(prisma, shop),
    storeHistoryImportStatus(prisma, shop.id),
    analyticsPageData(request, shop, clock),
    onboardingStatus(prisma, shop.id, () =>
      // A demo without its stand-in Admin API has no theme to read (and never asks Shopify).
      env.demo.enabled && !env.demo.adminApiUrl
        ? Promise.reject(new Error("the demo has no Admin API"))
        : withinTimeout(
            shopAdminClient(prisma, shop.id, adminClientFor).then(({ adminClient }) =>
              themeEmbedEnabled(adminClient),
            ),
            themeReadTimeoutMs,
          ),
    ),
  ]);
  return {
    shopDomain: shop.domain,
    overview,
    importStatus,
    analytics,
    onboarding: { ...onboarding, themeEditorUrl: themeEmbedDeepLink(shop.domain, env.shopify.apiKey) },
  };
}
