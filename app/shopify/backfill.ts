// Backfill (R-EVT-7): imports a shop's existing customers, then orders (with line items and their
// customer), then products (with variants) through bulk operations, and applies every record with
// the same ingest functions the webhooks use. Ingest is idempotent (updated_at guards, unique keys,
// deduplicated domain events), so a backfill can be re-run or retried at any point.
// Progress is a BackfillRun row, updated in the same transaction as each batch it counts.
import type { BackfillRun, Shop } from "@prisma/client";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import { lastErrorText } from "../jobs/last-error";
import type { DomainEventSubscriber, Tx } from "../events/domain-events";
import { ingestContext } from "../events/ingest/context";
import { applyProduct } from "../events/ingest/products";
import type { AdminClient } from "./admin-client";
import { bulkQueries, type BulkQueryName } from "./admin-operations";
import { applyCustomers, applyOrders, refreshProfiles, type BatchContext } from "./backfill-ingest";
import { customerFromRecord, orderFromRecord, productFromRecord } from "./backfill-mapping";
import { runBulkQuery, type BulkOperation, type BulkRecord } from "./bulk-operations";

export type BackfillResource = BulkQueryName;

export const backfillResources: readonly BackfillResource[] = ["customers", "orders", "products"];

const countField = {
  customers: "customersImported",
  orders: "ordersImported",
  products: "productsImported",
} as const satisfies Record<BackfillResource, keyof BackfillRun>;

/** How a batch of records is applied inside its transaction (records are validated as webhook payloads first). */
const appliers: Record<BackfillResource, (context: BatchContext, records: BulkRecord[]) => Promise<unknown>> =
  {
    customers: (context, records) =>
      applyCustomers(
        context,
        records.map((record) => ({ payload: customerFromRecord(record) })),
      ),
    orders: (context, records) => applyOrders(context, records.map(orderFromRecord)),
    products: async (context, records) => {
      for (const record of records) await applyProduct(context, productFromRecord(record));
    },
  };

// Only orders and products have child lines; grouping lets us stream them without holding the file.
const groupObjects: Record<BackfillResource, boolean> = { customers: false, orders: true, products: true };

export interface BackfillOptions {
  db: Database;
  shop: Shop;
  adminClient: AdminClient;
  clock: Clock;
  subscribers?: readonly DomainEventSubscriber[];
  /** Records applied per transaction. */
  batchSize?: number;
  /** Milliseconds between two status polls of a bulk operation. */
  pollIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
  /** Called with the run after every committed batch and status change. */
  onProgress?: (run: BackfillRun) => void | Promise<void>;
  /** Called with every bulk operation status seen while Shopify prepares the data. */
  onBulkOperation?: (resource: BackfillResource, operation: BulkOperation) => void | Promise<void>;
}

const transactionOptions = { timeout: 60_000, maxWait: 10_000 };

/** Runs a whole backfill for the shop; returns the finished run (status "done"), or throws after marking it "failed". */
export async function runBackfill(options: BackfillOptions): Promise<BackfillRun> {
  const { db, shop, clock } = options;
  const subscribers = options.subscribers ?? [];
  const batchSize = options.batchSize ?? 200;
  const batchContext = (tx: Tx): BatchContext => ({
    ...ingestContext(tx, shop, clock, subscribers),
    subscribers,
  });

  // Every customer with orders, once, after all orders are in (also after a retried, interrupted run).
  const refreshAllProfiles = async () => {
    let after = "";
    for (;;) {
      const customers = await db.customer.findMany({
        where: {
          shopId: shop.id,
          id: { gt: after },
          OR: [{ orders: { some: {} } }, { ordersCount: { gt: 0 } }],
        },
        orderBy: { id: "asc" },
        take: batchSize,
        select: { id: true },
      });
      if (customers.length === 0) return;
      await db.$transaction(
        (tx: Tx) =>
          refreshProfiles(
            batchContext(tx),
            customers.map((customer) => customer.id),
          ),
        transactionOptions,
      );
      after = customers.at(-1)?.id ?? after;
    }
  };

  let run = await db.backfillRun.create({
    data: { shopId: shop.id, status: "running", startedAt: clock.now() },
  });
  await options.onProgress?.(run);

  try {
    for (const resource of backfillResources) {
      run = await db.backfillRun.update({
        where: { id: run.id, shopId: shop.id },
        data: { resource, bulkOperationId: null },
      });
      await options.onProgress?.(run);

      const records = runBulkQuery(options.adminClient, bulkQueries[resource], {
        groupObjects: groupObjects[resource],
        pollIntervalMs: options.pollIntervalMs,
        sleep: options.sleep,
        fetch: options.fetch,
        onStarted: async (bulkOperationId) => {
          run = await db.backfillRun.update({
            where: { id: run.id, shopId: shop.id },
            data: { bulkOperationId },
          });
          await options.onProgress?.(run);
        },
        onPoll: (operation) => options.onBulkOperation?.(resource, operation),
      });

      let batch: BulkRecord[] = [];
      const flush = async () => {
        const records = batch;
        batch = [];
        run = await db.$transaction(async (tx: Tx) => {
          await appliers[resource](batchContext(tx), records);
          return tx.backfillRun.update({
            where: { id: run.id, shopId: shop.id },
            data: { [countField[resource]]: { increment: records.length } },
          });
        }, transactionOptions);
        await options.onProgress?.(run);
      };
      for await (const record of records) {
        batch.push(record);
        if (batch.length >= batchSize) await flush();
      }
      if (batch.length > 0) await flush();
      if (resource === "orders") await refreshAllProfiles();
    }

    run = await db.backfillRun.update({
      where: { id: run.id, shopId: shop.id },
      data: { status: "done", resource: null, finishedAt: clock.now() },
    });
    await options.onProgress?.(run);
    return run;
  } catch (error) {
    run = await db.backfillRun.update({
      where: { id: run.id, shopId: shop.id },
      data: { status: "failed", lastError: lastErrorText(error), finishedAt: clock.now() },
    });
    await options.onProgress?.(run);
    throw error;
  }
}

/** The shop's most recent backfill, for the admin's progress display. */
export function latestBackfillRun(db: Database, shopId: string): Promise<BackfillRun | null> {
  return db.backfillRun.findFirst({ where: { shopId }, orderBy: { startedAt: "desc" } });
}
