import { BlockStack, Card, InlineGrid, InlineStack, Text } from "@shopify/polaris";
import type { AnalyticsReport, MetricSet, Money } from "../../analytics/report";
import { formatMoney } from "./tables";
import type { AnalyticsStrings } from "../../i18n/messages/analytics";

type Kind = "rate" | "money" | "number";

interface Kpi {
  key:
    | "customerRetentionRate"
    | "churnRate"
    | "repeatPurchaseRate"
    | "averageOrderValue"
    | "customerLifetimeValue"
    | "nps"
    | "revenue";
  kind: Kind;
  /** Whether a rise is good news (churn: it is not). */
  higherIsBetter: boolean;
  read: (set: MetricSet) => number | Money | null;
}

export const kpis: Kpi[] = [
  {
    key: "customerRetentionRate",
    kind: "rate",
    higherIsBetter: true,
    read: (set) => set.customerRetentionRate,
  },
  { key: "churnRate", kind: "rate", higherIsBetter: false, read: (set) => set.churnRate },
  { key: "repeatPurchaseRate", kind: "rate", higherIsBetter: true, read: (set) => set.repeatPurchaseRate },
  { key: "revenue", kind: "money", higherIsBetter: true, read: (set) => set.revenue },
  { key: "averageOrderValue", kind: "money", higherIsBetter: true, read: (set) => set.averageOrderValue },
  {
    key: "customerLifetimeValue",
    kind: "money",
    higherIsBetter: true,
    read: (set) => set.customerLifetimeValue,
  },
  { key: "nps", kind: "number", higherIsBetter: true, read: (set) => set.nps.score },
];

function amountOf(value: number | Money | null): number | null {
  if (value === null) return null;
  return typeof value === "number" ? value : value.amountMinor;
}

function formatted(value: number | Money | null, kind: Kind, locale: string): string {
  if (value === null) return "—";
  if (typeof value !== "number") return formatMoney(value, locale);
  const text = value.toLocaleString(locale, {
    minimumFractionDigits: kind === "rate" ? 2 : 0,
    maximumFractionDigits: 2,
  });
  return kind === "rate" ? `${text} %` : text;
}

/** The headline metrics, each with its definition and an arrow against the previous period. */
export function KpiCards({
  report,
  t,
  locale,
}: {
  report: AnalyticsReport;
  t: AnalyticsStrings;
  locale: string;
}) {
  return (
    <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
      {kpis.map((kpi) => {
        const current = kpi.read(report.metrics);
        const before = report.previous ? kpi.read(report.previous) : null;
        const now = amountOf(current);
        const then = amountOf(before);
        const change = now !== null && then !== null ? now - then : null;
        const good = change === null || change === 0 ? null : change > 0 === kpi.higherIsBetter;
        const arrow = change === null || change === 0 ? "→" : change > 0 ? "▲" : "▼";
        const changeText =
          change === null
            ? t.noPrevious
            : kpi.kind === "rate"
              ? `${arrow} ${Math.abs(change).toLocaleString(locale, { maximumFractionDigits: 2 })} pp ${t.vsPrevious}`
              : `${arrow} ${formatted(kpi.kind === "money" ? { amountMinor: Math.abs(change), currency: report.currency } : Math.abs(change), kpi.kind, locale)} ${t.vsPrevious}`;
        return (
          <Card key={kpi.key}>
            <BlockStack gap="100">
              <Text as="h3" variant="headingSm" tone="subdued">
                {t[kpi.key]}
              </Text>
              <Text as="p" variant="headingXl">
                <span data-testid={`kpi-${kpi.key}`}>{formatted(current, kpi.kind, locale)}</span>
              </Text>
              <InlineStack gap="100">
                <Text
                  as="span"
                  variant="bodySm"
                  tone={good === null ? "subdued" : good ? "success" : "critical"}
                >
                  <span data-testid={`kpi-${kpi.key}-change`}>{changeText}</span>
                </Text>
              </InlineStack>
              <Text as="p" variant="bodySm" tone="subdued">
                {t[`${kpi.key}Help`]}
              </Text>
            </BlockStack>
          </Card>
        );
      })}
    </InlineGrid>
  );
}
