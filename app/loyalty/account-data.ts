// What the customer-account block (extensions/loyalty-account) shows a signed-in shopper: their
// spendable and pending points, their VIP tier and the next one, the rewards they can afford now and
// how far the cheapest other one is — and redeeming one of them. Reading never creates a member.
import type { Database } from "../db/client";
import { fromStoredRow } from "../money/stored";
import { tierRulesOf } from "./program";
import type { Redemption, RedemptionOptions } from "./redemption";
import { activeRewards, type LoyaltyReward } from "./rewards";
import { redeemShopperReward, type StorefrontShopper } from "./storefront";
import { memberTier } from "./vip";

export interface AccountReward {
  id: string;
  name: string;
  kind: string;
  pointsCost: number;
  /** fixed_amount: minor units of `currency`. */
  amountMinor: number | null;
  currency: string | null;
  percentOff: number | null;
  minimumSubtotalMinor: number | null;
  validDays: number | null;
}

export interface AccountTier {
  id: string;
  name: string;
  perks: string[];
  earnMultiplierPercent: number;
}

export interface AccountLoyalty {
  /** False while the merchant has not launched the program: the block shows nothing to spend. */
  programActive: boolean;
  /** The shop's currency (ISO 4217), for amounts. */
  currency: string;
  pointsBalance: number;
  pendingPoints: number;
  tier: AccountTier | null;
  /** The tier above, with what it takes (metric over period, as the program counts it). */
  nextTier: (AccountTier & { threshold: number; metric: string; period: string }) | null;
  /** Active rewards the balance covers, cheapest first. */
  affordableRewards: AccountReward[];
  /** The cheapest reward the balance does not cover yet, and the points still missing. */
  nextReward: (AccountReward & { pointsNeeded: number }) | null;
}

function accountReward(reward: LoyaltyReward): AccountReward {
  return {
    id: reward.id,
    name: reward.name,
    kind: reward.kind,
    pointsCost: reward.pointsCost,
    amountMinor: reward.amountMinor,
    currency: reward.currency,
    percentOff: reward.percentOff,
    minimumSubtotalMinor: reward.minimumSubtotalMinor,
    validDays: reward.validDays,
  };
}

/** The signed-in shopper's loyalty standing, for the customer-account block. */
export async function accountLoyaltyFor(db: Database, shopper: StorefrontShopper): Promise<AccountLoyalty> {
  const { shop, customer } = shopper;
  const [program, member] = await Promise.all([
    db.loyaltyProgram.findUnique({ where: { shopId: shop.id } }),
    db.loyaltyMember
      .findUnique({ where: { shopId_customerId: { shopId: shop.id, customerId: customer.id } } })
      .then((row) => fromStoredRow(row)),
  ]);
  const programActive = program?.enabled ?? false;
  const pointsBalance = member?.pointsBalance ?? 0;
  const rules = program ? tierRulesOf(program) : null;
  const tier = member ? memberTier(rules, member) : null;
  const tierIndex = tier && rules ? rules.tiers.findIndex((candidate) => candidate.id === tier.id) : -1;
  const above = rules?.tiers[tierIndex + 1] ?? null;
  const rewards = programActive ? await activeRewards(db, shop.id) : [];
  const affordable = rewards.filter((reward) => reward.pointsCost <= pointsBalance);
  const next = rewards.find((reward) => reward.pointsCost > pointsBalance) ?? null;
  const tierOf = (definition: NonNullable<typeof tier>): AccountTier => ({
    id: definition.id,
    name: definition.name,
    perks: definition.perks,
    earnMultiplierPercent: definition.earnMultiplierPercent,
  });
  return {
    programActive,
    currency: shop.currency,
    pointsBalance,
    pendingPoints: member?.pendingPoints ?? 0,
    tier: tier && tierOf(tier),
    nextTier:
      above && rules
        ? { ...tierOf(above), threshold: above.threshold, metric: rules.metric, period: rules.period }
        : null,
    affordableRewards: affordable.map(accountReward),
    nextReward: next && { ...accountReward(next), pointsNeeded: next.pointsCost - pointsBalance },
  };
}

export interface AccountRedemption {
  code: string;
  rewardId: string;
  points: number;
  /** When the code stops working; null = never. */
  endsAt: string | null;
  /** The shopper's spendable points after the redemption. */
  pointsBalance: number;
}

/**
 * The shopper redeems a reward from their account page. The client's idempotency key is namespaced
 * by the customer, so one shopper's key can never return another shopper's code.
 */
export async function redeemFromAccount(
  db: Database,
  shopper: StorefrontShopper,
  request: { rewardId: string; idempotencyKey: string },
  options: RedemptionOptions,
): Promise<AccountRedemption> {
  const redemption: Redemption = await redeemShopperReward(
    db,
    shopper,
    {
      rewardId: request.rewardId,
      // Namespaced per shopper by redeemShopperReward; "account:" keeps it apart from the widget's keys.
      idempotencyKey: `account:${request.idempotencyKey}`,
    },
    options,
  );
  const member = fromStoredRow(
    await db.loyaltyMember.findUniqueOrThrow({ where: { id: redemption.memberId } }),
  );
  return {
    code: redemption.code,
    rewardId: redemption.rewardId,
    points: redemption.points,
    endsAt: redemption.endsAt?.toISOString() ?? null,
    pointsBalance: member.pointsBalance,
  };
}
