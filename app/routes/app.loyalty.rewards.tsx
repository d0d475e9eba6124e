// /app/loyalty/rewards — the rewards catalogue (R-LOY-5): what members can redeem their points for
// (fixed amount off, % off, free shipping, a free product), each with an optional minimum order and
// validity. A bad reward is refused whole with the reason next to its field.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireAdmin } from "../admin.server";
import { LoyaltyRewardsPage } from "../components/loyalty/LoyaltyRewardsPage";
import prisma from "../db.server";
import { addReward, offerReward, rewardsPage, type RewardActionResult } from "../loyalty/admin-pages";
import type { RewardForm } from "../loyalty/rewards";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  return rewardsPage(prisma, shop);
};

const toggleForm = z.object({ rewardId: z.string(), active: z.enum(["true", "false"]) });
const text = z.string().catch("");
const rewardForm = z.object({
  kind: text,
  name: text,
  pointsCost: text,
  amount: text,
  percentOff: text,
  variantShopifyId: text,
  minimumSubtotal: text,
  validDays: text,
});

export const action = async ({ request }: ActionFunctionArgs): Promise<RewardActionResult> => {
  const { shop } = await requireAdmin(request);
  const data = Object.fromEntries(await request.formData());
  if (data.intent === "toggle") {
    const toggle = toggleForm.safeParse(data);
    if (!toggle.success) throw new Response("Not found", { status: 404 });
    const result = await offerReward(prisma, shop.id, toggle.data.rewardId, toggle.data.active === "true");
    // Another shop's reward (or none) is not found here.
    if (!result.ok) throw new Response("Not found", { status: 404 });
    return result;
  }
  // Every field is text here; the reward's own validation names what is wrong with each.
  const form: RewardForm = rewardForm.parse(data);
  return addReward(prisma, shop, form);
};

export default function LoyaltyRewards() {
  return <LoyaltyRewardsPage {...useLoaderData<typeof loader>()} />;
}
