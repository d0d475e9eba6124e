// The segment builder's form (issue 18, R-CUS-4): what the merchant picks with form controls —
// a field, an operator, values (checkboxes, a number, an amount in the shop's currency, codes, a
// tag) per condition, and whether all or any must hold — read from the submitted fields
// (`conditions.0.field`, `conditions.0.operator`, `conditions.0.value`…) into a segment definition,
// each mistake named by its field. No database here: the page in the browser uses it too.
import { MoneyError, toDecimalAmount, toMinorUnits } from "../money/money";
import {
  numberOperatorNames,
  segmentFieldNames,
  segmentFields,
  tagOperatorNames,
  type SegmentField,
} from "./segment-fields";

export const maxSegmentConditions = 50;
export const maxSegmentNameLength = 100;

export interface SegmentConditionForm {
  field: string;
  operator: string;
  /** Checked choices, or the one text typed (number, amount, codes, tag). */
  values: string[];
}

export interface SegmentForm {
  name: string;
  match: string;
  conditions: SegmentConditionForm[];
}

export type SegmentFormErrorCode =
  | "nameMissing"
  | "nameTooLong"
  | "nameTaken"
  | "matchInvalid"
  | "conditionsMissing"
  | "conditionsTooMany"
  | "fieldInvalid"
  | "operatorInvalid"
  | "choicesMissing"
  | "choiceInvalid"
  | "numberInvalid"
  | "amountInvalid"
  | "codesInvalid"
  | "tagInvalid";

export interface SegmentFormError {
  /** The form field: "name", "match", "conditions", "conditions.2.value", … */
  field: string;
  code: SegmentFormErrorCode;
  values?: Record<string, string | number>;
}

/** A definition as segments.ts takes it (validated again there). */
export interface SegmentDefinitionInput {
  match: "all" | "any";
  conditions: { field: string; operator: string; value: string | number | string[] }[];
}

export type SegmentFormResult =
  { ok: true; name: string; definition: SegmentDefinitionInput } | { ok: false; errors: SegmentFormError[] };

/** The form as submitted (FormData or URLSearchParams entries). */
export function segmentFormOf(entries: Iterable<[string, FormDataEntryValue]>): SegmentForm {
  const form: SegmentForm = { name: "", match: "", conditions: [] };
  const byIndex = new Map<number, SegmentConditionForm>();
  for (const [key, raw] of entries) {
    const value = typeof raw === "string" ? raw : "";
    if (key === "name") form.name = value;
    else if (key === "match") form.match = value;
    else {
      const match = /^conditions\.(\d{1,3})\.(field|operator|value)$/.exec(key);
      if (!match) continue;
      const index = Number(match[1]);
      const condition = byIndex.get(index) ?? { field: "", operator: "", values: [] };
      if (match[2] === "value") condition.values.push(value);
      else condition[match[2] as "field" | "operator"] = value;
      byIndex.set(index, condition);
    }
  }
  form.conditions = [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, condition]) => condition);
  return form;
}

/** The form's fields as submitted, for a fetcher or a form post. */
export function segmentFormEntries(form: SegmentForm): [string, string][] {
  const entries: [string, string][] = [
    ["name", form.name],
    ["match", form.match],
  ];
  form.conditions.forEach((condition, index) => {
    entries.push([`conditions.${index}.field`, condition.field]);
    entries.push([`conditions.${index}.operator`, condition.operator]);
    for (const value of condition.values) entries.push([`conditions.${index}.value`, value]);
  });
  return entries;
}

function isField(field: string): field is SegmentField {
  return (segmentFieldNames as string[]).includes(field);
}

/** Operators the builder offers for a field (choices: "is"/"is not" any of the checked ones). */
export function operatorsFor(field: SegmentField): readonly string[] {
  switch (segmentFields[field].kind) {
    case "choice":
    case "code":
      return ["is", "is_not"];
    case "number":
    case "money":
      return numberOperatorNames;
    case "tag":
      return tagOperatorNames;
  }
}

/** A new condition on this field, as the builder starts it. */
export function blankCondition(field: SegmentField): SegmentConditionForm {
  return { field, operator: operatorsFor(field)[0] ?? "is", values: [] };
}

interface Context {
  /** The shop's currency: amounts are typed in it. */
  currency: string;
  /** The shop's loyalty tier ids. */
  tierIds: readonly string[];
}

