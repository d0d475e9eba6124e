// The flow's entry and exit rules: delay after the trigger, filters, re-entry, ending on purchase,
// and the control group's share.
import {
  BlockStack,
  Button,
  Card,
  Checkbox,
  FormLayout,
  InlineStack,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import type { FlowDefinition } from "../../flows/definition";
import { fill, useMessages } from "../../i18n/catalogue";
import { flowsMessages } from "../../i18n/messages/flows";
import { ConditionFields } from "./ConditionFields";
import { numberOf, textOf } from "./number-text";

export function FlowSettings({
  definition,
  segments,
  errorFor,
  onChange,
}: {
  definition: FlowDefinition;
  segments: { id: string; name: string }[];
  errorFor: (path: string) => string | undefined;
  onChange: (definition: FlowDefinition) => void;
}) {
  const t = useMessages(flowsMessages);
  const reentry = definition.reentry;
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          {t.settings}
        </Text>
        <FormLayout>
          <FormLayout.Group>
            <TextField
              label={t.triggerDelayMinutes}
              type="number"
              autoComplete="off"
              value={textOf(definition.trigger.delayMinutes)}
              error={errorFor("trigger.delayMinutes")}
              onChange={(text) =>
                onChange({ ...definition, trigger: { ...definition.trigger, delayMinutes: numberOf(text) } })
              }
            />
            <TextField
              label={t.controlPercent}
              helpText={t.controlPercentHelp}
              type="number"
              autoComplete="off"
              value={textOf(definition.controlPercent)}
              error={errorFor("controlPercent")}
              onChange={(text) => onChange({ ...definition, controlPercent: numberOf(text) })}
            />
          </FormLayout.Group>
          <Checkbox
            label={t.exitOnPurchase}
            checked={definition.exitOnPurchase}
            onChange={(exitOnPurchase) => onChange({ ...definition, exitOnPurchase })}
          />
          <FormLayout.Group>
            <Select
              label={t.reentry}
              value={reentry.mode}
              options={[
                { value: "every_time", label: t.reentryEveryTime },
                { value: "once", label: t.reentryOnce },
                { value: "once_per_days", label: t.reentryOncePerDays },
              ]}
              onChange={(mode) =>
                onChange({
                  ...definition,
                  reentry:
                    mode === "once_per_days"
                      ? { mode, days: 30 }
                      : mode === "once"
                        ? { mode: "once" }
                        : { mode: "every_time" },
                })
              }
            />
            {reentry.mode === "once_per_days" ? (
              <TextField
                label={t.reentryDays}
                type="number"
                autoComplete="off"
                value={textOf(reentry.days)}
                error={errorFor("reentry.days")}
                onChange={(text) =>
                  onChange({ ...definition, reentry: { mode: "once_per_days", days: numberOf(text) } })
                }
              />
            ) : null}
          </FormLayout.Group>
        </FormLayout>
        <BlockStack gap="300">
          <Text as="h3" variant="headingSm">
            {t.filters}
          </Text>
          {definition.filters.length === 0 ? (
            <Text as="p" tone="subdued">
              {t.noFilters}
            </Text>
          ) : null}
          {definition.filters.map((filter, index) => (
            <Card key={index} background="bg-surface-secondary">
              <BlockStack gap="200">
                <InlineStack align="space-between" blockAlign="center">
                  <Text as="h4" variant="headingXs">
                    {fill(t.filterTitle, { index: index + 1 })}
                  </Text>
                  <Button
                    variant="plain"
                    tone="critical"
                    onClick={() =>
                      onChange({ ...definition, filters: definition.filters.filter((_, at) => at !== index) })
                    }
                  >
                    {fill(t.removeFilter, { index: index + 1 })}
                  </Button>
                </InlineStack>
                <ConditionFields
                  idPrefix={`filter-${index}`}
                  condition={filter}
                  segments={segments}
                  error={errorFor(`filters.${index}`)}
                  onChange={(condition) =>
                    onChange({
                      ...definition,
                      filters: definition.filters.map((old, at) => (at === index ? condition : old)),
                    })
                  }
                />
              </BlockStack>
            </Card>
          ))}
          <InlineStack>
            <Button
              onClick={() =>
                onChange({
                  ...definition,
                  filters: [
                    ...definition.filters,
                    segments[0]
                      ? { kind: "segment", segmentId: segments[0].id, member: true }
                      : { kind: "profile", field: "ordersCount", operator: "at_least", value: 1 },
                  ],
                })
              }
            >
              {t.addFilter}
            </Button>
          </InlineStack>
        </BlockStack>
      </BlockStack>
    </Card>
  );
}
