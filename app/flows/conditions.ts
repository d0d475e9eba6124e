// Conditions and filters (R-FLOW-1): a customer profile field, a property of the enrolling event,
// or "has ordered since the run started", compared as merchants know it from Klaviyo's filters.
import type { Condition, Operator, ProfileField } from "./definition";

/** The customer fields conditions read (money as integer minor units). */
export type ProfileFacts = Record<ProfileField, string | number | null>;

export interface ConditionFacts {
  profile: ProfileFacts;
  /** The enrolling event's payload. */
  event: unknown;
  /** Whether the customer placed an order since the run started (purchases.ts). */
  orderedSinceStart: boolean;
  /** The saved segments (of those the flow refers to) the customer is in now. */
  segments: ReadonlySet<string>;
}

type Scalar = string | number | boolean;

function propertyAt(source: unknown, path: string): unknown {
  let value: unknown = source;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function asNumber(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  return null;
}

function same(actual: unknown, expected: Scalar): boolean {
  if (typeof expected === "number") return asNumber(actual) === expected;
  if (typeof expected === "boolean") return actual === expected || String(actual) === String(expected);
  return typeof actual === "string" && actual.trim().toLowerCase() === expected.trim().toLowerCase();
}

function compare(
  actual: unknown,
  operator: Operator,
  expected: Scalar | Scalar[],
  listValued: boolean,
): boolean {
  const values = Array.isArray(expected) ? expected : [expected];
  const first = values[0];
  if (first === undefined) return false;
  // Tags are a comma-separated list: "equals"/"contains" ask whether the list holds the tag.
  const items =
    listValued && typeof actual === "string"
      ? actual
          .split(",")
          .map((tag) => tag.trim())
          .filter((tag) => tag !== "")
      : null;
  switch (operator) {
    case "equals":
      return items ? items.some((item) => same(item, first)) : same(actual, first);
    case "not_equals":
      return items ? !items.some((item) => same(item, first)) : !same(actual, first);
    case "one_of":
      return items
        ? items.some((item) => values.some((value) => same(item, value)))
        : values.some((value) => same(actual, value));
    case "contains":
      if (items) return items.some((item) => same(item, first));
      return typeof actual === "string" && actual.toLowerCase().includes(String(first).toLowerCase());
    default: {
      const left = asNumber(actual);
      const right = asNumber(first);
      if (left === null || right === null) return false;
      if (operator === "greater_than") return left > right;
      if (operator === "less_than") return left < right;
      if (operator === "at_least") return left >= right;
      return left <= right;
    }
  }
}

export function conditionHolds(condition: Condition, facts: ConditionFacts): boolean {
  switch (condition.kind) {
    case "has_ordered_since_start":
      return facts.orderedSinceStart;
    case "profile":
      return compare(
        facts.profile[condition.field],
        condition.operator,
        condition.value,
        condition.field === "tags",
      );
    case "event":
      return compare(propertyAt(facts.event, condition.property), condition.operator, condition.value, false);
    case "segment":
      return facts.segments.has(condition.segmentId) === condition.member;
  }
}

/** Filters hold when every one of them does. */
export function filtersHold(conditions: readonly Condition[], facts: ConditionFacts): boolean {
  return conditions.every((condition) => conditionHolds(condition, facts));
}
