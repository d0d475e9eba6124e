// A flow's discount step (R-FLOW-1): a unique single-use code for the recipient, with an expiry,
// created in Shopify through the loyalty domain's code path (discountCodeBasicCreate /
// discountCodeFreeShippingCreate). The step stores the code it chose with the run and queues a
// "flow.discount" job in the same transaction (the intent); the job asks Shopify — an attempt whose
// answer was lost is recognised by the code, never made twice — marks the code created and wakes
// the run, whose next messages show it as {{ discount_code }}. A refusal, or a job out of attempts,
// marks it failed and wakes the run, which then leaves the flow rather than promise a missing code.
import type { Prisma } from "@prisma/client";
import { z } from "zod";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import type { JobRequest } from "../jobs/schedule";
import { lastErrorText } from "../jobs/last-error";
import type { JobHandler } from "../jobs/worker";
import { createCodeDiscount, DiscountCodeRefusedError, type CodeBenefit } from "../loyalty/discount-codes";
import { shopAdminClient, type AdminClientFactory } from "../shopify/shop-admin";
import { versionDefinition } from "./flows";
import { discountsSchema, type DiscountDecision, type DiscountState, type RunRow } from "./engine";

export const flowDiscountJobKind = "flow.discount";

const payloadSchema = z.object({ runId: z.string(), stepId: z.string(), code: z.string() });

export function flowDiscountJob(run: RunRow, discount: DiscountDecision, now: Date): JobRequest {
  return {
    shopId: run.shopId,
    kind: flowDiscountJobKind,
    key: `${run.id}:${discount.stepId}:${discount.seq}`,
    payload: { runId: run.id, stepId: discount.stepId, code: discount.code },
    runAt: now,
  };
}

/** The newest code created for the run, for {{ discount_code }}; "" when there is none. */
export function latestDiscountCode(run: Pick<RunRow, "discounts">): string {
  const created = Object.values(run.discounts ?? {}).filter((state) => state.status === "created");
  return created.at(-1)?.code ?? "";
}

/**
 * Settles the run's pending code (created or failed) and wakes the run, under its row lock, only
 * while the code is still pending: a repeated job or a parked job after success changes nothing.
 */
async function settle(
  db: Database,
  shopId: string,
  runId: string,
  stepId: string,
  change: Pick<DiscountState, "status" | "discountId" | "error">,
  now: Date,
): Promise<void> {
  await db.$transaction(async (tx) => {
    const locked = await tx.flowRun.updateMany({ where: { id: runId, shopId }, data: { updatedAt: now } });
    if (locked.count !== 1) return;
    const run = await tx.flowRun.findUniqueOrThrow({ where: { id: runId } });
    const discounts = discountsSchema.parse(run.discounts ?? {});
    const state = discounts[stepId];
    if (!state || state.status !== "pending") return;
    discounts[stepId] = { ...state, ...change };
    await tx.flowRun.update({
      where: { id: runId },
      data: {
        discounts: discounts as Prisma.InputJsonObject,
        // Woken where it waits (an ended or held run keeps its own state).
        ...(run.status === "active" && run.stepId === stepId ? { wakeAt: now } : {}),
      },
    });
  });
}

export function flowDiscountJobHandler(options: {
  clock: Clock;
  adminClientFor: AdminClientFactory;
}): JobHandler {
  const handler: JobHandler = async (job, db) => {
    const { runId, stepId, code } = payloadSchema.parse(job.payload);
    const run = await db.flowRun.findFirst({ where: { id: runId, shopId: job.shopId } });
    if (!run) return;
    const state = discountsSchema.parse(run.discounts ?? {})[stepId];
    if (!state || state.status !== "pending" || state.code !== code) return;
    const definition = await versionDefinition(db, run.flowId, run.version);
    const step = definition?.steps.find((candidate) => candidate.id === stepId);
    if (step?.type !== "discount")
      throw new Error(`flow ${run.flowId} v${run.version} has no discount step ${stepId}`);
    const customer = await db.customer.findFirst({
      where: { id: run.customerId, shopId: job.shopId },
      select: { shopifyId: true },
    });
    const now = options.clock.now();
    if (!customer) {
      await settle(
        db,
        job.shopId,
        runId,
        stepId,
        { status: "failed", discountId: null, error: "the customer no longer exists" },
        now,
      );
      return;
    }
    const { shop, adminClient } = await shopAdminClient(db, job.shopId, options.adminClientFor);
    const benefit: CodeBenefit =
      step.benefit.kind === "fixed_amount"
        ? { kind: "fixed_amount", amountMinor: step.benefit.amountMinor, currency: shop.currency }
        : step.benefit;
    try {
      const discountId = await createCodeDiscount(adminClient, {
        code,
        title: `Stayloop · ${code}`,
        customerShopifyId: customer.shopifyId,
        benefit,
        startsAt: now,
        endsAt: new Date(state.expiresAt),
        minimumSubtotalMinor: step.minimumSubtotalMinor,
        currency: shop.currency,
      });
      await settle(
        db,
        job.shopId,
        runId,
        stepId,
        { status: "created", discountId, error: null },
        options.clock.now(),
      );
    } catch (error) {
      if (!(error instanceof DiscountCodeRefusedError)) throw error;
      await settle(
        db,
        job.shopId,
        runId,
        stepId,
        { status: "failed", discountId: null, error: error.message },
        now,
      );
    }
  };
  handler.onParked = async (job, db, error) => {
    const { runId, stepId } = payloadSchema.parse(job.payload);
    await settle(
      db,
      job.shopId,
      runId,
      stepId,
      { status: "failed", discountId: null, error: lastErrorText(error) },
      options.clock.now(),
    );
  };
  return handler;
}
