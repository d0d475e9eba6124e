// A flow as data (R-FLOW-1): a trigger, filters, re-entry and exit rules, message templates and
// steps that link by id. Validated by a zod discriminated union of step types, then as a graph:
// every link must lead to a step, every template must exist and parse, and every loop must wait
// somewhere. Each problem names the step it is in, so the editor can point at it.
import { z } from "zod";
import { channels } from "../messaging/channels";
import { messageTemplateSchema, validateMessageTemplate } from "../messaging/compose";
import type { DomainEventType } from "../events/domain-events";

/** Domain events a flow can be triggered by. */
export const triggerEvents = [
  "checkout.updated",
  "checkout.completed",
  "order.created",
  "order.paid",
  "order.fulfilled",
  "order.cancelled",
  "order.refunded",
  "customer.created",
  "customer.updated",
  "customer.lifecycle_changed",
  "customer.consent_changed",
  "loyalty.tier_changed",
  "loyalty.points_expiring",
  "loyalty.referral_rewarded",
  "loyalty.reward_affordable",
  "browse.abandoned",
  "replenishment.due",
  "customer.birthday",
  "customer.purchase_anniversary",
  "nps.answered",
] as const satisfies readonly DomainEventType[];
export type TriggerEvent = (typeof triggerEvents)[number];

/** Events that mean "the shopper bought": they end runs of flows that exit on purchase. */
export const purchaseEvents = ["order.created", "order.paid", "checkout.completed"] as const;

/** Customer fields a condition or filter can test, in the merchant's words. */
export const profileFields = [
  "lifecycleStage",
  "ordersCount",
  "totalSpentMinor",
  "averageOrderValueMinor",
  "countryCode",
  "locale",
  "tags",
  "emailConsent",
  "smsConsent",
  "whatsappConsent",
  "valueBand",
  "rfmSegment",
  "rfmRecency",
  "rfmFrequency",
  "rfmMonetary",
  "predictedClvMinor",
  "typicalIntervalDays",
] as const;
export type ProfileField = (typeof profileFields)[number];

const operators = [
  "equals",
  "not_equals",
  "greater_than",
  "less_than",
  "at_least",
  "at_most",
  "contains",
  "one_of",
] as const;
export type Operator = (typeof operators)[number];

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const conditionSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("profile"),
    field: z.enum(profileFields),
    operator: z.enum(operators),
    value: z.union([scalar, z.array(scalar)]),
  }),
  z.object({
    kind: z.literal("event"),
    /** A dotted path into the enrolling event's payload, e.g. "to" or "points". */
    property: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, "is a dotted property path"),
    operator: z.enum(operators),
    value: z.union([scalar, z.array(scalar)]),
  }),
  z.object({ kind: z.literal("has_ordered_since_start") }),
  /** In (or, with `member: false`, not in) one of the shop's saved segments (R-CUS-4). */
  z.object({
    kind: z.literal("segment"),
    segmentId: z.string().min(1).max(64),
    member: z.boolean().default(true),
  }),
]);
export type Condition = z.infer<typeof conditionSchema>;

const stepId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "is 1–64 letters, digits, - or _");
const link = stepId.nullable();
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "is a time of day such as 09:30");

export const waitStepSchema = z
  .object({
    id: stepId,
    type: z.literal("wait"),
    /** A duration… */
    minutes: z
      .number()
      .int()
      .min(1)
      .max(366 * 24 * 60)
      .optional(),
    /**
     * What `minutes` count from: the moment the run reaches the step (default), or the trigger
     * event (e.g. "1 h after the checkout was left", also when its webhook arrived late). A wait
     * from the trigger that has already passed ends at once; it does not count as a wait in a loop.
     */
    from: z.enum(["step", "trigger"]).default("step"),
    /** …or until the next such time of day (on one of these ISO weekdays, 1 = Monday). */
    until: z
      .object({
        time: hhmm,
        weekdays: z.array(z.number().int().min(1).max(7)).min(1).optional(),
        zone: z.enum(["recipient", "shop"]).default("recipient"),
      })
      .optional(),
    next: link,
  })
  .refine((step) => (step.minutes === undefined) !== (step.until === undefined), {
    message: "needs either minutes or until (not both)",
  })
  .refine((step) => step.from === "step" || step.minutes !== undefined, {
    message: "counts minutes from the trigger: give minutes, not a time of day",
  });

export const sendStepSchema = z.object({
  id: stepId,
  type: z.literal("send"),
  template: z.string().min(1),
  purpose: z.enum(["marketing", "transactional"]).default("marketing"),
  /** The channel order for this step; the shop's order when absent. */
  channels: z.array(z.enum(channels)).min(1).optional(),
  next: link,
});

