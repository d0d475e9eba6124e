// One condition (of a condition step or a filter): a saved segment, a customer field, a property of
// the triggering event, or "has ordered since the flow started".
import { FormLayout, Select, TextField } from "@shopify/polaris";
import type { Condition, ProfileField } from "../../flows/definition";
import { profileFields } from "../../flows/definition";
import { useMessages } from "../../i18n/catalogue";
import { flowsMessages, profileFieldMessages } from "../../i18n/messages/flows";
import { operatorText, operators } from "./steps";

type Scalar = string | number | boolean;

function parseScalar(text: string): Scalar {
  const trimmed = text.trim();
  if (trimmed === "true") return true;
  if (trimmed === "false") return false;
  if (trimmed !== "" && Number.isFinite(Number(trimmed))) return Number(trimmed);
  return trimmed;
}

function parseValue(text: string, operator: string): Scalar | Scalar[] {
  return operator === "one_of" ? text.split(",").map(parseScalar) : parseScalar(text);
}

function valueText(value: unknown): string {
  return Array.isArray(value) ? value.join(", ") : String(value ?? "");
}

export function ConditionFields({
  idPrefix,
  condition,
  segments,
  onChange,
  error,
}: {
  idPrefix: string;
  condition: Condition;
  segments: { id: string; name: string }[];
  onChange: (condition: Condition) => void;
  error?: string;
}) {
  const t = useMessages(flowsMessages);
  const fields = useMessages(profileFieldMessages);
  const operatorOptions = operators.map((operator) => ({
    value: operator,
    label: operatorText(operator, t),
  }));
  const changeKind = (kind: string) => {
    if (kind === "segment") onChange({ kind: "segment", segmentId: segments[0]?.id ?? "", member: true });
    else if (kind === "profile")
      onChange({ kind: "profile", field: "ordersCount", operator: "at_least", value: 1 });
    else if (kind === "event") onChange({ kind: "event", property: "to", operator: "equals", value: "" });
    else onChange({ kind: "has_ordered_since_start" });
  };
  return (
    <FormLayout>
      <Select
        id={`${idPrefix}-kind`}
        label={t.conditionKind}
        value={condition.kind}
        onChange={changeKind}
        error={error}
        options={[
          { value: "segment", label: t.conditionSegment },
          { value: "profile", label: t.conditionProfile },
          { value: "event", label: t.conditionEvent },
          { value: "has_ordered_since_start", label: t.conditionOrdered },
        ]}
      />
      {condition.kind === "segment" ? (
        <FormLayout.Group>
          <Select
            id={`${idPrefix}-segment`}
            label={t.segment}
            value={condition.segmentId}
            placeholder={segments.length === 0 ? t.noSegments : undefined}
            options={segments.map((segment) => ({ value: segment.id, label: segment.name }))}
            onChange={(segmentId) => onChange({ ...condition, segmentId })}
          />
          <Select
            id={`${idPrefix}-member`}
            label={t.segmentMember}
            value={condition.member ? "in" : "out"}
            options={[
              { value: "in", label: t.segmentIn },
              { value: "out", label: t.segmentNotIn },
            ]}
            onChange={(value) => onChange({ ...condition, member: value === "in" })}
          />
        </FormLayout.Group>
      ) : null}
      {condition.kind === "profile" || condition.kind === "event" ? (
        <FormLayout.Group>
          {condition.kind === "profile" ? (
            <Select
              id={`${idPrefix}-field`}
              label={t.field}
              value={condition.field}
              options={profileFields.map((field) => ({ value: field, label: fields[field] }))}
              onChange={(field) => onChange({ ...condition, field: field as ProfileField })}
            />
          ) : (
            <TextField
              id={`${idPrefix}-property`}
              label={t.property}
              autoComplete="off"
              value={condition.property}
              onChange={(property) => onChange({ ...condition, property })}
            />
          )}
          <Select
            id={`${idPrefix}-operator`}
            label={t.operator}
            value={condition.operator}
            options={operatorOptions}
            onChange={(operator) =>
              onChange({
                ...condition,
                operator: operator as Condition extends { operator: infer O } ? O : never,
              })
            }
          />
          <TextField
            id={`${idPrefix}-value`}
            label={t.value}
            helpText={t.valueHelp}
            autoComplete="off"
            value={valueText(condition.value)}
            onChange={(text) => onChange({ ...condition, value: parseValue(text, condition.operator) })}
          />
        </FormLayout.Group>
      ) : null}
    </FormLayout>
  );
}
