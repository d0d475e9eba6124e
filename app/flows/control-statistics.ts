// The statistics of a flow's control group (R-FLOW-8), pure: treatment and control outcomes in,
// conversion rates, revenue per recipient, incremental revenue and lift with its 95 % confidence
// interval out (docs/decisions/010-flow-attribution-and-control-groups.md).
//
// - Lift is the relative risk minus one: RR = (x_t / n_t) / (x_c / n_c), lift = RR − 1.
// - Its interval is Katz's log method for a ratio of two proportions:
//   SE(ln RR) = sqrt(1/x_t − 1/n_t + 1/x_c − 1/n_c), CI = exp(ln RR ± 1.96 · SE) − 1.
// - Incremental revenue = (RPR_t − RPR_c) × n_t = R_t − R_c · n_t / n_c, computed exactly in
//   integers and rounded once to a whole minor unit, half away from zero.
// - Below the minimum sample (fewer than 100 recipients or fewer than 5 conversions in either
//   group) lift and incremental revenue are withheld: the report says "not enough data yet" and why.

/** What one group did: recipients, how many of them converted, and the revenue of those orders. */
export interface GroupOutcome {
  recipients: number;
  conversions: number;
  /** Integer minor units of the shop currency. */
  revenueMinor: number;
}

export interface GroupFigures extends GroupOutcome {
  /** conversions / recipients; null without recipients. */
  conversionRate: number | null;
  /** Revenue per recipient, rounded to a whole minor unit (half away from zero); null without recipients. */
  revenuePerRecipientMinor: number | null;
}

export interface Interval {
  low: number;
  high: number;
}

export interface ControlComparison {
  treatment: GroupFigures;
  control: GroupFigures;
  /** False below the minimum sample: lift and incremental revenue are then null. */
  enoughData: boolean;
  /** Why there is not enough data yet (null when there is). */
  reason: string | null;
  /** (RPR_t − RPR_c) × treatment recipients, integer minor units. */
  incrementalRevenueMinor: number | null;
  /** CR_t / CR_c − 1 (0.5 = +50 %). */
  lift: number | null;
  /** 95 % interval of the lift (Katz log method). */
  liftInterval: Interval | null;
}

export const minimumRecipients = 100;
export const minimumConversions = 5;
/** The two-sided 95 % quantile of the standard normal distribution. */
export const z95 = 1.96;

/** n / d rounded to the nearest integer, halves away from zero (d > 0). */
export function divideRounded(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError("denominator must be positive");
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  const twice = 2n * (remainder < 0n ? -remainder : remainder);
  if (twice >= denominator) return quotient + (numerator < 0n ? -1n : 1n);
  return quotient;
}

function checkOutcome(name: string, group: GroupOutcome): void {
  for (const [field, value] of Object.entries(group)) {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError(`${name} ${field} must be a non-negative integer (got ${value})`);
  }
  if (group.conversions > group.recipients)
    throw new RangeError(
      `${name} has more conversions (${group.conversions}) than recipients (${group.recipients})`,
    );
}

export function groupFigures(group: GroupOutcome): GroupFigures {
  const { recipients, conversions, revenueMinor } = group;
  return {
    recipients,
    conversions,
    revenueMinor,
    conversionRate: recipients > 0 ? conversions / recipients : null,
    revenuePerRecipientMinor:
      recipients > 0 ? Number(divideRounded(BigInt(revenueMinor), BigInt(recipients))) : null,
  };
}

/** Why a comparison cannot be trusted yet, or null when both groups meet the minimum sample. */
export function notEnoughDataReason(treatment: GroupOutcome, control: GroupOutcome): string | null {
  const short: string[] = [];
  for (const [name, group] of [
    ["treatment", treatment],
    ["control", control],
  ] as const) {
    if (group.recipients < minimumRecipients)
      short.push(
        `the ${name} group has ${group.recipients} recipients (at least ${minimumRecipients} needed)`,
      );
    if (group.conversions < minimumConversions)
      short.push(
        `the ${name} group has ${group.conversions} conversions (at least ${minimumConversions} needed)`,
      );
  }
  return short.length === 0 ? null : `not enough data yet: ${short.join("; ")}`;
}

/** (RPR_t − RPR_c) × n_t, exact until one final rounding (half away from zero). */
export function incrementalRevenueMinor(treatment: GroupOutcome, control: GroupOutcome): number {
  if (treatment.recipients === 0 || control.recipients === 0) return 0;
  // (R_t / n_t − R_c / n_c) · n_t = (R_t · n_c − R_c · n_t) / n_c
  const numerator =
    BigInt(treatment.revenueMinor) * BigInt(control.recipients) -
    BigInt(control.revenueMinor) * BigInt(treatment.recipients);
  return Number(divideRounded(numerator, BigInt(control.recipients)));
}

/** Relative risk and its Katz 95 % interval; needs at least one conversion in each group. */
export function relativeRiskInterval(
  treatment: Pick<GroupOutcome, "recipients" | "conversions">,
  control: Pick<GroupOutcome, "recipients" | "conversions">,
  z = z95,
): { ratio: number; interval: Interval } {
  const { conversions: xt, recipients: nt } = treatment;
  const { conversions: xc, recipients: nc } = control;
  if (xt <= 0 || xc <= 0 || nt <= 0 || nc <= 0)
    throw new RangeError("the Katz interval needs at least one conversion and one recipient in each group");
  const ratio = xt / nt / (xc / nc);
  const standardError = Math.sqrt(1 / xt - 1 / nt + 1 / xc - 1 / nc);
  const logRatio = Math.log(ratio);
  return {
    ratio,
    interval: { low: Math.exp(logRatio - z * standardError), high: Math.exp(logRatio + z * standardError) },
  };
}

export function compareGroups(treatment: GroupOutcome, control: GroupOutcome): ControlComparison {
  checkOutcome("treatment", treatment);
  checkOutcome("control", control);
  const reason = notEnoughDataReason(treatment, control);
  const figures = { treatment: groupFigures(treatment), control: groupFigures(control) };
  if (reason !== null) {
    return {
      ...figures,
      enoughData: false,
      reason,
      incrementalRevenueMinor: null,
      lift: null,
      liftInterval: null,
    };
  }
  const { ratio, interval } = relativeRiskInterval(treatment, control);
  return {
    ...figures,
    enoughData: true,
    reason: null,
    incrementalRevenueMinor: incrementalRevenueMinor(treatment, control),
    lift: ratio - 1,
    liftInterval: { low: interval.low - 1, high: interval.high - 1 },
  };
}
