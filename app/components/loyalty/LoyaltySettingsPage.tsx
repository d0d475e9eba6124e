// The loyalty program's settings page (/app/loyalty): the figures, earning, bonuses, cashback and
// expiry, VIP tiers. Saving sends the whole form; the server names every bad field and saves nothing.
import { useActionData, useNavigation, useSubmit } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  Checkbox,
  FormLayout,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useState } from "react";
import { fill, useAdminLocale, useMessages } from "../../i18n/catalogue";
import { useErrorText } from "../../i18n/errors";
import { loyaltyMessages } from "../../i18n/messages/loyalty";
import type { SaveSettingsResult } from "../../loyalty/admin-pages";
import type { LoyaltyOverview } from "../../loyalty/overview";
import type { LoyaltySettingsForm, TierRow } from "../../loyalty/settings-form";

interface Props {
  currency: string;
  form: LoyaltySettingsForm;
  overview: LoyaltyOverview;
}

export function LoyaltySettingsPage({ currency, form: stored, overview }: Props) {
  const words = useMessages(loyaltyMessages);
  const errorText = useErrorText(loyaltyMessages);
  const result = useActionData<SaveSettingsResult>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const [form, setForm] = useState<LoyaltySettingsForm>(stored);
  const errors = result?.errors ?? [];
  const errorFor = (path: string) => {
    const found = errors.find((error) => error.path === path);
    return found ? errorText(found.message) : undefined;
  };
  const set =
    <K extends keyof LoyaltySettingsForm>(key: K) =>
    (value: LoyaltySettingsForm[K]) =>
      setForm((current) => ({ ...current, [key]: value }));
  const setTier = (index: number, change: Partial<TierRow>) =>
    setForm((current) => ({
      ...current,
      tiers: current.tiers.map((tier, position) => (position === index ? { ...tier, ...change } : tier)),
    }));
  const numberField = (key: keyof LoyaltySettingsForm, label: string, help?: string) => (
    <TextField
      label={label}
      type="number"
      autoComplete="off"
      value={String(form[key])}
      onChange={set(key) as (value: string) => void}
      error={errorFor(key)}
      helpText={help}
    />
  );
  const save = () => submit(form, { method: "post", encType: "application/json" });

  return (
    <Page
      title={words.title}
      primaryAction={{ content: words.save, onAction: save, loading: navigation.state === "submitting" }}
      secondaryActions={[
        { content: words.members, url: "/app/loyalty/members" },
        { content: words.rewards, url: "/app/loyalty/rewards" },
        { content: words.exportLedger, url: "/app/loyalty/ledger.csv", external: true },
      ]}
    >
      <TitleBar title={words.title} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result?.saved ? <Banner tone="success" title={words.saved} /> : null}
            {errors.length > 0 ? (
              <Banner tone="critical" title={words.notSaved}>
                <ul>
                  {errors.map((error) => (
                    <li key={`${error.path}:${error.message}`}>
                      {error.path === "" ? words.formUnreadable : errorText(error.message)}
                    </li>
                  ))}
                </ul>
              </Banner>
            ) : null}
            <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
              <Figure label={words.figureMembers} value={overview.members} testId="loyalty-members" />
              <Figure
                label={words.figureAvailable}
                value={overview.pointsAvailable}
                testId="loyalty-available"
              />
              <Figure label={words.figurePending} value={overview.pointsPending} testId="loyalty-pending" />
              <Figure
                label={words.figureReferrals}
                value={overview.referralsRewarded}
                testId="loyalty-referrals"
              />
            </InlineGrid>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {words.earning}
                </Text>
                <FormLayout>
                  <Checkbox label={words.programOn} checked={form.enabled} onChange={set("enabled")} />
                  <FormLayout.Group>
                    {numberField("pointsPerCurrencyUnit", fill(words.pointsPerUnit, { currency }))}
                    {numberField("pendingDays", words.pendingDays, words.pendingDaysHelp)}
                  </FormLayout.Group>
                  <Checkbox
                    label={words.includeShipping}
                    checked={form.includeShipping}
                    onChange={set("includeShipping")}
                  />
                  <Checkbox
                    label={words.includeTaxes}
                    checked={form.includeTaxes}
                    onChange={set("includeTaxes")}
                  />
                </FormLayout>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {words.bonuses}
                </Text>
                <FormLayout>
                  <FormLayout.Group>
                    {numberField("signupPoints", words.signupPoints)}
                    {numberField("birthdayPoints", words.birthdayPoints)}
                    {numberField("reviewPoints", words.reviewPoints)}
                  </FormLayout.Group>
                  <FormLayout.Group>
                    {numberField("referrerPoints", words.referrerPoints)}
                    {numberField("friendPoints", words.friendPoints)}
                    {numberField("referralMonthlyLimit", words.referralLimit)}
                  </FormLayout.Group>
                </FormLayout>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {words.cashbackExpiry}
                </Text>
                <FormLayout>
                  <FormLayout.Group>
                    <TextField
                      label={words.cashbackPercent}
                      autoComplete="off"
                      value={form.cashbackPercent}
                      onChange={set("cashbackPercent")}
                      error={errorFor("cashbackPercent")}
                    />
                    <Select
                      label={words.paidAs}
                      options={[
                        { label: words.storeCredit, value: "store_credit" },
                        { label: words.discountCode, value: "discount_code" },
                      ]}
                      value={form.cashbackMethod}
                      onChange={(value) =>
                        set("cashbackMethod")(value === "discount_code" ? "discount_code" : "store_credit")
                      }
                    />
                  </FormLayout.Group>
                  <Checkbox
                    label={words.expiryEnabled}
                    checked={form.expiryEnabled}
                    onChange={set("expiryEnabled")}
                  />
                  {form.expiryEnabled ? (
                    <FormLayout.Group>
                      {numberField("expiryMonths", words.expiryMonths)}
                      {numberField("expiryWarningDays", words.expiryWarningDays)}
                    </FormLayout.Group>
                  ) : null}
                </FormLayout>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {words.tiers}
                </Text>
                <Checkbox
                  label={words.tiersEnabled}
                  checked={form.tiersEnabled}
                  onChange={set("tiersEnabled")}
                />
                {form.tiersEnabled ? (
                  <FormLayout>
                    <FormLayout.Group>
                      <Select
                        label={words.qualifyBy}
                        options={[
                          { label: words.metricSpend, value: "spend" },
                          { label: words.metricPoints, value: "points" },
                          { label: words.metricOrders, value: "orders" },
                        ]}
                        value={form.tierMetric}
                        onChange={(value) => set("tierMetric")(value as LoyaltySettingsForm["tierMetric"])}
                      />
                      <Select
                        label={words.countedOver}
                        options={[
                          { label: words.periodCalendarYear, value: "calendar_year" },
                          { label: words.periodRolling, value: "rolling_12_months" },
                          { label: words.periodLifetime, value: "lifetime" },
                        ]}
                        value={form.tierPeriod}
                        onChange={(value) => set("tierPeriod")(value as LoyaltySettingsForm["tierPeriod"])}
                      />
                      {numberField("tierGraceDays", words.graceDays)}
                    </FormLayout.Group>
                    {errorFor("tiers") !== undefined ? (
                      <Text as="p" tone="critical">
                        {errorFor("tiers")}
                      </Text>
                    ) : null}
                    {form.tiers.map((tier, index) => (
                      <FormLayout.Group key={index}>
                        <TextField
                          label={words.tierName}
                          autoComplete="off"
                          value={tier.name}
                          onChange={(name) => setTier(index, { name })}
                          error={errorFor(`tiers.${index}.name`)}
                        />
                        <TextField
                          label={
                            form.tierMetric === "spend"
                              ? fill(words.tierFromCurrency, { currency })
                              : words.tierFrom
                          }
                          autoComplete="off"
                          value={tier.threshold}
                          onChange={(threshold) => setTier(index, { threshold })}
                          error={errorFor(`tiers.${index}.threshold`)}
                        />
                        <TextField
                          label={words.multiplier}
                          autoComplete="off"
                          value={tier.multiplier}
                          onChange={(multiplier) => setTier(index, { multiplier })}
                          error={errorFor(`tiers.${index}.multiplier`)}
                        />
                        <TextField
                          label={words.perks}
                          autoComplete="off"
                          multiline={2}
                          value={tier.perks}
                          onChange={(perks) => setTier(index, { perks })}
                        />
                        <Button
                          tone="critical"
                          variant="plain"
                          onClick={() =>
                            setForm((current) => ({
                              ...current,
                              tiers: current.tiers.filter((_, position) => position !== index),
                            }))
                          }
                        >
                          {words.remove}
                        </Button>
                      </FormLayout.Group>
                    ))}
                    <InlineStack>
                      <Button
                        onClick={() =>
                          setForm((current) => ({
                            ...current,
                            tiers: [
                              ...current.tiers,
                              { id: "", name: "", threshold: "", multiplier: "1.00", perks: "" },
                            ],
                          }))
                        }
                      >
                        {words.addTier}
                      </Button>
                    </InlineStack>
                  </FormLayout>
                ) : null}
              </BlockStack>
            </Card>
            <InlineStack align="end">
              <Button variant="primary" onClick={save} loading={navigation.state === "submitting"}>
                {words.save}
              </Button>
            </InlineStack>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function Figure({ label, value, testId }: { label: string; value: number; testId: string }) {
  const locale = useAdminLocale();
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm">
          {label}
        </Text>
        <Text as="p" variant="headingLg">
          <span data-testid={testId}>{value.toLocaleString(locale)}</span>
        </Text>
      </BlockStack>
    </Card>
  );
}
