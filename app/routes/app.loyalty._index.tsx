// /app/loyalty — the loyalty program's settings (R-LOY-2…8) and its figures. Saving validates the
// whole form first: a bad field is shown next to itself and nothing is saved.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
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
import { requireAdmin } from "../admin.server";
import prisma from "../db.server";
import { loyaltyOverview } from "../loyalty/overview";
import { loyaltyProgramFor, ProgramSettingsError, saveProgramSettings } from "../loyalty/program";
import {
  formPath,
  settingsFormFor,
  settingsFormSchema,
  settingsFromForm,
  SettingsFormError,
  type FieldError,
  type LoyaltySettingsForm,
  type TierRow,
} from "../loyalty/settings-form";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const program = await prisma.$transaction((tx) => loyaltyProgramFor(tx, shop.id));
  return {
    currency: shop.currency,
    form: settingsFormFor(program, shop.currency),
    overview: await loyaltyOverview(prisma, shop.id),
  };
};

type ActionResult = { saved: true; errors: [] } | { saved: false; errors: FieldError[] };

export const action = async ({ request, context }: ActionFunctionArgs): Promise<ActionResult> => {
  const { shop } = await requireAdmin(request);
  const parsed = settingsFormSchema.safeParse(await request.json().catch(() => null));
  if (!parsed.success)
    return { saved: false, errors: [{ path: "", message: "The form could not be read." }] };
  try {
    await saveProgramSettings(
      prisma,
      shop.id,
      settingsFromForm(parsed.data, shop.currency),
      context.clock.now(),
    );
    return { saved: true, errors: [] };
  } catch (error) {
    if (error instanceof SettingsFormError) return { saved: false, errors: error.errors };
    if (error instanceof ProgramSettingsError) {
      return {
        saved: false,
        errors: error.issues.map((issue) => ({ path: formPath(issue.path), message: issue.message })),
      };
    }
    throw error;
  }
};

const metricOptions = [
  { label: "Amount spent", value: "spend" },
  { label: "Points earned", value: "points" },
  { label: "Number of orders", value: "orders" },
];
const periodOptions = [
  { label: "Calendar year", value: "calendar_year" },
  { label: "Last 12 months", value: "rolling_12_months" },
  { label: "Lifetime", value: "lifetime" },
];
const cashbackOptions = [
  { label: "Shopify store credit", value: "store_credit" },
  { label: "Discount code", value: "discount_code" },
];

