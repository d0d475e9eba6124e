import { Form, useNavigation } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, InlineStack, Text } from "@shopify/polaris";
import { fill, useAdminLocale, useMessages } from "../i18n/catalogue";
import { homeMessages } from "../i18n/messages/home";

export interface StoreHistoryImportStatus {
  status: "not_started" | "queued" | "running" | "done" | "failed";
  customersImported: number;
  ordersImported: number;
  productsImported: number;
  finishedAt: string | null;
  lastError: string | null;
}

const badges = {
  not_started: { tone: undefined, label: "importNotStarted" },
  queued: { tone: "info", label: "importQueued" },
  running: { tone: "attention", label: "importRunning" },
  done: { tone: "success", label: "importDone" },
  failed: { tone: "critical", label: "importFailed" },
} as const;

/** The backfill (R-EVT-7): what was imported from the store's history, and a way to run it again. */
export function StoreHistoryImport({ importStatus }: { importStatus: StoreHistoryImportStatus }) {
  const words = useMessages(homeMessages);
  const locale = useAdminLocale();
  const navigation = useNavigation();
  const busy = importStatus.status === "queued" || importStatus.status === "running";
  const badge = badges[importStatus.status];
  return (
    <Card>
      <BlockStack gap="200">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h2" variant="headingMd">
            {words.importTitle}
          </Text>
          <Badge tone={badge.tone}>{words[badge.label]}</Badge>
        </InlineStack>
        <Text as="p" tone="subdued">
          {words.importBody}
        </Text>
        {importStatus.status !== "not_started" ? (
          <Text as="p">
            <span data-testid="import-counts">
              {fill(words.importCounts, {
                customers: importStatus.customersImported.toLocaleString(locale),
                orders: importStatus.ordersImported.toLocaleString(locale),
                products: importStatus.productsImported.toLocaleString(locale),
              })}
            </span>
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
            {importStatus.status === "not_started" ? words.importStart : words.importAgain}
          </Button>
        </Form>
      </BlockStack>
    </Card>
  );
}
