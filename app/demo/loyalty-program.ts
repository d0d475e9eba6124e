// The loyalty program of the demo shop (`npm run demo`), also the program the storefront proxy
// benchmark measures against: points on, a pending period, birthday and referral points, three
// spend tiers.
import type { ProgramSettings } from "../loyalty/program";

export const demoLoyaltyProgram: Partial<ProgramSettings> = {
  enabled: true,
  pointsPerCurrencyUnit: 1,
  pendingDays: 14,
  signupPoints: 50,
  birthdayPoints: 200,
  reviewPoints: 100,
  referrerPoints: 500,
  friendPoints: 250,
  tierRules: {
    metric: "spend",
    period: "rolling_12_months",
    graceDays: 30,
    tiers: [
      { id: "bronze", name: "Bronze", threshold: 0, earnMultiplierPercent: 100, perks: [] },
      {
        id: "silver",
        name: "Silver",
        threshold: 250_00,
        earnMultiplierPercent: 125,
        perks: ["Free shipping"],
      },
      {
        id: "gold",
        name: "Gold",
        threshold: 750_00,
        earnMultiplierPercent: 150,
        perks: ["Free shipping", "Early access"],
      },
    ],
  },
};
