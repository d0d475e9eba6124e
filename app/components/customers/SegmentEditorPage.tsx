// The segment builder: a name, "all" or "any", and conditions made of a field, an operator and
// values — checkboxes for choices, a number, an amount in the shop's currency, codes or a tag. The
// number of customers who match is counted as the conditions change (nothing is saved for that).
import { useActionData, useFetcher, useNavigation, useSearchParams, useSubmit } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  ChoiceList,
  InlineError,
  InlineGrid,
  InlineStack,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useMemo, useState } from "react";
import { segmentFieldNames, segmentFields, type SegmentField } from "../../customers/segment-fields";
import {
  blankCondition,
  operatorsFor,
  segmentFormEntries,
  segmentFormFromDefinition,
  type SegmentConditionForm,
  type SegmentDefinitionInput,
  type SegmentForm,
  type SegmentFormError,
} from "../../customers/segment-form";
import { fill, useAdminLocale, useMessages } from "../../i18n/catalogue";
import { customersMessages, type CustomersWords } from "../../i18n/messages/customers";
import { formatNumber } from "./format";
import { word } from "./words";

export interface SegmentEditorPageProps {
  segment: { id: string; name: string; definition: SegmentDefinitionInput } | null;
  tiers: { id: string; name: string }[];
  currency: string;
}

type CountAnswer = { ok: true; count: number } | { ok: false; errors: SegmentFormError[] };

function errorText(words: CustomersWords, error: SegmentFormError | undefined): string | undefined {
  if (!error) return undefined;
  return fill(word(words, `error_${error.code}`), error.values ?? {});
}

function isField(field: string): field is SegmentField {
  return (segmentFieldNames as string[]).includes(field);
}

function ConditionEditor({
  index,
  condition,
  errors,
  tiers,
  currency,
  onChange,
  onRemove,
}: {
  index: number;
  condition: SegmentConditionForm;
  errors: Map<string, SegmentFormError>;
  tiers: SegmentEditorPageProps["tiers"];
  currency: string;
  onChange(condition: SegmentConditionForm): void;
  onRemove(): void;
}) {
  const words = useMessages(customersMessages);
  const field = isField(condition.field) ? condition.field : "lifecycleStage";
  const spec = segmentFields[field];
  const number = index + 1;
  const error = (part: string) => errorText(words, errors.get(`conditions.${index}.${part}`));
  const text = condition.values[0] ?? "";
  const setText = (value: string) => onChange({ ...condition, values: [value] });
  const choicePrefix: Record<string, string> = {
    lifecycleStage: "lifecycle_",
    rfmSegment: "rfm_",
    valueBand: "value_",
    emailConsent: "consent_",
    smsConsent: "consent_",
    whatsappConsent: "consent_",
  };
  let value;
  switch (spec.kind) {
    case "choice": {
      const choices =
        field === "loyaltyTier"
          ? tiers.map((tier) => ({ label: tier.name, value: tier.id }))
          : spec.choices.map((choice) => ({
              label: word(words, `${choicePrefix[field]}${choice}`),
              value: choice,
            }));
      value =
        choices.length === 0 ? (
          <Text as="p" tone="subdued">
            {words.noTiers}
          </Text>
        ) : (
          <ChoiceList
            title={words.conditionValues}
            allowMultiple
            choices={choices}
            selected={condition.values}
            onChange={(selected) => onChange({ ...condition, values: selected })}
            error={error("value")}
          />
        );
      break;
    }
    case "code":
      value = (
        <TextField
          label={words.conditionValue}
          autoComplete="off"
          value={text}
          onChange={setText}
          helpText={words.conditionCodesHelp}
          error={error("value")}
        />
      );
      break;
    case "number":
      value = (
        <TextField
          label={words.conditionValue}
          type="number"
          min={0}
          max={spec.max}
          autoComplete="off"
          value={text}
          onChange={setText}
          helpText={field === "lastOrderDaysAgo" ? words.conditionDaysHelp : undefined}
          error={error("value")}
        />
      );
      break;
    case "money":
      value = (
        <TextField
          label={words.conditionValue}
          inputMode="decimal"
          autoComplete="off"
          value={text}
          onChange={setText}
          suffix={currency}
          helpText={fill(words.conditionAmountHelp, { currency })}
          error={error("value")}
        />
      );
      break;
    case "tag":
      value = (
        <TextField
          label={words.conditionValue}
          autoComplete="off"
          value={text}
          onChange={setText}
          error={error("value")}
        />
      );
      break;
  }
  return (
    <Box padding="300" borderWidth="025" borderColor="border" borderRadius="200">
      <fieldset style={{ border: 0, margin: 0, padding: 0, minWidth: 0 }} data-testid={`condition-${number}`}>
        <legend>
          <Text as="span" variant="headingSm">
            {fill(words.conditionNumber, { number })}
          </Text>
        </legend>
        <BlockStack gap="300">
          <InlineStack align="end">
            <Button variant="plain" tone="critical" onClick={onRemove}>
              {fill(words.removeCondition, { number })}
            </Button>
          </InlineStack>
          <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
            <Select
              label={words.conditionField}
              options={segmentFieldNames.map((name) => ({
                label: word(words, `field_${name}`),
                value: name,
              }))}
              value={field}
              onChange={(next) => onChange(blankCondition(next as SegmentField))}
              error={error("field")}
            />
            <Select
              label={words.conditionOperator}
              options={operatorsFor(field).map((operator) => ({
                label: word(words, `operator_${operator}`),
                value: operator,
              }))}
              value={condition.operator}
              onChange={(operator) => onChange({ ...condition, operator })}
              error={error("operator")}
            />
          </InlineGrid>
          {value}
        </BlockStack>
      </fieldset>
    </Box>
  );
}

