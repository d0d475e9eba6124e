// /app/loyalty/rewards — the rewards catalogue (R-LOY-5): what members can redeem their points for
// (fixed amount off, % off, free shipping, a free product), each with an optional minimum order and
// validity. A bad reward is refused whole with the reason next to its field.
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
  Page,
  Select,
} from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { requireAdmin } from "../admin.server";
import { useFormFields } from "../components/useFormFields";
import prisma from "../db.server";
import { toDecimalAmount } from "../money/money";
import {
  createReward,
  RewardError,
  rewardInputFromForm,
  rewardsCatalogue,
  setRewardActive,
  type RewardForm,
} from "../loyalty/rewards";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const rewards = await rewardsCatalogue(prisma, shop.id);
  return {
    currency: shop.currency,
    rewards: rewards.map((reward) => ({
      id: reward.id,
      name: reward.name,
      kind: reward.kind,
      pointsCost: reward.pointsCost,
      value:
        reward.kind === "fixed_amount" && reward.amountMinor !== null && reward.currency
          ? `${toDecimalAmount(reward.amountMinor, reward.currency)} ${reward.currency} off`
          : reward.kind === "percentage"
            ? `${reward.percentOff ?? 0}% off`
            : reward.kind === "free_shipping"
              ? "Free shipping"
              : `Free product (variant ${reward.variantShopifyId ?? "?"})`,
      active: reward.active,
    })),
  };
};

type ActionResult =
  { ok: true; message: string } | { ok: false; errors: { path: string; message: string }[] };

const fields = [
  "kind",
  "name",
  "pointsCost",
  "amount",
  "percentOff",
  "variantShopifyId",
  "minimumSubtotal",
  "validDays",
] as const;

export const action = async ({ request }: ActionFunctionArgs): Promise<ActionResult> => {
  const { shop } = await requireAdmin(request);
  const data = await request.formData();
  const form = Object.fromEntries(fields.map((name) => [name, String(data.get(name) ?? "")])) as RewardForm;
  try {
    if (data.get("intent") === "toggle") {
      await setRewardActive(prisma, shop.id, String(data.get("rewardId")), data.get("active") === "true");
      return {
        ok: true,
        message: data.get("active") === "true" ? "Reward offered again." : "Reward withdrawn.",
      };
    }
    const reward = await createReward(prisma, shop.id, rewardInputFromForm(form, shop.currency));
    return { ok: true, message: `Added “${reward.name}” for ${reward.pointsCost} points.` };
  } catch (error) {
    if (error instanceof RewardError) return { ok: false, errors: error.issues };
    throw error;
  }
};

const kindOptions = [
  { label: "Fixed amount off", value: "fixed_amount" },
  { label: "Percentage off", value: "percentage" },
  { label: "Free shipping", value: "free_shipping" },
  { label: "Free product", value: "free_product" },
];

// Form fields named by the reward's stored fields in errors.
const errorField: Record<string, string> = { amountMinor: "amount", minimumSubtotalMinor: "minimumSubtotal" };

export default function LoyaltyRewards() {
  const { currency, rewards } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
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
    errors.map((error) => ({ field: errorField[error.path] ?? error.path, message: error.message })),
  );
  return (
    <Page title="Rewards" backAction={{ content: "Loyalty program", url: "/app/loyalty" }}>
      <TitleBar title="Rewards" />
      <BlockStack gap="400">
        {result?.ok ? <Banner tone="success" title={result.message} /> : null}
        {errors.length > 0 ? (
          <Banner tone="critical" title="The reward was not added: please correct the fields marked below" />
        ) : null}
        <Card>
          <Form method="post">
            <FormLayout>
              <InlineGrid columns={3} gap="300">
                <Select
                  label="Reward"
                  name="kind"
                  options={kindOptions}
                  value={form.kind}
                  onChange={set("kind")}
                />
                {text("name", "Name shoppers see")}
                {text("pointsCost", "Points it costs")}
              </InlineGrid>
              <InlineGrid columns={3} gap="300">
                {form.kind === "fixed_amount" ? text("amount", `Amount off (${currency})`) : null}
                {form.kind === "percentage" ? text("percentOff", "Percent off") : null}
                {form.kind === "free_product" ? text("variantShopifyId", "Product variant id") : null}
                {text("minimumSubtotal", `Minimum order (${currency}, optional)`)}
                {text("validDays", "Valid for days (optional)")}
              </InlineGrid>
              <Button submit variant="primary" loading={navigation.state === "submitting"}>
                Add reward
              </Button>
            </FormLayout>
          </Form>
        </Card>
        <Card padding="0">
          <DataTable
            columnContentTypes={["text", "text", "numeric", "text", "text"]}
            headings={["Reward", "Gives", "Points", "Offered", ""]}
            rows={rewards.map((reward) => [
              reward.name,
              reward.value,
              reward.pointsCost,
              reward.active ? "Yes" : "No",
              <Form method="post" key={reward.id}>
                <input type="hidden" name="intent" value="toggle" />
                <input type="hidden" name="rewardId" value={reward.id} />
                <input type="hidden" name="active" value={reward.active ? "false" : "true"} />
                <Button submit variant="plain">
                  {reward.active ? "Withdraw" : "Offer again"}
                </Button>
              </Form>,
            ])}
          />
        </Card>
      </BlockStack>
    </Page>
  );
}
