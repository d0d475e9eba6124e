// Which flow message earned an order (R-FLOW-6; docs/decisions/010-flow-attribution-and-control-groups.md).
//
// An order by a customer is attributed to the LAST flow message to that customer whose touch time
// lies in the window before the order: `processedAt − window ≤ touch ≤ processedAt`, both ends
// included, so an order one minute before the window closes counts and one a minute after does
// not. The touch time is the message's `sentAt` (basis "send": a message handed to a provider and
// not failed, i.e. status sent or delivered) or its first `clickedAt` (basis "click"). Messages of
// every flow compete: a later message of another flow takes the order. One attribution per order.
//
// The revenue of an order is computed when read, so a refund or cancellation after the fact
// lowers it: max(0, subtotal − refunded), 0 once cancelled (subtotal = after discounts, before
// shipping and taxes, in the shop's currency). An attributed order whose checkout token is the
// run's checkout token is a recovered checkout.
//
// Work is bounded by the period: one aggregate finds the customers who had a flow touch in
// [from − window, to); for each page of 500 of them, their orders and their flow messages are read
// with one query each, and matched in memory.
import type { Prisma } from "@prisma/client";
import type { Database } from "../db/client";
import { fromStoredInteger } from "../money/stored";

export type AttributionBasis = "send" | "click";

export interface AttributionSettings {
  windowMinutes: number;
  basis: AttributionBasis;
}

export const defaultAttributionSettings: AttributionSettings = { windowMinutes: 7200, basis: "send" };

/** A half-open period [from, to). */
export interface Period {
  from: Date;
  to: Date;
}

/** Message statuses that mean "handed to a provider and not failed". */
export const sentStatuses = ["sent", "delivered"] as const;

/** Ids bound per statement (Prisma binds at most 999 values per statement on SQLite). */
const pageSize = 500;

/** The shop's attribution settings (defaults when it never changed them). */
export async function attributionSettings(db: Database, shopId: string): Promise<AttributionSettings> {
  const row = await db.flowSettings.findUnique({ where: { shopId } });
  if (!row) return defaultAttributionSettings;
  return {
    windowMinutes: row.attributionWindowMinutes,
    basis: row.attributionBasis === "click" ? "click" : "send",
  };
}

/** The revenue an order counts for now: max(0, subtotal − refunded), 0 once cancelled. */
export function orderRevenueMinor(order: {
  subtotalMinor: bigint | number;
  refundedMinor: bigint | number;
  cancelledAt: Date | null;
}): number {
  if (order.cancelledAt !== null) return 0;
  return Math.max(0, fromStoredInteger(order.subtotalMinor) - fromStoredInteger(order.refundedMinor));
}

/** True when a touch at `touchAt` may earn an order placed at `orderAt`. */
export function withinAttributionWindow(touchAt: Date, orderAt: Date, windowMinutes: number): boolean {
  const gap = orderAt.getTime() - touchAt.getTime();
  return gap >= 0 && gap <= windowMinutes * 60_000;
}

export interface OrderAttribution {
  orderId: string;
  orderName: string;
  customerId: string;
  processedAt: Date;
  /** Revenue as of now (refunds and cancellation applied), integer minor units. */
  revenueMinor: number;
  currency: string;
  messageId: string;
  flowId: string;
  flowRunId: string | null;
  flowStepId: string | null;
  /** The message's send (or click) time that earned the order. */
  touchedAt: Date;
  /** The order completed the run's own checkout. */
  recoveredCheckout: boolean;
}

interface Touch {
  id: string;
  customerId: string;
  flowId: string;
  flowRunId: string | null;
  flowStepId: string | null;
  at: Date;
}

export function chunked<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let index = 0; index < items.length; index += size) chunks.push(items.slice(index, index + size));
  return chunks;
}

/** Where-clause of the flow messages that count as touches under a basis, within [from, to). */
export function touchWhere(
  shopId: string,
  basis: AttributionBasis,
  from: Date,
  to: Date,
): Prisma.MessageWhereInput {
  return basis === "click"
    ? { shopId, flowId: { not: null }, clickedAt: { gte: from, lt: to } }
    : { shopId, flowId: { not: null }, status: { in: [...sentStatuses] }, sentAt: { gte: from, lt: to } };
}

/** The last touch at or before `at` in a list sorted by time (then id); undefined when none. */
function lastTouchAtOrBefore(touches: readonly Touch[], at: Date): Touch | undefined {
  let low = 0;
  let high = touches.length;
  const time = at.getTime();
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((touches[middle] as Touch).at.getTime() <= time) low = middle + 1;
    else high = middle;
  }
  return low > 0 ? touches[low - 1] : undefined;
}

