// The segment builder's form (issue 18, R-CUS-4): the submitted fields read into a definition that
// segments.ts accepts — choices to "is"/"in", amounts in the shop's currency to minor units, codes
// split and upper-cased — and back into the builder's terms for editing; mistakes named by field.
import { describe, expect, it } from "vitest";
import {
  segmentFormEntries,
  segmentFormFromDefinition,
  segmentFormOf,
  segmentFromForm,
  type SegmentForm,
} from "../../app/customers/segment-form";
import { segmentDefinition } from "../../app/customers/segments";

const context = { currency: "CZK", tierIds: ["gold", "silver"] };

describe("segment builder form", () => {
  const form: SegmentForm = {
    name: "  Czech big spenders ",
    match: "any",
    conditions: [
      { field: "rfmSegment", operator: "is_not", values: ["lost", "hibernating"] },
      { field: "countryCode", operator: "is", values: ["cz, sk"] },
      { field: "totalSpentMinor", operator: "gte", values: ["1 500,50"] },
      { field: "loyaltyTier", operator: "is", values: ["gold"] },
      { field: "lastOrderDaysAgo", operator: "lt", values: ["30"] },
      { field: "tags", operator: "has_not", values: ["wholesale"] },
    ],
  };

  it("reads the submitted fields into a definition segments.ts accepts", () => {
    const result = segmentFromForm(segmentFormOf(segmentFormEntries(form)), context);
    expect(result).toEqual({
      ok: true,
      name: "Czech big spenders",
      definition: {
        match: "any",
        conditions: [
          { field: "rfmSegment", operator: "not_in", value: ["lost", "hibernating"] },
          { field: "countryCode", operator: "in", value: ["CZ", "SK"] },
          { field: "totalSpentMinor", operator: "gte", value: 150_050 },
          { field: "loyaltyTier", operator: "is", value: "gold" },
          { field: "lastOrderDaysAgo", operator: "lt", value: 30 },
          { field: "tags", operator: "has_not", value: "wholesale" },
        ],
      },
    });
    if (!result.ok) return;
    expect(segmentDefinition.safeParse(result.definition).success).toBe(true);
  });

  it("shows a saved definition back in the builder's terms", () => {
    const result = segmentFromForm(form, context);
    if (!result.ok) throw new Error("form refused");
    expect(segmentFormFromDefinition(result.name, result.definition, "CZK")).toEqual({
      name: "Czech big spenders",
      match: "any",
      conditions: [
        { field: "rfmSegment", operator: "is_not", values: ["lost", "hibernating"] },
        { field: "countryCode", operator: "is", values: ["CZ, SK"] },
        { field: "totalSpentMinor", operator: "gte", values: ["1500.50"] },
        { field: "loyaltyTier", operator: "is", values: ["gold"] },
        { field: "lastOrderDaysAgo", operator: "lt", values: ["30"] },
        { field: "tags", operator: "has_not", values: ["wholesale"] },
      ],
    });
  });

  it("names every mistake by its field", () => {
    const result = segmentFromForm(
      {
        name: "x".repeat(101),
        match: "all",
        conditions: [
          { field: "countryCode", operator: "is", values: ["Czechia"] },
          { field: "ordersCount", operator: "about", values: ["3"] },
          { field: "predictedClvMinor", operator: "gt", values: ["-5"] },
          { field: "tags", operator: "has", values: ["a,b"] },
          { field: "valueBand", operator: "is", values: ["huge"] },
        ],
      },
      context,
    );
    expect(result).toEqual({
      ok: false,
      errors: [
        { field: "name", code: "nameTooLong", values: { max: 100 } },
        { field: "conditions.0.value", code: "codesInvalid" },
        { field: "conditions.1.operator", code: "operatorInvalid" },
        { field: "conditions.2.value", code: "amountInvalid", values: { currency: "CZK" } },
        { field: "conditions.3.value", code: "tagInvalid" },
        { field: "conditions.4.value", code: "choiceInvalid", values: { value: "huge" } },
      ],
    });
    expect(segmentFromForm({ name: "n", match: "all", conditions: [] }, context)).toEqual({
      ok: false,
      errors: [{ field: "conditions", code: "conditionsMissing" }],
    });
  });
});
