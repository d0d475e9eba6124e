// The shop's analytics rollups (docs/decisions/013-analytics.md), kept by recomputing whole
// customers: whenever an order changes (created, paid, cancelled, refunded), the customers it
// belongs to — and belonged to — are recomputed from the raw orders as they stand now
// (customer-rollup.ts); their stored rows are replaced and the daily and cohort rollups change by
// the difference between what the old and the new rows contribute. The outcome depends only on the
// raw tables, never on which events came, in which order or how often, so the rebuild (which
// recomputes every customer the same way) yields identical rows.
//
// One shop's analytics writes are serialised by an advisory lock (PostgreSQL; SQLite has a single
// writer): a customer's difference is computed and applied under it, so two workers never apply
// the same difference twice, and the rollup rows are always updated in one order.
import type { AnalyticsCustomer, AnalyticsOrder, AnalyticsSpell, DomainEvent, Order } from "@prisma/client";
import { z } from "zod";
import { decodeRow, deleteWhereIn, inList, insertRows, lockKeys, selectWhereIn, type SqlTx } from "../db/sql";
import type { FromStored } from "../money/stored";
import {
  addContribution,
  customerRollup,
  emptyContribution,
  type Contribution,
  type CustomerRollup,
  type RawOrder,
  type RollupContext,
} from "./customer-rollup";
import { defaultClvSettings, type ClvSettings } from "./metrics";

export interface AnalyticsSettingsValues extends ClvSettings {
  activityWindowDays: number;
}

export const defaultAnalyticsSettings: AnalyticsSettingsValues = {
  activityWindowDays: 365,
  ...defaultClvSettings,
};

/** The shop's analytics settings (defaults until it saves its own). */
export async function analyticsSettingsOf(tx: SqlTx, shopId: string): Promise<AnalyticsSettingsValues> {
  const [row] = await tx.query<Record<string, unknown>>(
    `SELECT "activityWindowDays", "expectedLifespanMonths", "profitMarginBasisPoints" FROM "AnalyticsSettings" WHERE "shopId" = ?`,
    [shopId],
  );
  if (!row) return defaultAnalyticsSettings;
  return {
    activityWindowDays: Number(row.activityWindowDays),
    expectedLifespanMonths: Number(row.expectedLifespanMonths),
    profitMarginBasisPoints: Number(row.profitMarginBasisPoints),
  };
}

/** The context customers of this shop are computed in: its zone and activity window. */
export async function rollupContextOf(tx: SqlTx, shopId: string): Promise<RollupContext | null> {
  const [shop] = await tx.query<{ timezone: string }>(`SELECT "timezone" FROM "Shop" WHERE "id" = ?`, [
    shopId,
  ]);
  if (!shop) return null;
  const settings = await analyticsSettingsOf(tx, shopId);
  return { shopId, zone: shop.timezone, activityWindowDays: settings.activityWindowDays };
}

const orderColumns = `"id", "customerId", "processedAt", "subtotalMinor", "totalMinor", "refundedMinor", "cancelledAt"`;

function rawOrderOf(row: Record<string, unknown>): RawOrder {
  const order = decodeRow<FromStored<Order>>("Order", row);
  return {
    id: order.id,
    customerId: order.customerId ?? "",
    placedAt: order.processedAt.getTime(),
    subtotalMinor: order.subtotalMinor,
    totalMinor: order.totalMinor,
    refundedMinor: order.refundedMinor,
    cancelled: order.cancelledAt !== null,
  };
}

/** The raw orders of these customers, by customer. */
export async function rawOrdersOf(
  tx: SqlTx,
  shopId: string,
  customerIds: readonly string[],
): Promise<Map<string, RawOrder[]>> {
  const byCustomer = new Map<string, RawOrder[]>(customerIds.map((id) => [id, []]));
  if (customerIds.length === 0) return byCustomer;
  const list = inList(tx, "customerId", "String", customerIds);
  const rows = await tx.query<Record<string, unknown>>(
    `SELECT ${orderColumns} FROM "Order" WHERE "shopId" = ? AND ${list.sql}`,
    [shopId, ...list.parameters],
  );
  for (const row of rows) {
    const order = rawOrderOf(row);
    byCustomer.get(order.customerId)?.push(order);
  }
  return byCustomer;
}

