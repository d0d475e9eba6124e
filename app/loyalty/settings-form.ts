// The loyalty settings page's form, in the merchant's units (tier spend thresholds as amounts in
// the shop's currency, multipliers as "1.25×"), mapped to and from the program's stored settings.
import type { LoyaltyProgram } from "@prisma/client";
import { z } from "zod";
import { currencyExponent, MoneyError, toMinorUnits } from "../money/money";
import { tierRulesOf, type ProgramSettings } from "./program";
import type { TierRules } from "./tiers";

// Type aliases, not interfaces: the form is submitted as JSON, and only aliases fit JSON's index types.
export type TierRow = {
  id: string;
  name: string;
  /** Spend as an amount ("250.00"), points or orders as a whole number. */
  threshold: string;
  /** "1.25" = earns 1.25×. */
  multiplier: string;
  /** One perk per line. */
  perks: string;
};

export type LoyaltySettingsForm = {
  enabled: boolean;
  pointsPerCurrencyUnit: string;
  includeShipping: boolean;
  includeTaxes: boolean;
  pendingDays: string;
  signupPoints: string;
  birthdayPoints: string;
  reviewPoints: string;
  referrerPoints: string;
  friendPoints: string;
  referralMonthlyLimit: string;
  expiryEnabled: boolean;
  expiryMonths: string;
  expiryWarningDays: string;
  cashbackPercent: string;
  cashbackMethod: "store_credit" | "discount_code";
  tiersEnabled: boolean;
  tierMetric: TierRules["metric"];
  tierPeriod: TierRules["period"];
  tierGraceDays: string;
  tiers: TierRow[];
};

export const settingsFormSchema: z.ZodType<LoyaltySettingsForm> = z.object({
  enabled: z.boolean(),
  pointsPerCurrencyUnit: z.string(),
  includeShipping: z.boolean(),
  includeTaxes: z.boolean(),
  pendingDays: z.string(),
  signupPoints: z.string(),
  birthdayPoints: z.string(),
  reviewPoints: z.string(),
  referrerPoints: z.string(),
  friendPoints: z.string(),
  referralMonthlyLimit: z.string(),
  expiryEnabled: z.boolean(),
  expiryMonths: z.string(),
  expiryWarningDays: z.string(),
  cashbackPercent: z.string(),
  cashbackMethod: z.enum(["store_credit", "discount_code"]),
  tiersEnabled: z.boolean(),
  tierMetric: z.enum(["spend", "points", "orders"]),
  tierPeriod: z.enum(["lifetime", "calendar_year", "rolling_12_months"]),
  tierGraceDays: z.string(),
  tiers: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      threshold: z.string(),
      multiplier: z.string(),
      perks: z.string(),
    }),
  ),
});

export interface FieldError {
  /** The form field: "pendingDays", "tiers.1.threshold", … */
  path: string;
  message: string;
}

export class SettingsFormError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((error) => `${error.path}: ${error.message}`).join("; "));
  }
}

function formatMinor(amountMinor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  return (amountMinor / 10 ** exponent).toFixed(exponent);
}

/** The stored program as the form shows it. */
export function settingsFormFor(program: LoyaltyProgram, currency: string): LoyaltySettingsForm {
  const rules = tierRulesOf(program);
  const metric = rules?.metric ?? "spend";
  return {
    enabled: program.enabled,
    pointsPerCurrencyUnit: String(program.pointsPerCurrencyUnit),
    includeShipping: program.includeShipping,
    includeTaxes: program.includeTaxes,
    pendingDays: String(program.pendingDays),
    signupPoints: String(program.signupPoints),
    birthdayPoints: String(program.birthdayPoints),
    reviewPoints: String(program.reviewPoints),
    referrerPoints: String(program.referrerPoints),
    friendPoints: String(program.friendPoints),
    referralMonthlyLimit: String(program.referralMonthlyLimit),
    expiryEnabled: program.expiryMonths !== null,
    expiryMonths: String(program.expiryMonths ?? 12),
    expiryWarningDays: String(program.expiryWarningDays),
    cashbackPercent: (program.cashbackBasisPoints / 100).toFixed(2),
    cashbackMethod: program.cashbackMethod === "discount_code" ? "discount_code" : "store_credit",
    tiersEnabled: rules !== null,
    tierMetric: metric,
    tierPeriod: rules?.period ?? "calendar_year",
    tierGraceDays: String(rules?.graceDays ?? 30),
    tiers: (rules?.tiers ?? []).map((tier) => ({
      id: tier.id,
      name: tier.name,
      threshold: metric === "spend" ? formatMinor(tier.threshold, currency) : String(tier.threshold),
      multiplier: (tier.earnMultiplierPercent / 100).toFixed(2),
      perks: tier.perks.join("\n"),
    })),
  };
}

