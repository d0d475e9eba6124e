// The loyalty program's figures for the admin page: how many members, points they hold, how they
// spread over the tiers, and what referrals brought.
import type { Database } from "../db/client";
import { fromStoredInteger } from "../money/stored";

export interface LoyaltyOverview {
  members: number;
  pointsAvailable: number;
  pointsPending: number;
  membersByTier: Record<string, number>;
  referralsRewarded: number;
  referralsRejected: number;
}

export async function loyaltyOverview(db: Database, shopId: string): Promise<LoyaltyOverview> {
  const [totals, tiers, referrals] = await Promise.all([
    db.loyaltyMember.aggregate({
      where: { shopId },
      _count: true,
      _sum: { pointsBalance: true, pendingPoints: true },
    }),
    db.loyaltyMember.groupBy({ by: ["tierId"], where: { shopId, tierId: { not: null } }, _count: true }),
    db.referral.groupBy({ by: ["status"], where: { shopId }, _count: true }),
  ]);
  const referralCount = (status: string) => referrals.find((row) => row.status === status)?._count ?? 0;
  return {
    members: totals._count,
    pointsAvailable: fromStoredInteger(totals._sum.pointsBalance ?? 0),
    pointsPending: fromStoredInteger(totals._sum.pendingPoints ?? 0),
    membersByTier: Object.fromEntries(tiers.map((row) => [row.tierId ?? "", row._count])),
    referralsRewarded: referralCount("rewarded"),
    referralsRejected: referralCount("rejected"),
  };
}
