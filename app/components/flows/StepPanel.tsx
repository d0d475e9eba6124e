// The side panel of the selected step: the fields of its kind — a wait (duration or time of day),
// a send (channel order, message, preview, test-send), a condition, split weights, a discount,
// points. Problems the last save found in this step are shown at the top of the panel.
import {
  Banner,
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
import { useState } from "react";
import type { DefinitionProblem, FlowDefinition, FlowStep, WaitStep } from "../../flows/definition";
import { channels as allChannels, type Channel } from "../../messaging/channels";
import type { MessageTemplate } from "../../messaging/compose";
import { toDecimalAmount, toMinorUnits } from "../../money/money";
import { fill, useMessages } from "../../i18n/catalogue";
import { flowsMessages } from "../../i18n/messages/flows";
import { ConditionFields } from "./ConditionFields";
import { numberOf, textOf } from "./number-text";
import { TemplateEditor } from "./TemplateEditor";

const unitMinutes = { minutes: 1, hours: 60, days: 1440 } as const;
type Unit = keyof typeof unitMinutes;

function WaitFields({ step, onChange }: { step: WaitStep; onChange: (step: FlowStep) => void }) {
  const t = useMessages(flowsMessages);
  const minutes = step.minutes ?? 60;
  const [unit, setUnit] = useState<Unit>(
    minutes % 1440 === 0 ? "days" : minutes % 60 === 0 ? "hours" : "minutes",
  );
  const [amount, setAmount] = useState(
    textOf(step.minutes === undefined ? undefined : minutes / unitMinutes[unit]),
  );
  const weekdays = step.until?.weekdays ?? [];
  const dayNames = [t.monday, t.tuesday, t.wednesday, t.thursday, t.friday, t.saturday, t.sunday];
  return (
    <FormLayout>
      <Select
        label={t.waitKind}
        value={step.until ? "until" : "duration"}
        options={[
          { value: "duration", label: t.waitDuration },
          { value: "until", label: t.waitUntilTime },
        ]}
        onChange={(kind) =>
          onChange(
            kind === "until"
              ? {
                  id: step.id,
                  type: "wait",
                  from: "step",
                  until: { time: "09:00", zone: "recipient" },
                  next: step.next,
                }
              : { id: step.id, type: "wait", from: "step", minutes: 60, next: step.next },
          )
        }
      />
      {step.until ? (
        <>
          <TextField
            label={t.waitTime}
            helpText={t.waitTimeHelp}
            autoComplete="off"
            value={step.until.time}
            onChange={(time) => onChange({ ...step, until: { ...step.until!, time } })}
          />
          <Select
            label={t.waitZone}
            value={step.until.zone}
            options={[
              { value: "recipient", label: t.zoneRecipient },
              { value: "shop", label: t.zoneShop },
            ]}
            onChange={(zone) =>
              onChange({ ...step, until: { ...step.until!, zone: zone === "shop" ? "shop" : "recipient" } })
            }
          />
          <BlockStack gap="100">
            <Text as="p">{t.weekdays}</Text>
            <InlineStack gap="300">
              {dayNames.map((name, index) => (
                <Checkbox
                  key={name}
                  label={name}
                  checked={weekdays.includes(index + 1)}
                  onChange={(checked) => {
                    const next = checked
                      ? [...weekdays, index + 1].sort()
                      : weekdays.filter((day) => day !== index + 1);
                    onChange({
                      ...step,
                      until: { ...step.until!, weekdays: next.length > 0 ? next : undefined },
                    });
                  }}
                />
              ))}
            </InlineStack>
          </BlockStack>
        </>
      ) : (
        <>
          <FormLayout.Group>
            <TextField
              label={t.waitAmount}
              type="number"
              autoComplete="off"
              value={amount}
              onChange={(text) => {
                setAmount(text);
                onChange({ ...step, minutes: numberOf(text) * unitMinutes[unit] });
              }}
            />
            <Select
              label={t.waitUnit}
              value={unit}
              options={[
                { value: "minutes", label: t.unitMinutes },
                { value: "hours", label: t.unitHours },
                { value: "days", label: t.unitDays },
              ]}
              onChange={(value) => {
                const next = value as Unit;
                setUnit(next);
                onChange({ ...step, minutes: numberOf(amount) * unitMinutes[next] });
              }}
            />
          </FormLayout.Group>
          <Select
            label={t.waitFrom}
            value={step.from}
            options={[
              { value: "step", label: t.waitFromStep },
              { value: "trigger", label: t.waitFromTrigger },
            ]}
            onChange={(from) => onChange({ ...step, from: from === "trigger" ? "trigger" : "step" })}
          />
        </>
      )}
    </FormLayout>
  );
}

function ChannelOrder({
  value,
  onChange,
}: {
  value: readonly Channel[] | undefined;
  onChange: (channels: Channel[] | undefined) => void;
}) {
  const t = useMessages(flowsMessages);
  const names: Record<Channel, string> = {
    email: t.channelEmail,
    sms: t.channelSms,
    whatsapp: t.channelWhatsapp,
  };
  const order = value
    ? [...value, ...allChannels.filter((channel) => !value.includes(channel))]
    : [...allChannels];
  const move = (index: number, by: number) => {
    const next = [...order];
    const [moved] = next.splice(index, 1);
    next.splice(index + by, 0, moved as Channel);
    onChange(next.filter((channel) => value?.includes(channel)));
  };
  return (
    <BlockStack gap="200">
      <Checkbox
        label={t.useShopOrder}
        checked={value === undefined}
        onChange={(shop) => onChange(shop ? undefined : [...allChannels])}
      />
      {value ? (
        <BlockStack gap="100">
          <Text as="p" tone="subdued">
            {t.channelOrderHelp}
          </Text>
          {order.map((channel, index) => (
            <InlineStack key={channel} gap="200" blockAlign="center">
              <Checkbox
                label={fill(t.useChannel, { channel: names[channel] })}
                checked={value.includes(channel)}
                onChange={(checked) =>
                  onChange(order.filter((item) => (item === channel ? checked : value.includes(item))))
                }
              />
              <Button
                size="slim"
                disabled={index === 0}
                onClick={() => move(index, -1)}
                accessibilityLabel={fill(t.moveUp, { channel: names[channel] })}
              >
                ↑
              </Button>
              <Button
                size="slim"
                disabled={index === order.length - 1}
                onClick={() => move(index, 1)}
                accessibilityLabel={fill(t.moveDown, { channel: names[channel] })}
              >
                ↓
              </Button>
            </InlineStack>
          ))}
        </BlockStack>
      ) : null}
    </BlockStack>
  );
}

export function StepPanel({
  step,
  definition,
  segments,
  currency,
  problems,
  describeProblem,
  onChange,
  onTemplateChange,
}: {
  step: FlowStep;
  definition: FlowDefinition;
  segments: { id: string; name: string }[];
  currency: string;
  problems: DefinitionProblem[];
  describeProblem: (problem: DefinitionProblem) => string;
  onChange: (step: FlowStep) => void;
  onTemplateChange: (id: string, template: MessageTemplate) => void;
}) {
  const t = useMessages(flowsMessages);
  let body;
  switch (step.type) {
    case "wait":
      body = <WaitFields key={step.id} step={step} onChange={onChange} />;
      break;
    case "send":
      body = (
        <BlockStack gap="400">
          <Select
            label={t.purpose}
            value={step.purpose}
            options={[
              { value: "marketing", label: t.purposeMarketing },
              { value: "transactional", label: t.purposeTransactional },
            ]}
            onChange={(purpose) =>
              onChange({ ...step, purpose: purpose === "transactional" ? "transactional" : "marketing" })
            }
          />
          <Text as="h3" variant="headingSm">
            {t.channelOrder}
          </Text>
          <ChannelOrder value={step.channels} onChange={(channels) => onChange({ ...step, channels })} />
          <Text as="h3" variant="headingSm">
            {t.template}
          </Text>
          <TemplateEditor
            key={step.template}
            templateId={step.template}
            template={definition.templates[step.template]}
            channels={step.channels}
            onChange={(template) => onTemplateChange(step.template, template)}
          />
        </BlockStack>
      );
      break;
    case "condition":
      body = (
        <BlockStack gap="300">
          <ConditionFields
            idPrefix={`step-${step.id}`}
            condition={step.condition}
            segments={segments}
            onChange={(condition) => onChange({ ...step, condition })}
          />
          <Text as="p" tone="subdued">
            {fill(t.branches, { yes: step.yes ?? t.endOfFlow, no: step.no ?? t.endOfFlow })}
          </Text>
        </BlockStack>
      );
      break;
    case "split": {
      const total = step.variants.reduce(
        (sum, variant) => sum + (Number.isFinite(variant.weight) ? variant.weight : 0),
        0,
      );
      body = (
        <FormLayout>
          <Text as="h3" variant="headingSm">
            {t.splitWeights}
          </Text>
          {step.variants.map((variant, index) => (
            <TextField
              key={variant.id}
              label={fill(t.splitWeight, { variant: variant.id })}
              type="number"
              autoComplete="off"
              value={textOf(variant.weight)}
              helpText={
                total > 0 && Number.isFinite(variant.weight)
                  ? fill(t.splitShare, { share: Math.round((variant.weight / total) * 1000) / 10 })
                  : undefined
              }
              onChange={(text) =>
                onChange({
                  ...step,
                  variants: step.variants.map((old, at) =>
                    at === index ? { ...old, weight: numberOf(text) } : old,
                  ),
                })
              }
            />
          ))}
        </FormLayout>
      );
      break;
    }
    case "discount": {
      const benefit = step.benefit;
      body = (
        <FormLayout>
          <Select
            label={t.discountType}
            value={benefit.kind}
            options={[
              { value: "percentage", label: t.discountPercentage },
              { value: "fixed_amount", label: t.discountFixed },
              { value: "free_shipping", label: t.discountFreeShipping },
            ]}
            onChange={(kind) =>
              onChange({
                ...step,
                benefit:
                  kind === "percentage"
                    ? { kind, percentOff: 10 }
                    : kind === "fixed_amount"
                      ? { kind, amountMinor: toMinorUnits("10", currency) }
                      : { kind: "free_shipping" },
              })
            }
          />
          {benefit.kind === "percentage" ? (
            <TextField
              label={t.discountPercent}
              type="number"
              autoComplete="off"
              value={textOf(benefit.percentOff)}
              onChange={(text) =>
                onChange({ ...step, benefit: { kind: "percentage", percentOff: numberOf(text) } })
              }
            />
          ) : null}
          {benefit.kind === "fixed_amount" ? (
            <MoneyField
              label={fill(t.discountAmount, { currency })}
              currency={currency}
              minor={benefit.amountMinor}
              onChange={(amountMinor) =>
                onChange({
                  ...step,
                  benefit: { kind: "fixed_amount", amountMinor: amountMinor ?? Number.NaN },
                })
              }
            />
          ) : null}
          <TextField
            label={t.discountExpiry}
            type="number"
            autoComplete="off"
            value={textOf(step.expiresAfterDays)}
            onChange={(text) => onChange({ ...step, expiresAfterDays: numberOf(text) })}
          />
          <TextField
            label={t.discountPrefix}
            autoComplete="off"
            value={step.prefix}
            onChange={(prefix) => onChange({ ...step, prefix })}
          />
          <MoneyField
            label={fill(t.discountMinimum, { currency })}
            currency={currency}
            minor={step.minimumSubtotalMinor}
            onChange={(minimumSubtotalMinor) => onChange({ ...step, minimumSubtotalMinor })}
          />
        </FormLayout>
      );
      break;
    }
    case "points":
      body = (
        <FormLayout>
          <TextField
            label={t.points}
            type="number"
            autoComplete="off"
            value={textOf(step.points)}
            onChange={(text) => onChange({ ...step, points: numberOf(text) })}
          />
          <TextField
            label={t.pointsReason}
            autoComplete="off"
            value={step.reason}
            onChange={(reason) => onChange({ ...step, reason })}
          />
        </FormLayout>
      );
      break;
    default:
      body = <Text as="p">{t.exitStep}</Text>;
  }
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          {fill(t.stepTitle, { id: step.id })}
        </Text>
        {problems.length > 0 ? (
          <Banner tone="critical">
            <ul>
              {problems.map((problem, index) => (
                <li key={index}>{describeProblem(problem)}</li>
              ))}
            </ul>
          </Banner>
        ) : null}
        {body}
      </BlockStack>
    </Card>
  );
}

/** An amount in the shop currency, typed as a decimal and kept in minor units (NaN when unreadable). */
function MoneyField({
  label,
  currency,
  minor,
  onChange,
}: {
  label: string;
  currency: string;
  minor: number | null;
  onChange: (minor: number | null) => void;
}) {
  const [text, setText] = useState(
    minor === null || !Number.isSafeInteger(minor) ? "" : toDecimalAmount(minor, currency),
  );
  return (
    <TextField
      label={label}
      autoComplete="off"
      inputMode="decimal"
      value={text}
      onChange={(value) => {
        setText(value);
        if (value.trim() === "") return onChange(null);
        try {
          onChange(toMinorUnits(value.trim().replace(",", "."), currency));
        } catch {
          onChange(Number.NaN);
        }
      }}
    />
  );
}
