// The members list of the loyalty admin page: find a customer by e-mail or name, see their points
// and tier.
import type { Database } from "../db/client";
import { fromStoredInteger } from "../money/stored";
import { tierRulesOf } from "./program";
import { memberTier } from "./vip";

export interface MemberRow {
  id: string;
  customerShopifyId: string;
  email: string | null;
  name: string;
  tier: string | null;
  pointsBalance: number;
  pendingPoints: number;
  lifetimePoints: number;
}

/** Up to `limit` members matching `search` (e-mail or name, case-insensitive), most points first. */
export async function findMembers(
  db: Database,
  shopId: string,
  search: string,
  limit = 50,
): Promise<MemberRow[]> {
  const term = search.trim();
  const customerMatch = term
    ? {
        OR: [
          { email: { contains: term.toLowerCase() } },
          { firstName: { contains: term } },
          { lastName: { contains: term } },
        ],
      }
    : {};
  const [members, program] = await Promise.all([
    db.loyaltyMember.findMany({
      where: { shopId, customer: { deletedAt: null, redactedAt: null, ...customerMatch } },
      include: { customer: true },
      orderBy: [{ pointsBalance: "desc" }, { id: "asc" }],
      take: limit,
    }),
    db.loyaltyProgram.findUnique({ where: { shopId } }),
  ]);
  const rules = program ? tierRulesOf(program) : null;
  return members.map((member) => ({
    id: member.id,
    customerShopifyId: member.customer.shopifyId,
    email: member.customer.email,
    name: [member.customer.firstName, member.customer.lastName].filter(Boolean).join(" "),
    tier: memberTier(rules, member)?.name ?? null,
    pointsBalance: fromStoredInteger(member.pointsBalance),
    pendingPoints: fromStoredInteger(member.pendingPoints),
    lifetimePoints: fromStoredInteger(member.lifetimePoints),
  }));
}
