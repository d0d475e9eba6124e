// The loyalty program's settings per shop (R-LOY-2, R-LOY-4, R-LOY-7, R-LOY-8): validated whole
// before anything is saved, so a bad form changes nothing.
import { Prisma, type LoyaltyProgram } from "@prisma/client";
import { z } from "zod";
import type { Database } from "../db/client";
import type { Tx } from "../events/domain-events";
import { scheduleDailyLoyaltyRun } from "./daily";
import { tierRulesSchema, type TierRules } from "./tiers";

export async function loyaltyProgramFor(tx: Tx, shopId: string): Promise<LoyaltyProgram> {
  return tx.loyaltyProgram.upsert({ where: { shopId }, create: { shopId }, update: {} });
}

const points = z.number().int().min(0).max(1_000_000);

export const programSettingsSchema = z.object({
  enabled: z.boolean(),
  pointsPerCurrencyUnit: z.number().int().min(1).max(1_000),
  includeShipping: z.boolean(),
  includeTaxes: z.boolean(),
  pendingDays: z.number().int().min(0).max(365),
  tierRules: tierRulesSchema.nullable(),
  expiryMonths: z.number().int().min(1).max(120).nullable(),
  expiryWarningDays: z.number().int().min(1).max(90),
  signupPoints: points,
  birthdayPoints: points,
  reviewPoints: points,
  referrerPoints: points,
  friendPoints: points,
  referralMonthlyLimit: z.number().int().min(0).max(1_000),
  cashbackBasisPoints: z.number().int().min(0).max(10_000),
  cashbackMethod: z.enum(["store_credit", "discount_code"]),
});

export type ProgramSettings = z.infer<typeof programSettingsSchema>;

export class ProgramSettingsError extends Error {
  constructor(readonly issues: { path: string; message: string }[]) {
    super(`invalid loyalty settings: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ")}`);
  }
}

/** A validation issue in the merchant's words ("must be at least 0", not "Too small: expected number to be >=0"). */
function merchantMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === "too_small") {
    return issue.origin === "array" ? `needs at least ${issue.minimum}` : `must be at least ${issue.minimum}`;
  }
  if (issue.code === "too_big") return `must be at most ${issue.maximum}`;
  if (issue.code === "unrecognized_keys") return `unknown setting ${issue.keys.join(", ")}`;
  return issue.message;
}

/** The program's tier rules, or null when it has no tiers. */
export function tierRulesOf(program: Pick<LoyaltyProgram, "tierRules">): TierRules | null {
  if (program.tierRules === null) return null;
  return tierRulesSchema.parse(program.tierRules);
}

/** Saves a (partial) settings change; on any invalid field nothing is saved. */
export async function saveProgramSettings(
  db: Database,
  shopId: string,
  change: unknown,
  now: Date,
): Promise<LoyaltyProgram> {
  const parsed = programSettingsSchema.partial().strict().safeParse(change);
  if (!parsed.success) {
    throw new ProgramSettingsError(
      parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: merchantMessage(issue) })),
    );
  }
  const { tierRules, ...rest } = parsed.data;
  const data = {
    ...rest,
    ...(tierRules === undefined ? {} : { tierRules: tierRules === null ? Prisma.DbNull : tierRules }),
  };
  return db.$transaction(async (tx) => {
    const program = await tx.loyaltyProgram.upsert({
      where: { shopId },
      create: { shopId, ...data },
      update: data,
    });
    // Tier downgrades, birthdays and expiry run on a daily schedule while the program is on.
    if (program.enabled) await scheduleDailyLoyaltyRun(tx, shopId, now);
    return program;
  });
}