export const conditionStepSchema = z.object({
  id: stepId,
  type: z.literal("condition"),
  condition: conditionSchema,
  yes: link,
  no: link,
});

export const splitStepSchema = z.object({
  id: stepId,
  type: z.literal("split"),
  variants: z
    .array(z.object({ id: stepId, weight: z.number().int().min(1).max(10_000), next: link }))
    .min(2)
    .max(10),
});

export const pointsStepSchema = z.object({
  id: stepId,
  type: z.literal("points"),
  points: z.number().int().min(1).max(1_000_000),
  reason: z.string().min(1).max(200).default("Flow reward"),
  next: link,
});

/** A unique single-use code for the recipient, created in Shopify; later messages show it. */
export const discountStepSchema = z.object({
  id: stepId,
  type: z.literal("discount"),
  benefit: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("percentage"), percentOff: z.number().int().min(1).max(100) }),
    /** In minor units of the shop's currency. */
    z.object({ kind: z.literal("fixed_amount"), amountMinor: z.number().int().min(1).max(100_000_000) }),
    z.object({ kind: z.literal("free_shipping") }),
  ]),
  expiresAfterDays: z.number().int().min(1).max(365).default(7),
  prefix: z
    .string()
    .regex(/^[A-Z0-9]{2,12}$/, "is 2–12 capital letters or digits")
    .default("BACK"),
  /** Minimum order subtotal in minor units of the shop's currency. */
  minimumSubtotalMinor: z.number().int().min(1).nullable().default(null),
  next: link,
});
export type DiscountStep = z.infer<typeof discountStepSchema>;

export const exitStepSchema = z.object({ id: stepId, type: z.literal("exit") });

export const stepSchema = z.discriminatedUnion("type", [
  waitStepSchema,
  sendStepSchema,
  conditionStepSchema,
  splitStepSchema,
  pointsStepSchema,
  discountStepSchema,
  exitStepSchema,
]);
export type FlowStep = z.infer<typeof stepSchema>;
export type WaitStep = z.infer<typeof waitStepSchema>;
export type SendStep = z.infer<typeof sendStepSchema>;

export const reentrySchema = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("once") }),
  z.object({ mode: z.literal("every_time") }),
  z.object({ mode: z.literal("once_per_days"), days: z.number().int().min(1).max(3650) }),
]);
export type Reentry = z.infer<typeof reentrySchema>;

export const flowDefinitionSchema = z.object({
  trigger: z.object({
    event: z.enum(triggerEvents),
    /** Minutes after the event before the first step (e.g. the abandonment delay). */
    delayMinutes: z
      .number()
      .int()
      .min(0)
      .max(60 * 24 * 30)
      .default(0),
    /** Checked once, at entry. */
    filters: z.array(conditionSchema).default([]),
  }),
  /** Checked at entry and before every send; a run that no longer matches leaves the flow. */
  filters: z.array(conditionSchema).default([]),
  reentry: reentrySchema.default({ mode: "every_time" }),
  /** "Placed an order since the flow started" ends the run (checked at entry, every step and every send). */
  exitOnPurchase: z.boolean().default(true),
  /** Share of customers (sticky) held out as a control group that receives nothing (R-FLOW-8). */
  controlPercent: z.number().int().min(0).max(50).default(0),
  templates: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), messageTemplateSchema).default({}),
  start: stepId,
  steps: z.array(stepSchema).min(1).max(200),
});
export type FlowDefinition = z.infer<typeof flowDefinitionSchema>;

/** One problem with a definition; `step` is the id of the step it is in, when it is in one. */
export interface DefinitionProblem {
  step: string | null;
  path: string;
  message: string;
}

export class InvalidFlowError extends Error {
  constructor(readonly problems: DefinitionProblem[]) {
    super(
      problems
        .map(
          (problem) =>
            `${problem.step ? `step "${problem.step}": ` : ""}${problem.path ? `${problem.path}: ` : ""}${problem.message}`,
        )
        .join("; "),
    );
    this.name = "InvalidFlowError";
  }
}

/** The links of a step with the field each is in ("yes", "variants.1.next"). */
export function namedLinksOf(step: FlowStep): { path: string; next: string | null }[] {
  switch (step.type) {
    case "condition":
      return [
        { path: "yes", next: step.yes },
        { path: "no", next: step.no },
      ];
    case "split":
      return step.variants.map((variant, index) => ({ path: `variants.${index}.next`, next: variant.next }));
    case "exit":
      return [];
    default:
      return [{ path: "next", next: step.next }];
  }
}

/** The ids a step leads to. */
export function linksOf(step: FlowStep): (string | null)[] {
  return namedLinksOf(step).map((link) => link.next);
}