/** A whole number typed by the merchant; kept as text when it is not one, so validation names the field. */
function wholeNumber(text: string, path: string, errors: FieldError[]): number {
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) {
    errors.push({ path, message: "must be a whole number" });
    return 0;
  }
  return Number(trimmed);
}

function decimalHundredths(text: string, path: string, errors: FieldError[]): number {
  const trimmed = text.trim();
  if (!/^\d+(\.\d{1,2})?$/.test(trimmed)) {
    errors.push({ path, message: "must be a number with at most two decimals" });
    return 0;
  }
  const [whole = "0", fraction = ""] = trimmed.split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

function tierId(name: string, index: number): string {
  const slug = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return slug || `tier-${index + 1}`;
}

/** The form as program settings (for saveProgramSettings, which validates ranges and order). */
export function settingsFromForm(form: LoyaltySettingsForm, currency: string): ProgramSettings {
  const errors: FieldError[] = [];
  const number = (key: keyof LoyaltySettingsForm) => wholeNumber(String(form[key]), key, errors);
  const tiers = form.tiers.map((row, index) => {
    let threshold = 0;
    if (form.tierMetric === "spend") {
      try {
        threshold = toMinorUnits(row.threshold, currency);
      } catch (error) {
        errors.push({
          path: `tiers.${index}.threshold`,
          message: error instanceof MoneyError ? error.message : "must be an amount",
        });
      }
    } else threshold = wholeNumber(row.threshold, `tiers.${index}.threshold`, errors);
    return {
      id: row.id.trim() || tierId(row.name, index),
      name: row.name.trim(),
      threshold,
      earnMultiplierPercent: decimalHundredths(row.multiplier, `tiers.${index}.multiplier`, errors),
      perks: row.perks
        .split("\n")
        .map((perk) => perk.trim())
        .filter((perk) => perk !== ""),
    };
  });
  const settings: ProgramSettings = {
    enabled: form.enabled,
    pointsPerCurrencyUnit: number("pointsPerCurrencyUnit"),
    includeShipping: form.includeShipping,
    includeTaxes: form.includeTaxes,
    pendingDays: number("pendingDays"),
    signupPoints: number("signupPoints"),
    birthdayPoints: number("birthdayPoints"),
    reviewPoints: number("reviewPoints"),
    referrerPoints: number("referrerPoints"),
    friendPoints: number("friendPoints"),
    referralMonthlyLimit: number("referralMonthlyLimit"),
    expiryMonths: form.expiryEnabled ? number("expiryMonths") : null,
    expiryWarningDays: number("expiryWarningDays"),
    cashbackBasisPoints: decimalHundredths(form.cashbackPercent, "cashbackPercent", errors),
    cashbackMethod: form.cashbackMethod,
    tierRules: form.tiersEnabled
      ? {
          metric: form.tierMetric,
          period: form.tierPeriod,
          graceDays: wholeNumber(form.tierGraceDays, "tierGraceDays", errors),
          tiers,
        }
      : null,
  };
  if (errors.length > 0) throw new SettingsFormError(errors);
  return settings;
}

/** The stored settings' validation paths in the form's words ("tierRules.tiers.1.threshold" → "tiers.1.threshold"). */
export function formPath(settingsPath: string): string {
  if (settingsPath === "tierRules.graceDays") return "tierGraceDays";
  if (settingsPath === "cashbackBasisPoints") return "cashbackPercent";
  if (settingsPath.startsWith("tierRules.tiers.")) {
    const [, , index = "0", field = ""] = settingsPath.split(".");
    const mapped = field === "earnMultiplierPercent" ? "multiplier" : field;
    return mapped ? `tiers.${index}.${mapped}` : "tiers";
  }
  if (settingsPath === "tierRules.tiers") return "tiers";
  return settingsPath;
}
