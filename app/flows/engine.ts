// Advancing one run (R-FLOW-1, -2, -8): from its current step as far as it can go now — until a wait,
// the end, or an exit — deciding what each step does. Pure: the caller loads what it needs (the
// definition, the customer, whether they ordered since the run started) and writes the outcome
// (the run, its step log, the messages to queue, the points to award) in one transaction.
import { randomUUID } from "node:crypto";
import type { FlowRun } from "@prisma/client";
import { z } from "zod";
import { newDiscountCode } from "../loyalty/discount-codes";
import { chooseVariant } from "./assignment";
import { conditionHolds, filtersHold, type ConditionFacts, type ProfileFacts } from "./conditions";
import type { FlowDefinition, FlowStep, SendStep } from "./definition";
import { waitEndsAt, waitZone } from "./timing";

/** What a run keeps of the event that enrolled it. */
export const triggerFactsSchema = z.object({
  event: z.string(),
  subjectId: z.string(),
  occurredAt: z.string(),
  /** The order that enrolled the run (order triggers); it does not end the run as a purchase. */
  orderId: z.string().nullable(),
  checkoutId: z.string().nullable(),
  payload: z.unknown(),
});
export type TriggerFacts = z.infer<typeof triggerFactsSchema>;

/** A discount step's code for this run: chosen and stored before Shopify is asked to create it. */
export const discountStateSchema = z.object({
  code: z.string(),
  status: z.enum(["pending", "created", "failed"]),
  discountId: z.string().nullable(),
  expiresAt: z.string(),
  error: z.string().nullable(),
});
export type DiscountState = z.infer<typeof discountStateSchema>;
export const discountsSchema = z.record(z.string(), discountStateSchema);

export type RunRow = Omit<FlowRun, "variants" | "trigger" | "discounts"> & {
  variants: Record<string, string>;
  trigger: TriggerFacts;
  discounts: Record<string, DiscountState> | null;
};

export const variantsSchema = z.record(z.string(), z.string());

export type StepOutcome =
  | "waiting"
  | "sent"
  | "held_out"
  | "filtered"
  | "yes"
  | "no"
  | "variant"
  | "points"
  | "discount_requested"
  | "discount"
  | "exited"
  | "completed";

export interface StepLogEntry {
  seq: number;
  stepId: string;
  outcome: StepOutcome;
  detail: string | null;
  messageId: string | null;
  variant: string | null;
  at: Date;
}

export interface SendDecision {
  messageId: string;
  step: SendStep;
  seq: number;
}

export interface PointsDecision {
  stepId: string;
  seq: number;
  points: number;
  reason: string;
}

/** A code to create in Shopify for a run's discount step (the "flow.discount" job). */
export interface DiscountDecision {
  stepId: string;
  seq: number;
  code: string;
}

export interface AdvanceContext {
  now: Date;
  definition: FlowDefinition;
  /** The customer's profile for conditions; null when the customer is gone (deleted, redacted). */
  profile: ProfileFacts | null;
  customerZone: string | null;
  shopZone: string;
  /** Whether the customer placed an order since the run started (purchases.ts). */
  orderedSinceStart: boolean;
  /** The saved segments the flow refers to that the customer is in (run-data.ts segmentMembership). */
  segments: ReadonlySet<string>;
}

export interface AdvanceResult {
  run: RunRow;
  logs: StepLogEntry[];
  sends: SendDecision[];
  points: PointsDecision[];
  discounts: DiscountDecision[];
}

/** Steps one run may take in one go; a valid definition waits long before (loops need a wait). */
const maxStepsAtOnce = 200;

