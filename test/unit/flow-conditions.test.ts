// Conditions and filters (R-FLOW-1): every operator on profile fields (numbers, strings compared
// case-insensitively, tags as a comma-separated list), dotted paths into the enrolling event's
// payload (a missing property never matches), "has ordered since the run started", and filters
// that hold only when every one of them does.
import { describe, expect, it } from "vitest";
import {
  conditionHolds,
  filtersHold,
  type ConditionFacts,
  type ProfileFacts,
} from "../../app/flows/conditions";
import type { Condition, Operator, ProfileField } from "../../app/flows/definition";

type Value = string | number | boolean | (string | number | boolean)[];

const profile: ProfileFacts = {
  lifecycleStage: "Active",
  ordersCount: 3,
  totalSpentMinor: 12_500,
  averageOrderValueMinor: 4_166,
  countryCode: "CZ",
  locale: "cs",
  tags: "VIP, newsletter,  Wholesale ",
  emailConsent: "subscribed",
  smsConsent: "not_subscribed",
  whatsappConsent: null,
  valueBand: null,
  rfmSegment: null,
  rfmRecency: null,
  rfmFrequency: null,
  rfmMonetary: null,
  predictedClvMinor: null,
  typicalIntervalDays: null,
};

const event = {
  to: "Gold",
  from: "silver",
  points: 250,
  pointsText: "250",
  confirmed: true,
  note: null,
  order: { total: { amountMinor: 5_000, currency: "EUR" }, lineItems: [{ sku: "MUG-1" }] },
};

function facts(overrides: Partial<ConditionFacts> = {}): ConditionFacts {
  return { profile, event, orderedSinceStart: false, segments: new Set(), ...overrides };
}

function onProfile(field: ProfileField, operator: Operator, value: Value): Condition {
  return { kind: "profile", field, operator, value };
}

function onEvent(property: string, operator: Operator, value: Value): Condition {
  return { kind: "event", property, operator, value };
}

function holds(condition: Condition, overrides: Partial<ConditionFacts> = {}): boolean {
  return conditionHolds(condition, facts(overrides));
}

describe("profile conditions on numbers", () => {
  it.each<[Operator, Value, boolean]>([
    ["equals", 3, true],
    ["equals", 4, false],
    ["not_equals", 4, true],
    ["not_equals", 3, false],
    ["greater_than", 2, true],
    ["greater_than", 3, false],
    ["less_than", 4, true],
    ["less_than", 3, false],
    ["at_least", 3, true],
    ["at_least", 4, false],
    ["at_most", 3, true],
    ["at_most", 2, false],
    ["one_of", [1, 2, 3], true],
    ["one_of", [4, 5], false],
    ["contains", 3, false],
  ])("ordersCount (3) %s %j → %s", (operator, value, expected) => {
    expect(holds(onProfile("ordersCount", operator, value))).toBe(expected);
  });

  it("compares money in minor units", () => {
    expect(holds(onProfile("totalSpentMinor", "at_least", 12_500))).toBe(true);
    expect(holds(onProfile("totalSpentMinor", "greater_than", 12_500))).toBe(false);
    expect(holds(onProfile("averageOrderValueMinor", "less_than", 5_000))).toBe(true);
  });

  it("accepts a numeric string as the value of an ordering comparison", () => {
    expect(holds(onProfile("ordersCount", "greater_than", "2"))).toBe(true);
    expect(holds(onProfile("ordersCount", "at_most", " 3 "))).toBe(true);
  });

  it("never orders a non-numeric value", () => {
    for (const operator of ["greater_than", "less_than", "at_least", "at_most"] as const) {
      expect(holds(onProfile("ordersCount", operator, "many"))).toBe(false);
      expect(holds(onProfile("countryCode", operator, 1))).toBe(false);
      expect(
        holds(onProfile("ordersCount", operator, 1), { profile: { ...profile, ordersCount: null } }),
      ).toBe(false);
    }
  });

  it("reads a numeric string in the profile as a number", () => {
    const stringly = { ...profile, ordersCount: "3" };
    expect(holds(onProfile("ordersCount", "equals", 3), { profile: stringly })).toBe(true);
    expect(holds(onProfile("ordersCount", "at_least", 3), { profile: stringly })).toBe(true);
  });
});

describe("profile conditions on strings", () => {
  it.each<[ProfileField, Operator, Value, boolean]>([
    ["lifecycleStage", "equals", "active", true],
    ["lifecycleStage", "equals", "  ACTIVE ", true],
    ["lifecycleStage", "equals", "lapsed", false],
    ["lifecycleStage", "not_equals", "ACTIVE", false],
    ["lifecycleStage", "not_equals", "lapsed", true],
    ["countryCode", "one_of", ["sk", "cz", "pl"], true],
    ["countryCode", "one_of", ["sk", "pl"], false],
    ["countryCode", "one_of", "cz", true],
    ["lifecycleStage", "contains", "CTI", true],
    ["lifecycleStage", "contains", "ve", true],
    ["lifecycleStage", "contains", "lapsed", false],
    ["emailConsent", "equals", "Subscribed", true],
    ["smsConsent", "equals", "subscribed", false],
    ["locale", "greater_than", "aa", false],
  ])("%s %s %j → %s", (field, operator, value, expected) => {
    expect(holds(onProfile(field, operator, value))).toBe(expected);
  });

  it("treats a missing (null) field as matching no value", () => {
    expect(holds(onProfile("whatsappConsent", "equals", "subscribed"))).toBe(false);
    expect(holds(onProfile("whatsappConsent", "one_of", ["subscribed", "pending"]))).toBe(false);
    expect(holds(onProfile("whatsappConsent", "contains", "sub"))).toBe(false);
    expect(holds(onProfile("whatsappConsent", "not_equals", "subscribed"))).toBe(true);
  });

  it("matches nothing with an empty list of values", () => {
    expect(holds(onProfile("countryCode", "one_of", []))).toBe(false);
    expect(holds(onProfile("countryCode", "equals", []))).toBe(false);
  });
});

