// The Home dashboard's analytics (R-ADM-1, R-ANA): KPI cards with comparison arrows, CRR and churn
// by month, the cohort heat-map, revenue per flow and the loyalty liability.
import { Link, useNavigation } from "@remix-run/react";
import { BlockStack, Card, InlineGrid, InlineStack, SkeletonBodyText, Text } from "@shopify/polaris";
import type { ReactNode } from "react";
import type { PeriodPreset } from "../../analytics/presets";
import type { AnalyticsReport } from "../../analytics/report";
import { BarChart, CohortHeatmap, LineChart } from "./charts";
import { KpiCards } from "./KpiCards";
import { PeriodPicker } from "./PeriodPicker";
import { formatMoney } from "./tables";
import { useAdminLocale, messagesFor } from "../../i18n/catalogue";
import { analyticsMessages, type AnalyticsStrings } from "../../i18n/messages/analytics";

export interface AnalyticsViewProps {
  report: AnalyticsReport;
  preset: PeriodPreset | null;
  compare: boolean;
  /** The link to the Analytics page (not on the page itself). */
  showAnalyticsLink?: boolean;
}

/** The words and number format in the admin's language (the app layout resolved it). */
export function useAnalyticsView() {
  const navigation = useNavigation();
  const code = useAdminLocale();
  return {
    t: messagesFor(analyticsMessages, code),
    locale: code === "cs" ? "cs-CZ" : "en-US",
    loading: navigation.state === "loading",
  };
}

export function ChartCard({
  title,
  help,
  loading,
  children,
}: {
  title: string;
  help?: string;
  loading: boolean;
  children: ReactNode;
}) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h3" variant="headingMd">
          {title}
        </Text>
        {help ? (
          <Text as="p" variant="bodySm" tone="subdued">
            {help}
          </Text>
        ) : null}
        {loading ? <SkeletonBodyText lines={6} /> : children}
      </BlockStack>
    </Card>
  );
}

export function EmptyAnalytics({ t }: { t: AnalyticsStrings }) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h3" variant="headingMd">
          {t.emptyTitle}
        </Text>
        <Text as="p">{t.emptyBody}</Text>
      </BlockStack>
    </Card>
  );
}

export function hasAnalyticsData(report: AnalyticsReport): boolean {
  return report.metrics.lifetimeCustomers > 0 || report.series.some((point) => point.customersAtEnd > 0);
}

export function AnalyticsDashboard({
  report,
  preset,
  compare,
  showAnalyticsLink = true,
}: AnalyticsViewProps) {
  const { t, locale, loading } = useAnalyticsView();
  const flows = report.flows.filter((flow) => flow.attributedRevenue.amountMinor > 0);
  return (
    <BlockStack gap="400">
      <InlineStack align="space-between" blockAlign="center" gap="400">
        <Text as="h2" variant="headingLg">
          {t.dashboardTitle}
        </Text>
        <PeriodPicker t={t} preset={preset} compare={compare} period={report.period} />
      </InlineStack>
      <Text as="p" variant="bodySm" tone="subdued">
        {t.activeDefinition.replace("{days}", String(report.settings.activityWindowDays))}
      </Text>
      {!hasAnalyticsData(report) ? (
        <EmptyAnalytics t={t} />
      ) : (
        <>
          {loading ? (
            <Card>
              <SkeletonBodyText lines={4} />
            </Card>
          ) : (
            <KpiCards report={report} t={t} locale={locale} />
          )}
          <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
            <ChartCard title={t.retentionOverTime} help={t.customerRetentionRateHelp} loading={loading}>
              <LineChart
                testId="chart-retention"
                title={t.retentionOverTime}
                labels={report.series.map((point) => point.month)}
                series={[
                  {
                    label: t.customerRetentionRate,
                    values: report.series.map((point) => point.customerRetentionRate),
                  },
                  { label: t.churnRate, values: report.series.map((point) => point.churnRate) },
                ]}
              />
            </ChartCard>
            <ChartCard title={t.cohorts} help={t.cohortsHelp} loading={loading}>
              {report.cohorts.length === 0 ? (
                <Text as="p">{t.emptyCohorts}</Text>
              ) : (
                <CohortHeatmap
                  testId="chart-cohorts"
                  rows={report.cohorts}
                  monthHeader={t.cohortMonth}
                  customersHeader={t.cohortCustomers}
                  locale={locale}
                />
              )}
            </ChartCard>
            <ChartCard title={t.flowRevenue} loading={loading}>
              {flows.length === 0 ? (
                <Text as="p">{t.emptyFlows}</Text>
              ) : (
                <BarChart
                  testId="chart-flow-revenue"
                  title={t.flowRevenue}
                  bars={flows.map((flow) => ({
                    label: flow.name,
                    value: flow.attributedRevenue.amountMinor,
                    formatted: formatMoney(flow.attributedRevenue, locale),
                  }))}
                />
              )}
            </ChartCard>
            <ChartCard title={t.loyaltyLiability} help={t.loyaltyLiabilityHelp} loading={loading}>
              <BlockStack gap="100">
                <Text as="p" variant="headingXl">
                  <span data-testid="loyalty-liability">
                    {report.loyalty.liability ? formatMoney(report.loyalty.liability, locale) : "—"}
                  </span>
                </Text>
                <Text as="p" tone="subdued">
                  {`${t.pointsOutstanding}: ${report.loyalty.pointsOutstanding.toLocaleString(locale)} · ${t.members}: ${report.loyalty.members.toLocaleString(locale)}`}
                </Text>
                {report.loyalty.liability ? null : (
                  <Text as="p" variant="bodySm" tone="subdued">
                    {t.noLiabilityRate}
                  </Text>
                )}
              </BlockStack>
            </ChartCard>
          </InlineGrid>
        </>
      )}
      {showAnalyticsLink ? (
        <Link
          to={`/app/analytics?${new URLSearchParams(preset ? { period: preset, compare: compare ? "previous" : "none" } : { ...report.period, compare: compare ? "previous" : "none" }).toString()}`}
        >
          {t.openAnalytics}
        </Link>
      ) : null}
    </BlockStack>
  );
}
