// The flows domain's subscription to domain events (R-FLOW-1, -2): a trigger event enrols the
// customer in every live flow it starts (trigger filters, flow filters, re-entry rule, control
// group decided once, here), and a purchase (order created or paid, checkout completed) ends at
// once every active or held run it satisfies — also when it arrives before the checkout's own
// update, twice, or late. Batches of events are applied in one transaction on the batch path's
// connection; a shop without flows costs one statement per batch.
import type { Checkout, Customer, DomainEvent, Flow, FlowRun, FlowStepLog, Order } from "@prisma/client";
import { randomUUID } from "node:crypto";
import type { Database } from "../db/client";
import { sqlConnectionOf } from "../db/client";
import { encodeValue, inList, insertRows, lockKeys, selectWhereIn, updateRows, type SqlTx } from "../db/sql";
import type { DomainEventSubscriber } from "../events/domain-events";
import type { DomainEventBatchHandler, DomainEventSubscription } from "../events/event-delivery";
import { markJobsDone } from "../jobs/claims";
import { inControlGroup } from "./assignment";
import { filtersHold } from "./conditions";
import { purchaseEvents, triggerEvents, type FlowDefinition } from "./definition";
import type { RunRow, TriggerFacts } from "./engine";
import { orderEndsRun, type PurchaseCandidate } from "./purchases";
import {
  definitionsFor,
  isReachable,
  profileOf,
  groupByShop,
  purchaseKeysOf,
  purchasesOf,
  runOf,
  segmentMembership,
  type StoredCustomer,
} from "./run-data";

export const flowsSubscriber: DomainEventSubscriber = {
  name: "flows",
  types: [...new Set([...triggerEvents, ...purchaseEvents])],
  // Only live flows enrol, and only live or paused flows have open runs a purchase can end.
  activeIn: async (tx, shopId) =>
    (
      await tx.query(
        `SELECT 1 AS found FROM "Flow" WHERE "shopId" = ? AND status IN ('live', 'paused') LIMIT 1`,
        [shopId],
      )
    ).length > 0,
};

const purchaseEventTypes = new Set<string>(purchaseEvents);
const openStatuses = ["active", "held"];

function customerOf(event: DomainEvent): string | null {
  if (event.type.startsWith("customer.") || event.type.startsWith("loyalty.")) return event.subjectId;
  const payload = event.payload as { customerId?: unknown } | null;
  return typeof payload?.customerId === "string" ? payload.customerId : null;
}

/**
 * What a re-entry rule counts per: an event about one thing of the customer's (browse abandonment
 * and replenishment name the product as `reentryKey`) is limited per that thing — "at most once per
 * product per 7 days" — others per customer.
 */
function reentryScopeOf(event: DomainEvent): string | null {
  const key = (event.payload as { reentryKey?: unknown } | null)?.reentryKey;
  return typeof key === "string" && key.length > 0 && key.length <= 200 ? key : null;
}

/** What makes two enrolments the same run, by the flow's re-entry rule. */
function triggerKeyOf(
  event: DomainEvent,
  definition: FlowDefinition,
  checkout: { token: string } | undefined,
): string {
  const scope = reentryScopeOf(event);
  if (definition.reentry.mode === "once") return scope ? `once:${scope}` : "once";
  if (checkout) return `checkout:${checkout.token}`;
  if (event.type.startsWith("order.")) return `order:${event.subjectId}`;
  return scope ? `${scope}:event:${event.dedupeKey}` : `event:${event.dedupeKey}`;
}

/** Whether an earlier run counts against this enrolment's "once per N days". */
function sameScope(triggerKey: string, scope: string | null): boolean {
  return scope === null || triggerKey.startsWith(`${scope}:`);
}

interface Enrolment {
  event: DomainEvent;
  flow: Flow;
  definition: FlowDefinition;
  customerId: string;
}

