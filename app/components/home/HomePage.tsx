// Home (/app): onboarding until it is done, the welcome, the shop's figures, the store history
// import and the analytics dashboard.
import { BlockStack, Card, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { fill, useAdminLocale, useMessages } from "../../i18n/catalogue";
import { homeMessages } from "../../i18n/messages/home";
import type { homePageData } from "../../shops/home.server";
import { AnalyticsDashboard } from "../analytics/AnalyticsDashboard";
import { StoreHistoryImport } from "../StoreHistoryImport";
import { Onboarding } from "./Onboarding";

const figures = ["customers", "orders", "products", "openCheckouts", "webhookDeliveries"] as const;

export function HomePage({
  shopDomain,
  overview,
  importStatus,
  analytics,
  onboarding,
}: Awaited<ReturnType<typeof homePageData>>) {
  const words = useMessages(homeMessages);
  const locale = useAdminLocale();
  return (
    <Page title={words.title}>
      <TitleBar title={words.title} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Onboarding status={onboarding} />
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {words.welcome}
                </Text>
                <Text as="p">{fill(words.intro, { shop: shopDomain })}</Text>
              </BlockStack>
            </Card>
            <InlineGrid columns={{ xs: 1, sm: 2, md: 5 }} gap="400">
              {figures.map((figure) => (
                <Card key={figure}>
                  <BlockStack gap="100">
                    <Text as="h3" variant="headingSm" tone="subdued">
                      {words[figure]}
                    </Text>
                    <Text as="p" variant="heading2xl">
                      <span data-testid={`overview-${figure}`}>
                        {overview[figure].toLocaleString(locale)}
                      </span>
                    </Text>
                  </BlockStack>
                </Card>
              ))}
            </InlineGrid>
            <StoreHistoryImport importStatus={importStatus} />
            <AnalyticsDashboard {...analytics} />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