export function SegmentEditorPage({ segment, tiers, currency }: SegmentEditorPageProps) {
  const words = useMessages(customersMessages);
  const locale = useAdminLocale();
  const submit = useSubmit();
  const navigation = useNavigation();
  const answer = useActionData<{ intent: "save" | "delete"; errors: SegmentFormError[]; usedBy: string[] }>();
  const [params] = useSearchParams();
  const counter = useFetcher<CountAnswer>();
  const [form, setForm] = useState<SegmentForm>(() =>
    segment
      ? segmentFormFromDefinition(segment.name, segment.definition, currency)
      : { name: "", match: "all", conditions: [blankCondition("lifecycleStage")] },
  );
  const errors = useMemo(
    () => new Map((answer?.errors ?? []).map((error) => [error.field, error])),
    [answer],
  );
  const conditionsKey = JSON.stringify([form.match, form.conditions]);
  // The live count follows the conditions, a moment after the last change.
  useEffect(() => {
    const timer = setTimeout(() => {
      const query = new URLSearchParams(segmentFormEntries({ ...form, name: "" }));
      counter.load(`/app/customers/segments/count?${query}`);
    }, 300);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- counted again only when conditions change
  }, [conditionsKey]);

  const setCondition = (index: number) => (condition: SegmentConditionForm) =>
    setForm((current) => ({
      ...current,
      conditions: current.conditions.map((each, at) => (at === index ? condition : each)),
    }));
  const removeCondition = (index: number) => () =>
    setForm((current) => ({ ...current, conditions: current.conditions.filter((_, at) => at !== index) }));
  const save = () => submit(segmentFormEntries(form), { method: "post" });
  const saving = navigation.state === "submitting";
  const count = counter.data;
  const saved = (answer?.intent === "save" && answer.errors.length === 0) || (params.has("saved") && !answer);
  const usedBy = answer?.intent === "delete" ? answer.usedBy : [];

  return (
    <Page
      title={segment ? fill(words.segmentEditTitle, { name: segment.name }) : words.segmentNewTitle}
      backAction={{ content: words.segmentsTitle, url: "/app/customers/segments" }}
      secondaryActions={
        segment
          ? [
              { content: words.viewCustomers, url: `/app/customers?segment=${segment.id}` },
              {
                content: words.deleteSegment,
                destructive: true,
                onAction: () => submit({ intent: "delete" }, { method: "post" }),
              },
            ]
          : []
      }
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          save();
        }}
      >
        <BlockStack gap="400">
          {saved ? <Banner tone="success" title={words.saved} /> : null}
          {answer && answer.errors.length > 0 ? <Banner tone="critical" title={words.notSaved} /> : null}
          {usedBy.length > 0 ? (
            <Banner tone="critical" title={words.segmentInUseTitle}>
              <p>{fill(words.segmentInUse, { flows: usedBy.join(", ") })}</p>
            </Banner>
          ) : null}
          <Card>
            <BlockStack gap="300">
              <TextField
                label={words.segmentName}
                autoComplete="off"
                value={form.name}
                onChange={(name) => setForm((current) => ({ ...current, name }))}
                helpText={words.segmentNameHelp}
                error={errorText(words, errors.get("name"))}
              />
              <Select
                label={words.matchLabel}
                options={[
                  { label: words.match_all, value: "all" },
                  { label: words.match_any, value: "any" },
                ]}
                value={form.match}
                onChange={(match) => setForm((current) => ({ ...current, match }))}
                error={errorText(words, errors.get("match"))}
              />
            </BlockStack>
          </Card>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {words.conditionsHeading}
              </Text>
              {form.conditions.map((condition, index) => (
                <ConditionEditor
                  key={index}
                  index={index}
                  condition={condition}
                  errors={errors}
                  tiers={tiers}
                  currency={currency}
                  onChange={setCondition(index)}
                  onRemove={removeCondition(index)}
                />
              ))}
              {errors.get("conditions") ? (
                <InlineError
                  message={errorText(words, errors.get("conditions")) ?? ""}
                  fieldID="conditions"
                />
              ) : null}
              <InlineStack>
                <Button
                  onClick={() =>
                    setForm((current) => ({
                      ...current,
                      conditions: [...current.conditions, blankCondition("lifecycleStage")],
                    }))
                  }
                >
                  {words.addCondition}
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
          <Card>
            <InlineStack align="space-between" blockAlign="center" gap="300">
              <div role="status" aria-live="polite" data-testid="segment-live-count">
                <Text as="p" variant="headingMd">
                  {counter.state !== "idle" && !count
                    ? words.liveCountPending
                    : count?.ok
                      ? count.count === 1
                        ? words.liveCountOne
                        : fill(words.liveCount, { count: formatNumber(count.count, locale) })
                      : words.liveCountInvalid}
                </Text>
              </div>
              <Button submit variant="primary" loading={saving}>
                {words.save}
              </Button>
            </InlineStack>
          </Card>
        </BlockStack>
      </form>
    </Page>
  );
}
