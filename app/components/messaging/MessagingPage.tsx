// The Messaging page (/app/messaging): the sending rules (sender, quiet hours, cap, the channel
// order as an ordered list, the WhatsApp rate table as rows), a template preview on sample data,
// WhatsApp costs and the latest messages.
import { Form, useActionData, useNavigation } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  FormLayout,
  InlineGrid,
  Layout,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useState } from "react";
import { useAdminLocale, useMessages } from "../../i18n/catalogue";
import { useErrorText } from "../../i18n/errors";
import { messagingMessages } from "../../i18n/messages/messaging";
import type { messagingPage, PreviewResult, SaveMessagingResult } from "../../messaging/admin-page";
import { isChannel } from "../../messaging/channels";
import { templateLocales, type TemplateLocale } from "../../messaging/templates";
import type { RateRows } from "../../messaging/whatsapp-rate-rows";
import { useFormFields } from "../useFormFields";
import { ChannelOrderList, type ChannelChoice } from "./ChannelOrderList";
import { RateTableEditor } from "./RateTableEditor";

type Props = Awaited<ReturnType<typeof messagingPage>>;

const sampleTemplate =
  "Hi {{ customer.first_name }},\n{% for item in items %}- {{ item.title }}: {{ item.price }}\n{% endfor %}Back to your cart: {{ checkout_url }}";

function micros(amount: number, currency: string, locale: string): string {
  return new Intl.NumberFormat(locale, { style: "currency", currency, maximumFractionDigits: 4 }).format(
    amount / 1_000_000,
  );
}

export function MessagingPage({ timeZone, settings, messages, costs }: Props) {
  const words = useMessages(messagingMessages);
  const errorText = useErrorText(messagingMessages);
  const adminLocale = useAdminLocale();
  const result = useActionData<SaveMessagingResult | PreviewResult>();
  const navigation = useNavigation();
  const saveErrors = result?.intent === "save" && !result.saved ? result.errors : [];
  const {
    values: fields,
    set,
    errorFor,
    textField: field,
  } = useFormFields(
    {
      fromName: settings.fromName ?? "",
      fromEmail: settings.fromEmail ?? "",
      replyTo: settings.replyTo ?? "",
      quietStart: settings.quietStart,
      quietEnd: settings.quietEnd,
      capMessages: String(settings.capMessages),
      capHours: String(settings.capHours),
      fallbackAfterMinutes: String(settings.fallbackAfterMinutes),
      whatsappPricing: settings.whatsappPricing,
    },
    saveErrors.map((error) => ({ field: error.field, message: errorText(error.message) })),
  );
  const [channelList, setChannelList] = useState<ChannelChoice[]>(settings.channelList);
  const [rates, setRates] = useState<RateRows>(settings.whatsappRates);
  // Dates in the shop's time zone, in the admin's language.
  const dateTime = new Intl.DateTimeFormat(adminLocale, { dateStyle: "short", timeStyle: "short", timeZone });
  const [template, setTemplate] = useState(sampleTemplate);
  const [locale, setLocale] = useState<TemplateLocale>("en");
  return (
    <Page title={words.title}>
      <TitleBar title={words.title} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result?.intent === "save" && result.saved ? <Banner tone="success" title={words.saved} /> : null}
            {saveErrors.length > 0 ? <Banner tone="critical" title={words.notSaved} /> : null}
            <Card>
              <Form method="post">
                <input type="hidden" name="intent" value="save" />
                <FormLayout>
                  <Text as="h2" variant="headingMd">
                    {words.senderAndTiming}
                  </Text>
                  <InlineGrid columns={3} gap="300">
                    {field("fromName", words.fromName)}
                    {field("fromEmail", words.fromEmail)}
                    {field("replyTo", words.replyTo)}
                  </InlineGrid>
                  <InlineGrid columns={2} gap="300">
                    {field("quietStart", words.quietStart, words.quietStartHelp)}
                    {field("quietEnd", words.quietEnd)}
                  </InlineGrid>
                  <InlineGrid columns={2} gap="300">
                    {field("capMessages", words.capMessages)}
                    {field("capHours", words.capHours, words.capHoursHelp)}
                  </InlineGrid>
                  <ChannelOrderList
                    value={channelList}
                    onChange={setChannelList}
                    error={errorFor("channelOrder")}
                  />
                  <InlineGrid columns={2} gap="300">
                    {field("fallbackAfterMinutes", words.fallbackAfter)}
                  </InlineGrid>
                  <Select
                    label={words.pricing}
                    name="whatsappPricing"
                    options={[
                      { label: words.pricingPerMessage, value: "per_message" },
                      { label: words.pricingConversation, value: "conversation" },
                    ]}
                    value={fields.whatsappPricing}
                    onChange={set("whatsappPricing")}
                  />
                  <RateTableEditor value={rates} onChange={setRates} error={errorFor("whatsappRates")} />
                  <Button submit variant="primary" loading={navigation.state === "submitting"}>
                    {words.save}
                  </Button>
                </FormLayout>
              </Form>
            </Card>
            <Card>
              <Form method="post">
                <input type="hidden" name="intent" value="preview" />
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    {words.preview}
                  </Text>
                  <TextField
                    label={words.template}
                    name="template"
                    multiline={6}
                    autoComplete="off"
                    value={template}
                    onChange={setTemplate}
                    monospaced
                  />
                  <Select
                    label={words.language}
                    name="locale"
                    options={templateLocales.map((value) => ({
                      label: value === "cs" ? "Čeština" : "English",
                      value,
                    }))}
                    value={locale}
                    onChange={(value) => setLocale(value === "cs" ? "cs" : "en")}
                  />
                  <Button submit>{words.previewButton}</Button>
                  {result?.intent === "preview" && result.problems.length > 0 ? (
                    <Banner tone="critical" title={words.templateMistakes}>
                      <ul>
                        {result.problems.map((problem) => (
                          <li key={problem}>{problem}</li>
                        ))}
                      </ul>
                    </Banner>
                  ) : null}
                  {result?.intent === "preview" && result.problems.length === 0 ? (
                    <pre data-testid="template-preview" style={{ whiteSpace: "pre-wrap" }}>
                      {result.preview}
                    </pre>
                  ) : null}
                </BlockStack>
              </Form>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {words.costs}
                </Text>
                {costs.length === 0 ? (
                  <Text as="p" tone="subdued">
                    {words.noCosts}
                  </Text>
                ) : (
                  <DataTable
                    columnContentTypes={["text", "text", "numeric", "numeric"]}
                    headings={[words.month, words.flow, words.messages, words.cost]}
                    rows={costs.map((cost) => [
                      cost.month,
                      cost.flowId ?? "—",
                      cost.messages,
                      micros(cost.micros, cost.currency, adminLocale),
                    ])}
                  />
                )}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            <DataTable
              columnContentTypes={["text", "text", "text", "text", "numeric", "numeric"]}
              headings={[words.sent, words.channel, words.to, words.status, words.opens, words.clicks]}
              rows={messages.map((message) => [
                message.sentAt ? dateTime.format(new Date(message.sentAt)) : "—",
                message.channel && isChannel(message.channel) ? words[`value.${message.channel}`] : "—",
                message.toAddress ?? "—",
                message.status,
                message.opens,
                message.clicks,
              ])}
            />
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