function shapeProblems(input: unknown, error: z.ZodError): DefinitionProblem[] {
  const steps = (input as { steps?: unknown[] } | null)?.steps;
  return error.issues.map((issue) => {
    let step: string | null = null;
    if (issue.path[0] === "steps" && typeof issue.path[1] === "number" && Array.isArray(steps)) {
      const raw = steps[issue.path[1]] as { id?: unknown } | undefined;
      step = typeof raw?.id === "string" ? raw.id : `#${issue.path[1] + 1}`;
    }
    return { step, path: issue.path.map(String).join("."), message: issue.message };
  });
}

/** Loops must pass through a wait: otherwise one run would spin through them in one go. */
function loopsWithoutWait(definition: FlowDefinition): string[] {
  const byId = new Map(definition.steps.map((step) => [step.id, step]));
  const state = new Map<string, "visiting" | "done">();
  const offenders: string[] = [];
  const visit = (id: string) => {
    const step = byId.get(id);
    if (!step || (step.type === "wait" && step.from === "step")) return;
    if (state.get(id) === "done") return;
    if (state.get(id) === "visiting") {
      offenders.push(id);
      return;
    }
    state.set(id, "visiting");
    for (const next of linksOf(step)) if (next) visit(next);
    state.set(id, "done");
  };
  for (const step of definition.steps) visit(step.id);
  return [...new Set(offenders)];
}

/** Every problem of a definition (shape, links, templates, loops); empty when it can be saved. */
export function definitionProblems(input: unknown): DefinitionProblem[] {
  const parsed = flowDefinitionSchema.safeParse(input);
  if (!parsed.success) return shapeProblems(input, parsed.error);
  const definition = parsed.data;
  const problems: DefinitionProblem[] = [];
  const ids = new Set<string>();
  for (const step of definition.steps) {
    if (ids.has(step.id)) problems.push({ step: step.id, path: "id", message: "is used by two steps" });
    ids.add(step.id);
  }
  if (!ids.has(definition.start))
    problems.push({
      step: null,
      path: "start",
      message: `leads to "${definition.start}", which is not a step`,
    });
  for (const step of definition.steps) {
    for (const { path, next } of namedLinksOf(step)) {
      if (next !== null && !ids.has(next))
        problems.push({ step: step.id, path, message: `leads to "${next}", which is not a step` });
    }
    if (step.type === "send") {
      const template = definition.templates[step.template];
      if (!template) {
        problems.push({
          step: step.id,
          path: "template",
          message: `uses the unknown template "${step.template}"`,
        });
      } else {
        for (const problem of validateMessageTemplate(template)) {
          problems.push({
            step: step.id,
            path: `template ${step.template} · ${problem.field}`,
            message: problem.message,
          });
        }
      }
    }
    if (step.type === "split") {
      const variants = new Set(step.variants.map((variant) => variant.id));
      if (variants.size !== step.variants.length)
        problems.push({ step: step.id, path: "variants", message: "two variants have the same id" });
    }
  }
  if (problems.length > 0) return problems;
  for (const id of loopsWithoutWait(definition)) {
    problems.push({ step: id, path: "", message: "is in a loop with no wait step; add a wait to the loop" });
  }
  return problems;
}

/** The definition, parsed and checked; throws InvalidFlowError naming every problem. */
export function parseFlowDefinition(input: unknown): FlowDefinition {
  const problems = definitionProblems(input);
  if (problems.length > 0) throw new InvalidFlowError(problems);
  return flowDefinitionSchema.parse(input);
}

const parsedVersions = new Map<string, FlowDefinition>();

/** A version's definition if this process parsed it already (versions never change). */
export function cachedDefinition(flowId: string, version: number): FlowDefinition | undefined {
  return parsedVersions.get(`${flowId}@${version}`);
}

/**
 * A stored version's definition, parsed once per process: versions never change once written, so
 * `flowId@version` names the same definition forever. Validated when it was saved; parsed here.
 */
export function storedDefinition(flowId: string, version: number, stored: unknown): FlowDefinition {
  const key = `${flowId}@${version}`;
  let definition = parsedVersions.get(key);
  if (!definition) {
    definition = flowDefinitionSchema.parse(stored);
    if (parsedVersions.size > 5_000) parsedVersions.clear();
    parsedVersions.set(key, definition);
  }
  return definition;
}

/** The saved segments a definition's filters and conditions refer to. */
export function segmentIdsOf(definition: FlowDefinition): string[] {
  const conditions = [
    ...definition.trigger.filters,
    ...definition.filters,
    ...definition.steps.flatMap((step) => (step.type === "condition" ? [step.condition] : [])),
  ];
  return [
    ...new Set(
      conditions.flatMap((condition) => (condition.kind === "segment" ? [condition.segmentId] : [])),
    ),
  ];
}
