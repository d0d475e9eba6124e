// A flow's results for the period: the funnel (recipients → sent → delivered → opened → clicked →
// converted) and revenue for the whole flow, per step and per A/B variant; with a control group,
// incremental revenue and lift with its 95 % interval — or "not enough data yet" and why.
import { useNavigate } from "@remix-run/react";
import { Banner, BlockStack, Card, DataTable, InlineStack, Page, Select, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import type { ControlReport, FlowResults } from "../../flows/reports";
import type { FlowPeriod } from "../../flows/flow-admin";
import { fill, useAdminLocale, useMessages } from "../../i18n/catalogue";
import { flowsMessages } from "../../i18n/messages/flows";
import { formatCount, formatMoneyMinor, formatShare } from "./format";

type Funnel = Pick<
  FlowResults["totals"],
  "recipients" | "sent" | "delivered" | "opened" | "clicked" | "converted" | "revenueMinor"
>;

export function FlowResultsPage({
  days,
  flow,
  currency,
  results,
  control,
}: {
  days: FlowPeriod;
  flow: { id: string; name: string; status: string };
  currency: string;
  results: Pick<FlowResults, "totals" | "steps" | "variants">;
  control: Pick<
    ControlReport,
    | "controlPercent"
    | "enoughData"
    | "reason"
    | "incrementalRevenueMinor"
    | "lift"
    | "liftInterval"
    | "treatment"
    | "control"
  >;
}) {
  const t = useMessages(flowsMessages);
  const locale = useAdminLocale();
  const navigate = useNavigate();
  const headings = [t.recipients, t.sent, t.delivered, t.opened, t.clicked, t.converted, t.revenue];
  const numeric = Array<"numeric">(headings.length).fill("numeric");
  const funnel = (row: Funnel) => [
    formatCount(row.recipients, locale),
    formatCount(row.sent, locale),
    formatCount(row.delivered, locale),
    formatCount(row.opened, locale),
    formatCount(row.clicked, locale),
    formatCount(row.converted, locale),
    formatMoneyMinor(row.revenueMinor, currency, locale),
  ];
  const signedShare = (value: number) => `${value > 0 ? "+" : ""}${formatShare(value, locale)}`;
  return (
    <Page
      title={fill(t.resultsTitle, { name: flow.name })}
      backAction={{ content: flow.name, url: `/app/flows/${flow.id}` }}
    >
      <TitleBar title={fill(t.resultsTitle, { name: flow.name })} />
      <BlockStack gap="400">
        <InlineStack align="end">
          <div style={{ minWidth: 240 }}>
            <Select
              id="flow-results-period"
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
        <Card>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">
              {t.totals}
            </Text>
            <div data-testid="results-totals">
              <DataTable columnContentTypes={numeric} headings={headings} rows={[funnel(results.totals)]} />
            </div>
          </BlockStack>
        </Card>
        <Card>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">
              {t.perStep}
            </Text>
            {results.steps.length === 0 ? (
              <Text as="p" tone="subdued">
                {t.noSteps}
              </Text>
            ) : (
              <div data-testid="results-steps">
                <DataTable
                  columnContentTypes={["text", ...numeric]}
                  headings={[t.step, ...headings]}
                  rows={results.steps.map((step) => [
                    step.inCurrentVersion ? step.stepId : `${step.stepId} (${t.previousVersion})`,
                    ...funnel(step),
                  ])}
                />
              </div>
            )}
          </BlockStack>
        </Card>
        <Card>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">
              {t.perVariant}
            </Text>
            {results.variants.length === 0 ? (
              <Text as="p" tone="subdued">
                {t.noVariants}
              </Text>
            ) : (
              <DataTable
                columnContentTypes={["text", ...numeric]}
                headings={[t.step, ...headings]}
                rows={results.variants.map((variant) => [
                  `${variant.splitStepId} · ${variant.variantId}`,
                  ...funnel(variant),
                ])}
              />
            )}
          </BlockStack>
        </Card>
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              {t.controlGroup}
            </Text>
            {control.controlPercent === 0 && control.control.recipients === 0 ? (
              <Text as="p">{t.controlNone}</Text>
            ) : (
              <BlockStack gap="300">
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "numeric"]}
                  headings={["", t.recipients, t.conversionRate, t.revenue]}
                  rows={[
                    [
                      t.treatment,
                      formatCount(control.treatment.recipients, locale),
                      formatShare(control.treatment.conversionRate, locale),
                      formatMoneyMinor(control.treatment.revenueMinor, currency, locale),
                    ],
                    [
                      t.control,
                      formatCount(control.control.recipients, locale),
                      formatShare(control.control.conversionRate, locale),
                      formatMoneyMinor(control.control.revenueMinor, currency, locale),
                    ],
                  ]}
                />
                {control.enoughData && control.lift !== null && control.incrementalRevenueMinor !== null ? (
                  <div data-testid="control-figures">
                    <Text as="p">
                      <strong>{t.incrementalRevenue}:</strong>{" "}
                      {formatMoneyMinor(control.incrementalRevenueMinor, currency, locale)}
                    </Text>
                    <Text as="p">
                      <strong>{t.lift}:</strong>{" "}
                      {control.liftInterval
                        ? fill(t.liftInterval, {
                            lift: signedShare(control.lift),
                            low: signedShare(control.liftInterval.low),
                            high: signedShare(control.liftInterval.high),
                          })
                        : signedShare(control.lift)}
                    </Text>
                  </div>
                ) : (
                  <Banner tone="info" title={fill(t.notEnoughDataReason, { reason: control.reason ?? "" })} />
                )}
              </BlockStack>
            )}
          </BlockStack>
        </Card>
      </BlockStack>
    </Page>
  );
}
