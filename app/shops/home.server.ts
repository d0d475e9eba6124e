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

export async function homePageData(request: Request, shop: Shop, clock: Clock) {
  const [overview, importStatus, analytics, onboarding] = await Promise.all([
    shopOverview(prisma, shop),
    storeHistoryImportStatus(prisma, shop.id),
    analyticsPageData(request, shop, clock),
    onboardingStatus(prisma, shop.id, async () => {
      const { adminClient } = await shopAdminClient(prisma, shop.id, adminClientFor);
      return themeEmbedEnabled(adminClient);
    }),
  ]);
  return {
    shopDomain: shop.domain,
    overview,
    importStatus,
    analytics,
    onboarding: { ...onboarding, themeEditorUrl: themeEmbedDeepLink(shop.domain, env.shopify.apiKey) },
  };
}
