// Segment definitions (R-CUS-4): what a condition means for one customer, and what is refused.
import { describe, expect, it } from "vitest";
import { segmentDefinition, segmentMatches, type CustomerFacts } from "../../app/customers/segments";

const now = new Date("2026-12-04T12:00:00Z");
const day = 86_400_000;

const customer: CustomerFacts = {
  lifecycleStage: "at_risk",
  rfmSegment: "cant_lose",
  valueBand: "high",
  emailConsent: "subscribed",
  smsConsent: "not_subscribed",
  whatsappConsent: "not_subscribed",
  countryCode: "CZ",
  locale: "cs",
  rfmRecency: 1,
  rfmFrequency: 5,
  rfmMonetary: 5,
  ordersCount: 9,
  totalSpentMinor: 120_000,
  predictedClvMinor: 30_000,
  lastOrderAt: new Date(now.getTime() - 40.5 * day),
  tags: "VIP, coffee lover",
};
const lead: CustomerFacts = {
  ...customer,
  lifecycleStage: "lead",
  rfmSegment: null,
  valueBand: null,
  rfmRecency: null,
  rfmFrequency: null,
  rfmMonetary: null,
  ordersCount: 0,
  totalSpentMinor: 0,
  predictedClvMinor: null,
  lastOrderAt: null,
  countryCode: null,
  tags: "",
};

const matches = (facts: CustomerFacts, definition: unknown) =>
  segmentMatches(segmentDefinition.parse(definition), facts, now);

describe("segment conditions (R-CUS-4)", () => {
  it("all / any over several conditions", () => {
    const conditions = [
      { field: "valueBand", operator: "is", value: "high" },
      { field: "smsConsent", operator: "is", value: "subscribed" },
    ];
    expect(matches(customer, { match: "all", conditions })).toBe(false);
    expect(matches(customer, { match: "any", conditions })).toBe(true);
  });

  it("days since the last order count whole days", () => {
    const days = (operator: string, value: number) =>
      matches(customer, { match: "all", conditions: [{ field: "lastOrderDaysAgo", operator, value }] });
    expect(days("eq", 40)).toBe(true);
    expect(days("gt", 39)).toBe(true);
    expect(days("gt", 40)).toBe(false);
    expect(days("lt", 41)).toBe(true);
    expect(days("lte", 40)).toBe(true);
    expect(days("gte", 41)).toBe(false);
  });

  it("no figure matches no comparison; 'is not' takes customers without the field", () => {
    const score = { match: "all", conditions: [{ field: "rfmRecency", operator: "neq", value: 3 }] };
    expect(matches(customer, score)).toBe(true);
    expect(matches(lead, score)).toBe(false);
    const country = { match: "all", conditions: [{ field: "countryCode", operator: "is_not", value: "de" }] };
    expect(matches(customer, country)).toBe(true);
    expect(matches(lead, country)).toBe(true);
  });

  it("tags match whole tags, ignoring case", () => {
    const tag = (value: string, operator = "has") =>
      matches(customer, { match: "all", conditions: [{ field: "tags", operator, value }] });
    expect(tag("vip")).toBe(true);
    expect(tag("coffee lover")).toBe(true);
    expect(tag("coffee")).toBe(false);
    expect(tag("coffee", "has_not")).toBe(true);
  });

  it("refuses unknown fields, operators that do not fit, values out of range, empty definitions", () => {
    const refused = [
      { match: "all", conditions: [] },
      { match: "some", conditions: [{ field: "valueBand", operator: "is", value: "high" }] },
      { match: "all", conditions: [{ field: "favouriteColour", operator: "is", value: "red" }] },
      { match: "all", conditions: [{ field: "valueBand", operator: "gt", value: "high" }] },
      { match: "all", conditions: [{ field: "valueBand", operator: "is", value: "huge" }] },
      { match: "all", conditions: [{ field: "rfmRecency", operator: "gte", value: 6 }] },
      { match: "all", conditions: [{ field: "ordersCount", operator: "gte", value: -1 }] },
      { match: "all", conditions: [{ field: "countryCode", operator: "is", value: "Czechia" }] },
    ];
    for (const definition of refused) expect(segmentDefinition.safeParse(definition).success).toBe(false);
  });
});
