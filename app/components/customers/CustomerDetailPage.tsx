// The customer page: profile, consent and intelligence beside the flows they are in (an open run
// can be ended here, with a reason), their orders, messages, loyalty points and NPS answers.
import { Form, useActionData, useNavigation } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  DataTable,
  DescriptionList,
  InlineStack,
  Layout,
  Page,
  Text,
  TextField,
} from "@shopify/polaris";
import { useState, type ReactNode } from "react";
import type { CustomerDetail } from "../../customers/customer-detail";
import { fill, useAdminLocale, useMessages } from "../../i18n/catalogue";
import { customersMessages, type CustomersWords } from "../../i18n/messages/customers";
import { formatDate, formatDateTime, formatMoney, formatNumber } from "./format";
import { customerName, lifecycleTone, word } from "./words";

type Jsonified<T> = T extends Date
  ? string
  : T extends (infer Item)[]
    ? Jsonified<Item>[]
    : T extends object
      ? { [K in keyof T]: Jsonified<T[K]> }
      : T;

export interface CustomerDetailPageProps {
  detail: Jsonified<CustomerDetail>;
  shop: { currency: string; timezone: string };
}

type RemovalAnswer =
  | { ok: true; removal: { outcome: "removed" | "already_ended"; runId: string } }
  | { ok: false; errors: { field: string; message: string }[] };

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
        {children}
      </BlockStack>
    </Card>
  );
}

/** Terms above their values: the narrow column has no room for them side by side. */
function Facts({ items }: { items: { term: string; description: string }[] }) {
  return (
    <dl style={{ margin: 0, display: "grid", gap: "var(--p-space-200)" }}>
      {items.map((item) => (
        <div key={item.term}>
          <dt>
            <Text as="span" variant="bodySm" tone="subdued">
              {item.term}
            </Text>
          </dt>
          <dd style={{ margin: 0 }}>
            <Text as="span">{item.description}</Text>
          </dd>
        </div>
      ))}
    </dl>
  );
}

function Empty({ text }: { text: string }) {
  return (
    <Text as="p" tone="subdued">
      {text}
    </Text>
  );
}

function npsWord(score: number, words: CustomersWords): string {
  if (score >= 9) return words.npsPromoter;
  return score >= 7 ? words.npsPassive : words.npsDetractor;
}

