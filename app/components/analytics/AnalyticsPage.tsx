// The Analytics page (R-ANA-7): the period picker, the KPI cards, the retention chart and every
// table of the report, each with its CSV export.
import { BlockStack, Card, DataTable, InlineStack, Page, Text } from "@shopify/polaris";
import {
  AnalyticsDashboard,
  ChartCard,
  EmptyAnalytics,
  hasAnalyticsData,
  useAnalyticsView,
  type AnalyticsViewProps,
} from "./AnalyticsDashboard";
import { analyticsTables, formatCell } from "./tables";
import { useAdminLocale, useMessages } from "../../i18n/catalogue";
import { navigationMessages } from "../../i18n/messages/navigation";

export function AnalyticsPage(props: AnalyticsViewProps) {
  const { report, preset, compare } = props;
  const { t, locale, loading } = useAnalyticsView();
  const nav = useMessages(navigationMessages);
  const tables = analyticsTables(report, t);
  const query = new URLSearchParams(
    preset ? { period: preset } : { from: report.period.from, to: report.period.to },
  );
  query.set("compare", compare ? "previous" : "none");
  // The export is a plain download outside the page: it is told the page's language.
  query.set("locale", useAdminLocale());
  return (
    <Page title={t.analyticsTitle} backAction={{ content: nav.home, url: "/app" }}>
      <BlockStack gap="400">
        <AnalyticsDashboard {...props} showAnalyticsLink={false} />
        {!hasAnalyticsData(report) ? (
          <EmptyAnalytics t={t} />
        ) : (
          tables.map((table) => (
            <ChartCard key={table.id} title={table.title} loading={loading}>
              <BlockStack gap="200">
                <InlineStack align="end">
                  <a
                    href={`/app/analytics/export.csv?table=${table.id}&${query.toString()}`}
                    download
                    data-testid={`csv-${table.id}`}
                  >
                    {t.downloadCsv}
                  </a>
                </InlineStack>
                {table.rows.length === 0 ? (
                  <Text as="p" tone="subdued">
                    —
                  </Text>
                ) : (
                  <div data-testid={`table-${table.id}`}>
                    <DataTable
                      columnContentTypes={table.headers.map((_, index) => (index === 0 ? "text" : "numeric"))}
                      headings={table.headers}
                      rows={table.rows.map((row) => row.map((cell) => formatCell(cell, locale)))}
                    />
                  </div>
                )}
              </BlockStack>
            </ChartCard>
          ))
        )}
        <Card>
          <Text as="p" variant="bodySm" tone="subdued">
            {`${t.averageHistoricalClv}: ${report.historicalClv.average ? formatCell(report.historicalClv.average, locale) : "—"}`}
          </Text>
        </Card>
      </BlockStack>
    </Page>
  );
}