describe("profile conditions on tags (a comma-separated list)", () => {
  it.each<[Operator, Value, boolean]>([
    ["contains", "vip", true],
    ["contains", "WHOLESALE", true],
    ["contains", "VI", false],
    ["contains", "retail", false],
    ["equals", "newsletter", true],
    ["equals", "news", false],
    ["one_of", ["retail", "wholesale"], true],
    ["one_of", ["retail", "b2b"], false],
    ["not_equals", "vip", false],
    ["not_equals", "retail", true],
  ])("tags %s %j → %s", (operator, value, expected) => {
    expect(holds(onProfile("tags", operator, value))).toBe(expected);
  });

  it("does not match a whole-list string or an empty tag", () => {
    expect(holds(onProfile("tags", "equals", "VIP, newsletter,  Wholesale "))).toBe(false);
    const empty = { ...profile, tags: " , ," };
    expect(holds(onProfile("tags", "contains", ""), { profile: empty })).toBe(false);
    expect(holds(onProfile("tags", "not_equals", "vip"), { profile: empty })).toBe(true);
  });

  it("holds no tag when the customer has none", () => {
    for (const tags of ["", null]) {
      const untagged = { ...profile, tags };
      expect(holds(onProfile("tags", "contains", "vip"), { profile: untagged })).toBe(false);
      expect(holds(onProfile("tags", "one_of", ["vip"]), { profile: untagged })).toBe(false);
      expect(holds(onProfile("tags", "not_equals", "vip"), { profile: untagged })).toBe(true);
    }
  });
});

describe("event conditions", () => {
  it("reads top-level and nested properties", () => {
    expect(holds(onEvent("to", "equals", "gold"))).toBe(true);
    expect(holds(onEvent("from", "one_of", ["bronze", "Silver"]))).toBe(true);
    expect(holds(onEvent("points", "at_least", 250))).toBe(true);
    expect(holds(onEvent("points", "greater_than", 250))).toBe(false);
    expect(holds(onEvent("pointsText", "equals", 250))).toBe(true);
    expect(holds(onEvent("order.total.amountMinor", "greater_than", 4_999))).toBe(true);
    expect(holds(onEvent("order.total.currency", "equals", "eur"))).toBe(true);
    expect(holds(onEvent("order.total.currency", "not_equals", "eur"))).toBe(false);
    expect(holds(onEvent("order.lineItems.0.sku", "contains", "mug"))).toBe(true);
  });

  it("compares booleans with booleans or their text", () => {
    expect(holds(onEvent("confirmed", "equals", true))).toBe(true);
    expect(holds(onEvent("confirmed", "equals", false))).toBe(false);
    expect(holds(onEvent("to", "equals", true))).toBe(false);
    expect(holds(onEvent("flag", "equals", true), { event: { flag: "true" } })).toBe(true);
  });

  it.each<[string, Operator, Value]>([
    ["missing", "equals", "x"],
    ["missing", "one_of", ["x", "y"]],
    ["missing", "contains", "x"],
    ["missing", "greater_than", 0],
    ["missing", "at_most", 1_000],
    ["order.total.missing", "equals", "EUR"],
    ["order.missing.deep", "at_least", 0],
    ["missing.deep.path", "equals", "x"],
    ["note.inner", "equals", "x"],
    ["to.length", "equals", 4],
    ["toString", "contains", "function"],
    ["order.constructor", "contains", "Object"],
  ])("a missing property %s (%s %j) → false", (property, operator, value) => {
    expect(holds(onEvent(property, operator, value))).toBe(false);
  });

  it("finds nothing in a payload that is not an object", () => {
    for (const payload of [null, undefined, "Gold", 42, true]) {
      expect(holds(onEvent("to", "equals", "Gold"), { event: payload })).toBe(false);
    }
  });
});

describe("has_ordered_since_start", () => {
  it("is whether the customer ordered since the run started", () => {
    const condition: Condition = { kind: "has_ordered_since_start" };
    expect(holds(condition, { orderedSinceStart: true })).toBe(true);
    expect(holds(condition, { orderedSinceStart: false })).toBe(false);
  });
});

describe("filtersHold", () => {
  const inCzechia = onProfile("countryCode", "equals", "cz");
  const repeatBuyer = onProfile("ordersCount", "at_least", 2);
  const goldEvent = onEvent("to", "equals", "gold");

  it("holds with no filters", () => {
    expect(filtersHold([], facts())).toBe(true);
  });

  it("holds when every filter holds", () => {
    expect(filtersHold([inCzechia, repeatBuyer, goldEvent], facts())).toBe(true);
  });

  it("fails when one filter fails, wherever it is", () => {
    const failing = onProfile("tags", "contains", "retail");
    expect(filtersHold([failing, inCzechia, repeatBuyer], facts())).toBe(false);
    expect(filtersHold([inCzechia, failing, repeatBuyer], facts())).toBe(false);
    expect(filtersHold([inCzechia, repeatBuyer, failing], facts())).toBe(false);
    expect(filtersHold([inCzechia, { kind: "has_ordered_since_start" }], facts())).toBe(false);
  });

  it("fails when every filter fails", () => {
    expect(
      filtersHold([onProfile("countryCode", "equals", "us"), onEvent("missing", "equals", "x")], facts()),
    ).toBe(false);
  });
});
