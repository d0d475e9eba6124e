// The points ledger (R-LOY-1): every change of a member's points is an entry, unique per
// (shop, member, kind, source, source id), written in the same transaction as the cached balances
// it moves. The spendable balance never goes below zero: a debit either fails whole (redemptions)
// or takes what is there and records the shortfall (reversals of points already spent, R-LOY-6).
import type { LoyaltyLedgerEntry, LoyaltyMember as StoredLoyaltyMember } from "@prisma/client";
import type { Tx } from "../events/domain-events";
import { fromStoredRow, type FromStored } from "../money/stored";

/** A member with its balances as numbers (they are stored as 64-bit integers). */
export type LoyaltyMember = FromStored<StoredLoyaltyMember>;
export type LedgerEntry = FromStored<LoyaltyLedgerEntry>;

export type LedgerKind = "earn" | "release" | "redeem" | "reversal" | "adjust" | "expire" | "cashback";

export interface LedgerPosting {
  memberId: string;
  kind: LedgerKind;
  source: string;
  sourceId: string;
  /** Change of the spendable balance (negative for debits). */
  pointsDelta: number;
  /** Change of the pending balance (points waiting out the returns window). */
  pendingDelta?: number;
  /** A debit larger than the balance: refuse it (default), or floor at zero and record the shortfall. */
  whenShort?: "refuse" | "floor";
  /** The money amount (minor units) the points were computed from; for cashback, the money paid (or taken back). */
  basisMinor?: number;
  reason?: string;
  actor?: string;
  occurredAt: Date;
}

export class InsufficientPointsError extends Error {
  constructor(
    readonly available: number,
    readonly requested: number,
  ) {
    super(`not enough points: ${available} available, ${requested} requested`);
  }
}

/**
 * Options for a transaction that posts to the ledger on behalf of someone waiting (a shopper
 * redeeming, a merchant adjusting): it may queue behind other postings for the same member (row
 * lock on PostgreSQL, the single writer on SQLite, where the worker may hold it for a while), so it
 * waits for a connection and the lock instead of failing at Prisma's 2 s / 5 s defaults.
 */
export const ledgerTransactionOptions = { maxWait: 15_000, timeout: 30_000 } as const;

export interface PostedEntry {
  entry: LedgerEntry;
  /** False when the same posting was already recorded: nothing changed. */
  created: boolean;
}

function uniqueKey(shopId: string, posting: LedgerPosting) {
  return {
    shopId_memberId_kind_source_sourceId: {
      shopId,
      memberId: posting.memberId,
      kind: posting.kind,
      source: posting.source,
      sourceId: posting.sourceId,
    },
  };
}

/** Applies a posting inside the caller's transaction; safe to repeat. */
export async function postLedgerEntry(tx: Tx, shopId: string, posting: LedgerPosting): Promise<PostedEntry> {
  if (!Number.isInteger(posting.pointsDelta) || !Number.isInteger(posting.pendingDelta ?? 0)) {
    throw new Error("points are whole numbers");
  }
  const earlier = await tx.loyaltyLedgerEntry.findUnique({ where: uniqueKey(shopId, posting) });
  if (earlier) return { entry: fromStoredRow(earlier), created: false };

  // The write takes the member's row lock (PostgreSQL) before the balance is read, so concurrent
  // postings for one member queue up and each sees the balance the previous one left.
  const locked = await tx.loyaltyMember.updateMany({
    where: { id: posting.memberId, shopId },
    data: { updatedAt: posting.occurredAt },
  });
  if (locked.count !== 1) throw new Error(`loyalty member ${posting.memberId} not found in this shop`);
  const racedEntry = await tx.loyaltyLedgerEntry.findUnique({ where: uniqueKey(shopId, posting) });
  if (racedEntry) return { entry: fromStoredRow(racedEntry), created: false };
  const member = fromStoredRow(await tx.loyaltyMember.findUniqueOrThrow({ where: { id: posting.memberId } }));

  const posted = postedBalances(member, posting);
  const { pointsDelta, pendingDelta, shortfall } = posted;
  const updated = fromStoredRow(
    await tx.loyaltyMember.update({ where: { id: member.id }, data: posted.member }),
  );
  const entry = fromStoredRow(
    await tx.loyaltyLedgerEntry.create({
      data: {
        shopId,
        memberId: member.id,
        kind: posting.kind,
        source: posting.source,
        sourceId: posting.sourceId,
        pointsDelta,
        pendingDelta,
        balanceAfter: updated.pointsBalance,
        pendingAfter: updated.pendingPoints,
        shortfall,
        basisMinor: posting.basisMinor ?? null,
        reason: posting.reason ?? null,
        actor: posting.actor ?? null,
        occurredAt: posting.occurredAt,
      },
    }),
  );
  return { entry, created: true };
}