async function enrol(tx: SqlTx, enrolments: readonly Enrolment[], now: Date): Promise<void> {
  if (enrolments.length === 0) return;
  await lockKeys(
    tx,
    enrolments.map((item) => `flowrun:${item.flow.id}:${item.customerId}`),
  );
  const customers = new Map(
    (
      await selectWhereIn<Customer>(
        tx,
        "Customer",
        "id",
        enrolments.map((item) => item.customerId),
      )
    ).map((customer) => [customer.id, customer]),
  );
  const checkouts = new Map(
    (
      await selectWhereIn<Checkout>(
        tx,
        "Checkout",
        "id",
        enrolments
          .filter((item) => item.event.type.startsWith("checkout."))
          .map((item) => item.event.subjectId),
      )
    ).map((checkout) => [checkout.id, checkout]),
  );
  const existing = (
    await selectWhereIn<FlowRun>(
      tx,
      "FlowRun",
      "customerId",
      enrolments.map((item) => item.customerId),
    )
  ).map((row) => ({
    flowId: row.flowId,
    customerId: row.customerId,
    triggerKey: row.triggerKey,
    startedAt: row.startedAt,
  }));

  const candidates: RunRow[] = [];
  for (const { event, flow, definition, customerId } of enrolments) {
    const customer = customers.get(customerId);
    if (!isReachable(customer) || customer.shopId !== flow.shopId) continue;
    const checkout = checkouts.get(event.subjectId);
    const triggerKey = triggerKeyOf(event, definition, checkout);
    const earlier = existing.filter((run) => run.flowId === flow.id && run.customerId === customerId);
    if (earlier.some((run) => run.triggerKey === triggerKey)) continue;
    const { reentry } = definition;
    if (reentry.mode === "once_per_days") {
      const from = now.getTime() - reentry.days * 86_400_000;
      const scope = reentryScopeOf(event);
      if (earlier.some((run) => sameScope(run.triggerKey, scope) && run.startedAt.getTime() > from)) continue;
    }
    const trigger: TriggerFacts = {
      event: event.type,
      subjectId: event.subjectId,
      occurredAt: event.occurredAt.toISOString(),
      orderId: event.type.startsWith("order.") ? event.subjectId : null,
      checkoutId: checkout?.id ?? null,
      payload: event.payload,
    };
    const wakeAt = new Date(
      Math.max(now.getTime(), event.occurredAt.getTime() + definition.trigger.delayMinutes * 60_000),
    );
    const run: RunRow = {
      id: randomUUID(),
      shopId: flow.shopId,
      flowId: flow.id,
      version: flow.currentVersion,
      customerId,
      triggerKey,
      status: "active",
      stepId: definition.start,
      wakeAt,
      runGroup: inControlGroup(flow.id, customerId, definition.controlPercent) ? "control" : "treatment",
      variants: {},
      discounts: null,
      trigger,
      checkoutToken: checkout?.token ?? null,
      email: (customer.email ?? checkout?.email ?? null)?.toLowerCase() ?? null,
      since: event.occurredAt,
      steps: 0,
      exitReason: null,
      startedAt: now,
      endedAt: null,
      updatedAt: now,
    };
    candidates.push(run);
    existing.push({ flowId: flow.id, customerId, triggerKey, startedAt: now });
  }

  // Entry: the trigger's filters and the flow's filters hold, and (for flows that end on a
  // purchase) the customer has not already bought since the event.
  const definitions = new Map(enrolments.map((item) => [item.flow.id, item.definition]));
  const purchased = await purchasesOf(tx, candidates);
  const segments = await segmentMembership(
    tx,
    candidates.map((run) => ({ ...run, definition: definitions.get(run.flowId) })),
    customers,
    now,
  );
  const admitted = candidates.filter((run) => {
    const definition = definitions.get(run.flowId) as FlowDefinition;
    const customer = customers.get(run.customerId) as StoredCustomer;
    const ordered = purchased.has(run.id);
    if (definition.exitOnPurchase && ordered) return false;
    const facts = {
      profile: profileOf(customer),
      event: run.trigger.payload,
      orderedSinceStart: ordered,
      segments: segments.get(run.customerId) ?? new Set<string>(),
    };
    return filtersHold(definition.trigger.filters, facts) && filtersHold(definition.filters, facts);
  });
  await insertRows<FlowRun>(
    tx,
    "FlowRun",
    admitted.map((run) => ({ ...run, trigger: run.trigger as FlowRun["trigger"], discounts: null })),
    { conflict: ["shopId", "flowId", "customerId", "triggerKey"] },
  );
}

/** The purchases these events announce, as orders to match runs against. */
async function purchasesIn(
  tx: SqlTx,
  events: readonly DomainEvent[],
): Promise<(PurchaseCandidate & { shopId: string })[]> {
  const orders = await selectWhereIn<Order>(
    tx,
    "Order",
    "id",
    events.filter((event) => event.type.startsWith("order.")).map((event) => event.subjectId),
  );
  const checkouts = await selectWhereIn<Checkout>(
    tx,
    "Checkout",
    "id",
    events.filter((event) => event.type === "checkout.completed").map((event) => event.subjectId),
  );
  return [
    ...orders.map((order) => ({
      shopId: order.shopId,
      id: order.id,
      customerId: order.customerId,
      email: order.email,
      checkoutToken: order.checkoutToken,
      processedAt: order.processedAt,
    })),
    ...checkouts.map((checkout) => ({
      shopId: checkout.shopId,
      id: `checkout:${checkout.id}`,
      customerId: checkout.customerId,
      email: checkout.email,
      checkoutToken: checkout.token,
      processedAt: checkout.completedAt ?? checkout.shopifyUpdatedAt,
    })),
  ];
}

