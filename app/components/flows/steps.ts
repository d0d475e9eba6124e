// How a step reads at a glance in the editor's sequence: one line in the merchant's words.
import type { Condition, DefinitionProblem, FlowDefinition, FlowStep } from "../../flows/definition";
import type { NewStepWords } from "../../flows/definition-edits";
import { fill, type Messages } from "../../i18n/catalogue";
import type { AdminLocale } from "../../i18n/locale";
import { flowsMessages, type profileFieldMessages } from "../../i18n/messages/flows";
import { formatMoneyMinor } from "./format";

type FlowWords = Messages<keyof (typeof flowsMessages)["en"]>;
type FieldWords = Messages<keyof (typeof profileFieldMessages)["en"]>;

export function durationText(minutes: number, t: FlowWords): string {
  if (minutes % 1440 === 0) return fill(t.days, { count: minutes / 1440 });
  if (minutes % 60 === 0) return fill(t.hours, { count: minutes / 60 });
  return fill(t.minutes, { count: minutes });
}

const operatorKeys = {
  equals: "opEquals",
  not_equals: "opNotEquals",
  greater_than: "opGreaterThan",
  less_than: "opLessThan",
  at_least: "opAtLeast",
  at_most: "opAtMost",
  contains: "opContains",
  one_of: "opOneOf",
} as const;

export function operatorText(operator: keyof typeof operatorKeys, t: FlowWords): string {
  return t[operatorKeys[operator]];
}

export const operators = Object.keys(operatorKeys) as (keyof typeof operatorKeys)[];

function valueText(value: unknown): string {
  return Array.isArray(value) ? value.join(", ") : String(value);
}

export function conditionText(
  condition: Condition,
  t: FlowWords,
  fields: FieldWords,
  segmentName: (id: string) => string,
): string {
  switch (condition.kind) {
    case "segment":
      return fill(condition.member ? t.stepConditionSegment : t.stepConditionNotSegment, {
        segment: segmentName(condition.segmentId),
      });
    case "profile":
      return fill(t.stepConditionProfile, {
        field: fields[condition.field],
        operator: operatorText(condition.operator, t),
        value: valueText(condition.value),
      });
    case "event":
      return fill(t.stepConditionEvent, {
        property: condition.property,
        operator: operatorText(condition.operator, t),
        value: valueText(condition.value),
      });
    default:
      return t.stepConditionOrdered;
  }
}

export function stepText(
  step: FlowStep,
  context: {
    t: FlowWords;
    fields: FieldWords;
    segmentName: (id: string) => string;
    currency: string;
    locale: string;
  },
): string {
  const { t } = context;
  switch (step.type) {
    case "wait":
      if (step.until) return fill(t.stepWaitUntil, { time: step.until.time });
      return fill(step.from === "trigger" ? t.stepWaitFromTrigger : t.stepWaitMinutes, {
        duration: Number.isFinite(step.minutes) ? durationText(step.minutes ?? 0, t) : "?",
      });
    case "send":
      return fill(t.stepSend, { template: step.template });
    case "condition":
      return conditionText(step.condition, t, context.fields, context.segmentName);
    case "split":
      return fill(t.stepSplit, { count: step.variants.length });
    case "discount": {
      const benefit = step.benefit;
      const text =
        benefit.kind === "percentage"
          ? `${benefit.percentOff} %`
          : benefit.kind === "fixed_amount"
            ? Number.isSafeInteger(benefit.amountMinor)
              ? formatMoneyMinor(benefit.amountMinor, context.currency, context.locale)
              : "?"
            : t.discountFreeShipping;
      return fill(t.stepDiscount, { benefit: text });
    }
    case "points":
      return fill(t.stepPoints, { points: step.points });
    default:
      return t.stepExit;
  }
}

/** The step with `id` replaced by `change(step)`. */
export function withStep(
  definition: FlowDefinition,
  id: string,
  change: (step: FlowStep) => FlowStep,
): FlowDefinition {
  return { ...definition, steps: definition.steps.map((step) => (step.id === id ? change(step) : step)) };
}

/** A field of a problem (its path in the definition) in the words of the editor's labels. */
function fieldWords(path: string, t: FlowWords, currency: string): string {
  const inStep = path.replace(/^steps\.\d+\./, "");
  const variant = /^variants\.(\d+)\.weight$/.exec(inStep);
  if (variant) return fill(t.splitWeight, { variant: Number(variant[1]) + 1 });
  const labels: Record<string, string> = {
    minutes: t.waitAmount,
    "until.time": t.waitTime,
    "benefit.percentOff": t.discountPercent,
    "benefit.amountMinor": fill(t.discountAmount, { currency }),
    expiresAfterDays: t.discountExpiry,
    prefix: t.discountPrefix,
    minimumSubtotalMinor: fill(t.discountMinimum, { currency }),
    points: t.points,
    reason: t.pointsReason,
    controlPercent: t.controlPercent,
    "trigger.delayMinutes": t.triggerDelayMinutes,
    "reentry.days": t.reentryDays,
    segmentId: t.segment,
  };
  return labels[inStep] ?? (inStep || "—");
}

/** The engine's problem message in the admin's language, where it is one the editor knows. */
function messageWords(message: string, t: FlowWords): string {
  const atMost = /expected number to be <=\s*(-?\d+)/.exec(message);
  if (atMost) return fill(t.problemAtMost, { max: atMost[1] ?? "" });
  const atLeast = /expected number to be >=\s*(-?\d+)/.exec(message);
  if (atLeast) return fill(t.problemAtLeast, { min: atLeast[1] ?? "" });
  if (/expected int\b/.test(message)) return t.problemWholeNumber;
  if (/expected number/.test(message)) return t.problemNeedsNumber;
  if (message.startsWith("is a time of day")) return t.problemTime;
  if (message.startsWith("is 2–12 capital letters")) return t.problemPrefix;
  if (message.startsWith("needs either minutes or until")) return t.problemWaitKind;
  return message;
}

/** One line naming the step and the field of a problem, for the editor's banners. */
export function problemText(problem: DefinitionProblem, t: FlowWords, currency: string): string {
  const field = fieldWords(problem.path, t, currency);
  const message = messageWords(problem.message, t);
  return problem.step
    ? fill(t.problemAt, { step: problem.step, field, message })
    : fill(t.problemFlow, { field, message });
}

/**
 * What a step added in the editor starts with: a send's message has an English e-mail, and one in
 * the admin's language when that is not English; a points step's reason is in the admin's language.
 */
export function newStepWords(locale: AdminLocale): NewStepWords {
  const version = (words: FlowWords) => ({
    email: { subject: words.newTemplateSubject, html: words.newTemplateHtml, text: words.newTemplateText },
  });
  return {
    template: {
      versions: {
        en: version(flowsMessages.en),
        ...(locale === "en" ? {} : { [locale]: version(flowsMessages[locale]) }),
      },
    },
    pointsReason: flowsMessages[locale].newPointsReason,
  };
}
