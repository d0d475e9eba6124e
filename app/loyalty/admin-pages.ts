// What the loyalty admin pages load and do (/app/loyalty, /members, /rewards), so their routes stay
// thin: every read and write is scoped to the shop; results are data the page puts in the admin's
// language (the validation messages stay the domain's, named by field).
import type { Shop } from "@prisma/client";
import type { Database } from "../db/client";
import { AdjustmentError, adjustPoints } from "./adjustments";
import { InsufficientPointsError } from "./ledger";
import { loyaltyOverview } from "./overview";
import { loyaltyProgramFor, ProgramSettingsError, saveProgramSettings } from "./program";
import {
  createReward,
  RewardError,
  rewardInputFromForm,
  rewardsCatalogue,
  setRewardActive,
  type RewardForm,
} from "./rewards";
import {
  formPath,
  settingsFormFor,
  settingsFormSchema,
  settingsFromForm,
  SettingsFormError,
  type FieldError,
} from "./settings-form";

export async function loyaltySettingsPage(db: Database, shop: Pick<Shop, "id" | "currency">) {
  const program = await db.$transaction((tx) => loyaltyProgramFor(tx, shop.id));
  return {
    currency: shop.currency,
    form: settingsFormFor(program, shop.currency),
    overview: await loyaltyOverview(db, shop.id),
  };
}

export type SaveSettingsResult = { saved: true; errors: [] } | { saved: false; errors: FieldError[] };

/** Validates the whole settings form and saves it, or names every bad field and saves nothing. */
export async function saveLoyaltySettingsForm(
  db: Database,
  shop: Pick<Shop, "id" | "currency">,
  input: unknown,
  now: Date,
): Promise<SaveSettingsResult> {
  const parsed = settingsFormSchema.safeParse(input);
  if (!parsed.success)
    return { saved: false, errors: [{ path: "", message: "The form could not be read." }] };
  try {
    await saveProgramSettings(db, shop.id, settingsFromForm(parsed.data, shop.currency), now);
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
}

export type AdjustmentResult =
  | { ok: true; points: number; balance: number }
  | { ok: false; problem: "not_in_shop" }
  | { ok: false; problem: "too_few_points"; available: number }
  | { ok: false; problem: "invalid"; message: string };

/** A manual adjustment of a member of this shop (a member of another shop is refused). */
export async function adjustMemberPoints(
  db: Database,
  shopId: string,
  input: { memberId: string; points: number; reason: string; actor: string; adjustmentId: string },
  now: Date,
): Promise<AdjustmentResult> {
  const member = await db.loyaltyMember.findFirst({
    where: { id: input.memberId, shopId },
    select: { id: true },
  });
  if (!member) return { ok: false, problem: "not_in_shop" };
  try {
    const { entry } = await adjustPoints(db, shopId, { ...input, memberId: member.id }, now);
    return { ok: true, points: entry.pointsDelta, balance: entry.balanceAfter };
  } catch (error) {
    if (error instanceof AdjustmentError) return { ok: false, problem: "invalid", message: error.message };
    if (error instanceof InsufficientPointsError) {
      return { ok: false, problem: "too_few_points", available: error.available };
    }
    throw error;
  }
}

export async function rewardsPage(db: Database, shop: Pick<Shop, "id" | "currency">) {
  const rewards = await rewardsCatalogue(db, shop.id);
  return {
    currency: shop.currency,
    rewards: rewards.map((reward) => ({
      id: reward.id,
      name: reward.name,
      kind: reward.kind,
      pointsCost: reward.pointsCost,
      amountMinor: reward.amountMinor,
      currency: reward.currency,
      percentOff: reward.percentOff,
      variantShopifyId: reward.variantShopifyId,
      active: reward.active,
    })),
  };
}

export type RewardActionResult =
  | { ok: true; done: "added"; name: string; pointsCost: number }
  | { ok: true; done: "offered" | "withdrawn" }
  | { ok: false; errors: { path: string; message: string }[] };

export async function addReward(
  db: Database,
  shop: Pick<Shop, "id" | "currency">,
  form: RewardForm,
): Promise<RewardActionResult> {
  try {
    const reward = await createReward(db, shop.id, rewardInputFromForm(form, shop.currency));
    return { ok: true, done: "added", name: reward.name, pointsCost: reward.pointsCost };
  } catch (error) {
    if (error instanceof RewardError) return { ok: false, errors: error.issues };
    throw error;
  }
}

export async function offerReward(
  db: Database,
  shopId: string,
  rewardId: string,
  active: boolean,
): Promise<RewardActionResult> {
  try {
    await setRewardActive(db, shopId, rewardId, active);
    return { ok: true, done: active ? "offered" : "withdrawn" };
  } catch (error) {
    if (error instanceof RewardError) return { ok: false, errors: error.issues };
    throw error;
  }
}