/** Ends, at once, the open runs these purchases satisfy; their queued messages are skipped. */
export async function exitOnPurchases(tx: SqlTx, events: readonly DomainEvent[], now: Date): Promise<number> {
  const purchases = await purchasesIn(tx, events);
  const ended: RunRow[] = [];
  for (const [shopId, orders] of groupByShop(purchases)) {
    const open = { where: `"shopId" = ? AND status IN ('active', 'held')`, parameters: [shopId], lock: true };
    const found = [
      ...(await selectWhereIn<FlowRun>(
        tx,
        "FlowRun",
        "customerId",
        orders.flatMap((order) => (order.customerId ? [order.customerId] : [])),
        open,
      )),
      ...(await selectWhereIn<FlowRun>(
        tx,
        "FlowRun",
        "checkoutToken",
        orders.flatMap((order) => (order.checkoutToken ? [order.checkoutToken] : [])),
        open,
      )),
      ...(await selectWhereIn<FlowRun>(
        tx,
        "FlowRun",
        "email",
        orders.flatMap((order) => (order.email ? [order.email.toLowerCase()] : [])),
        open,
      )),
    ];
    const runs = [...new Map(found.map((row) => [row.id, row])).values()].map(runOf);
    const definitions = await definitionsFor(tx, runs);
    for (const run of runs) {
      if (!openStatuses.includes(run.status)) continue;
      if (!definitions.get(`${run.flowId}@${run.version}`)?.exitOnPurchase) continue;
      if (!orders.some((order) => orderEndsRun(order, purchaseKeysOf(run)))) continue;
      ended.push({
        ...run,
        status: "exited",
        exitReason: "placed an order",
        wakeAt: null,
        endedAt: now,
        steps: run.steps + 1,
        updatedAt: now,
      });
    }
  }
  if (ended.length === 0) return 0;
  await updateRows<FlowRun>(
    tx,
    "FlowRun",
    ended.map((run) => ({
      ...run,
      trigger: run.trigger as FlowRun["trigger"],
      discounts: run.discounts as FlowRun["discounts"],
    })),
    ["status", "exitReason", "wakeAt", "endedAt", "steps", "updatedAt"],
  );
  await insertRows<FlowStepLog>(
    tx,
    "FlowStepLog",
    ended.map((run) => ({
      id: randomUUID(),
      shopId: run.shopId,
      flowId: run.flowId,
      runId: run.id,
      seq: run.steps,
      stepId: run.stepId ?? "",
      outcome: "exited",
      detail: "placed an order",
      messageId: null,
      variant: null,
      at: now,
    })),
    { conflict: ["runId", "seq"] },
  );
  const list = inList(
    tx,
    "flowRunId",
    "String",
    ended.map((run) => run.id),
  );
  await tx.execute(
    `UPDATE "Message" SET status = 'skipped', "lastError" = 'not sent: the customer placed an order', "updatedAt" = ?
      WHERE status = 'queued' AND ${list.sql}`,
    [encodeValue(tx.provider, "DateTime", now), ...list.parameters],
  );
  return ended.length;
}

/** Applies domain events to flows: enrolments first, then exits (both see each other's rows). */
export async function applyFlowEvents(tx: SqlTx, events: readonly DomainEvent[], now: Date): Promise<void> {
  const shopIds = [...new Set(events.map((event) => event.shopId))];
  const flows = await selectWhereIn<Flow>(tx, "Flow", "shopId", shopIds, {
    where: `status IN ('live', 'paused')`,
  });
  if (flows.length === 0) return;
  const live = flows.filter((flow) => flow.status === "live");
  const definitions = await definitionsFor(
    tx,
    live.map((flow) => ({ flowId: flow.id, version: flow.currentVersion })),
  );
  const enrolments: Enrolment[] = [];
  for (const event of events) {
    const customerId = customerOf(event);
    if (!customerId) continue;
    for (const flow of live) {
      if (flow.shopId !== event.shopId || flow.triggerEvent !== event.type) continue;
      const definition = definitions.get(`${flow.id}@${flow.currentVersion}`);
      if (definition) enrolments.push({ event, flow, definition, customerId });
    }
  }
  await enrol(tx, enrolments, now);
  const withFlows = new Set(flows.map((flow) => flow.shopId));
  await exitOnPurchases(
    tx,
    events.filter((event) => purchaseEventTypes.has(event.type) && withFlows.has(event.shopId)),
    now,
  );
}

const handleBatch: DomainEventBatchHandler = async (deliveries, context) => {
  const ids = deliveries.map((delivery) => delivery.job.id);
  await context.sql.transaction(async (tx) => {
    await applyFlowEvents(
      tx,
      deliveries.map((delivery) => delivery.event),
      context.now,
    );
    await markJobsDone(tx, ids, context.workerId, context.now);
  });
  return { done: ids, failed: [], single: [] };
};

/** The flows subscriber's handlers: one event, or a claimed batch at once. */
export function flowsSubscription(): DomainEventSubscription {
  return {
    handle: (db: Database, event: DomainEvent, now: Date) =>
      sqlConnectionOf(db).transaction((tx) => applyFlowEvents(tx, [event], now)),
    handleBatch,
  };
}