/** The rows stored for these customers, by customer. */
async function storedRollupsOf(
  tx: SqlTx,
  shopId: string,
  customerIds: readonly string[],
): Promise<Map<string, CustomerRollup>> {
  const rollups = new Map<string, CustomerRollup>(
    customerIds.map((id) => [id, { orders: [], customer: null, spells: [] }]),
  );
  const where = { where: `"shopId" = ?`, parameters: [shopId] };
  for (const row of await selectWhereIn<AnalyticsOrder>(
    tx,
    "AnalyticsOrder",
    "customerId",
    customerIds,
    where,
  ))
    rollups.get(row.customerId)?.orders.push(row);
  for (const row of await selectWhereIn<AnalyticsSpell>(
    tx,
    "AnalyticsSpell",
    "customerId",
    customerIds,
    where,
  ))
    rollups.get(row.customerId)?.spells.push(row);
  for (const row of await selectWhereIn<AnalyticsCustomer>(
    tx,
    "AnalyticsCustomer",
    "customerId",
    customerIds,
    where,
  )) {
    const rollup = rollups.get(row.customerId);
    if (rollup) rollup.customer = row;
  }
  return rollups;
}

/** Takes the shop's analytics lock for the rest of the transaction. */
export function lockShopAnalytics(tx: SqlTx, shopId: string): Promise<void> {
  return lockKeys(tx, [`analytics:${shopId}`]);
}

/** Writes a customer's rows (they have none stored: deleted first, or a rebuild). */
export async function insertCustomerRows(tx: SqlTx, rollups: readonly CustomerRollup[]): Promise<void> {
  await insertRows<AnalyticsOrder>(
    tx,
    "AnalyticsOrder",
    rollups.flatMap((rollup) => rollup.orders),
  );
  await insertRows<AnalyticsSpell>(
    tx,
    "AnalyticsSpell",
    rollups.flatMap((rollup) => rollup.spells),
  );
  await insertRows<AnalyticsCustomer>(
    tx,
    "AnalyticsCustomer",
    rollups.flatMap((rollup) => (rollup.customer ? [rollup.customer] : [])),
  );
}

/**
 * Recomputes these customers from their raw orders: their rows are replaced and the shop's daily
 * and cohort rollups change by the difference. Callers hold the shop's analytics lock.
 */
export async function refreshCustomers(
  tx: SqlTx,
  context: RollupContext,
  customerIds: readonly string[],
): Promise<void> {
  const ids = [...new Set(customerIds)].sort();
  if (ids.length === 0) return;
  const { shopId } = context;
  const stored = await storedRollupsOf(tx, shopId, ids);
  const raw = await rawOrdersOf(tx, shopId, ids);
  const difference = emptyContribution();
  const fresh: CustomerRollup[] = [];
  for (const id of ids) {
    const rollup = customerRollup(id, raw.get(id) ?? [], context);
    fresh.push(rollup);
    addContribution(difference, rollup, 1);
    const old = stored.get(id);
    if (old) addContribution(difference, old, -1);
  }
  const where = { where: `"shopId" = ?`, parameters: [shopId] };
  await deleteWhereIn<AnalyticsOrder>(tx, "AnalyticsOrder", "customerId", ids, where);
  await deleteWhereIn<AnalyticsSpell>(tx, "AnalyticsSpell", "customerId", ids, where);
  await deleteWhereIn<AnalyticsCustomer>(tx, "AnalyticsCustomer", "customerId", ids, where);
  await insertCustomerRows(tx, fresh);
  await applyContribution(tx, shopId, difference);
}