export default function LoyaltySettings() {
  const { currency, form: stored, overview } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const [form, setForm] = useState<LoyaltySettingsForm>(stored);
  const errors = result?.errors ?? [];
  const errorFor = (path: string) => errors.find((error) => error.path === path)?.message;
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
      title="Loyalty program"
      primaryAction={{ content: "Save", onAction: save, loading: navigation.state === "submitting" }}
      secondaryActions={[
        { content: "Members", url: "/app/loyalty/members" },
        { content: "Rewards", url: "/app/loyalty/rewards" },
        { content: "Export ledger (CSV)", url: "/app/loyalty/ledger.csv", external: true },
      ]}
    >
      <TitleBar title="Loyalty program" />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result?.saved ? <Banner tone="success" title="Loyalty settings saved" /> : null}
            {errors.length > 0 ? (
              <Banner tone="critical" title="Nothing was saved: please correct the fields below">
                <ul>
                  {errors.map((error) => (
                    <li key={`${error.path}:${error.message}`}>{error.message}</li>
                  ))}
                </ul>
              </Banner>
            ) : null}
            <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
              <Figure label="Members" value={overview.members} testId="loyalty-members" />
              <Figure label="Points available" value={overview.pointsAvailable} testId="loyalty-available" />
              <Figure label="Points pending" value={overview.pointsPending} testId="loyalty-pending" />
              <Figure
                label="Referrals rewarded"
                value={overview.referralsRewarded}
                testId="loyalty-referrals"
              />
            </InlineGrid>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Earning
                </Text>
                <FormLayout>
                  <Checkbox label="Loyalty program is on" checked={form.enabled} onChange={set("enabled")} />
                  <FormLayout.Group>
                    {numberField("pointsPerCurrencyUnit", `Points per 1 ${currency} spent`)}
                    {numberField("pendingDays", "Days points stay pending", "Usually your returns window")}
                  </FormLayout.Group>
                  <Checkbox
                    label="Shipping earns points"
                    checked={form.includeShipping}
                    onChange={set("includeShipping")}
                  />
                  <Checkbox
                    label="Taxes earn points"
                    checked={form.includeTaxes}
                    onChange={set("includeTaxes")}
                  />
                </FormLayout>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Bonus points and referrals
                </Text>
                <FormLayout>
                  <FormLayout.Group>
                    {numberField("signupPoints", "Signing up")}
                    {numberField("birthdayPoints", "Birthday (once a year)")}
                    {numberField("reviewPoints", "Writing a review")}
                  </FormLayout.Group>
                  <FormLayout.Group>
                    {numberField("referrerPoints", "Referrer, after the friend's first order")}
                    {numberField("friendPoints", "Referred friend's welcome")}
                    {numberField("referralMonthlyLimit", "Rewarded referrals per member per month")}
                  </FormLayout.Group>
                </FormLayout>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Cashback and expiry
                </Text>
                <FormLayout>
                  <FormLayout.Group>
                    <TextField
                      label="Cashback (% of the eligible amount, 0 = off)"
                      autoComplete="off"
                      value={form.cashbackPercent}
                      onChange={set("cashbackPercent")}
                      error={errorFor("cashbackPercent")}
                    />
                    <Select
                      label="Paid as"
                      options={cashbackOptions}
                      value={form.cashbackMethod}
                      onChange={(value) =>
                        set("cashbackMethod")(value === "discount_code" ? "discount_code" : "store_credit")
                      }
                    />
                  </FormLayout.Group>
                  <Checkbox
                    label="Points expire after a period without earning or redeeming"
                    checked={form.expiryEnabled}
                    onChange={set("expiryEnabled")}
                  />
                  {form.expiryEnabled ? (
                    <FormLayout.Group>
                      {numberField("expiryMonths", "Months of inactivity")}
                      {numberField("expiryWarningDays", "Warn this many days before")}
                    </FormLayout.Group>
                  ) : null}
                </FormLayout>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  VIP tiers
                </Text>
                <Checkbox label="Use VIP tiers" checked={form.tiersEnabled} onChange={set("tiersEnabled")} />
                {form.tiersEnabled ? (
                  <FormLayout>
                    <FormLayout.Group>
                      <Select
                        label="Qualify by"
                        options={metricOptions}
                        value={form.tierMetric}
                        onChange={(value) => set("tierMetric")(value as LoyaltySettingsForm["tierMetric"])}
                      />
                      <Select
                        label="Counted over"
                        options={periodOptions}
                        value={form.tierPeriod}
                        onChange={(value) => set("tierPeriod")(value as LoyaltySettingsForm["tierPeriod"])}
                      />
                      {numberField("tierGraceDays", "Grace days before moving down")}
                    </FormLayout.Group>
                    {errorFor("tiers") ? (
                      <Text as="p" tone="critical">
                        {errorFor("tiers")}
                      </Text>
                    ) : null}
                    {form.tiers.map((tier, index) => (
                      <FormLayout.Group key={index}>
                        <TextField
                          label="Tier name"
                          autoComplete="off"
                          value={tier.name}
                          onChange={(name) => setTier(index, { name })}
                          error={errorFor(`tiers.${index}.name`)}
                        />
                        <TextField
                          label={form.tierMetric === "spend" ? `From (${currency})` : "From"}
                          autoComplete="off"
                          value={tier.threshold}
                          onChange={(threshold) => setTier(index, { threshold })}
                          error={errorFor(`tiers.${index}.threshold`)}
                        />
                        <TextField
                          label="Points multiplier (×)"
                          autoComplete="off"
                          value={tier.multiplier}
                          onChange={(multiplier) => setTier(index, { multiplier })}
                          error={errorFor(`tiers.${index}.multiplier`)}
                        />
                        <TextField
                          label="Perks (one per line)"
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
                          Remove
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
                        Add tier
                      </Button>
                    </InlineStack>
                  </FormLayout>
                ) : null}
              </BlockStack>
            </Card>
            <InlineStack align="end">
              <Button variant="primary" onClick={save} loading={navigation.state === "submitting"}>
                Save
              </Button>
            </InlineStack>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function Figure({ label, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm">
          {label}
        </Text>
        <Text as="p" variant="headingLg">
          <span data-testid={testId}>{value.toLocaleString("en")}</span>
        </Text>
      </BlockStack>
    </Card>
  );
}
