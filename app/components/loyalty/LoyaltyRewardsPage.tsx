// The rewards catalogue page (/app/loyalty/rewards): add a reward, withdraw or offer one again.
import { Form, useActionData, useNavigation } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  FormLayout,
  InlineGrid,
  Page,
  Select,
} from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { fill, useAdminLocale, useMessages } from "../../i18n/catalogue";
import { useErrorText } from "../../i18n/errors";
import { loyaltyMessages } from "../../i18n/messages/loyalty";
import type { RewardActionResult, rewardsPage } from "../../loyalty/admin-pages";
import type { RewardForm } from "../../loyalty/rewards";
import { toDecimalAmount } from "../../money/money";
import { useFormFields } from "../useFormFields";

type RewardRow = Awaited<ReturnType<typeof rewardsPage>>["rewards"][number];

interface Props {
  currency: string;
  rewards: RewardRow[];
}

// Form fields named by the reward's stored fields in errors.
const errorField: Record<string, string> = { amountMinor: "amount", minimumSubtotalMinor: "minimumSubtotal" };

export function LoyaltyRewardsPage({ currency, rewards }: Props) {
  const words = useMessages(loyaltyMessages);
  const errorText = useErrorText(loyaltyMessages);
  const locale = useAdminLocale();
  const result = useActionData<RewardActionResult>();
  const navigation = useNavigation();
  const errors = result && !result.ok ? result.errors : [];
  const {
    values: form,
    set,
    textField: text,
  } = useFormFields<RewardForm>(
    {
      kind: "fixed_amount",
      name: "",
      pointsCost: "",
      amount: "",
      percentOff: "",
      variantShopifyId: "",
      minimumSubtotal: "",
      validDays: "",
    },
    errors.map((error) => ({
      field: errorField[error.path] ?? error.path,
      message: errorText(error.message),
    })),
  );
  const gives = (reward: RewardRow): string => {
    if (reward.kind === "fixed_amount" && reward.amountMinor !== null && reward.currency) {
      const amount = new Intl.NumberFormat(locale, { style: "currency", currency: reward.currency }).format(
        Number(toDecimalAmount(reward.amountMinor, reward.currency)),
      );
      return fill(words.givesAmount, { amount });
    }
    if (reward.kind === "percentage") return fill(words.givesPercent, { percent: reward.percentOff ?? 0 });
    if (reward.kind === "free_shipping") return words.kindFreeShipping;
    return fill(words.givesFreeProduct, { variant: reward.variantShopifyId ?? "?" });
  };
  return (
    <Page title={words.rewardsTitle} backAction={{ content: words.title, url: "/app/loyalty" }}>
      <TitleBar title={words.rewardsTitle} />
      <BlockStack gap="400">
        {result?.ok ? (
          <Banner
            tone="success"
            title={
              result.done === "added"
                ? fill(words.rewardAdded, { name: result.name, points: result.pointsCost })
                : result.done === "offered"
                  ? words.rewardOffered
                  : words.rewardWithdrawn
            }
          />
        ) : null}
        {errors.length > 0 ? (
          <Banner tone="critical" title={words.rewardNotAdded}>
            {/* A problem with no field of the form (a reward of another shop) is listed here. */}
            {errors
              .filter((error) => error.path === "id")
              .map((error) => (
                <p key={error.message}>{errorText(error.message)}</p>
              ))}
          </Banner>
        ) : null}
        <Card>
          <Form method="post">
            <FormLayout>
              <InlineGrid columns={3} gap="300">
                <Select
                  label={words.rewardKind}
                  name="kind"
                  options={[
                    { label: words.kindFixed, value: "fixed_amount" },
                    { label: words.kindPercentage, value: "percentage" },
                    { label: words.kindFreeShipping, value: "free_shipping" },
                    { label: words.kindFreeProduct, value: "free_product" },
                  ]}
                  value={form.kind}
                  onChange={set("kind")}
                />
                {text("name", words.rewardName)}
                {text("pointsCost", words.pointsCost)}
              </InlineGrid>
              <InlineGrid columns={3} gap="300">
                {form.kind === "fixed_amount" ? text("amount", fill(words.amountOff, { currency })) : null}
                {form.kind === "percentage" ? text("percentOff", words.percentOff) : null}
                {form.kind === "free_product" ? text("variantShopifyId", words.variantId) : null}
                {text("minimumSubtotal", fill(words.minimumOrder, { currency }))}
                {text("validDays", words.validDays)}
              </InlineGrid>
              <Button submit variant="primary" loading={navigation.state === "submitting"}>
                {words.addReward}
              </Button>
            </FormLayout>
          </Form>
        </Card>
        <Card padding="0">
          <DataTable
            columnContentTypes={["text", "text", "numeric", "text", "text"]}
            headings={[
              words.columnReward,
              words.columnGives,
              words.columnPoints,
              words.columnOffered,
              words.columnActions,
            ]}
            rows={rewards.map((reward) => [
              reward.name,
              gives(reward),
              reward.pointsCost.toLocaleString(locale),
              reward.active ? words.yes : words.no,
              <Form method="post" key={reward.id}>
                <input type="hidden" name="intent" value="toggle" />
                <input type="hidden" name="rewardId" value={reward.id} />
                <input type="hidden" name="active" value={reward.active ? "false" : "true"} />
                <Button submit variant="plain">
                  {reward.active ? words.withdraw : words.offerAgain}
                </Button>
              </Form>,
            ])}
          />
        </Card>
      </BlockStack>
    </Page>
  );
}
