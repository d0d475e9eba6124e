import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Card, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { requireAdmin } from "../admin.server";
import prisma from "../db.server";
import { analyticsPageData } from "../analytics/page-data.server";
import { AnalyticsDashboard } from "../components/analytics/AnalyticsDashboard";
import { StoreHistoryImport } from "../components/StoreHistoryImport";
import { requestStoreHistoryImport, storeHistoryImportStatus } from "../shopify/import-status";
import { shopOverview } from "../shops/overview";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const [overview, importStatus, analytics] = await Promise.all([
    shopOverview(prisma, shop),
    storeHistoryImportStatus(prisma, shop.id),
    analyticsPageData(request, shop, context.clock),
  ]);
  return { shopDomain: shop.domain, overview, importStatus, analytics };
};

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const form = await request.formData();
  if (form.get("intent") !== "import-store-history") {
    throw new Response("Unknown action", { status: 400 });
  }
  await requestStoreHistoryImport(prisma, shop.id, context.clock);
  return { requested: true };
};

const figures = [
  { key: "customers", label: "Customers" },
  { key: "orders", label: "Orders" },
  { key: "products", label: "Products" },
  { key: "openCheckouts", label: "Open checkouts" },
  { key: "webhookDeliveries", label: "Store events received" },
] as const;

export default function Home() {
  const { shopDomain, overview, importStatus, analytics } = useLoaderData<typeof loader>();
  return (
    <Page title="Stayloop">
      <TitleBar title="Stayloop" />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Welcome back
                </Text>
                <Text as="p">
                  Stayloop brings shoppers of {shopDomain} back with retention flows and a loyalty program.
                </Text>
              </BlockStack>
            </Card>
            <InlineGrid columns={{ xs: 1, sm: 2, md: 5 }} gap="400">
              {figures.map((figure) => (
                <Card key={figure.key}>
                  <BlockStack gap="100">
                    <Text as="h3" variant="headingSm" tone="subdued">
                      {figure.label}
                    </Text>
                    <Text as="p" variant="heading2xl">
                      <span data-testid={`overview-${figure.key}`}>
                        {overview[figure.key].toLocaleString("en")}
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
