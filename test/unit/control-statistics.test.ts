// Control-group statistics (R-FLOW-8): conversion rate, revenue per recipient, incremental revenue
// in whole minor units, lift with the Katz 95 % interval, and "not enough data yet" below the
// minimum sample — checked against figures worked out by hand.
import { describe, expect, it } from "vitest";
import {
  compareGroups,
  divideRounded,
  incrementalRevenueMinor,
  minimumConversions,
  minimumRecipients,
  notEnoughDataReason,
  relativeRiskInterval,
} from "../../app/flows/control-statistics";

describe("control-group statistics", () => {
  it("matches the hand-computed example", () => {
    // Treatment: n = 1000, 120 conversions, revenue 12,000.00 (1,200,000 minor units).
    // Control:   n =  200,  16 conversions, revenue  1,600.00 (  160,000 minor units).
    //
    // CR_t = 120 / 1000 = 0.12            CR_c = 16 / 200 = 0.08
    // RPR_t = 1,200,000 / 1000 = 1200 (12.00)   RPR_c = 160,000 / 200 = 800 (8.00)
    // Incremental = (1200 − 800) × 1000 = 400,000 minor units = 4,000.00
    // RR = 0.12 / 0.08 = 1.5 → lift = +50 %
    // SE(ln RR) = sqrt(1/120 − 1/1000 + 1/16 − 1/200)
    //           = sqrt(0.0083333 − 0.0010000 + 0.0625000 − 0.0050000) = sqrt(0.0648333) = 0.2546239
    // 1.96 × SE = 0.4990629;  ln 1.5 = 0.4054651
    // low  = exp(0.4054651 − 0.4990629) = exp(−0.0935977) = 0.9106490 → lift −8.935 %
    // high = exp(0.4054651 + 0.4990629) = exp( 0.9045280) = 2.4707654 → lift +147.077 %
    // (Rounded to two decimals: [−8.94 %, +147.08 %]; the issue's [−8.93 %, +147.07 %] are the
    // same values truncated.)
    const result = compareGroups(
      { recipients: 1000, conversions: 120, revenueMinor: 1_200_000 },
      { recipients: 200, conversions: 16, revenueMinor: 160_000 },
    );
    expect(result.enoughData).toBe(true);
    expect(result.reason).toBeNull();
    expect(result.treatment.conversionRate).toBeCloseTo(0.12, 12);
    expect(result.control.conversionRate).toBeCloseTo(0.08, 12);
    expect(result.treatment.revenuePerRecipientMinor).toBe(1200);
    expect(result.control.revenuePerRecipientMinor).toBe(800);
    expect(result.incrementalRevenueMinor).toBe(400_000);
    expect(result.lift).toBeCloseTo(0.5, 12);
    expect(result.liftInterval?.low).toBeCloseTo(-0.08935, 5);
    expect(result.liftInterval?.high).toBeCloseTo(1.470765, 5);
    expect(Number(((result.liftInterval?.low ?? 0) * 100).toFixed(2))).toBe(-8.94);
    expect(Number(((result.liftInterval?.high ?? 0) * 100).toFixed(2))).toBe(147.08);
  });

  it("computes incremental revenue exactly and rounds once, half away from zero", () => {
    // (100 / 3 − 0 / 3) × 3 = 100 exactly, though 100 / 3 is no finite decimal.
    expect(
      incrementalRevenueMinor(
        { recipients: 3, conversions: 1, revenueMinor: 100 },
        { recipients: 3, conversions: 0, revenueMinor: 0 },
      ),
    ).toBe(100);
    // 1001 − 1001 × 2 / 4 = 500.5 → 501;  and negative: 0 − 1001 × 2 / 4 = −500.5 → −501.
    expect(
      incrementalRevenueMinor(
        { recipients: 2, conversions: 1, revenueMinor: 1001 },
        { recipients: 4, conversions: 1, revenueMinor: 1001 },
      ),
    ).toBe(501);
    expect(
      incrementalRevenueMinor(
        { recipients: 2, conversions: 0, revenueMinor: 0 },
        { recipients: 4, conversions: 1, revenueMinor: 1001 },
      ),
    ).toBe(-501);
    // Intermediate products beyond 2^53 stay exact: R_t · n_c = 10^12 · (10^6 + 1) ≈ 10^18;
    // 10^12 − 10^12 · 3 / (10^6 + 1) = 10^12 − 2,999,997.000003 → 999,997,000,003.
    expect(
      incrementalRevenueMinor(
        { recipients: 3, conversions: 1, revenueMinor: 1_000_000_000_000 },
        { recipients: 1_000_001, conversions: 1, revenueMinor: 1_000_000_000_000 },
      ),
    ).toBe(999_997_000_003);
    expect(divideRounded(7n, 2n)).toBe(4n);
    expect(divideRounded(-7n, 2n)).toBe(-4n);
    expect(divideRounded(5n, 3n)).toBe(2n);
    expect(divideRounded(-5n, 3n)).toBe(-2n);
  });

  it("says not enough data yet below the minimum sample, naming why", () => {
    const enough = { recipients: minimumRecipients, conversions: minimumConversions, revenueMinor: 5000 };
    expect(notEnoughDataReason(enough, enough)).toBeNull();

    const smallControl = compareGroups(enough, { recipients: 99, conversions: 10, revenueMinor: 100 });
    expect(smallControl.enoughData).toBe(false);
    expect(smallControl.reason).toBe(
      "not enough data yet: the control group has 99 recipients (at least 100 needed)",
    );
    expect(smallControl.lift).toBeNull();
    expect(smallControl.liftInterval).toBeNull();
    expect(smallControl.incrementalRevenueMinor).toBeNull();
    // The groups' own figures are still shown.
    expect(smallControl.control.conversionRate).toBeCloseTo(10 / 99, 12);
    expect(smallControl.control.revenuePerRecipientMinor).toBe(1);

    const fewConversions = compareGroups({ ...enough, conversions: 4 }, enough);
    expect(fewConversions.reason).toBe(
      "not enough data yet: the treatment group has 4 conversions (at least 5 needed)",
    );

    // No control group at all (the flow holds nobody out).
    const noControl = compareGroups(enough, { recipients: 0, conversions: 0, revenueMinor: 0 });
    expect(noControl.enoughData).toBe(false);
    expect(noControl.control.conversionRate).toBeNull();
    expect(noControl.control.revenuePerRecipientMinor).toBeNull();
    expect(noControl.reason).toContain("the control group has 0 recipients");
    expect(noControl.reason).toContain("the control group has 0 conversions");
  });

  it("a negative effect gives a negative lift whose interval contains it", () => {
    const result = compareGroups(
      { recipients: 500, conversions: 20, revenueMinor: 100_000 },
      { recipients: 500, conversions: 40, revenueMinor: 200_000 },
    );
    expect(result.lift).toBeCloseTo(-0.5, 12);
    expect(result.incrementalRevenueMinor).toBe(-100_000);
    const interval = result.liftInterval!;
    expect(interval.low).toBeLessThan(-0.5);
    expect(interval.high).toBeGreaterThan(-0.5);
    expect(interval.high).toBeLessThan(0);
  });

  it("refuses impossible inputs", () => {
    expect(() =>
      compareGroups(
        { recipients: 10, conversions: 11, revenueMinor: 0 },
        { recipients: 10, conversions: 1, revenueMinor: 0 },
      ),
    ).toThrow(/more conversions/);
    expect(() =>
      compareGroups(
        { recipients: 10, conversions: 1, revenueMinor: -1 },
        { recipients: 10, conversions: 1, revenueMinor: 0 },
      ),
    ).toThrow(/non-negative/);
    expect(() =>
      relativeRiskInterval({ recipients: 10, conversions: 0 }, { recipients: 10, conversions: 1 }),
    ).toThrow(/at least one conversion/);
  });
});
