// The rewards catalogue (R-LOY-5): fixed amount off, % off, free shipping, a free product. Each
// reward is validated whole before it is saved; a bad one changes nothing.
import type { LoyaltyReward as StoredLoyaltyReward } from "@prisma/client";
import { z } from "zod";
import type { Database } from "../db/client";
import { MoneyError, toMinorUnits } from "../money/money";
import { fromStoredRow, type FromStored } from "../money/stored";
import type { CodeBenefit } from "./discount-codes";

/** A reward with its points cost and amounts as numbers. */
export type LoyaltyReward = FromStored<StoredLoyaltyReward>;

const common = {
  name: z.string().trim().min(1, "needs a name").max(100),
  pointsCost: z.number().int().min(1, "must cost at least 1 point").max(10_000_000),
  minimumSubtotalMinor: z.number().int().min(1).nullable().default(null),
  validDays: z.number().int().min(1).max(3650).nullable().default(null),
  active: z.boolean().default(true),
};

export const rewardSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("fixed_amount"),
    amountMinor: z.number().int().min(1, "must be more than 0"),
    currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO currency code"),
    ...common,
  }),
  z.object({ kind: z.literal("percentage"), percentOff: z.number().int().min(1).max(100), ...common }),
  z.object({ kind: z.literal("free_shipping"), ...common }),
  z.object({
    kind: z.literal("free_product"),
    variantShopifyId: z.string().regex(/^\d+$/, "must be a variant id"),
    ...common,
  }),
]);

export type RewardInput = z.input<typeof rewardSchema>;

export class RewardError extends Error {
  constructor(readonly issues: { path: string; message: string }[]) {
    super(`invalid reward: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ")}`);
  }
}

function parseReward(input: unknown) {
  const parsed = rewardSchema.safeParse(input);
  if (!parsed.success) {
    throw new RewardError(
      parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
    );
  }
  const reward = parsed.data;
  return {
    name: reward.name,
    kind: reward.kind,
    pointsCost: reward.pointsCost,
    amountMinor: reward.kind === "fixed_amount" ? reward.amountMinor : null,
    currency: reward.kind === "fixed_amount" ? reward.currency : null,
    percentOff: reward.kind === "percentage" ? reward.percentOff : null,
    variantShopifyId: reward.kind === "free_product" ? reward.variantShopifyId : null,
    minimumSubtotalMinor: reward.minimumSubtotalMinor,
    validDays: reward.validDays,
    active: reward.active,
  };
}

export async function createReward(db: Database, shopId: string, input: unknown): Promise<LoyaltyReward> {
  return fromStoredRow(await db.loyaltyReward.create({ data: { shopId, ...parseReward(input) } }));
}

export async function updateReward(
  db: Database,
  shopId: string,
  rewardId: string,
  input: unknown,
): Promise<LoyaltyReward> {
  const data = parseReward(input);
  const { count } = await db.loyaltyReward.updateMany({ where: { id: rewardId, shopId }, data });
  if (count !== 1) throw new RewardError([{ path: "id", message: "no such reward in this shop" }]);
  return fromStoredRow(await db.loyaltyReward.findUniqueOrThrow({ where: { id: rewardId } }));
}

export async function activeRewards(db: Database, shopId: string): Promise<LoyaltyReward[]> {
  const rewards = await db.loyaltyReward.findMany({
    where: { shopId, active: true },
    orderBy: [{ pointsCost: "asc" }, { id: "asc" }],
  });
  return rewards.map((reward) => fromStoredRow(reward));
}

/** What the reward's code gives. */
export function rewardBenefit(reward: LoyaltyReward): CodeBenefit {
  if (reward.kind === "fixed_amount" && reward.amountMinor !== null && reward.currency !== null) {
    return { kind: "fixed_amount", amountMinor: reward.amountMinor, currency: reward.currency };
  }
  if (reward.kind === "percentage" && reward.percentOff !== null)
    return { kind: "percentage", percentOff: reward.percentOff };
  if (reward.kind === "free_shipping") return { kind: "free_shipping" };
  if (reward.kind === "free_product" && reward.variantShopifyId !== null) {
    return { kind: "free_product", variantShopifyId: reward.variantShopifyId };
  }
  throw new Error(`reward ${reward.id} is incomplete for its kind ${reward.kind}`);
}

/** The catalogue form as the merchant fills it: amounts in the shop's currency ("5.00"). */
export type RewardForm = {
  kind: string;
  name: string;
  pointsCost: string;
  amount: string;
  percentOff: string;
  variantShopifyId: string;
  minimumSubtotal: string;
  validDays: string;
};

/** Maps the form to a reward input (money to minor units); every unreadable field is reported. */
export function rewardInputFromForm(form: RewardForm, currency: string): unknown {
  const issues: { path: string; message: string }[] = [];
  const whole = (path: string, value: string): number | null => {
    if (value.trim() === "") return null;
    if (!/^\d+$/.test(value.trim())) {
      issues.push({ path, message: "must be a whole number" });
      return null;
    }
    return Number(value.trim());
  };
  const money = (path: string, value: string): number | null => {
    if (value.trim() === "") return null;
    try {
      return toMinorUnits(value.trim(), currency);
    } catch (error) {
      issues.push({ path, message: error instanceof MoneyError ? error.message : "must be an amount" });
      return null;
    }
  };
  const input = {
    kind: form.kind,
    name: form.name,
    pointsCost: whole("pointsCost", form.pointsCost) ?? 0,
    minimumSubtotalMinor: money("minimumSubtotalMinor", form.minimumSubtotal),
    validDays: whole("validDays", form.validDays),
    ...(form.kind === "fixed_amount"
      ? { amountMinor: money("amountMinor", form.amount) ?? 0, currency }
      : {}),
    ...(form.kind === "percentage" ? { percentOff: whole("percentOff", form.percentOff) ?? 0 } : {}),
    ...(form.kind === "free_product" ? { variantShopifyId: form.variantShopifyId.trim() } : {}),
  };
  if (issues.length > 0) throw new RewardError(issues);
  return input;
}

/** Every reward of the shop, active first, cheapest first. */
export async function rewardsCatalogue(db: Database, shopId: string): Promise<LoyaltyReward[]> {
  const rewards = await db.loyaltyReward.findMany({
    where: { shopId },
    orderBy: [{ active: "desc" }, { pointsCost: "asc" }, { id: "asc" }],
  });
  return rewards.map((reward) => fromStoredRow(reward));
}

/** Turns a reward on or off for redemption; rewards already redeemed keep their codes. */
export async function setRewardActive(
  db: Database,
  shopId: string,
  rewardId: string,
  active: boolean,
): Promise<void> {
  const { count } = await db.loyaltyReward.updateMany({ where: { id: rewardId, shopId }, data: { active } });
  if (count !== 1) throw new RewardError([{ path: "id", message: "no such reward in this shop" }]);
}
