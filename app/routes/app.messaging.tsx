// /app/messaging — how Stayloop sends (R-MSG-1…5): sender, quiet hours, frequency cap, channel
// order and fallback, WhatsApp pricing; a template preview with sample data that points to the
// line of any mistake; the latest messages and what WhatsApp cost per flow and month.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
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
import { requireAdmin } from "../admin.server";
import { useFormFields } from "../components/useFormFields";
import prisma from "../db.server";
import { messagingCostsByFlowAndMonth } from "../messaging/message-costs";
import { MessagingSettingsError, messagingSettingsFor, saveMessagingSettings } from "../messaging/settings";
import {
  previewTemplate,
  templateLocales,
  TemplateError,
  validateTemplate,
  type TemplateLocale,
} from "../messaging/templates";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const [settings, messages, costs] = await Promise.all([
    messagingSettingsFor(prisma, shop.id),
    prisma.message.findMany({
      where: { shopId: shop.id },
      orderBy: { createdAt: "desc" },
      take: 20,
      select: {
        id: true,
        channel: true,
        status: true,
        toAddress: true,
        flowId: true,
        sentAt: true,
        opens: true,
        clicks: true,
      },
    }),
    messagingCostsByFlowAndMonth(prisma, shop.id),
  ]);
  return {
    settings: {
      ...settings,
      whatsappRates: settings.whatsappRates ? JSON.stringify(settings.whatsappRates, null, 2) : "",
    },
    messages: messages.map((message) => ({ ...message, sentAt: message.sentAt?.toISOString() ?? null })),
    costs,
  };
};

type ActionResult =
  | { intent: "save"; saved: true }
  | { intent: "save"; saved: false; errors: { field: string; message: string }[] }
  | { intent: "preview"; preview: string; problems: string[] };

export const action = async ({ request }: ActionFunctionArgs): Promise<ActionResult> => {
  const { shop } = await requireAdmin(request);
  const form = Object.fromEntries(await request.formData());
  if (form.intent === "preview") {
    const source = String(form.template ?? "");
    const locale: TemplateLocale = form.locale === "cs" ? "cs" : "en";
    const checked = validateTemplate(source);
    if (!checked.ok)
      return { intent: "preview", preview: "", problems: checked.errors.map((error) => error.message) };
    try {
      return {
        intent: "preview",
        preview: await previewTemplate(source, locale, { escapeHtml: false }),
        problems: [],
      };
    } catch (error) {
      if (error instanceof TemplateError) {
        return { intent: "preview", preview: "", problems: error.problems.map((problem) => problem.message) };
      }
      throw error;
    }
  }
  try {
    const { intent: _intent, ...fields } = form;
    await saveMessagingSettings(prisma, shop.id, fields);
    return { intent: "save", saved: true };
  } catch (error) {
    if (error instanceof MessagingSettingsError)
      return { intent: "save", saved: false, errors: error.issues };
    throw error;
  }
};

const pricingOptions = [
  { label: "Per delivered template message (since July 2025)", value: "per_message" },
  { label: "Per 24-hour conversation", value: "conversation" },
];

const sampleTemplate =
  "Hi {{ customer.first_name }},\n{% for item in items %}- {{ item.title }}: {{ item.price }}\n{% endfor %}Back to your cart: {{ checkout_url }}";

function micros(amount: number, currency: string): string {
  return `${(amount / 1_000_000).toFixed(4)} ${currency}`;
}

