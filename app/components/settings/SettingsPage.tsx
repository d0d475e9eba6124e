// The Settings page (/app/settings): the analytics settings, saved whole with field errors, and
// where the loyalty and messaging settings live.
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, FormLayout, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import type { AnalyticsSettingsForm } from "../../analytics/settings";
import { useMessages } from "../../i18n/catalogue";
import { useErrorText } from "../../i18n/errors";
import { settingsMessages } from "../../i18n/messages/settings";
import type { SettingsActionResult } from "../../routes/app.settings";
import { useFormFields } from "../useFormFields";

export function SettingsPage({ form }: { form: AnalyticsSettingsForm }) {
  const words = useMessages(settingsMessages);
  const errorText = useErrorText(settingsMessages);
  const result = useActionData<SettingsActionResult>();
  const navigation = useNavigation();
  const errors = result && !result.saved ? result.errors : [];
  const { textField } = useFormFields<Record<keyof AnalyticsSettingsForm, string>>(
    form,
    errors.map((error) => ({ field: error.field, message: errorText(error.message) })),
  );
  return (
    <Page title={words.title}>
      <TitleBar title={words.title} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result?.saved ? (
              <Banner tone="success" title={result.rebuilding ? words.savedRebuilding : words.saved} />
            ) : null}
            {errors.length > 0 ? <Banner tone="critical" title={words.notSaved} /> : null}
            <Card>
              <Form method="post">
                <FormLayout>
                  <Text as="h2" variant="headingMd">
                    {words.analytics}
                  </Text>
                  <Text as="p" tone="subdued">
                    {words.analyticsHelp}
                  </Text>
                  {textField("activityWindowDays", words.activityWindowDays, words.activityWindowDaysHelp)}
                  {textField(
                    "expectedLifespanYears",
                    words.expectedLifespanYears,
                    words.expectedLifespanYearsHelp,
                  )}
                  {textField("profitMarginPercent", words.profitMarginPercent, words.profitMarginPercentHelp)}
                  <Button submit variant="primary" loading={navigation.state === "submitting"}>
                    {words.save}
                  </Button>
                </FormLayout>
              </Form>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {words.otherSettings}
              </Text>
              <BlockStack gap="100">
                <Link to="/app/loyalty">{words.loyaltySettings}</Link>
                <Text as="p" variant="bodySm" tone="subdued">
                  {words.loyaltySettingsHelp}
                </Text>
              </BlockStack>
              <BlockStack gap="100">
                <Link to="/app/messaging">{words.messagingSettings}</Link>
                <Text as="p" variant="bodySm" tone="subdued">
                  {words.messagingSettingsHelp}
                </Text>
              </BlockStack>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