type MemberBalances = Pick<
  LoyaltyMember,
  "pointsBalance" | "pendingPoints" | "lifetimePoints" | "lastActivityAt"
>;

/**
 * What a posting does to the member: the deltas that can actually be applied and the member's
 * balances after it. Throws InsufficientPointsError for a debit that may not go short.
 */
export function postedBalances(member: MemberBalances, posting: LedgerPosting) {
  const { pointsDelta, pendingDelta, shortfall } = applicableDeltas(member, posting);
  const earned = posting.kind === "earn" || posting.kind === "adjust" ? Math.max(0, pointsDelta) : 0;
  return {
    pointsDelta,
    pendingDelta,
    shortfall,
    member: {
      pointsBalance: member.pointsBalance + pointsDelta,
      pendingPoints: member.pendingPoints + pendingDelta,
      lifetimePoints:
        member.lifetimePoints + earned + (posting.kind === "earn" ? Math.max(0, pendingDelta) : 0),
      // Earning and redeeming keep points alive (R-LOY-7); reversals, releases and expiry do not.
      ...(countsAsActivity(posting) ? { lastActivityAt: posting.occurredAt } : {}),
    },
  };
}

function countsAsActivity(posting: LedgerPosting): boolean {
  if (posting.kind === "redeem") return true;
  return (
    (posting.kind === "earn" || posting.kind === "adjust") &&
    posting.pointsDelta + (posting.pendingDelta ?? 0) > 0
  );
}

/** The deltas that can actually be applied to this member, and what could not be taken back. */
function applicableDeltas(
  member: Pick<LoyaltyMember, "pointsBalance" | "pendingPoints">,
  posting: LedgerPosting,
) {
  const requestedPending = posting.pendingDelta ?? 0;
  const pendingDelta = Math.max(requestedPending, -member.pendingPoints);
  const pendingMissing = pendingDelta - requestedPending;
  let shortfall = pendingMissing;
  let pointsDelta = posting.pointsDelta;
  if (pendingMissing > 0 && pointsDelta > 0) {
    // Pending points becoming spendable (a release): only what is still pending moves, so the
    // spendable side shrinks with the pending side, and nothing is missing from a take-back.
    const moved = Math.min(pointsDelta, pendingMissing);
    pointsDelta -= moved;
    shortfall -= moved;
  }
  if (member.pointsBalance + pointsDelta < 0) {
    if ((posting.whenShort ?? "refuse") === "refuse") {
      throw new InsufficientPointsError(member.pointsBalance, -pointsDelta);
    }
    shortfall += -(member.pointsBalance + pointsDelta);
    pointsDelta = -member.pointsBalance;
  }
  return { pointsDelta, pendingDelta, shortfall };
}

/** The member for a customer, created on first use. */
export async function loyaltyMemberFor(tx: Tx, shopId: string, customerId: string): Promise<LoyaltyMember> {
  return fromStoredRow(
    await tx.loyaltyMember.upsert({
      where: { shopId_customerId: { shopId, customerId } },
      create: { shopId, customerId },
      update: {},
    }),
  );
}
