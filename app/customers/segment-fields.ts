// The customer fields segments and the customers list filter on, and the values each can take —
// without anything of the database, so the admin's pages (in the browser) share them with
// segments.ts (R-CUS-4).
export const lifecycleStages = ["lead", "one_time", "repeat", "at_risk", "lapsed"] as const;
export const rfmSegments = [
  "champions",
  "loyal",
  "potential_loyalist",
  "new",
  "at_risk",
  "cant_lose",
  "hibernating",
  "lost",
] as const;
export const valueBands = ["low", "medium", "high"] as const;
export const consentStates = ["subscribed", "not_subscribed", "unsubscribed", "pending"] as const;

export const choiceOperatorNames = ["is", "is_not", "in", "not_in"] as const;
export const numberOperatorNames = ["eq", "neq", "gt", "gte", "lt", "lte"] as const;
export const tagOperatorNames = ["has", "has_not"] as const;

/** How a field is edited: choices from a list, codes typed, a number, an amount of money, a tag. */
export type SegmentFieldKind = "choice" | "code" | "number" | "money" | "tag";

export const segmentFields = {
  lifecycleStage: { kind: "choice", choices: lifecycleStages },
  rfmSegment: { kind: "choice", choices: rfmSegments },
  valueBand: { kind: "choice", choices: valueBands },
  emailConsent: { kind: "choice", choices: consentStates },
  smsConsent: { kind: "choice", choices: consentStates },
  whatsappConsent: { kind: "choice", choices: consentStates },
  // The choices are the shop's tier ids (its loyalty program's tier rules).
  loyaltyTier: { kind: "choice", choices: [] },
  countryCode: { kind: "code", choices: [] },
  locale: { kind: "code", choices: [] },
  rfmRecency: { kind: "number", max: 5 },
  rfmFrequency: { kind: "number", max: 5 },
  rfmMonetary: { kind: "number", max: 5 },
  ordersCount: { kind: "number", max: 1_000_000 },
  lastOrderDaysAgo: { kind: "number", max: 36_500 },
  totalSpentMinor: { kind: "money", max: Number.MAX_SAFE_INTEGER },
  predictedClvMinor: { kind: "money", max: Number.MAX_SAFE_INTEGER },
  tags: { kind: "tag" },
} as const satisfies Record<string, { kind: SegmentFieldKind; choices?: readonly string[]; max?: number }>;

export type SegmentField = keyof typeof segmentFields;
export const segmentFieldNames = Object.keys(segmentFields) as SegmentField[];

export function segmentFieldKind(field: SegmentField): SegmentFieldKind {
  return segmentFields[field].kind;
}
