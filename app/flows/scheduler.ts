// The flow scheduler (R-FLOW-7, ARCHITECTURE principle 1): every worker tick claims a batch of due
// runs (`wakeAt` passed) — `FOR UPDATE SKIP LOCKED` on PostgreSQL, so two workers never take the
// same run; SQLite's single writer does the same — and advances each as far as it can go, in the
// claiming transaction: the runs, their step log, their messages (through the outbox, keyed by run
// and step) and their points jobs are written together with one statement per table. A crash
// anywhere before the commit leaves the batch as it was, to be claimed again; after it, everything
// was taken once.
import type { Customer, FlowRun, FlowStepLog } from "@prisma/client";
import { randomUUID } from "node:crypto";
import {
  encodeValue,
  insertRows,
  selectWhereIn,
  updateRows,
  type SqlConnection,
  type SqlTx,
} from "../db/sql";
import { scheduleJobsOnce, type JobRequest } from "../jobs/schedule";
import type { WorkerSweep } from "../jobs/worker";
import { lastErrorText } from "../jobs/last-error";
import { queueMessages, type QueuedMessage } from "../messaging/outbox";
import type { FlowDefinition } from "./definition";
import { advanceRun, type AdvanceResult, type RunRow } from "./engine";
import { flowMessage, type FlowMessageLinks } from "./flow-messages";
import { flowDiscountJob } from "./discounts";
import { flowPointsJob } from "./points";
import {
  definitionsFor,
  isReachable,
  messageMaterial,
  profileOf,
  purchasesOf,
  runRowOf,
  segmentMembership,
  shopsOf,
  type MessageMaterial,
} from "./run-data";

export interface FlowSchedulerOptions {
  /** Where message links point; without it messages carry no unsubscribe link variable. */
  links: FlowMessageLinks | null;
}

async function claimDueRuns(tx: SqlTx, now: Date, limit: number): Promise<RunRow[]> {
  const lock = tx.provider === "postgresql" ? " FOR UPDATE SKIP LOCKED" : "";
  const rows = await tx.query<Record<string, unknown>>(
    `SELECT * FROM "FlowRun" WHERE status = 'active' AND "wakeAt" <= ? ORDER BY "wakeAt", id LIMIT ?${lock}`,
    [encodeValue(tx.provider, "DateTime", now), limit],
  );
  return rows.map(runRowOf);
}

/** A run that cannot go on (a message that cannot be composed, …) leaves the flow with the reason. */
function stepFailed(run: RunRow, what: string, error: unknown, now: Date): AdvanceResult {
  const reason = `${what}: ${lastErrorText(error)}`.slice(0, 500);
  return {
    run: { ...run, status: "exited", exitReason: reason, wakeAt: null, endedAt: now, steps: run.steps + 1 },
    logs: [
      {
        seq: run.steps + 1,
        stepId: run.stepId ?? "",
        outcome: "exited",
        detail: reason,
        messageId: null,
        variant: null,
        at: now,
      },
    ],
    sends: [],
    points: [],
    discounts: [],
  };
}

async function composeAll(
  results: AdvanceResult[],
  definitions: Map<string, FlowDefinition>,
  material: MessageMaterial,
  options: FlowSchedulerOptions,
  now: Date,
): Promise<{ results: AdvanceResult[]; messages: QueuedMessage[] }> {
  const messages: QueuedMessage[] = [];
  const settled: AdvanceResult[] = [];
  for (const result of results) {
    if (result.sends.length === 0) {
      settled.push(result);
      continue;
    }
    const definition = definitions.get(`${result.run.flowId}@${result.run.version}`) as FlowDefinition;
    try {
      const composed: QueuedMessage[] = [];
      for (const send of result.sends) {
        composed.push(await flowMessage(result.run, definition, send, material, options.links, now));
      }
      messages.push(...composed);
      settled.push(result);
    } catch (error) {
      settled.push(stepFailed(result.run, "a message could not be composed", error, now));
    }
  }
  return { results: settled, messages };
}