/**
 * The distinct customers with a flow touch in the range, in one aggregate (one scan of the
 * messages' (shop, flow, time) index, however many customers there are); then read in pages.
 */
async function touchedCustomers(db: Database, where: Prisma.MessageWhereInput): Promise<string[]> {
  const groups = await db.message.groupBy({ by: ["customerId"], where, orderBy: { customerId: "asc" } });
  return groups.map((group) => group.customerId);
}

/**
 * Every order processed in [from, to) that a flow message earned, oldest first. With `flowId`,
 * only the orders that flow earned (messages of other flows still compete for them).
 */
export async function attributeOrders(
  db: Database,
  shopId: string,
  period: Period,
  options: { flowId?: string; settings?: AttributionSettings } = {},
): Promise<OrderAttribution[]> {
  const settings = options.settings ?? (await attributionSettings(db, shopId));
  const touchesFrom = new Date(period.from.getTime() - settings.windowMinutes * 60_000);
  const anyFlow = touchWhere(shopId, settings.basis, touchesFrom, period.to);
  const candidates = options.flowId ? { AND: [anyFlow, { flowId: options.flowId }] } : anyFlow;

  const found: OrderAttribution[] = [];
  for (const customerIds of chunked(await touchedCustomers(db, candidates), pageSize)) {
    const orders = await db.order.findMany({
      where: { shopId, customerId: { in: customerIds }, processedAt: { gte: period.from, lt: period.to } },
      select: {
        id: true,
        name: true,
        customerId: true,
        processedAt: true,
        subtotalMinor: true,
        refundedMinor: true,
        cancelledAt: true,
        currency: true,
        checkoutToken: true,
      },
    });
    if (orders.length === 0) continue;
    const messages = await db.message.findMany({
      where: { AND: [anyFlow, { customerId: { in: customerIds } }] },
      select: {
        id: true,
        customerId: true,
        flowId: true,
        flowRunId: true,
        flowStepId: true,
        sentAt: true,
        clickedAt: true,
      },
    });
    const touchesByCustomer = new Map<string, Touch[]>();
    for (const message of messages) {
      const at = settings.basis === "click" ? message.clickedAt : message.sentAt;
      if (!at || !message.flowId) continue;
      const list = touchesByCustomer.get(message.customerId) ?? [];
      list.push({ ...message, flowId: message.flowId, at });
      touchesByCustomer.set(message.customerId, list);
    }
    for (const list of touchesByCustomer.values()) {
      list.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    }

    const earned: { order: (typeof orders)[number]; touch: Touch }[] = [];
    for (const order of orders) {
      if (!order.customerId) continue;
      const touch = lastTouchAtOrBefore(touchesByCustomer.get(order.customerId) ?? [], order.processedAt);
      if (!touch || !withinAttributionWindow(touch.at, order.processedAt, settings.windowMinutes)) continue;
      if (options.flowId && touch.flowId !== options.flowId) continue;
      earned.push({ order, touch });
    }

    // Recovered checkouts: the runs' checkout tokens, one query for the page.
    const runIds = [...new Set(earned.flatMap(({ touch }) => (touch.flowRunId ? [touch.flowRunId] : [])))];
    const runTokens = new Map<string, string | null>();
    for (const ids of chunked(runIds, pageSize)) {
      const runs = await db.flowRun.findMany({
        where: { shopId, id: { in: ids } },
        select: { id: true, checkoutToken: true },
      });
      for (const run of runs) runTokens.set(run.id, run.checkoutToken);
    }

    for (const { order, touch } of earned) {
      const runToken = touch.flowRunId ? runTokens.get(touch.flowRunId) : null;
      found.push({
        orderId: order.id,
        orderName: order.name,
        customerId: order.customerId as string,
        processedAt: order.processedAt,
        revenueMinor: orderRevenueMinor(order),
        currency: order.currency,
        messageId: touch.id,
        flowId: touch.flowId,
        flowRunId: touch.flowRunId,
        flowStepId: touch.flowStepId,
        touchedAt: touch.at,
        recoveredCheckout: !!runToken && order.checkoutToken === runToken,
      });
    }
  }
  return found.sort(
    (a, b) =>
      a.processedAt.getTime() - b.processedAt.getTime() ||
      (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0),
  );
}
