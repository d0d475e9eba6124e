// Rebuilds a shop's analytics rollups from the raw tables (`npm run analytics:rebuild`): every
// customer with orders is recomputed exactly as the worker recomputes one (customer-rollup.ts), in
// pages of customers, and the daily and cohort rows are the sum of what they contribute. Runs in one
// transaction under the shop's analytics lock, so the worker's updates wait and readers see either
// the old rollups or the new ones.
import { sqlConnectionOf } from "../db/client";
import type { SqlConnection, SqlTx } from "../db/sql";
import type { JobHandler } from "../jobs/worker";
import { addContribution, customerRollup, emptyContribution, type CustomerRollup } from "./customer-rollup";
import {
  applyContribution,
  insertCustomerRows,
  lockShopAnalytics,
  rawOrdersOf,
  rollupContextOf,
} from "./rollups";

export const rollupTables = [
  "AnalyticsOrder",
  "AnalyticsSpell",
  "AnalyticsCustomer",
  "AnalyticsDay",
  "AnalyticsCohort",
] as const;

export interface RebuildResult {
  customers: number;
  orders: number;
}

const customersPerPage = 2_000;

export async function rebuildShopAnalytics(sql: SqlConnection, shopId: string): Promise<RebuildResult> {
  return sql.transaction((tx) => rebuildInTransaction(tx, shopId));
}

async function rebuildInTransaction(tx: SqlTx, shopId: string): Promise<RebuildResult> {
  await lockShopAnalytics(tx, shopId);
  const context = await rollupContextOf(tx, shopId);
  if (!context) throw new Error(`no shop ${shopId}`);
  for (const table of rollupTables) await tx.execute(`DELETE FROM "${table}" WHERE "shopId" = ?`, [shopId]);
  const total = emptyContribution();
  const result: RebuildResult = { customers: 0, orders: 0 };
  let after = "";
  for (;;) {
    const page = await tx.query<{ customerId: string }>(
      `SELECT DISTINCT "customerId" FROM "Order" WHERE "shopId" = ? AND "customerId" IS NOT NULL AND "customerId" > ? ORDER BY "customerId" LIMIT ${customersPerPage}`,
      [shopId, after],
    );
    if (page.length === 0) break;
    const ids = page.map((row) => row.customerId);
    after = ids[ids.length - 1] ?? after;
    const raw = await rawOrdersOf(tx, shopId, ids);
    const rollups: CustomerRollup[] = ids.map((id) => customerRollup(id, raw.get(id) ?? [], context));
    for (const rollup of rollups) {
      addContribution(total, rollup, 1);
      if (rollup.customer) result.customers += 1;
      result.orders += rollup.orders.length;
    }
    await insertCustomerRows(tx, rollups);
  }
  await applyContribution(tx, shopId, total);
  return result;
}

/**
 * A job handler that rebuilds the shop's analytics after the wrapped one succeeds: imported store
 * history announces no events (app/shopify/backfill-job.ts), so the import ends with a rebuild.
 */
export function thenRebuildAnalytics(handler: JobHandler): JobHandler {
  const wrapped: JobHandler = async (job, db) => {
    await handler(job, db);
    await rebuildShopAnalytics(sqlConnectionOf(db), job.shopId);
  };
  if (handler.onParked) wrapped.onParked = handler.onParked;
  return wrapped;
}

/** The worker's job that rebuilds a shop's analytics (after its activity window changed). */
export const analyticsRebuildJobKind = "analytics.rebuild";

export const analyticsRebuildJobHandler: JobHandler = async (job, db) => {
  await rebuildShopAnalytics(sqlConnectionOf(db), job.shopId);
};
