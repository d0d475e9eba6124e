// Backfill (R-EVT-7) end to end: a worker job imports 10,000 orders (with line items and customers),
// their customers and the products of a fake Admin API over real HTTP, through bulk operations and
// a small cost bucket, into a real database; a second run changes nothing.
import type { BackfillRun, Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { Clock } from "../../app/clock";
import type { Database } from "../../app/db/client";
import type { DomainEventSubscriber } from "../../app/events/domain-events";
import { Worker } from "../../app/jobs/worker";
import { toMinorUnits } from "../../app/money/money";
import { createLogger } from "../../app/observability/logger";
import { AdminGraphqlError, createAdminClient, type AdminClient } from "../../app/shopify/admin-client";
import { bulkQueries } from "../../app/shopify/admin-operations";
import { runBackfill } from "../../app/shopify/backfill";
import { backfillJobHandler, backfillJobKind, requestBackfill } from "../../app/shopify/backfill-job";
import {
  customerFromRecord,
  legacyId,
  orderFromRecord,
  productFromRecord,
} from "../../app/shopify/backfill-mapping";
import {
  BulkOperationError,
  runBulkQuery,
  startBulkQuery,
  type BulkRecord,
} from "../../app/shopify/bulk-operations";
import { ingestContext } from "../../app/events/ingest/context";
import { applyCustomer } from "../../app/events/ingest/customers";
import { applyOrder } from "../../app/events/ingest/orders";
import { applyProduct } from "../../app/events/ingest/products";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { startFakeAdminApi, type FakeAdminApi } from "../support/fake-admin-api";
import { numbers } from "../support/stored";

const clock: Clock = { now: () => new Date("2026-11-23T12:00:00Z") };
const accessToken = "shpat_backfill_test";
const bucket = { maximumAvailable: 20, restoreRate: 50, currentlyAvailable: 5 };
// A domain that wants new customers and paid orders delivered (jobs are scheduled per event).
const loyalty: DomainEventSubscriber = { name: "loyalty", types: ["customer.created", "order.paid"] };

/** Everything a shop's import stored, with Stayloop's ids replaced by Shopify's, for comparison. */
async function snapshot(db: Database, shopId: string) {
  const where = { shopId };
  const customers = numbers(await db.customer.findMany({ where, orderBy: { shopifyId: "asc" } }));
  const orders = numbers(await db.order.findMany({ where, orderBy: { shopifyId: "asc" } }));
  const shopifyIds = new Map<string, string>([
    ...customers.map((row) => [row.id, `customer:${row.shopifyId}`] as const),
    ...orders.map((row) => [row.id, `order:${row.shopifyId}`] as const),
  ]);
  const strip = <T extends { id: string; shopId: string; createdAt?: Date; updatedAt?: Date }>(row: T) => {
    const { id: _id, shopId: _shopId, createdAt: _createdAt, updatedAt: _updatedAt, ...rest } = row;
    return rest;
  };
  const events = await db.domainEvent.findMany({ where, orderBy: { dedupeKey: "asc" } });
  const lifecycle = new Map<string, unknown>();
  for (const event of events.filter((row) => row.type === "customer.lifecycle_changed")) {
    lifecycle.set(shopifyIds.get(event.subjectId) ?? event.subjectId, (event.payload as { to?: unknown }).to);
  }
  return {
    customers: customers.map(strip),
    orders: orders.map((row) => ({
      ...strip(row),
      customerId: row.customerId && shopifyIds.get(row.customerId),
    })),
    lines: numbers(await db.orderLine.findMany({ where, orderBy: { shopifyId: "asc" } })).map(
      ({ id: _id, shopId: _shopId, orderId, ...rest }) => ({ ...rest, order: shopifyIds.get(orderId) }),
    ),
    products: (await db.product.findMany({ where, orderBy: { shopifyId: "asc" } })).map(strip),
    variants: numbers(await db.productVariant.findMany({ where, orderBy: { shopifyId: "asc" } })).map(
      ({ id: _id, shopId: _shopId, productId: _productId, ...rest }) => rest,
    ),
    // Facts, with ids made comparable; lifecycle changes compared by the stage each customer ends in.
    events: events
      .filter((row) => row.type !== "customer.lifecycle_changed")
      .map((row) => ({
        type: row.type,
        dedupeKey: row.dedupeKey,
        occurredAt: row.occurredAt,
        subject: shopifyIds.get(row.subjectId),
        payload: JSON.stringify(row.payload).replace(/"c[a-z0-9]{20,}"/g, (id) =>
          JSON.stringify(shopifyIds.get(JSON.parse(id) as string) ?? id),
        ),
      })),
    finalStages: [...lifecycle.entries()].sort(),
    // Delivery jobs of subscribers, by the fact they deliver.
    jobs: (await db.job.findMany({ where: { shopId, kind: "domain-event" } }))
      .map((job) => {
        const { eventId, subscriber } = job.payload as { eventId: string; subscriber: string };
        const event = events.find((row) => row.id === eventId);
        return `${subscriber}:${event?.dedupeKey}:${job.runAt.toISOString()}:${job.status}`;
      })
      .sort(),
  };
}

async function rowCounts(db: Database, shopId: string) {
  const where = { shopId };
  return {
    customers: await db.customer.count({ where }),
    orders: await db.order.count({ where }),
    orderLines: await db.orderLine.count({ where }),
    products: await db.product.count({ where }),
    variants: await db.productVariant.count({ where }),
    events: await db.domainEvent.count({ where }),
  };
}

describe(`backfill on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let fake: FakeAdminApi;
  let shop: Shop;
  const clients: AdminClient[] = [];
  const adminClientFor = (target: Shop, token: string) => {
    const client = createAdminClient({
      shopDomain: target.domain,
      accessToken: token,
      endpoint: fake.endpoint(target.domain),
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    fake = await startFakeAdminApi({
      customers: 2_000,
      orders: 10_000,
      products: 60,
      accessToken,
      bucket,
      runningPolls: 2,
    });
    shop = await db.shop.create({ data: { domain: "backfill-shop.myshopify.com" } });
    await db.session.create({
      data: { id: `offline_${shop.domain}`, shop: shop.domain, state: "", isOnline: false, accessToken },
    });
  });

  afterAll(async () => {
    await fake?.close();
    await database?.drop();
  });

  it("imports every customer, order (with lines) and product as a worker job, within the rate limit", async () => {
    const progress: BackfillRun[] = [];
    const worker = new Worker({
      db,
      clock,
      logger: createLogger("silent"),
      jobHandlers: {
        [backfillJobKind]: backfillJobHandler({
          adminClientFor,
          clock,
          pollIntervalMs: 20,
          onProgress: (run) => {
            progress.push(run);
          },
        }),
      },
    });
    const job = await requestBackfill(db, shop.id, clock);
    const started = performance.now();
    expect(await worker.tick()).toBe(1);
    const seconds = (performance.now() - started) / 1000;

    const finishedJob = await db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(finishedJob.lastError).toBeNull();
    expect(finishedJob.status).toBe("done");

    const { dataset } = fake;
    const lineCount = dataset.orders.reduce((sum, order) => sum + order.lineItems.edges.length, 0);
    const variantCount = dataset.products.reduce((sum, product) => sum + product.variants.edges.length, 0);
    const counts = await rowCounts(db, shop.id);
    expect(counts).toMatchObject({
      customers: 2_000,
      orders: 10_000,
      orderLines: lineCount,
      products: 60,
      variants: variantCount,
    });
    expect(lineCount).toBeGreaterThan(10_000);

    // Derived profile of a few customers, recomputed from what the fake store holds.
    for (const sample of [dataset.customers[0], dataset.customers[777], dataset.customers[1_999]]) {
      if (!sample) throw new Error("sample customer missing");
      const theirs = dataset.orders.filter((order) => order.customer?.id === sample.id && !order.cancelledAt);
      const stored = numbers(
        await db.customer.findUniqueOrThrow({
          where: { shopId_shopifyId: { shopId: shop.id, shopifyId: legacyId(sample.id) } },
        }),
      );
      expect(theirs.length).toBeGreaterThan(0);
      expect(stored.ordersCount).toBe(theirs.length);
      expect(stored.totalSpentMinor).toBe(
        theirs.reduce((sum, order) => sum + toMinorUnits(order.totalPriceSet.shopMoney.amount, "USD"), 0),
      );
      expect(stored.email).toBe(sample.defaultEmailAddress?.emailAddress.toLowerCase());
    }

    // One order checked field by field, with its lines in minor units.
    const sampleOrder = dataset.orders[4_321];
    if (!sampleOrder) throw new Error("sample order missing");
    const storedOrder = numbers(
      await db.order.findUniqueOrThrow({
        where: { shopId_shopifyId: { shopId: shop.id, shopifyId: legacyId(sampleOrder.id) } },
        include: { lines: true, customer: true },
      }),
    );
    expect(storedOrder.name).toBe(sampleOrder.name);
    expect(storedOrder.totalMinor).toBe(toMinorUnits(sampleOrder.totalPriceSet.shopMoney.amount, "USD"));
    expect(storedOrder.subtotalMinor).toBe(
      toMinorUnits(sampleOrder.subtotalPriceSet.shopMoney.amount, "USD"),
    );
    expect(storedOrder.lines.map((line) => line.shopifyId).sort()).toEqual(
      sampleOrder.lineItems.edges.map((edge) => legacyId(edge.node.id)).sort(),
    );
    expect(storedOrder.customer?.shopifyId).toBe(
      sampleOrder.customer ? legacyId(sampleOrder.customer.id) : undefined,
    );

    // Progress: visible while running, complete at the end.
    const run = await db.backfillRun.findFirstOrThrow({ where: { shopId: shop.id } });
    expect(run).toMatchObject({
      status: "done",
      customersImported: 2_000,
      ordersImported: 10_000,
      productsImported: 60,
      lastError: null,
    });
    expect(run.finishedAt).not.toBeNull();
    expect(run.bulkOperationId).toMatch(/^gid:\/\/shopify\/BulkOperation\/\d+$/);
    const orderProgress = progress
      .filter((step) => step.resource === "orders")
      .map((step) => step.ordersImported);
    expect(orderProgress.length).toBeGreaterThanOrEqual(10_000 / 200);
    expect(orderProgress).toEqual([...orderProgress].sort((a, b) => a - b));

    // Rate limit: the fake throttled the first blind request, the client waited and retried every
    // THROTTLED answer, then paid attention to the bucket itself (waits before sending).
    const client = clients.at(-1);
    if (!client) throw new Error("no admin client was built");
    expect(fake.stats.throttled).toBeGreaterThanOrEqual(1);
    expect(client.stats.throttledRetries).toBe(fake.stats.throttled);
    expect(client.stats.throttleWaits).toBeGreaterThanOrEqual(1);
    expect(fake.stats.maxRequestedCost).toBeLessThanOrEqual(bucket.maximumAvailable);
    expect(fake.stats.operations).toMatchObject({ RunBulkQuery: 3 });
    expect(fake.stats.downloads).toBe(3);
    expect(fake.stats.rejected).toBe(0);
    console.info(
      `backfill on ${testProvider}: ${seconds.toFixed(1)} s for 2,000 customers, 10,000 orders, ${lineCount} lines, 60 products; ` +
        `${fake.stats.requests} Admin API requests, ${fake.stats.throttled} throttled, waited ${client.stats.waitedMs} ms`,
    );
  }, 180_000);

  it("changes nothing when run again: same rows, no new domain events", async () => {
    const before = await rowCounts(db, shop.id);
    const run = await runBackfill({
      db,
      shop,
      adminClient: adminClientFor(shop, accessToken),
      clock,
      pollIntervalMs: 20,
    });
    expect(run).toMatchObject({
      status: "done",
      customersImported: 2_000,
      ordersImported: 10_000,
      productsImported: 60,
    });
    expect(await rowCounts(db, shop.id)).toEqual(before);
    expect(await db.backfillRun.count({ where: { shopId: shop.id, status: "done" } })).toBe(2);
  }, 120_000);

  it("is refused by the fake when a query is not one the app sends", async () => {
    const client = adminClientFor(shop, accessToken);
    const requestsBefore = fake.stats.requests;
    const rejectedBefore = fake.stats.rejected;
    await expect(client.request("query { shop { name } }", { schema: z.unknown() })).rejects.toBeInstanceOf(
      AdminGraphqlError,
    );
    // Validation errors are final: exactly one request was made.
    expect(fake.stats.requests).toBe(requestsBefore + 1);
    expect(fake.stats.rejected).toBe(rejectedBefore + 1);

    await expect(
      startBulkQuery(client, "{ customers { edges { node { id email } } } }", { groupObjects: false }),
    ).rejects.toBeInstanceOf(BulkOperationError);
    expect(fake.stats.rejectedBulkQueries).toBe(1);
  });

  it("stores exactly what the webhook ingest (applyCustomer, applyOrder, applyProduct) stores", async () => {
    const source = await startFakeAdminApi({ customers: 40, orders: 300, products: 8, seed: 11 });
    try {
      const viaBackfill = await db.shop.create({ data: { domain: "parity-backfill.myshopify.com" } });
      const viaWebhooks = await db.shop.create({ data: { domain: "parity-webhooks.myshopify.com" } });
      const clientFor = (target: Shop) =>
        createAdminClient({
          shopDomain: target.domain,
          accessToken,
          endpoint: source.endpoint(target.domain),
        });
      await runBackfill({
        db,
        shop: viaBackfill,
        adminClient: clientFor(viaBackfill),
        clock,
        subscribers: [loyalty],
        batchSize: 64,
        pollIntervalMs: 5,
      });

      // The webhook way: one payload at a time through the ingest functions.
      const client = clientFor(viaWebhooks);
      const read = async (name: keyof typeof bulkQueries, grouped: boolean) => {
        const records: BulkRecord[] = [];
        for await (const record of runBulkQuery(client, bulkQueries[name], {
          groupObjects: grouped,
          pollIntervalMs: 5,
        })) {
          records.push(record);
        }
        return records;
      };
      const [customers, orders, products] = [
        await read("customers", false),
        await read("orders", true),
        await read("products", true),
      ];
      await db.$transaction(
        async (tx) => {
          const context = ingestContext(tx, viaWebhooks, clock, [loyalty]);
          for (const record of customers) await applyCustomer(context, customerFromRecord(record));
          for (const record of orders) await applyOrder(context, orderFromRecord(record));
          for (const record of products) await applyProduct(context, productFromRecord(record));
        },
        { timeout: 60_000 },
      );

      const expected = await snapshot(db, viaWebhooks.id);
      const actual = await snapshot(db, viaBackfill.id);
      expect(actual.orders.length).toBe(300);
      expect(actual.events.length).toBeGreaterThan(600);
      expect(actual.jobs.length).toBeGreaterThan(300);
      expect(actual).toEqual(expected);
    } finally {
      await source.close();
    }
  }, 120_000);

  it("marks the run failed with Shopify's reason when a bulk operation fails", async () => {
    const failing = await startFakeAdminApi({
      customers: 5,
      orders: 5,
      products: 2,
      failBulkQueries: ["orders"],
    });
    try {
      const other = await db.shop.create({ data: { domain: "backfill-failing.myshopify.com" } });
      const client = createAdminClient({
        shopDomain: other.domain,
        accessToken,
        endpoint: failing.endpoint(other.domain),
      });
      await expect(
        runBackfill({ db, shop: other, adminClient: client, clock, pollIntervalMs: 5 }),
      ).rejects.toThrow(/FAILED \(INTERNAL_SERVER_ERROR\)/);
      const run = await db.backfillRun.findFirstOrThrow({ where: { shopId: other.id } });
      expect(run).toMatchObject({
        status: "failed",
        resource: "orders",
        customersImported: 5,
        ordersImported: 0,
      });
      expect(run.lastError).toMatch(/INTERNAL_SERVER_ERROR/);
    } finally {
      await failing.close();
    }
  });
});
