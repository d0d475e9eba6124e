// A delivery that fails half-way through being applied in a batch (its customer already applied,
// its order already added to the batch) leaves nothing behind: the batch is built again without it,
// and the rest of the batch commits (issue 13's guarantee "a malformed delivery fails alone").
// The failure is injected where the batch rules compute the customer's profile, after both.
import { afterAll, describe, expect, it, vi } from "vitest";
import type * as profile from "../../app/customers/profile";
import type { WebhookDelivery } from "../fixtures/store-history";
import { orderPayload } from "../fixtures/shopify-payloads";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { drain, storeDeliveries, testWorker } from "../support/inbox";

const poisonedOrder = "6666";

vi.mock("../../app/customers/profile", async (importOriginal) => {
  const original = await importOriginal<typeof profile>();
  return {
    ...original,
    customerProfile: (...args: Parameters<typeof original.customerProfile>) => {
      if (args[0].some((order) => (order as { shopifyId?: string }).shopifyId === poisonedOrder))
        throw new Error("injected failure after the customer and the order were applied");
      return original.customerProfile(...args);
    },
  };
});

function order(id: number, customerId: number): WebhookDelivery {
  const customer = {
    id: customerId,
    email: `c${customerId}@example.com`,
    firstName: "C",
    lastName: String(customerId),
    updatedAt: "2026-11-01T00:00:00Z",
  };
  return {
    topic: "orders/create",
    webhookId: `wh-${id}`,
    eventId: `ev-${id}`,
    triggeredAt: "2026-11-01T00:00:00Z",
    body: JSON.stringify(
      orderPayload({
        id,
        number: id,
        customer,
        lines: [{ id: id * 10, productId: 1, variantId: 2, title: "Beans", price: "14.50", quantity: 1 }],
        createdAt: "2026-11-01T00:00:00Z",
        updatedAt: "2026-11-01T00:00:01Z",
      }),
    ),
  };
}

describe(`a delivery failing half-way through a batch on ${testProvider}`, () => {
  let database: TestDatabase;
  afterAll(async () => {
    await database?.drop();
  });

  it("writes nothing of it, and the rest of the batch once", async () => {
    database = await createTestDatabase();
    const db = database.connect();
    await db.shop.create({ data: { domain: "alpha.myshopify.com" } });
    const clock = new ManualClock(new Date("2026-11-02T00:00:00Z"));
    const deliveries = [
      order(5001, 101),
      order(5002, 102),
      order(Number(poisonedOrder), 103),
      order(5004, 104),
    ];
    await storeDeliveries(db, "alpha.myshopify.com", deliveries, clock.now());
    await drain(testWorker(db, clock, { batchSize: 100 }));

    const rows = await db.webhookInbox.findMany({
      orderBy: { webhookId: "asc" },
      select: { webhookId: true, status: true },
    });
    expect(rows.filter((row) => row.status === "done").map((row) => row.webhookId)).toEqual([
      "wh-5001",
      "wh-5002",
      "wh-5004",
    ]);
    expect(rows.find((row) => row.webhookId === `wh-${poisonedOrder}`)?.status).not.toBe("done");
    const orders = await db.order.findMany({ orderBy: { shopifyId: "asc" }, select: { shopifyId: true } });
    expect(orders.map((row) => row.shopifyId)).toEqual(["5001", "5002", "5004"]);
    const customers = await db.customer.findMany({
      orderBy: { shopifyId: "asc" },
      select: { shopifyId: true, ordersCount: true },
    });
    expect(customers).toEqual([
      { shopifyId: "101", ordersCount: 1 },
      { shopifyId: "102", ordersCount: 1 },
      { shopifyId: "104", ordersCount: 1 },
    ]);
    expect(await db.domainEvent.count({ where: { dedupeKey: { contains: poisonedOrder } } })).toBe(0);
    expect(await db.orderLine.count()).toBe(3);
  });
});