/** Adds a contribution to the shop's daily and cohort rows; rows that end at zero are removed. */
export async function applyContribution(
  tx: SqlTx,
  shopId: string,
  contribution: Contribution,
): Promise<void> {
  const days = [...contribution.days.entries()]
    .filter(([, totals]) => Object.values(totals).some((value) => value !== 0))
    .sort(([a], [b]) => a - b);
  if (days.length > 0) {
    await upsertAdding(
      tx,
      "AnalyticsDay",
      ["shopId", "day"],
      ["orders", "revenueMinor", "newCustomers", "activeDelta", "secondOrders", "monthLost"],
      ["text", "integer", "integer", "bigint", "integer", "integer", "integer", "integer"],
      days.map(([day, totals]) => [
        shopId,
        day,
        totals.orders,
        totals.revenueMinor,
        totals.newCustomers,
        totals.activeDelta,
        totals.secondOrders,
        totals.monthLost,
      ]),
    );
    const list = inList(
      tx,
      "day",
      "Int",
      days.map(([day]) => day),
    );
    await tx.execute(
      `DELETE FROM "AnalyticsDay" WHERE "shopId" = ? AND "orders" = 0 AND "revenueMinor" = 0 AND "newCustomers" = 0 AND "activeDelta" = 0 AND "secondOrders" = 0 AND "monthLost" = 0 AND ${list.sql}`,
      [shopId, ...list.parameters],
    );
  }
  const cohorts = [...contribution.cohorts.entries()]
    .filter(([, count]) => count !== 0)
    .map(([key, count]) => {
      const [month, offset] = key.split(":").map(Number);
      return [shopId, month ?? 0, offset ?? 0, count] as const;
    })
    .sort((a, b) => a[1] - b[1] || a[2] - b[2]);
  if (cohorts.length > 0) {
    await upsertAdding(
      tx,
      "AnalyticsCohort",
      ["shopId", "cohortMonth", "offset"],
      ["customers"],
      ["text", "integer", "integer", "integer"],
      cohorts.map((row) => [...row]),
    );
    await tx.execute(`DELETE FROM "AnalyticsCohort" WHERE "shopId" = ? AND "customers" = 0`, [shopId]);
  }
}

/** INSERT … ON CONFLICT DO UPDATE adding the values to the stored ones (rows: keys then values). */
async function upsertAdding(
  tx: SqlTx,
  table: string,
  keys: readonly string[],
  values: readonly string[],
  postgresTypes: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): Promise<void> {
  const columns = [...keys, ...values];
  const quoted = columns.map((column) => `"${column}"`).join(", ");
  const conflict = ` ON CONFLICT (${keys.map((key) => `"${key}"`).join(", ")}) DO UPDATE SET ${values
    .map((column) => `"${column}" = "${table}"."${column}" + excluded."${column}"`)
    .join(", ")}`;
  if (tx.provider === "postgresql") {
    const arrays = postgresTypes.map((type) => `CAST(? AS ${type}[])`).join(", ");
    await tx.execute(
      `INSERT INTO "${table}" (${quoted}) SELECT * FROM unnest(${arrays})${conflict}`,
      columns.map((_, index) => rows.map((row) => row[index])),
    );
    return;
  }
  const perStatement = Math.floor(30_000 / columns.length);
  for (let start = 0; start < rows.length; start += perStatement) {
    const part = rows.slice(start, start + perStatement);
    await tx.execute(
      `INSERT INTO "${table}" (${quoted}) VALUES ${part.map(() => `(${columns.map(() => "?").join(", ")})`).join(", ")}${conflict}`,
      part.flat(),
    );
  }
}

/** What an order.refunded event names: the order by its Shopify id. */
const refundedPayload = z.object({ orderShopifyId: z.string() });

/**
 * The customers whose rows these events may change: each named order's customer now, and the
 * customer its stored fact belongs to (an order moved to another customer leaves the first one).
 */
export async function customersAffectedBy(
  tx: SqlTx,
  shopId: string,
  events: readonly DomainEvent[],
): Promise<string[]> {
  const orderIds: string[] = [];
  const orderShopifyIds: string[] = [];
  for (const event of events) {
    if (event.type === "order.refunded") {
      const payload = refundedPayload.safeParse(event.payload);
      if (payload.success) orderShopifyIds.push(payload.data.orderShopifyId);
    } else if (event.type.startsWith("order.")) orderIds.push(event.subjectId);
  }
  const where = { where: `"shopId" = ?`, parameters: [shopId] };
  const orders = [
    ...(await selectWhereIn<Order>(tx, "Order", "id", orderIds, where)),
    ...(await selectWhereIn<Order>(tx, "Order", "shopifyId", orderShopifyIds, where)),
  ];
  const customers = new Set<string>();
  for (const order of orders) if (order.customerId) customers.add(order.customerId);
  const facts = await selectWhereIn<AnalyticsOrder>(
    tx,
    "AnalyticsOrder",
    "orderId",
    orders.map((order) => order.id),
    where,
  );
  for (const fact of facts) customers.add(fact.customerId);
  return [...customers];
}

/** Applies a shop's order events to its rollups (the caller's transaction). */
export async function applyOrderEvents(
  tx: SqlTx,
  shopId: string,
  events: readonly DomainEvent[],
): Promise<void> {
  await lockShopAnalytics(tx, shopId);
  const context = await rollupContextOf(tx, shopId);
  if (!context) return;
  const customers = await customersAffectedBy(tx, shopId, events);
  await refreshCustomers(tx, context, customers);
}
