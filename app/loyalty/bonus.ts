// Bonus actions (R-LOY-2): points for signing up, a birthday (once a year) and a review. Each is a
// ledger earn under its own source, so the ledger key makes it once-only: the same customer's
// sign-up, the same year's birthday, the same review.
import type { LoyaltyProgram } from "@prisma/client";
import type { Database } from "../db/client";
import type { Tx } from "../events/domain-events";
import { loyaltyMemberFor, postLedgerEntry } from "./ledger";
import { loyaltyProgramFor } from "./program";

export type BonusAction = "signup" | "birthday" | "review";

const bonusPoints: Record<BonusAction, (program: LoyaltyProgram) => number> = {
  signup: (program) => program.signupPoints,
  birthday: (program) => program.birthdayPoints,
  review: (program) => program.reviewPoints,
};

const bonusReason: Record<BonusAction, string> = {
  signup: "Sign-up bonus",
  birthday: "Birthday bonus",
  review: "Review bonus",
};

/** Awards a bonus action once per (customer, action, source id); false when off or already given. */
export async function awardBonus(
  tx: Tx,
  program: LoyaltyProgram,
  customerId: string,
  action: BonusAction,
  sourceId: string,
  now: Date,
): Promise<boolean> {
  const points = bonusPoints[action](program);
  if (!program.enabled || points <= 0) return false;
  const customer = await tx.customer.findFirst({
    where: { id: customerId, shopId: program.shopId, deletedAt: null, redactedAt: null },
    select: { id: true },
  });
  if (!customer) return false;
  const member = await loyaltyMemberFor(tx, program.shopId, customerId);
  const { created } = await postLedgerEntry(tx, program.shopId, {
    memberId: member.id,
    kind: "earn",
    source: action,
    sourceId,
    pointsDelta: points,
    reason: bonusReason[action],
    occurredAt: now,
  });
  return created;
}

export class ReviewBonusError extends Error {}

/** A customer wrote a review (reported by the review app or the merchant): review points, once per review. */
export async function recordReview(
  db: Database,
  input: { shopId: string; customerId: string; reviewId: string },
  now: Date,
): Promise<boolean> {
  const reviewId = input.reviewId.trim();
  if (reviewId === "") throw new ReviewBonusError("a review needs its id, so it is rewarded once");
  return db.$transaction(async (tx) => {
    const customer = await tx.customer.findFirst({ where: { id: input.customerId, shopId: input.shopId } });
    if (!customer) throw new ReviewBonusError(`customer ${input.customerId} not found in this shop`);
    const program = await loyaltyProgramFor(tx, input.shopId);
    return awardBonus(tx, program, input.customerId, "review", reviewId, now);
  });
}