export function CustomerDetailPage({ detail, shop }: CustomerDetailPageProps) {
  const words = useMessages(customersMessages);
  const locale = useAdminLocale();
  const answer = useActionData<RemovalAnswer>();
  const navigation = useNavigation();
  const [removing, setRemoving] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const { profile } = detail;
  const name = customerName(profile, words);
  const date = (iso: string | null) => formatDate(iso, shop.timezone, locale) ?? words.none;
  const dateTime = (iso: string | null) => formatDateTime(iso, shop.timezone, locale) ?? words.none;
  const money = (amount: number | null, currency: string) =>
    amount === null ? words.none : formatMoney(amount, currency, locale);
  const removedRun =
    answer?.ok === true ? detail.runs.find((run) => run.id === answer.removal.runId) : undefined;

  return (
    <Page
      title={name}
      backAction={{ content: words.backToCustomers, url: "/app/customers" }}
      titleMetadata={
        <Badge tone={lifecycleTone(profile.lifecycleStage)}>
          {word(words, `lifecycle_${profile.lifecycleStage}`)}
        </Badge>
      }
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {answer?.ok === true ? (
              <Banner
                tone={answer.removal.outcome === "removed" ? "success" : "info"}
                title={
                  answer.removal.outcome === "removed"
                    ? fill(words.removed, { flow: removedRun?.flowName ?? "" })
                    : words.alreadyEnded
                }
              />
            ) : null}
            {answer?.ok === false ? (
              <Banner tone="critical" title={fill(words.removeReasonTooLong, { max: 300 })} />
            ) : null}
            {profile.redacted ? <Banner tone="info" title={words.redacted} /> : null}
            <Section title={words.flowsHeading}>
              {detail.runs.length === 0 ? (
                <Empty text={words.noRuns} />
              ) : (
                <BlockStack gap="300">
                  {detail.runs.map((run) => {
                    const open = run.status === "active" || run.status === "held";
                    return (
                      <Box
                        key={run.id}
                        padding="300"
                        borderWidth="025"
                        borderColor="border"
                        borderRadius="200"
                        id={`run-${run.id}`}
                      >
                        <BlockStack gap="200">
                          <InlineStack align="space-between" blockAlign="center" gap="200">
                            <BlockStack gap="100">
                              <Text as="h3" variant="headingSm">
                                {run.flowName}
                              </Text>
                              <InlineStack gap="200">
                                <Badge tone={open ? "info" : undefined}>
                                  {word(words, `run_${run.status}`)}
                                </Badge>
                                {run.group === "control" ? <Badge>{words.runGroupControl}</Badge> : null}
                              </InlineStack>
                            </BlockStack>
                            {open && removing !== run.id ? (
                              <Button
                                tone="critical"
                                accessibilityLabel={`${words.removeFromFlow}: ${run.flowName}`}
                                onClick={() => {
                                  setRemoving(run.id);
                                  setReason("");
                                }}
                              >
                                {words.removeFromFlow}
                              </Button>
                            ) : null}
                          </InlineStack>
                          <Text as="p" tone="subdued">
                            {words.runStarted}: {dateTime(run.startedAt)}
                            {open && run.stepId
                              ? ` · ${words.runNext}: ${
                                  run.wakeAt
                                    ? fill(words.nextStepAt, { step: run.stepId, date: dateTime(run.wakeAt) })
                                    : fill(words.nextStepWaiting, { step: run.stepId })
                                }`
                              : ""}
                            {run.endedAt ? ` · ${words.runEnded}: ${dateTime(run.endedAt)}` : ""}
                            {run.exitReason ? ` · ${run.exitReason}` : ""}
                          </Text>
                          {open && removing === run.id ? (
                            <Form method="post" onSubmit={() => setRemoving(null)}>
                              <BlockStack gap="200">
                                <Text as="p" fontWeight="semibold">
                                  {fill(words.removeTitle, { name, flow: run.flowName })}
                                </Text>
                                <Text as="p">{words.removeBody}</Text>
                                <input type="hidden" name="intent" value="remove" />
                                <input type="hidden" name="runId" value={run.id} />
                                <TextField
                                  label={words.removeReason}
                                  name="reason"
                                  autoComplete="off"
                                  maxLength={300}
                                  value={reason}
                                  onChange={setReason}
                                />
                                <InlineStack gap="200">
                                  <Button
                                    submit
                                    variant="primary"
                                    tone="critical"
                                    loading={navigation.state === "submitting"}
                                  >
                                    {words.removeConfirm}
                                  </Button>
                                  <Button onClick={() => setRemoving(null)}>{words.cancel}</Button>
                                </InlineStack>
                              </BlockStack>
                            </Form>
                          ) : null}
                        </BlockStack>
                      </Box>
                    );
                  })}
                </BlockStack>
              )}
            </Section>
            <Section title={words.ordersHeading}>
              {detail.orders.length === 0 ? (
                <Empty text={words.noOrders} />
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "numeric", "numeric", "text"]}
                  headings={[
                    words.orderName,
                    words.orderDate,
                    words.orderTotal,
                    words.orderRefunded,
                    words.orderStatus,
                  ]}
                  rows={detail.orders.map((order) => [
                    order.name,
                    date(order.processedAt),
                    money(order.totalMinor, order.currency),
                    order.refundedMinor > 0 ? money(order.refundedMinor, order.currency) : words.none,
                    order.cancelled
                      ? words.cancelled
                      : [order.financialStatus, order.fulfillmentStatus].filter(Boolean).join(" · ") ||
                        words.none,
                  ])}
                />
              )}
            </Section>
            <Section title={words.messagesHeading}>
              {detail.messages.length === 0 ? (
                <Empty text={words.noMessages} />
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "text", "text"]}
                  headings={[
                    words.messageDate,
                    words.messageFlow,
                    words.messageChannel,
                    words.messageSubject,
                    words.messageStatus,
                    words.messageEngagement,
                  ]}
                  rows={detail.messages.map((message) => [
                    dateTime(message.at),
                    message.flowName ?? words.testSend,
                    message.channel ?? words.none,
                    message.subject ?? words.none,
                    word(words, `status_${message.status}`),
                    message.clickedAt ? words.clicked : message.openedAt ? words.opened : words.notOpened,
                  ])}
                />
              )}
            </Section>
            <Section title={words.loyaltyHeading}>
              {detail.loyalty === null ? (
                <Empty text={words.notInLoyalty} />
              ) : (
                <BlockStack gap="300">
                  <DescriptionList
                    items={[
                      {
                        term: words.pointsBalance,
                        description: formatNumber(detail.loyalty.pointsBalance, locale),
                      },
                      {
                        term: words.pendingPoints,
                        description: formatNumber(detail.loyalty.pendingPoints, locale),
                      },
                      {
                        term: words.lifetimePoints,
                        description: formatNumber(detail.loyalty.lifetimePoints, locale),
                      },
                      { term: words.tier, description: detail.loyalty.tierName ?? words.none },
                    ]}
                  />
                  <Text as="h3" variant="headingSm">
                    {words.ledgerHeading}
                  </Text>
                  <DataTable
                    columnContentTypes={["text", "text", "numeric", "numeric", "text"]}
                    headings={[
                      words.ledgerDate,
                      words.ledgerKind,
                      words.ledgerPoints,
                      words.ledgerBalance,
                      words.ledgerReason,
                    ]}
                    rows={detail.loyalty.ledger.map((entry) => [
                      date(entry.occurredAt),
                      word(words, `kind_${entry.kind}`),
                      `${entry.pointsDelta > 0 ? "+" : ""}${formatNumber(entry.pointsDelta, locale)}`,
                      formatNumber(entry.balanceAfter, locale),
                      entry.reason ?? words.none,
                    ])}
                  />
                </BlockStack>
              )}
            </Section>
            <Section title={words.npsHeading}>
              {detail.nps.length === 0 ? (
                <Empty text={words.noNps} />
              ) : (
                <DataTable
                  columnContentTypes={["text", "numeric", "text", "text"]}
                  headings={[words.npsDate, words.npsScore, words.npsOrder, words.npsComment]}
                  rows={detail.nps.map((answer) => [
                    date(answer.answeredAt),
                    `${answer.score} (${npsWord(answer.score, words)})`,
                    answer.orderName ?? words.none,
                    answer.comment ?? words.none,
                  ])}
                />
              )}
            </Section>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Section title={words.profileHeading}>
              <Facts
                items={[
                  { term: words.email, description: profile.email ?? words.none },
                  { term: words.phone, description: profile.phone ?? words.none },
                  { term: words.country, description: profile.countryCode ?? words.none },
                  { term: words.language, description: profile.locale ?? words.none },
                  {
                    term: words.tags,
                    description: profile.tags.length > 0 ? profile.tags.join(", ") : words.none,
                  },
                  { term: words.customerSince, description: date(profile.createdAt) },
                ]}
              />
            </Section>
            <Section title={words.marketingHeading}>
              <Facts
                items={[
                  { term: words.channelEmail, description: word(words, `consent_${profile.emailConsent}`) },
                  { term: words.channelSms, description: word(words, `consent_${profile.smsConsent}`) },
                  {
                    term: words.channelWhatsapp,
                    description: word(words, `consent_${profile.whatsappConsent}`),
                  },
                ]}
              />
            </Section>
            <Section title={words.intelligenceHeading}>
              <Facts
                items={[
                  {
                    term: words.lifecycleStage,
                    description: word(words, `lifecycle_${profile.lifecycleStage}`),
                  },
                  {
                    term: words.rfmScores,
                    description: profile.rfm
                      ? `${profile.rfm.recency} · ${profile.rfm.frequency} · ${profile.rfm.monetary}`
                      : words.notYet,
                  },
                  {
                    term: words.rfmSegment,
                    description: profile.rfmSegment ? word(words, `rfm_${profile.rfmSegment}`) : words.notYet,
                  },
                  { term: words.predictedClv, description: money(profile.predictedClvMinor, shop.currency) },
                  {
                    term: words.valueBand,
                    description: profile.valueBand ? word(words, `value_${profile.valueBand}`) : words.notYet,
                  },
                  { term: words.atRiskAt, description: date(profile.atRiskAt) },
                  { term: words.ordersCount, description: formatNumber(profile.ordersCount, locale) },
                  { term: words.totalSpent, description: money(profile.totalSpentMinor, profile.currency) },
                  {
                    term: words.averageOrder,
                    description: money(profile.averageOrderValueMinor, profile.currency),
                  },
                  {
                    term: words.lastOrder,
                    description: profile.lastOrderAt ? date(profile.lastOrderAt) : words.notYet,
                  },
                  { term: words.intelligenceAt, description: dateTime(profile.intelligenceAt) },
                ]}
              />
            </Section>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
