// A member's VIP tier in the database (R-LOY-4): what they did (from the ledger), which tier that
// earns under the program's rules, and the change recorded with its event and the Shopify tag sync.
//
// What counts: every order that earned points, net of what was reversed (a refund of a third of an
// order takes a third of its spend and its points off; a cancelled or fully refunded order no
// longer counts as an order). For the points metric, bonus points (sign-up, birthday, review,
// referral) and manual adjustments count too. Spend is the program's eligible amount of the order.
import type { LoyaltyProgram } from "@prisma/client";
import {
  recordDomainEvent,
  type DomainEventInput,
  type DomainEventSubscriber,
  type Tx,
} from "../events/domain-events";
import { fromStoredRow } from "../money/stored";
import type { LedgerEntry as LoyaltyLedgerEntry, LoyaltyMember } from "./ledger";
import { tierRulesOf } from "./program";
import {
  evaluateTier,
  qualifyingValue,
  type TierActivity,
  type TierDefinition,
  type TierRules,
} from "./tiers";
import { scheduleJobOnce, type JobRequest } from "../jobs/schedule";

export const memberTagsJobKind = "loyalty.member-tags";

/** The customer tag a tier is synced to Shopify as, e.g. "stayloop-tier-gold". */
export function tierTag(tier: Pick<TierDefinition, "id">): string {
  const slug = tier.id
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return `stayloop-tier-${slug}`;
}

/** The member's current tier definition, or null (no tiers, or not in one). */
export function memberTier(
  rules: TierRules | null,
  member: Pick<LoyaltyMember, "tierId">,
): TierDefinition | null {
  if (!rules || member.tierId === null) return null;
  return rules.tiers.find((tier) => tier.id === member.tierId) ?? null;
}

/** What tiers count of a ledger entry. */
export type TierEntry = Pick<
  LoyaltyLedgerEntry,
  "kind" | "source" | "sourceId" | "pointsDelta" | "pendingDelta" | "shortfall" | "basisMinor" | "occurredAt"
>;

function orderIdOf(entry: Pick<LoyaltyLedgerEntry, "sourceId">): string {
  const slash = entry.sourceId.indexOf("/");
  return slash === -1 ? entry.sourceId : entry.sourceId.slice(0, slash);
}

/** One activity per earning: orders net of their reversals, bonus points, adjustments. */
export function tierActivities(entries: readonly TierEntry[]): TierActivity[] {
  const reversedByOrder = new Map<string, number>();
  for (const entry of entries) {
    if (entry.kind === "reversal" && entry.source === "order") {
      const taken = -entry.pointsDelta - entry.pendingDelta + entry.shortfall;
      reversedByOrder.set(orderIdOf(entry), (reversedByOrder.get(orderIdOf(entry)) ?? 0) + taken);
    }
  }
  const activities: TierActivity[] = [];
  for (const entry of entries) {
    const points = entry.pointsDelta + entry.pendingDelta;
    if (entry.kind === "earn" && entry.source === "order") {
      const reversed = Math.min(points, reversedByOrder.get(entry.sourceId) ?? 0);
      const kept = points - reversed;
      const share = points > 0 ? kept / points : 0;
      activities.push({
        at: entry.occurredAt,
        spendMinor: Math.round((entry.basisMinor ?? 0) * share),
        points: kept,
        orders: kept > 0 ? 1 : 0,
      });
    } else if (entry.kind === "earn" || entry.kind === "adjust") {
      activities.push({ at: entry.occurredAt, spendMinor: 0, points, orders: 0 });
    }
  }
  return activities;
}

export interface TierChange {
  from: string | null;
  to: string | null;
  direction: "upgrade" | "downgrade";
}

type TierMember = Pick<LoyaltyMember, "id" | "customerId" | "tierId" | "tierBelowSince">;

/** What re-evaluating a member's tier at `now` changes: nothing, the "below since" date, or the tier. */
export type TierOutcome =
  | { kind: "none" }
  | { kind: "below"; belowSince: Date | null }
  | { kind: "change"; change: TierChange; event: DomainEventInput; tagsJob: JobRequest };

/** The tier decision for a member with these ledger entries (earn, adjust, reversal) — no I/O. */
export function tierOutcome(
  program: Pick<LoyaltyProgram, "shopId">,
  rules: TierRules,
  member: TierMember,
  entries: readonly TierEntry[],
  now: Date,
): TierOutcome {
  const value = qualifyingValue(rules, tierActivities(entries), now);
  const standing = { tierId: memberTier(rules, member)?.id ?? null, belowSince: member.tierBelowSince };
  const evaluation = evaluateTier(rules, standing, value, now);
  if (evaluation.change === "none") {
    return evaluation.belowSince?.getTime() !== member.tierBelowSince?.getTime()
      ? { kind: "below", belowSince: evaluation.belowSince }
      : { kind: "none" };
  }
  const change: TierChange = { from: standing.tierId, to: evaluation.tierId, direction: evaluation.change };
  const to = rules.tiers.find((tier) => tier.id === evaluation.tierId) ?? null;
  return {
    kind: "change",
    change,
    event: {
      type: "loyalty.tier_changed",
      subjectId: member.customerId,
      dedupeKey: `loyalty.tier_changed:${member.id}:${now.toISOString()}`,
      payload: {
        memberId: member.id,
        customerId: member.customerId,
        from: change.from,
        to: change.to,
        toName: to?.name ?? null,
        direction: change.direction,
        value,
        metric: rules.metric,
      },
      occurredAt: now,
    },
    tagsJob: {
      shopId: program.shopId,
      kind: memberTagsJobKind,
      key: `${member.id}:${now.toISOString()}`,
      payload: { memberId: member.id },
      runAt: now,
    },
  };
}

/**
 * Re-evaluates the member's tier at `now` and records any change: the member row, a
 * `loyalty.tier_changed` event for flows, and a job that syncs the member's tier tag to Shopify.
 */
export async function evaluateMemberTier(
  tx: Tx,
  program: LoyaltyProgram,
  memberId: string,
  now: Date,
  subscribers: readonly DomainEventSubscriber[],
): Promise<TierChange | null> {
  const rules = tierRulesOf(program);
  if (!rules) return null;
  const member = await tx.loyaltyMember.findFirstOrThrow({ where: { id: memberId, shopId: program.shopId } });
  const entries = await tx.loyaltyLedgerEntry.findMany({
    where: { shopId: program.shopId, memberId, kind: { in: ["earn", "adjust", "reversal"] } },
  });
  const outcome = tierOutcome(
    program,
    rules,
    member,
    entries.map((entry) => fromStoredRow(entry)),
    now,
  );
  if (outcome.kind === "none") return null;
  if (outcome.kind === "below") {
    await tx.loyaltyMember.update({ where: { id: member.id }, data: { tierBelowSince: outcome.belowSince } });
    return null;
  }
  await tx.loyaltyMember.update({
    where: { id: member.id },
    data: { tierId: outcome.change.to, tierBelowSince: null, tierChangedAt: now },
  });
  await recordDomainEvent(tx, program.shopId, outcome.event, subscribers, now);
  await scheduleJobOnce(tx, outcome.tagsJob);
  return outcome.change;
}
