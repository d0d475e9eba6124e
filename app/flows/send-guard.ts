// The last check before a flow message is handed to a provider (R-FLOW-2), inside the outbox's own
// queued → sending transaction: the run is locked (so the order subscriber and the scheduler wait
// for this decision, and it for them), then
//   - a run that ended (the customer bought, an exit step, the flow archived) skips the message;
//   - a run held by a paused flow postpones it;
//   - a flow that exits on purchase looks for an order that ends the run (purchases.ts, the same
//     rule as everywhere) — also one stored a moment ago whose event has not reached the flows
//     subscriber yet — and ends the run and skips the message when it finds one.
import type { Message } from "@prisma/client";
import type { Tx } from "../events/domain-events";
import type { SendGuard, SendGuardDecision } from "../messaging/outbox";
import { versionDefinition } from "./flows";
import { triggerFactsSchema } from "./engine";
import { orderEndsRun } from "./purchases";

const heldRetryMs = 15 * 60_000;

async function decide(tx: Tx, message: Message, now: Date): Promise<SendGuardDecision> {
  if (!message.flowRunId) return { action: "send" };
  // The row lock first: what is decided below cannot change under it.
  await tx.flowRun.updateMany({
    where: { id: message.flowRunId, shopId: message.shopId },
    data: { updatedAt: now },
  });
  const run = await tx.flowRun.findFirst({ where: { id: message.flowRunId, shopId: message.shopId } });
  if (!run) return { action: "skip", reason: "its flow run no longer exists" };
  if (run.status === "held") {
    return { action: "postpone", until: new Date(now.getTime() + heldRetryMs), reason: "the flow is paused" };
  }
  if (run.status === "exited" || run.status === "ended") {
    return { action: "skip", reason: run.exitReason ?? "the flow run ended" };
  }
  const definition = await versionDefinition(tx, run.flowId, run.version);
  if (!definition) return { action: "skip", reason: "its flow version no longer exists" };
  if (!definition.exitOnPurchase) return { action: "send" };
  const trigger = triggerFactsSchema.parse(run.trigger);
  const keys = {
    customerId: run.customerId,
    email: run.email,
    checkoutToken: run.checkoutToken,
    since: run.since,
    triggerOrderId: trigger.orderId,
  };
  const orders = await tx.order.findMany({
    where: {
      shopId: run.shopId,
      OR: [
        { customerId: run.customerId, processedAt: { gte: run.since } },
        ...(run.email ? [{ email: run.email, processedAt: { gte: run.since } }] : []),
        ...(run.checkoutToken ? [{ checkoutToken: run.checkoutToken }] : []),
      ],
    },
    select: { id: true, customerId: true, email: true, checkoutToken: true, processedAt: true },
  });
  if (!orders.some((order) => orderEndsRun(order, keys))) return { action: "send" };
  const steps = run.steps + 1;
  await tx.flowRun.update({
    where: { id: run.id },
    data: {
      status: "exited",
      exitReason: "placed an order",
      wakeAt: null,
      endedAt: now,
      steps,
      updatedAt: now,
    },
  });
  await tx.flowStepLog.create({
    data: {
      shopId: run.shopId,
      flowId: run.flowId,
      runId: run.id,
      seq: steps,
      stepId: message.flowStepId ?? run.stepId ?? "",
      outcome: "exited",
      detail: "placed an order",
      at: now,
    },
  });
  return { action: "skip", reason: "the customer placed an order" };
}

/** The outbox's send guard for flow messages (OutboxDependencies.sendGuard). */
export const flowSendGuard: SendGuard = decide;