/** The outcome of advancing runs, written with one statement per table. */
export async function writeAdvances(
  tx: SqlTx,
  results: readonly AdvanceResult[],
  messages: readonly QueuedMessage[],
  now: Date,
): Promise<void> {
  await updateRows<FlowRun>(
    tx,
    "FlowRun",
    results.map(({ run }) => ({
      ...run,
      trigger: run.trigger as FlowRun["trigger"],
      discounts: run.discounts as FlowRun["discounts"],
      updatedAt: now,
    })),
    ["status", "stepId", "wakeAt", "variants", "discounts", "steps", "exitReason", "endedAt", "updatedAt"],
  );

  const logs = results.flatMap(({ run, logs: entries }) =>
    entries.map((entry) => ({
      id: randomUUID(),
      shopId: run.shopId,
      flowId: run.flowId,
      runId: run.id,
      seq: entry.seq,
      stepId: entry.stepId,
      outcome: entry.outcome,
      detail: entry.detail,
      messageId: entry.messageId,
      variant: entry.variant,
      at: entry.at,
    })),
  );
  await insertRows<FlowStepLog>(tx, "FlowStepLog", logs, { conflict: ["runId", "seq"] });
  await queueMessages(tx, messages, now);
  const jobs: JobRequest[] = results.flatMap(({ run, points, discounts }) => [
    ...points.map((award) => flowPointsJob(run, award, now)),
    ...discounts.map((discount) => flowDiscountJob(run, discount, now)),
  ]);
  await scheduleJobsOnce(tx, jobs, now);
}

/** Advances up to `limit` due runs in one transaction; returns how many it took. */
export async function advanceDueRuns(
  sql: SqlConnection,
  options: FlowSchedulerOptions & { now: Date; limit: number },
): Promise<number> {
  const { now } = options;
  return sql.transaction(async (tx) => {
    const runs = await claimDueRuns(tx, now, options.limit);
    if (runs.length === 0) return 0;
    const definitions = await definitionsFor(tx, runs);
    const customerRows = await selectWhereIn<Customer>(
      tx,
      "Customer",
      "id",
      runs.map((run) => run.customerId),
    );
    const customers = new Map(customerRows.map((customer) => [customer.id, customer]));
    const purchased = await purchasesOf(tx, runs);
    const shops = await shopsOf(tx, runs);
    const segments = await segmentMembership(
      tx,
      runs.map((run) => ({ ...run, definition: definitions.get(`${run.flowId}@${run.version}`) })),
      customers,
      now,
    );
    const advanced = runs.map((run) => {
      // One run that cannot advance leaves the flow with the reason; it never holds up the batch
      // (which would be claimed again, fail again, and stall every flow behind it).
      try {
        const definition = definitions.get(`${run.flowId}@${run.version}`);
        if (!definition) throw new Error(`flow ${run.flowId} has no version ${run.version}`);
        const customer = customers.get(run.customerId);
        return advanceRun(run, {
          now,
          definition,
          profile: isReachable(customer) ? profileOf(customer) : null,
          customerZone: customer?.timezone ?? null,
          shopZone: shops.get(run.shopId)?.timezone ?? "UTC",
          orderedSinceStart: purchased.has(run.id),
          segments: segments.get(run.customerId) ?? new Set(),
        });
      } catch (error) {
        return stepFailed(run, "a step failed", error, now);
      }
    });
    // What messages show is loaded for the runs that send, not for those that only wait.
    const sending = advanced.filter((result) => result.sends.length > 0).map((result) => result.run);
    const material = await messageMaterial(tx, sending, customers, shops);
    const { results, messages } = await composeAll(advanced, definitions, material, options, now);
    await writeAdvances(tx, results, messages, now);
    return runs.length;
  });
}

/** The worker's sweep that advances due runs each tick (see Worker's `sweeps`). */
export function flowSchedulerSweep(options: FlowSchedulerOptions): WorkerSweep {
  return ({ sql, now, limit }) => advanceDueRuns(sql, { ...options, now, limit });
}