export default function Messaging() {
  const { settings, messages, costs } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
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
      channelOrder: settings.channelOrder,
      fallbackAfterMinutes: String(settings.fallbackAfterMinutes),
      whatsappPricing: settings.whatsappPricing,
      whatsappRates: settings.whatsappRates,
    },
    saveErrors,
  );
  const [template, setTemplate] = useState(sampleTemplate);
  const [locale, setLocale] = useState<TemplateLocale>("en");
  return (
    <Page title="Messaging">
      <TitleBar title="Messaging" />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result?.intent === "save" && result.saved ? (
              <Banner tone="success" title="Messaging settings saved" />
            ) : null}
            {saveErrors.length > 0 ? (
              <Banner tone="critical" title="Nothing was saved: please correct the fields marked below" />
            ) : null}
            <Card>
              <Form method="post">
                <input type="hidden" name="intent" value="save" />
                <FormLayout>
                  <Text as="h2" variant="headingMd">
                    Sender and timing
                  </Text>
                  <InlineGrid columns={3} gap="300">
                    {field("fromName", "Sender name")}
                    {field("fromEmail", "Sender e-mail")}
                    {field("replyTo", "Reply-to e-mail")}
                  </InlineGrid>
                  <InlineGrid columns={2} gap="300">
                    {field(
                      "quietStart",
                      "Quiet hours start",
                      "Marketing waits until quiet hours end in the shopper's time zone",
                    )}
                    {field("quietEnd", "Quiet hours end")}
                  </InlineGrid>
                  <InlineGrid columns={2} gap="300">
                    {field("capMessages", "Marketing messages at most")}
                    {field("capHours", "per hours", "Across all flows; order messages are exempt")}
                  </InlineGrid>
                  <InlineGrid columns={2} gap="300">
                    {field(
                      "channelOrder",
                      "Channel order",
                      "e.g. email,sms,whatsapp — the next channel is used when one cannot reach the shopper",
                    )}
                    {field("fallbackAfterMinutes", "Try the next channel after (minutes undelivered)")}
                  </InlineGrid>
                  <Select
                    label="WhatsApp pricing"
                    name="whatsappPricing"
                    options={pricingOptions}
                    value={fields.whatsappPricing}
                    onChange={set("whatsappPricing")}
                  />
                  <TextField
                    label="WhatsApp rate table (JSON)"
                    name="whatsappRates"
                    multiline={6}
                    autoComplete="off"
                    value={fields.whatsappRates}
                    onChange={set("whatsappRates")}
                    error={errorFor("whatsappRates")}
                    helpText="Prices in micros per calling code, with a fallback row. Leave empty to keep the current table."
                  />
                  <Button submit variant="primary" loading={navigation.state === "submitting"}>
                    Save
                  </Button>
                </FormLayout>
              </Form>
            </Card>
            <Card>
              <Form method="post">
                <input type="hidden" name="intent" value="preview" />
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    Template preview
                  </Text>
                  <TextField
                    label="Template"
                    name="template"
                    multiline={6}
                    autoComplete="off"
                    value={template}
                    onChange={setTemplate}
                    monospaced
                  />
                  <Select
                    label="Language"
                    name="locale"
                    options={templateLocales.map((value) => ({
                      label: value === "cs" ? "Čeština" : "English",
                      value,
                    }))}
                    value={locale}
                    onChange={(value) => setLocale(value === "cs" ? "cs" : "en")}
                  />
                  <Button submit>Preview with sample data</Button>
                  {result?.intent === "preview" && result.problems.length > 0 ? (
                    <Banner tone="critical" title="The template has mistakes">
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
                  WhatsApp costs
                </Text>
                {costs.length === 0 ? (
                  <Text as="p" tone="subdued">
                    No delivered WhatsApp messages with a price yet.
                  </Text>
                ) : (
                  <DataTable
                    columnContentTypes={["text", "text", "numeric", "numeric"]}
                    headings={["Month", "Flow", "Messages", "Cost"]}
                    rows={costs.map((cost) => [
                      cost.month,
                      cost.flowId ?? "—",
                      cost.messages,
                      micros(cost.micros, cost.currency),
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
              headings={["Sent", "Channel", "To", "Status", "Opens", "Clicks"]}
              rows={messages.map((message) => [
                message.sentAt?.slice(0, 16).replace("T", " ") ?? "—",
                message.channel ?? "—",
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
