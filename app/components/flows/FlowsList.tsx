// The Flows list (R-ADM-2): ready-made flows with what each does in one sentence and a one-click
// "Turn on", and the shop's flows with status, recipients, conversion, attributed and incremental
// revenue for the chosen period.
import { Form, Link as RemixLink, useNavigate, useNavigation } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  InlineStack,
  Page,
  Select,
  Text,
} from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import type { ReactNode } from "react";
import type { FlowListRow, FlowPeriod } from "../../flows/flow-admin";
import { fill, useAdminLocale, useMessages } from "../../i18n/catalogue";
import { flowsMessages } from "../../i18n/messages/flows";
import { formatCount, formatMoneyMinor, formatShare } from "./format";

export function StatusBadge({ status }: { status: FlowListRow["status"] }) {
  const t = useMessages(flowsMessages);
  if (status === "live") return <Badge tone="success">{t.statusLive}</Badge>;
  if (status === "paused") return <Badge tone="attention">{t.statusPaused}</Badge>;
  return <Badge>{t.statusOff}</Badge>;
}

export function FlowsList({
  days,
  currency,
  rows,
  result,
}: {
  days: FlowPeriod;
  currency: string;
  rows: FlowListRow[];
  result: { ok: true; presetId: string } | { ok: false; errors: { field: string; message: string }[] } | null;
}) {
  const t = useMessages(flowsMessages);
  const locale = useAdminLocale();
  const navigate = useNavigate();
  const navigation = useNavigation();
  const busyPreset = navigation.state !== "idle" ? navigation.formData?.get("presetId") : null;
  const nameOf = (row: FlowListRow) => row.name[locale];
  const turnedOn = result?.ok ? rows.find((row) => row.presetId === result.presetId) : undefined;

  const tableRows: ReactNode[][] = rows.map((row) => {
    const name = nameOf(row);
    return [
      <BlockStack gap="100" key="name">
        <InlineStack gap="200" blockAlign="center">
          {row.flowId ? (
            <RemixLink to={`/app/flows/${row.flowId}`} style={{ fontWeight: 600 }}>
              {name}
            </RemixLink>
          ) : (
            <Text as="span" fontWeight="semibold">
              {name}
            </Text>
          )}
          <Badge tone="info">{row.presetId ? t.preset : t.custom}</Badge>
        </InlineStack>
        {row.description ? (
          <div style={{ maxWidth: 420, whiteSpace: "normal" }}>
            <Text as="p" tone="subdued">
              {row.description[locale]}
            </Text>
          </div>
        ) : null}
      </BlockStack>,
      <StatusBadge key="status" status={row.status} />,
      formatCount(row.recipients, locale),
      formatShare(row.conversionRate, locale),
      formatMoneyMinor(row.revenueMinor, currency, locale),
      row.hasControlGroup
        ? row.incrementalRevenueMinor === null
          ? t.notEnoughData
          : formatMoneyMinor(row.incrementalRevenueMinor, currency, locale)
        : t.noControlGroup,
      <InlineStack gap="200" key="action" wrap={false}>
        {row.presetId && row.status !== "live" ? (
          <Form method="post">
            <input type="hidden" name="intent" value="turnOn" />
            <input type="hidden" name="presetId" value={row.presetId} />
            <Button
              submit
              variant="primary"
              accessibilityLabel={fill(t.turnOnLabel, { name })}
              loading={busyPreset === row.presetId}
            >
              {t.turnOn}
            </Button>
          </Form>
        ) : null}
        {row.flowId ? (
          <Button url={`/app/flows/${row.flowId}`} accessibilityLabel={fill(t.editLabel, { name })}>
            {t.edit}
          </Button>
        ) : null}
      </InlineStack>,
    ];
  });

  return (
    <Page title={t.title} subtitle={t.subtitle}>
      <TitleBar title={t.title} />
      <BlockStack gap="400">
        {turnedOn ? <Banner tone="success" title={fill(t.turnedOn, { name: nameOf(turnedOn) })} /> : null}
        {result && !result.ok ? (
          <Banner
            tone="critical"
            title={fill(t.turnOnFailed, { reason: result.errors.map((e) => e.message).join("; ") })}
          />
        ) : null}
        <InlineStack align="end">
          <div style={{ minWidth: 240 }}>
            <Select
              id="flows-period"
              label={t.period}
              labelInline
              value={days}
              options={[
                { value: "7", label: t.last7 },
                { value: "30", label: t.last30 },
                { value: "90", label: t.last90 },
                { value: "365", label: t.last365 },
              ]}
              onChange={(value) => navigate(`?period=${value}`, { preventScrollReset: true })}
            />
          </div>
        </InlineStack>
        <Card padding="0">
          <div data-testid="flows-table" aria-label={t.flowsTable} role="region">
            <DataTable
              columnContentTypes={["text", "text", "numeric", "numeric", "numeric", "numeric", "text"]}
              headings={[
                t.columnFlow,
                t.columnStatus,
                t.columnRecipients,
                t.columnConversion,
                t.columnRevenue,
                t.columnIncremental,
                t.columnAction,
              ]}
              rows={tableRows}
              verticalAlign="middle"
            />
          </div>
        </Card>
      </BlockStack>
    </Page>
  );
}
