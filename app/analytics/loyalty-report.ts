// The loyalty section of the analytics report (R-ANA-6): members, active members (earned or redeemed
// in the period), points outstanding and their liability in money at the catalogue's cheapest
// points-per-currency rate, redemption rate, tier distribution, and members against non-members
// (lifetime repeat rate and AOV, from the analytics customer rollup).
import type { Database } from "../db/client";
import { encodeValue, type SqlTx } from "../db/sql";
import { tierRulesOf } from "../loyalty/program";
import { averageOrderValue, percentage, repeatPurchaseRate, roundedQuotient } from "./metrics";

export interface CustomerGroupFigures {
  customers: number;
  repeatCustomers: number;
  repeatPurchaseRate: number | null;
  orders: number;
  revenueMinor: number;
  averageOrderValueMinor: number | null;
}

export interface LoyaltyFigures {
  programEnabled: boolean;
  members: number;
  activeMembers: number;
  pointsOutstanding: number;
  pendingPoints: number;
  /** Points per one currency unit of value at the cheapest rate; null without a fixed-amount reward. */
  cheapestRate: { pointsCost: number; amountMinor: number } | null;
  liabilityMinor: number | null;
  pointsEarned: number;
  pointsRedeemed: number;
  redemptionRate: number | null;
  tiers: { tierId: string | null; name: string; members: number }[];
  memberCustomers: CustomerGroupFigures;
  nonMembers: CustomerGroupFigures;
}

const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));

export async function loyaltyFigures(
  db: Database,
  tx: SqlTx,
  shopId: string,
  period: { from: number; to: number },
  /** Every customer with a qualifying order (the retention report's lifetime totals). */
  totals: { customers: number; repeatCustomers: number; orders: number; revenueMinor: number },
): Promise<LoyaltyFigures> {
  const program = await db.loyaltyProgram.findUnique({ where: { shopId } });
  const [balances] = await tx.query<Record<string, unknown>>(
    `SELECT COUNT(*) AS "members", SUM("pointsBalance") AS "points", SUM("pendingPoints") AS "pending" FROM "LoyaltyMember" WHERE "shopId" = ?`,
    [shopId],
  );
  const from = encodeValue(tx.provider, "DateTime", new Date(period.from));
  const to = encodeValue(tx.provider, "DateTime", new Date(period.to));
  const [activity] = await tx.query<Record<string, unknown>>(
    `SELECT COUNT(DISTINCT "memberId") AS "active",
       SUM(CASE WHEN "kind" = 'earn' THEN "pointsDelta" + "pendingDelta" ELSE 0 END) AS "earned",
       SUM(CASE WHEN "kind" = 'redeem' THEN -"pointsDelta" ELSE 0 END) AS "redeemed"
     FROM "LoyaltyLedgerEntry" WHERE "shopId" = ? AND "kind" IN ('earn', 'redeem') AND "occurredAt" >= ? AND "occurredAt" < ?`,
    [shopId, from, to],
  );
  // The most value per point: the smallest pointsCost / amountMinor (compared without division).
  const rewards = await tx.query<Record<string, unknown>>(
    `SELECT "pointsCost", "amountMinor" FROM "LoyaltyReward" WHERE "shopId" = ? AND "active" = ? AND "kind" = 'fixed_amount' AND "pointsCost" > 0 AND "amountMinor" > 0`,
    [shopId, encodeValue(tx.provider, "Boolean", true)],
  );
  let cheapestRate: LoyaltyFigures["cheapestRate"] = null;
  for (const reward of rewards) {
    const candidate = { pointsCost: num(reward.pointsCost), amountMinor: num(reward.amountMinor) };
    if (
      !cheapestRate ||
      BigInt(candidate.pointsCost) * BigInt(cheapestRate.amountMinor) <
        BigInt(cheapestRate.pointsCost) * BigInt(candidate.amountMinor)
    )
      cheapestRate = candidate;
  }
  const pointsOutstanding = num(balances?.points);
  const tierRows = await tx.query<Record<string, unknown>>(
    `SELECT "tierId", COUNT(*) AS "members" FROM "LoyaltyMember" WHERE "shopId" = ? GROUP BY "tierId"`,
    [shopId],
  );
  const tierNames = new Map(
    (program ? (tierRulesOf(program)?.tiers ?? []) : []).map((tier) => [tier.id, tier.name]),
  );
  // Members are read through the member table (usually far fewer rows than customers); the
  // non-members are everyone else.
  const [members] = await tx.query<Record<string, unknown>>(
    `SELECT COUNT(*) AS "customers", SUM(CASE WHEN a."orders" >= 2 THEN 1 ELSE 0 END) AS "repeatCustomers",
       SUM(a."orders") AS "orders", SUM(a."revenueMinor") AS "revenueMinor"
     FROM "LoyaltyMember" m
     JOIN "AnalyticsCustomer" a ON a."shopId" = m."shopId" AND a."customerId" = m."customerId"
     WHERE m."shopId" = ?`,
    [shopId],
  );
  const memberTotals = {
    customers: num(members?.customers),
    repeatCustomers: num(members?.repeatCustomers),
    orders: num(members?.orders),
    revenueMinor: num(members?.revenueMinor),
  };
  const group = (figures: typeof memberTotals): CustomerGroupFigures => ({
    ...figures,
    repeatPurchaseRate: repeatPurchaseRate(figures.repeatCustomers, figures.customers),
    averageOrderValueMinor: averageOrderValue(figures.revenueMinor, figures.orders),
  });
  const pointsEarned = num(activity?.earned);
  const pointsRedeemed = num(activity?.redeemed);
  return {
    programEnabled: program?.enabled ?? false,
    members: num(balances?.members),
    activeMembers: num(activity?.active),
    pointsOutstanding,
    pendingPoints: num(balances?.pending),
    cheapestRate,
    liabilityMinor: cheapestRate
      ? roundedQuotient(
          BigInt(pointsOutstanding) * BigInt(cheapestRate.amountMinor),
          BigInt(cheapestRate.pointsCost),
        )
      : null,
    pointsEarned,
    pointsRedeemed,
    redemptionRate: percentage(pointsRedeemed, pointsEarned),
    tiers: tierRows
      .map((row) => {
        const tierId = typeof row.tierId === "string" ? row.tierId : null;
        return { tierId, name: tierId ? (tierNames.get(tierId) ?? tierId) : "", members: num(row.members) };
      })
      .sort((a, b) => b.members - a.members),
    memberCustomers: group(memberTotals),
    nonMembers: group({
      customers: totals.customers - memberTotals.customers,
      repeatCustomers: totals.repeatCustomers - memberTotals.repeatCustomers,
      orders: totals.orders - memberTotals.orders,
      revenueMinor: totals.revenueMinor - memberTotals.revenueMinor,
    }),
  };
}