function conditionOf(
  condition: SegmentConditionForm,
  index: number,
  context: Context,
  errors: SegmentFormError[],
): SegmentDefinitionInput["conditions"][number] | null {
  const at = (part: string) => `conditions.${index}.${part}`;
  if (!isField(condition.field)) {
    errors.push({ field: at("field"), code: "fieldInvalid" });
    return null;
  }
  const field = condition.field;
  const spec = segmentFields[field];
  if (!operatorsFor(field).includes(condition.operator)) {
    errors.push({ field: at("operator"), code: "operatorInvalid" });
    return null;
  }
  const values = condition.values.map((value) => value.trim()).filter((value) => value !== "");
  const negative = condition.operator === "is_not";
  switch (spec.kind) {
    case "choice": {
      const allowed: readonly string[] = field === "loyaltyTier" ? context.tierIds : spec.choices;
      const chosen = [...new Set(values)];
      if (chosen.length === 0) {
        errors.push({ field: at("value"), code: "choicesMissing" });
        return null;
      }
      const unknown = chosen.find((value) => !allowed.includes(value));
      if (unknown !== undefined) {
        errors.push({ field: at("value"), code: "choiceInvalid", values: { value: unknown } });
        return null;
      }
      return chosen.length === 1
        ? { field, operator: negative ? "is_not" : "is", value: chosen[0] as string }
        : { field, operator: negative ? "not_in" : "in", value: chosen };
    }
    case "code": {
      const codes = [
        ...new Set(
          values
            .join(",")
            .split(",")
            .map((code) => code.trim())
            .filter((code) => code !== ""),
        ),
      ];
      const valid =
        field === "countryCode"
          ? codes.every((code) => /^[A-Za-z]{2}$/.test(code))
          : codes.every((code) => /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/.test(code));
      if (codes.length === 0 || codes.length > 100 || !valid) {
        errors.push({ field: at("value"), code: "codesInvalid" });
        return null;
      }
      const written = field === "countryCode" ? codes.map((code) => code.toUpperCase()) : codes;
      return written.length === 1
        ? { field, operator: negative ? "is_not" : "is", value: written[0] as string }
        : { field, operator: negative ? "not_in" : "in", value: written };
    }
    case "number": {
      const text = values[0] ?? "";
      const number = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
      if (!(number >= 0 && number <= spec.max)) {
        errors.push({ field: at("value"), code: "numberInvalid", values: { max: spec.max } });
        return null;
      }
      return { field, operator: condition.operator, value: number };
    }
    case "money": {
      const text = (values[0] ?? "").replace(/\s/g, "").replace(",", ".");
      try {
        const amount = toMinorUnits(text, context.currency);
        if (amount < 0) throw new MoneyError("negative");
        return { field, operator: condition.operator, value: amount };
      } catch (error) {
        if (!(error instanceof MoneyError)) throw error;
        errors.push({ field: at("value"), code: "amountInvalid", values: { currency: context.currency } });
        return null;
      }
    }
    case "tag": {
      const tag = values[0] ?? "";
      if (tag === "" || tag.length > 100 || tag.includes(",")) {
        errors.push({ field: at("value"), code: "tagInvalid" });
        return null;
      }
      return { field, operator: condition.operator, value: tag };
    }
  }
}

/** The segment the form describes, or every mistake in it, each naming its field. */
export function segmentFromForm(form: SegmentForm, context: Context): SegmentFormResult {
  const errors: SegmentFormError[] = [];
  const name = form.name.trim();
  if (name === "") errors.push({ field: "name", code: "nameMissing" });
  else if (name.length > maxSegmentNameLength)
    errors.push({ field: "name", code: "nameTooLong", values: { max: maxSegmentNameLength } });
  if (form.match !== "all" && form.match !== "any") errors.push({ field: "match", code: "matchInvalid" });
  if (form.conditions.length === 0) errors.push({ field: "conditions", code: "conditionsMissing" });
  if (form.conditions.length > maxSegmentConditions)
    errors.push({ field: "conditions", code: "conditionsTooMany", values: { max: maxSegmentConditions } });
  const conditions = form.conditions
    .slice(0, maxSegmentConditions)
    .map((condition, index) => conditionOf(condition, index, context, errors));
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    name,
    definition: {
      match: form.match as "all" | "any",
      conditions: conditions.filter((condition) => condition !== null),
    },
  };
}

/** A saved definition back in the builder's terms (amounts in the shop's currency). */
export function segmentFormFromDefinition(
  name: string,
  definition: SegmentDefinitionInput,
  currency: string,
): SegmentForm {
  return {
    name,
    match: definition.match,
    conditions: definition.conditions.map((condition) => {
      const list = Array.isArray(condition.value) ? condition.value : [condition.value];
      const field = isField(condition.field) ? condition.field : null;
      const kind = field ? segmentFields[field].kind : "choice";
      const operator =
        condition.operator === "in" ? "is" : condition.operator === "not_in" ? "is_not" : condition.operator;
      if (kind === "money" && typeof condition.value === "number")
        return { field: condition.field, operator, values: [toDecimalAmount(condition.value, currency)] };
      if (kind === "code") return { field: condition.field, operator, values: [list.join(", ")] };
      return { field: condition.field, operator, values: list.map(String) };
    }),
  };
}
