// A send step's message: each language version (e-mail subject, HTML, text; SMS; WhatsApp
// parameters), a live preview on sample data or on a real customer found by search, mistakes named
// by field and line, and a test-send to an address or phone the merchant types.
import { useFetcher } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  Divider,
  FormLayout,
  InlineStack,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import type { Channel } from "../../messaging/channels";
import type { MessageTemplate } from "../../messaging/compose";
import type { TemplateLocale } from "../../messaging/templates";
import { fill, useAdminLocale, useMessages } from "../../i18n/catalogue";
import { flowsMessages } from "../../i18n/messages/flows";
import type { EditorAction } from "./editor-actions";

type Version = NonNullable<MessageTemplate["versions"]["en"]>;

/** Images are not fetched in the preview (the shop's CDN is not reachable from every admin). */
function withoutRemoteImages(html: string): string {
  return html.replace(/(<img\b[^>]*?)\ssrc=("[^"]*"|'[^']*')/gi, "$1 data-preview-src=$2");
}

export function TemplateEditor({
  templateId,
  template,
  channels,
  onChange,
}: {
  templateId: string;
  template: MessageTemplate | undefined;
  channels: readonly Channel[] | undefined;
  onChange: (template: MessageTemplate) => void;
}) {
  const t = useMessages(flowsMessages);
  const adminLocale = useAdminLocale();
  const [language, setLanguage] = useState<TemplateLocale>(adminLocale);
  const [previewLanguage, setPreviewLanguage] = useState<TemplateLocale>(adminLocale);
  const [query, setQuery] = useState("");
  const [customer, setCustomer] = useState<{ id: string; label: string } | null>(null);
  const [testTo, setTestTo] = useState("");
  const preview = useFetcher<EditorAction>();
  const search = useFetcher<EditorAction>();
  const testSend = useFetcher<EditorAction>();
  const languageName = (locale: TemplateLocale) => (locale === "cs" ? t.languageCs : t.languageEn);
  const version = template?.versions[language];
  const setVersion = (next: Version) =>
    onChange({ versions: { ...(template?.versions ?? {}), [language]: next } });

  const runPreview = (customerId: string | null) =>
    preview.submit(
      {
        intent: "preview",
        template: JSON.stringify(template ?? { versions: {} }),
        locale: previewLanguage,
        customerId: customerId ?? "",
      },
      { method: "post" },
    );

  // The preview follows the text as it is typed (debounced), once a preview was asked for.
  const [live, setLive] = useState(false);
  useEffect(() => {
    if (!live) return;
    const timer = setTimeout(() => runPreview(customer?.id ?? null), 500);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [template, previewLanguage, live]);

  const previewResult = preview.data?.intent === "preview" ? preview.data : null;
  const found = search.data?.intent === "customers" ? search.data.customers : null;
  const sent = testSend.data?.intent === "testSend" ? testSend.data : null;
  const languageOptions = [
    { value: "en", label: t.languageEn },
    { value: "cs", label: t.languageCs },
  ];

  return (
    <BlockStack gap="400">
      <Select
        id={`template-${templateId}-language`}
        label={t.language}
        value={language}
        options={languageOptions}
        onChange={(value) => setLanguage(value === "cs" ? "cs" : "en")}
      />
      {version ? (
        <FormLayout>
          {version.email ? (
            <>
              <TextField
                label={t.emailSubject}
                autoComplete="off"
                value={version.email.subject}
                onChange={(subject) => setVersion({ ...version, email: { ...version.email!, subject } })}
              />
              <TextField
                label={t.emailHtml}
                autoComplete="off"
                multiline={6}
                maxHeight={260}
                monospaced
                value={version.email.html}
                onChange={(html) => setVersion({ ...version, email: { ...version.email!, html } })}
              />
              <TextField
                label={t.emailText}
                autoComplete="off"
                multiline={4}
                maxHeight={200}
                value={version.email.text}
                onChange={(text) => setVersion({ ...version, email: { ...version.email!, text } })}
              />
            </>
          ) : null}
          {version.sms ? (
            <TextField
              label={t.smsBody}
              autoComplete="off"
              multiline={2}
              value={version.sms.body}
              onChange={(body) => setVersion({ ...version, sms: { body } })}
            />
          ) : null}
          {version.whatsapp
            ? version.whatsapp.parameters.map((parameter, index) => (
                <TextField
                  key={index}
                  label={fill(t.whatsappParameter, {
                    name: version.whatsapp!.templateName,
                    index: index + 1,
                  })}
                  autoComplete="off"
                  value={parameter}
                  onChange={(value) =>
                    setVersion({
                      ...version,
                      whatsapp: {
                        ...version.whatsapp!,
                        parameters: version.whatsapp!.parameters.map((old, at) =>
                          at === index ? value : old,
                        ),
                      },
                    })
                  }
                />
              ))
            : null}
        </FormLayout>
      ) : (
        <InlineStack gap="200" blockAlign="center">
          <Text as="p">{fill(t.noVersion, { language: languageName(language) })}</Text>
          <Button
            onClick={() => {
              const other = template?.versions[language === "cs" ? "en" : "cs"];
              setVersion(other ?? { email: { subject: "", html: "", text: "" } });
            }}
          >
            {fill(t.addVersion, { language: languageName(language) })}
          </Button>
        </InlineStack>
      )}

      <Divider />
      <Text as="h3" variant="headingSm">
        {t.preview}
      </Text>
      <InlineStack gap="300" blockAlign="end">
        <Select
          id={`template-${templateId}-preview-language`}
          label={t.previewLanguage}
          value={previewLanguage}
          options={languageOptions}
          onChange={(value) => setPreviewLanguage(value === "cs" ? "cs" : "en")}
        />
        <Button
          onClick={() => {
            setCustomer(null);
            setLive(true);
            runPreview(null);
          }}
          loading={preview.state !== "idle"}
        >
          {t.previewSample}
        </Button>
      </InlineStack>
      <search.Form method="post">
        <input type="hidden" name="intent" value="customers" />
        <InlineStack gap="300" blockAlign="end">
          <TextField
            label={t.customerSearch}
            name="query"
            helpText={t.customerSearchHelp}
            autoComplete="off"
            value={query}
            onChange={setQuery}
          />
          <Button submit loading={search.state !== "idle"}>
            {t.customerSearchButton}
          </Button>
        </InlineStack>
      </search.Form>
      {found ? (
        found.length === 0 ? (
          <Text as="p" tone="subdued">
            {t.noCustomers}
          </Text>
        ) : (
          <InlineStack gap="200">
            {found.map((choice) => (
              <Button
                key={choice.id}
                variant="plain"
                onClick={() => {
                  setCustomer(choice);
                  setLive(true);
                  runPreview(choice.id);
                }}
              >
                {fill(t.previewOn, { customer: choice.label })}
              </Button>
            ))}
          </InlineStack>
        )
      ) : null}
      {previewResult && !previewResult.ok ? (
        <Banner tone="critical" title={t.previewProblems}>
          <ul data-testid="preview-problems">
            {previewResult.problems.map((problem, index) => (
              <li key={index}>
                {problem.line === null
                  ? fill(t.problemNoLine, { field: problem.field, message: problem.message })
                  : fill(t.problemLine, {
                      field: problem.field,
                      line: problem.line,
                      message: problem.message,
                    })}
              </li>
            ))}
          </ul>
        </Banner>
      ) : null}
      {previewResult?.ok ? (
        <Card background="bg-surface-secondary">
          <BlockStack gap="300">
            <Text as="p" tone="subdued">
              {customer ? fill(t.previewingCustomer, { customer: customer.label }) : t.previewingSample} ·{" "}
              {languageName(previewResult.locale)}
            </Text>
            {previewResult.content.email ? (
              <BlockStack gap="200">
                <div data-testid="preview-subject">
                  <Text as="p">
                    <strong>{t.previewSubject}:</strong> {previewResult.content.email.subject}
                  </Text>
                </div>
                <iframe
                  title={t.previewFrame}
                  data-testid="preview-email"
                  sandbox=""
                  srcDoc={withoutRemoteImages(previewResult.content.email.html)}
                  style={{
                    width: "100%",
                    height: 360,
                    border: "1px solid #e1e3e5",
                    borderRadius: 8,
                    background: "#fff",
                  }}
                />
              </BlockStack>
            ) : null}
            {previewResult.content.sms ? (
              <div data-testid="preview-sms">
                <Text as="p">
                  <strong>{t.previewSms}:</strong> {previewResult.content.sms.body}
                </Text>
              </div>
            ) : null}
          </BlockStack>
        </Card>
      ) : null}

      <Divider />
      <Text as="h3" variant="headingSm">
        {t.testSend}
      </Text>
      <InlineStack gap="300" blockAlign="end">
        <TextField
          label={t.testSendTo}
          autoComplete="off"
          value={testTo}
          onChange={setTestTo}
          helpText={t.testSendHelp}
          error={sent && !sent.ok ? sent.errors.map((error) => error.message).join("; ") : undefined}
        />
        <Button
          loading={testSend.state !== "idle"}
          onClick={() =>
            testSend.submit(
              {
                intent: "testSend",
                template: JSON.stringify(template ?? { versions: {} }),
                locale: previewLanguage,
                to: testTo,
                channels: (channels ?? []).join(","),
              },
              { method: "post" },
            )
          }
        >
          {t.testSendButton}
        </Button>
      </InlineStack>
      {sent?.ok ? (
        <Banner
          tone="success"
          title={fill(t.testSent, {
            to: sent.to,
            channel:
              sent.channel === "sms"
                ? t.channelSms
                : sent.channel === "whatsapp"
                  ? t.channelWhatsapp
                  : t.channelEmail,
          })}
        />
      ) : null}
    </BlockStack>
  );
}
