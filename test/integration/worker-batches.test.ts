// The worker applies store events a claimed batch per transaction (app/events/process-batch.ts):
// a delivery that cannot be applied — malformed, not applicable yet, or refused by the database
// when the batch is written — fails alone with its own stored error, and everything else in the
// batch commits, exactly once (issue 13).
import { afterAll, describe, expect, it } from "vitest";
import { sqlConnectionOf, type Database } from "../../app/db/client";
import type { SqlConnection } from "../../app/db/sql";
import { faultySqlConnection } from "../support/faulty-sql";
import type { AdminClientFactory } from "../../app/shopify/shop-admin";
import { fromStoredRow } from "../../app/money/stored";
import { workerSetup } from "../../app/worker-setup";
import type { WebhookDelivery } from "../fixtures/store-history";
import { customerPayload, orderPayload, refundPayload } from "../fixtures/shopify-payloads";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { drain, storeDeliveries, testWorker } from "../support/inbox";

const alpha = "alpha.myshopify.com";
const refusedEmail = "refused@example.com";

function delivery(topic: string, payload: unknown, id: string): WebhookDelivery {
  return {
    topic,
    webhookId: `wh-${id}`,
    eventId: `ev-${id}`,
    triggeredAt: "2026-11-01T00:00:00Z",
    body: JSON.stringify(payload),
  };
}

const contains = (value: unknown, text: string): boolean =>
  Array.isArray(value) ? value.some((item) => contains(item, text)) : value === text;

/**
 * The worker's connection, with a database that refuses one value (as PostgreSQL refuses an
 * out-of-range number): any statement carrying it fails, so the batch holding it cannot be written.
 */
function refusing(real: SqlConnection, value: string): SqlConnection {
  return faultySqlConnection(real, (_sql, parameters) => {
    if (parameters.some((parameter) => contains(parameter, value)))
      throw Object.assign(new Error(`value "${value}" is out of range for type integer`), { code: "22003" });
  });
}

describe(`worker batches on ${testProvider}`, () => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    await Promise.all(databases.map((database) => database.drop()));
  });

  async function freshShop(): Promise<{ db: Database; shopId: string }> {
    const database = await createTestDatabase();
    databases.push(database);
    const db = database.connect();
    const shop = await db.shop.create({ data: { domain: alpha } });
    await db.loyaltyProgram.create({
      data: { shopId: shop.id, enabled: true, pendingDays: 0, signupPoints: 10 },
    });
    return { db, shopId: shop.id };
  }

  it("commits the rest of a batch and records one error each for the malformed, the not-yet-applicable and the refused delivery", async () => {
    const { db } = await freshShop();
    const clock = new ManualClock(new Date("2026-11-02T00:00:00Z"));
    const good: WebhookDelivery[] = [];
    for (let index = 0; index < 40; index += 1) {
      const customer = {
        id: 100 + index,
        email: `c${index}@example.com`,
        firstName: "C",
        lastName: String(index),
        updatedAt: "2026-11-01T00:00:00Z",
      };
      good.push(delivery("customers/create", customerPayload(customer), `c${index}`));
      good.push(
        delivery(
          "orders/paid",
          orderPayload({
            id: 5000 + index,
            number: 1000 + index,
            customer,
            lines: [
              { id: 9000 + index, productId: 1, variantId: 2, title: "Beans", price: "14.50", quantity: 2 },
            ],
            createdAt: "2026-11-01T00:00:00Z",
            updatedAt: "2026-11-01T00:00:01Z",
          }),
          `o${index}`,
        ),
      );
    }
    const malformed: WebhookDelivery = {
      ...delivery("orders/paid", {}, "json"),
      body: '{"id": 7, "line_items": [',
    };
    // A refund of an order not seen yet and without a transaction: its currency is unknown (retried later).
    const early = delivery(
      "refunds/create",
      {
        ...refundPayload({
          id: 77,
          orderId: 424242,
          lines: [],
          amount: "0.00",
          createdAt: "2026-11-01T00:00:00Z",
        }),
        transactions: [],
      },
      "early-refund",
    );
    const refused = delivery(
      "customers/create",
      customerPayload({
        id: 999,
        email: refusedEmail,
        firstName: "R",
        lastName: "Efused",
        updatedAt: "2026-11-01T00:00:00Z",
      }),
      "refused",
    );
    await storeDeliveries(
      db,
      alpha,
      [...good.slice(0, 30), malformed, early, refused, ...good.slice(30)],
      clock.now(),
    );

    const noAdminApi: AdminClientFactory = () => {
      throw new Error("no Admin API in this test");
    };
    const setup = workerSetup({ clock, adminClientFor: noAdminApi });
    const worker = testWorker(db, clock, {
      batchSize: 100,
      ...setup,
      sql: refusing(sqlConnectionOf(db), refusedEmail),
    });
    await drain(worker);

    const rows = await db.webhookInbox.findMany({
      select: { webhookId: true, status: true, lastError: true, attempts: true },
    });
    const byId = new Map(rows.map((row) => [row.webhookId, row]));
    expect(rows.filter((row) => row.status === "done")).toHaveLength(good.length);
    expect(byId.get("wh-json")).toMatchObject({ status: "failed", attempts: 1 });
    expect(byId.get("wh-json")?.lastError).toMatch(/malformed JSON/);
    expect(byId.get("wh-early-refund")).toMatchObject({ status: "pending", attempts: 1 });
    expect(byId.get("wh-early-refund")?.lastError).toMatch(/currency unknown/);
    expect(byId.get("wh-refused")).toMatchObject({ status: "failed", attempts: 1 });
    expect(byId.get("wh-refused")?.lastError).toMatch(
      /cannot be stored: value "refused@example.com" is out of range/,
    );

    // The rest applied exactly once: 40 customers with one order each, every fact announced once,
    // and the loyalty subscriber's batch gave each customer its sign-up and order points once.
    expect(await db.customer.count()).toBe(40);
    expect(await db.order.count()).toBe(40);
    expect(await db.orderLine.count()).toBe(40);
    expect(await db.refund.count()).toBe(0);
    expect(await db.domainEvent.count({ where: { type: "customer.created" } })).toBe(40);
    expect(await db.domainEvent.count({ where: { type: "order.paid" } })).toBe(40);
    const customers = await db.customer.findMany({ select: { ordersCount: true, totalSpentMinor: true } });
    for (const customer of customers)
      expect(fromStoredRow(customer)).toEqual({ ordersCount: 1, totalSpentMinor: 3400 });
    const members = await db.loyaltyMember.findMany({
      select: { pointsBalance: true, lifetimePoints: true },
    });
    expect(members).toHaveLength(40);
    // 10 for signing up, 29 for the order's 29.00 subtotal (1 point per unit).
    for (const member of members)
      expect(fromStoredRow(member)).toEqual({ pointsBalance: 39, lifetimePoints: 39 });
    expect(await db.loyaltyLedgerEntry.count()).toBe(80);
    expect(await db.job.count({ where: { status: "failed" } })).toBe(0);
  });
});