/** Advances a due run as far as it can go at `context.now`. */
export function advanceRun(input: RunRow, context: AdvanceContext): AdvanceResult {
  const { now, definition } = context;
  const run: RunRow = {
    ...input,
    variants: { ...input.variants },
    discounts: input.discounts ? { ...input.discounts } : null,
  };
  const result: AdvanceResult = { run, logs: [], sends: [], points: [], discounts: [] };
  const steps = new Map(definition.steps.map((step) => [step.id, step]));
  const log = (step: FlowStep | null, outcome: StepOutcome, extra: Partial<StepLogEntry> = {}) => {
    run.steps += 1;
    result.logs.push({
      seq: run.steps,
      stepId: step?.id ?? run.stepId ?? "",
      outcome,
      detail: null,
      messageId: null,
      variant: null,
      at: now,
      ...extra,
    });
  };
  const end = (status: "completed" | "exited", reason: string | null) => {
    run.status = status;
    run.exitReason = reason;
    run.wakeAt = null;
    run.endedAt = now;
  };
  /** Leaves the flow, logged as "exited" with the reason. */
  const exit = (step: FlowStep | null, reason: string) => {
    log(step, "exited", { detail: reason });
    end("exited", reason);
  };
  const facts = (profile: ProfileFacts): ConditionFacts => ({
    profile,
    event: run.trigger.payload,
    orderedSinceStart: context.orderedSinceStart,
    segments: context.segments,
  });

  for (let taken = 0; taken < maxStepsAtOnce; taken += 1) {
    if (definition.exitOnPurchase && context.orderedSinceStart) {
      exit(null, "placed an order");
      return result;
    }
    if (!context.profile) {
      exit(null, "the customer no longer exists");
      return result;
    }
    const step = run.stepId ? steps.get(run.stepId) : undefined;
    if (!step) {
      log(null, "completed");
      end("completed", null);
      run.stepId = null;
      return result;
    }
    switch (step.type) {
      case "wait": {
        const from = step.from === "trigger" ? new Date(run.trigger.occurredAt) : now;
        const until = waitEndsAt(step, from, waitZone(step, context.customerZone, context.shopZone));
        if (until.getTime() <= now.getTime()) {
          // Counted from the trigger and already over (the trigger arrived late): go on at once.
          log(step, "waiting", { detail: `passed at ${until.toISOString()}` });
          run.stepId = step.next;
          continue;
        }
        log(step, "waiting", { detail: until.toISOString() });
        run.stepId = step.next;
        run.wakeAt = until;
        return result;
      }
      case "send": {
        if (!filtersHold(definition.filters, facts(context.profile))) {
          log(step, "filtered", { detail: "no longer matches the flow's filters" });
          end("exited", "no longer matches the flow's filters");
          return result;
        }
        if (run.runGroup === "control") {
          log(step, "held_out");
        } else {
          const messageId = randomUUID();
          log(step, "sent", { messageId });
          result.sends.push({ messageId, step, seq: run.steps });
        }
        run.stepId = step.next;
        break;
      }
      case "condition": {
        const holds = conditionHolds(step.condition, facts(context.profile));
        log(step, holds ? "yes" : "no");
        run.stepId = holds ? step.yes : step.no;
        break;
      }
      case "split": {
        const kept = step.variants.find((variant) => variant.id === run.variants[step.id]);
        const variant = kept ?? chooseVariant(step.variants, run.flowId, step.id, run.customerId);
        run.variants[step.id] = variant.id;
        log(step, "variant", { variant: variant.id });
        run.stepId = variant.next;
        break;
      }
      case "points": {
        log(step, "points", { detail: String(step.points) });
        result.points.push({ stepId: step.id, seq: run.steps, points: step.points, reason: step.reason });
        run.stepId = step.next;
        break;
      }
      case "discount": {
        if (run.runGroup === "control") {
          log(step, "held_out");
          run.stepId = step.next;
          break;
        }
        const state = run.discounts?.[step.id];
        if (!state) {
          // The intent first: the code is stored with the run, then the job asks Shopify for it;
          // the run sleeps (no wakeAt) until the job wakes it.
          const code = newDiscountCode(step.prefix);
          const expiresAt = new Date(now.getTime() + step.expiresAfterDays * 86_400_000).toISOString();
          run.discounts = {
            ...run.discounts,
            [step.id]: { code, status: "pending", discountId: null, expiresAt, error: null },
          };
          log(step, "discount_requested", { detail: code });
          result.discounts.push({ stepId: step.id, seq: run.steps, code });
          run.wakeAt = null;
          return result;
        }
        if (state.status === "pending") {
          run.wakeAt = null;
          return result;
        }
        if (state.status === "failed") {
          const reason = `the discount code could not be created: ${state.error ?? "unknown"}`.slice(0, 500);
          exit(step, reason);
          return result;
        }
        log(step, "discount", { detail: state.code });
        run.stepId = step.next;
        break;
      }
      case "exit": {
        exit(step, "exit step");
        run.stepId = null;
        return result;
      }
    }
  }
  // Not reachable with a validated definition; never spin: look again in a minute.
  run.wakeAt = new Date(now.getTime() + 60_000);
  return result;
}
