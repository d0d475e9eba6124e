import { Form, useNavigation } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, InlineStack, Text } from "@shopify/polaris";

export interface StoreHistoryImportStatus {
  status: "not_started" | "queued" | "running" | "done" | "failed";
  customersImported: number;
  ordersImported: number;
  productsImported: number;
  finishedAt: string | null;
  lastError: string | null;
}

const badges = {
  not_started: { tone: undefined, label: "Not started" },
  queued: { tone: "info", label: "Queued" },
  running: { tone: "attention", label: "Importing" },
  done: { tone: "success", label: "Imported" },
  failed: { tone: "critical", label: "Failed" },
} as const;

/** The backfill (R-EVT-7): what was imported from the store's history, and a way to run it again. */
export function StoreHistoryImport({ importStatus }: { importStatus: StoreHistoryImportStatus }) {
  const navigation = useNavigation();
  const busy = importStatus.status === "queued" || importStatus.status === "running";
  const badge = badges[importStatus.status];
  return (
    <Card>
      <BlockStack gap="200">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Store history
          </Text>
          <Badge tone={badge.tone}>{badge.label}</Badge>
        </InlineStack>
        <Text as="p" tone="subdued">
          Existing customers, orders and products are imported from Shopify so flows and segments work from
          day one.
        </Text>
        {importStatus.status !== "not_started" ? (
          <Text as="p">
            <span data-testid="import-counts">{`${importStatus.customersImported.toLocaleString("en")} customers, ${importStatus.ordersImported.toLocaleString("en")} orders, ${importStatus.productsImported.toLocaleString("en")} products imported`}</span>
          </Text>
        ) : null}
        {importStatus.lastError ? (
          <Text as="p" tone="critical">
            {importStatus.lastError}
          </Text>
        ) : null}
        <Form method="post">
          <input type="hidden" name="intent" value="import-store-history" />
          <Button submit disabled={busy} loading={navigation.state === "submitting"}>
            {importStatus.status === "not_started" ? "Import store history" : "Import again"}
          </Button>
        </Form>
      </BlockStack>
    </Card>
  );
}
