// From stored deliveries to domain data (R-EVT-3, R-EVT-5, R-EVT-6, R-CUS-1, R-CUS-2, R-SEC-1, R-SEC-2).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { inboxPurgeJobKind } from "../../app/events/inbox-retention";
import { generateStoreHistory, type WebhookDelivery } from "../fixtures/store-history";
import {
  customerPayload,
  orderPayload,
  refundPayload,
  seededRandom,
  shuffle,
} from "../fixtures/shopify-payloads";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { drain, memoryLogger, storeDeliveries, testWorker } from "../support/inbox";
import { numbers } from "../support/stored";

const alpha = "alpha.myshopify.com";
/** Beyond 2^53: written only as text, since a JavaScript number cannot hold it. */
const bigOrderId = "820982911946154508";
const withBigOrderId = (body: string) => body.replaceAll("4242", bigOrderId);
const beta = "beta.myshopify.com";

function delivery(topic: string, payload: unknown, id: string): WebhookDelivery {
  return {
    topic,
    webhookId: `wh-${id}`,
    eventId: `ev-${id}`,
    triggeredAt: "2026-11-01T00:00:00Z",
    body: JSON.stringify(payload),
  };
}

function bigOrderDelivery(topic: string, payload: unknown, id: string): WebhookDelivery {
  const plain = delivery(topic, payload, id);
  return { ...plain, body: withBigOrderId(plain.body) };
}

/** Everything the domain knows about a shop, without generated ids or bookkeeping timestamps. */
async function domainState(db: Database, shopDomain: string) {
  const shop = await db.shop.findUniqueOrThrow({ where: { domain: shopDomain } });
  const customers = numbers(
    await db.customer.findMany({
      where: { shopId: shop.id },
      orderBy: { shopifyId: "asc" },
      omit: { id: true, shopId: true, createdAt: true, updatedAt: true },
    }),
  );
  const orders = numbers(
    await db.order.findMany({
      where: { shopId: shop.id },
      orderBy: { shopifyId: "asc" },
      include: {
        customer: { select: { shopifyId: true } },
        lines: { orderBy: { shopifyId: "asc" }, omit: { id: true, orderId: true, shopId: true } },
      },
      omit: { id: true, shopId: true, customerId: true, createdAt: true, updatedAt: true },
    }),
  );
  const checkouts = numbers(
    await db.checkout.findMany({
      where: { shopId: shop.id },
      orderBy: { token: "asc" },
      include: { customer: { select: { shopifyId: true } } },
      omit: { id: true, shopId: true, customerId: true, createdAt: true, updatedAt: true },
    }),
  );
  const refunds = numbers(
    await db.refund.findMany({
      where: { shopId: shop.id },
      orderBy: { shopifyId: "asc" },
      omit: { id: true, shopId: true, createdAt: true },
    }),
  );
  return { customers, orders, checkouts, refunds };
}

describe(`store events on ${testProvider}`, () => {
  const databases: TestDatabase[] = [];
  const database = async () => {
    const created = await createTestDatabase();
    databases.push(created);
    return created.connect();
  };

  afterAll(async () => {
    await Promise.all(databases.map((created) => created.drop()));
  });

  describe("1,000 deliveries of 200 customers", () => {
    const history = generateStoreHistory({ customers: 200 }).slice(0, 1000);
    // The same event delivered again under new webhook and event ids (as Shopify may), 200 times.
    const random = seededRandom(11);
    const duplicates = Array.from({ length: 200 }, (_, index) => {
      const original = history[Math.floor(random() * history.length)] as WebhookDelivery;
      return { ...original, webhookId: `dup-${index}`, eventId: `dup-ev-${index}` };
    });
    let inOrder: Awaited<ReturnType<typeof domainState>>;
    let shuffled: Awaited<ReturnType<typeof domainState>>;
    let withDuplicates: Awaited<ReturnType<typeof domainState>>;
    let events: { inOrder: unknown; withDuplicates: unknown };

    beforeAll(async () => {
      const clock = new ManualClock();
      const [first, second, third] = [await database(), await database(), await database()];
      await storeDeliveries(first, alpha, history, clock.now());
      await storeDeliveries(second, alpha, shuffle(history, seededRandom(7)), clock.now());
      await storeDeliveries(
        third,
        alpha,
        shuffle([...history, ...duplicates], seededRandom(13)),
        clock.now(),
      );
      const handled = [
        await drain(testWorker(first, clock)),
        await drain(testWorker(second, clock)),
        await drain(testWorker(third, clock, { batchSize: 37 })),
      ];
      expect(handled).toEqual([1000, 1000, 1200]);
      expect(await first.webhookInbox.count({ where: { status: "done" } })).toBe(1000);
      expect(await second.webhookInbox.count({ where: { status: "done" } })).toBe(1000);
      expect(await third.webhookInbox.count({ where: { status: "done" } })).toBe(1200);
      inOrder = await domainState(first, alpha);
      shuffled = await domainState(second, alpha);
      withDuplicates = await domainState(third, alpha);
      // The facts whose announcement does not depend on arrival order (an update, a lifecycle or a
      // consent change is announced per version seen): the same ones, each once, duplicates or not.
      const announced = (db: Database) =>
        db.domainEvent.groupBy({
          by: ["type", "dedupeKey"],
          where: {
            type: {
              notIn: [
                "customer.updated",
                "checkout.updated",
                "customer.lifecycle_changed",
                "customer.consent_changed",
              ],
            },
          },
          _count: true,
          orderBy: [{ type: "asc" }, { dedupeKey: "asc" }],
        });
      events = { inOrder: await announced(first), withDuplicates: await announced(third) };
    }, 240_000);

    it("cover the whole story (sanity of the fixture)", () => {
      expect(history).toHaveLength(1000);
      expect(inOrder.customers).toHaveLength(200);
      expect(inOrder.orders.length).toBeGreaterThan(50);
      expect(inOrder.orders.some((order) => order.cancelledAt !== null)).toBe(true);
      expect(inOrder.orders.some((order) => order.refundedMinor > 0)).toBe(true);
      expect(inOrder.checkouts.some((checkout) => checkout.completedAt === null)).toBe(true);
      expect(inOrder.customers.some((customer) => customer.ordersCount >= 2)).toBe(true);
    });

    it("converge to the same final state in shuffled order as in order (R-EVT-5)", () => {
      expect(shuffled).toEqual(inOrder);
    });

    it("converge to the same state, and announce each fact once, with 200 duplicates shuffled in", () => {
      expect(withDuplicates).toEqual(inOrder);
      expect(events.withDuplicates).toEqual(events.inOrder);
    });

    it("keep derived customer fields consistent with the orders", () => {
      for (const customer of inOrder.customers) {
        const theirs = inOrder.orders.filter(
          (order) => order.customer?.shopifyId === customer.shopifyId && !order.cancelledAt,
        );
        expect(customer.ordersCount).toBe(theirs.length);
        expect(customer.totalSpentMinor).toBe(
          theirs.reduce((sum, order) => sum + order.totalMinor - order.refundedMinor, 0),
        );
        expect(customer.averageOrderValueMinor).toBe(
          theirs.length === 0 ? 0 : Math.round(customer.totalSpentMinor / theirs.length),
        );
        expect(customer.lifecycleStage).toBe(
          theirs.length === 0 ? "lead" : theirs.length === 1 ? "one_time" : customer.lifecycleStage,
        );
      }
    });

    it("mark a checkout complete once its order is known, whichever came first", () => {
      for (const order of inOrder.orders) {
        const checkout = inOrder.checkouts.find((candidate) => candidate.token === order.checkoutToken);
        if (checkout) expect(checkout.completedAt?.toISOString()).toBe(order.processedAt.toISOString());
      }
    });
  });

  it("applies an order once however many topics repeat it, and announces each fact once", async () => {
    const db = await database();
    const clock = new ManualClock();
    const customer = {
      id: 1,
      email: "ada@example.com",
      firstName: "Ada",
      lastName: "L",
      updatedAt: "2026-11-01T10:00:00Z",
    };
    const order = {
      id: 5001,
      number: 1001,
      customer,
      lines: [{ id: 77, productId: 1, variantId: 2, title: "Kettle", price: "64.00", quantity: 1 }],
      createdAt: "2026-11-01T10:00:00Z",
      updatedAt: "2026-11-01T10:01:00Z",
      financialStatus: "paid" as const,
    };
    const paid = orderPayload(order);
    await storeDeliveries(
      db,
      alpha,
      [
        delivery("orders/create", paid, "a"),
        delivery("orders/paid", paid, "b"),
        delivery("orders/updated", paid, "c"),
      ],
      clock.now(),
    );
    expect(await drain(testWorker(db, clock))).toBe(3);
    expect(await db.order.count()).toBe(1);
    expect(await db.orderLine.count()).toBe(1);
    const events = await db.domainEvent.groupBy({ by: ["type"], _count: true, orderBy: { type: "asc" } });
    expect(events.map((event) => [event.type, event._count])).toEqual([
      ["customer.created", 1],
      ["customer.lifecycle_changed", 1],
      ["order.created", 1],
      ["order.paid", 1],
    ]);
    const stored = numbers(await db.customer.findFirstOrThrow());
    expect(stored).toMatchObject({
      ordersCount: 1,
      totalSpentMinor: 6900,
      averageOrderValueMinor: 6900,
      lifecycleStage: "one_time",
    });
  });

  it("never lets an older update overwrite a newer one", async () => {
    const db = await database();
    const clock = new ManualClock();
    const base = { id: 9, email: "eve@example.com", firstName: "Eve", lastName: "Old" };
    const newer = customerPayload({ ...base, lastName: "New", updatedAt: "2026-11-02T00:00:00Z" });
    const older = customerPayload({ ...base, updatedAt: "2026-11-01T00:00:00Z" });
    await storeDeliveries(
      db,
      alpha,
      [delivery("customers/update", newer, "n"), delivery("customers/create", older, "o")],
      clock.now(),
    );
    await drain(testWorker(db, clock));
    expect(numbers(await db.customer.findFirstOrThrow())).toMatchObject({ lastName: "New" });
  });

  it("stores a clear error for malformed, mistyped, incomplete and unknown deliveries and keeps going (R-EVT-6)", async () => {
    const db = await database();
    const clock = new ManualClock();
    const { logger, lines } = memoryLogger();
    const good = customerPayload({
      id: 3,
      email: "ok@example.com",
      firstName: "Ok",
      lastName: "Fine",
      updatedAt: "2026-11-01T00:00:00Z",
    });
    const mistyped = {
      ...orderPayload({
        id: 1,
        number: 1,
        customer: null,
        lines: [],
        createdAt: "2026-11-01T00:00:00Z",
        updatedAt: "2026-11-01T00:00:00Z",
      }),
      total_price: true,
    };
    const { updated_at: _missing, ...incomplete } = customerPayload({
      id: 4,
      email: "x@example.com",
      firstName: "X",
      lastName: "Y",
      updatedAt: "2026-11-01T00:00:00Z",
    });
    const bad = [
      {
        topic: "customers/create",
        webhookId: "wh-json",
        eventId: "ev-json",
        triggeredAt: "",
        body: '{"id": 5, "email": ',
      },
      delivery("orders/create", mistyped, "types"),
      delivery("customers/create", incomplete, "missing"),
      delivery("inventory_levels/update", { id: 1 }, "topic"),
      delivery("orders/paid", { ...mistyped, total_price: "12.345" }, "cents"),
    ];
    await storeDeliveries(db, alpha, [...bad, delivery("customers/create", good, "good")], clock.now());
    expect(await drain(testWorker(db, clock, { logger }))).toBe(6);

    const rows = await db.webhookInbox.findMany({ orderBy: { receivedAt: "asc" } });
    expect(rows.map((row) => row.status)).toEqual(["failed", "failed", "failed", "failed", "failed", "done"]);
    expect(rows[0]?.lastError).toMatch(/malformed JSON/);
    expect(rows[1]?.lastError).toMatch(/total_price/);
    expect(rows[2]?.lastError).toMatch(/updated_at/);
    expect(rows[3]?.lastError).toMatch(/unknown topic "inventory_levels\/update"/);
    expect(rows[4]?.lastError).toMatch(/more decimals than USD/);
    // Nothing half-applied: only the good customer exists, no order at all.
    expect(numbers(await db.customer.findMany({ select: { shopifyId: true } }))).toEqual([
      { shopifyId: "3" },
    ]);
    expect(await db.order.count()).toBe(0);
    expect(lines()).toContain("webhook delivery rejected: cannot be applied");
    expect(lines()).toContain("wh-types");
  });

  it("retries a failed delivery with exponential backoff and parks it after the last attempt", async () => {
    const db = await database();
    const clock = new ManualClock();
    // A refund with no transaction for an order not seen yet cannot be valued — until the order arrives.
    const refund = {
      ...refundPayload({ id: 700, orderId: 5002, lines: [], amount: "0", createdAt: "2026-11-02T00:00:00Z" }),
      transactions: [],
    };
    const worker = testWorker(db, clock, { maxAttempts: 3, retryBaseMs: 10_000 });
    await storeDeliveries(db, alpha, [delivery("refunds/create", refund, "refund")], clock.now());
    await drain(worker);
    let row = await db.webhookInbox.findFirstOrThrow();
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row.lastError).toMatch(/currency unknown/);
    expect(row.availableAt.getTime() - clock.now().getTime()).toBe(10_000);

    clock.advance(9_999);
    expect(await drain(worker)).toBe(0);
    clock.advance(1);
    await drain(worker);
    row = await db.webhookInbox.findFirstOrThrow();
    expect(row).toMatchObject({ status: "pending", attempts: 2 });
    expect(row.availableAt.getTime() - clock.now().getTime()).toBe(20_000);

    clock.advance(20_000);
    await drain(worker);
    row = await db.webhookInbox.findFirstOrThrow();
    expect(row).toMatchObject({ status: "failed", attempts: 3 });
    expect(row.lastError).toMatch(/currency unknown/);
  });

  it("keeps two shops with identical customer ids apart, and redacts only the one asked (R-SEC-1, R-SEC-2)", async () => {
    const db = await database();
    const clock = new ManualClock();
    const person = {
      id: 207119551,
      email: "same@example.com",
      firstName: "Sam",
      lastName: "Same",
      updatedAt: "2026-11-01T00:00:00Z",
    };
    const order = orderPayload({
      id: 4242,
      number: 1001,
      customer: person,
      lines: [{ id: 466157049, productId: 1, variantId: 2, title: "Mug", price: "22.00", quantity: 2 }],
      createdAt: "2026-11-01T00:00:00Z",
      updatedAt: "2026-11-01T00:00:00Z",
    });
    // JavaScript cannot even write this id as a number: the raw body carries the exact digits.
    const exactBody = withBigOrderId(JSON.stringify(order));
    for (const shopDomain of [alpha, beta]) {
      const paid = { ...delivery("orders/paid", order, `order-${shopDomain}`), body: exactBody };
      await storeDeliveries(db, shopDomain, [paid], clock.now());
    }
    await drain(testWorker(db, clock));
    const shops = await db.shop.findMany({
      orderBy: { domain: "asc" },
      include: { customers: true, orders: true },
    });
    expect(shops.map((shop) => [shop.domain, shop.customers.length, shop.orders.length])).toEqual([
      [alpha, 1, 1],
      [beta, 1, 1],
    ]);
    // A 64-bit id beyond 2^53 survives exactly.
    expect(shops[0]?.orders[0]?.shopifyId).toBe("820982911946154508");

    await storeDeliveries(
      db,
      alpha,
      [
        bigOrderDelivery(
          "customers/data_request",
          {
            shop_id: 1,
            shop_domain: alpha,
            customer: { id: 207119551, email: "same@example.com" },
            orders_requested: [4242],
            data_request: { id: 9999 },
          },
          "request",
        ),
        bigOrderDelivery(
          "customers/redact",
          {
            shop_id: 1,
            shop_domain: alpha,
            customer: { id: 207119551, email: "same@example.com" },
            orders_to_redact: [4242],
          },
          "redact",
        ),
      ],
      clock.now(),
    );
    await drain(testWorker(db, clock));
    expect(
      await db.webhookInbox.findMany({
        where: { status: { not: "done" } },
        select: { topic: true, lastError: true },
      }),
    ).toEqual([]);
    // The export was a download of its own (not an event payload), and went with the redaction.
    const exported = await db.domainEvent.findFirstOrThrow({ where: { type: "customer.data_requested" } });
    expect(JSON.stringify(exported.payload)).not.toContain("same@example.com");
    expect(await db.customerDataExport.count()).toBe(0);
    const [alphaCustomer, betaCustomer] = await Promise.all(
      [alpha, beta].map(async (domain) =>
        numbers(await db.customer.findFirstOrThrow({ where: { shop: { domain } } })),
      ),
    );
    expect(alphaCustomer).toMatchObject({
      email: null,
      firstName: null,
      lastName: null,
      ordersCount: 1,
      totalSpentMinor: 4900,
    });
    expect(alphaCustomer?.redactedAt).not.toBeNull();
    expect(betaCustomer).toMatchObject({ email: "same@example.com", firstName: "Sam", redactedAt: null });
    expect(numbers(await db.order.findFirstOrThrow({ where: { shop: { domain: alpha } } }))).toMatchObject({
      email: null,
      totalMinor: 4900,
    });

    await db.session.createMany({
      data: [alpha, beta].map((shop) => ({ id: `offline_${shop}`, shop, state: "s", accessToken: "t" })),
    });
    await storeDeliveries(
      db,
      beta,
      [delivery("app/uninstalled", { id: 2, domain: beta, myshopify_domain: beta }, "uninstall")],
      clock.now(),
    );
    await storeDeliveries(
      db,
      alpha,
      [delivery("shop/redact", { shop_id: 1, shop_domain: alpha }, "shop-redact")],
      clock.now(),
    );
    await drain(testWorker(db, clock));
    expect(await db.shop.findUnique({ where: { domain: alpha } })).toBeNull();
    expect(await db.customer.count()).toBe(1);
    expect(await db.session.findMany({ select: { id: true } })).toEqual([]);
    const betaShop = await db.shop.findUniqueOrThrow({ where: { domain: beta } });
    expect(betaShop.uninstalledAt?.toISOString()).toBe(clock.now().toISOString());
    expect(await db.customer.count({ where: { shopId: betaShop.id, email: "same@example.com" } })).toBe(1);
  });

  it("hands each domain event to its subscribers as a durable job", async () => {
    const db = await database();
    const clock = new ManualClock();
    const received: string[] = [];
    const worker = testWorker(db, clock, {
      subscribers: [{ name: "loyalty-test", types: ["order.paid"] }],
      jobHandlers: {
        "domain-event": async (job, jobDb) => {
          const { eventId } = job.payload as { eventId: string };
          const event = await jobDb.domainEvent.findUniqueOrThrow({ where: { id: eventId } });
          received.push(`${event.type}:${event.subjectId === "" ? "?" : "ok"}`);
        },
      },
    });
    const paid = orderPayload({
      id: 42,
      number: 1042,
      customer: null,
      lines: [],
      createdAt: "2026-11-01T00:00:00Z",
      updatedAt: "2026-11-01T00:00:00Z",
    });
    await storeDeliveries(
      db,
      alpha,
      [delivery("orders/paid", paid, "p1"), delivery("orders/updated", paid, "p2")],
      clock.now(),
    );
    await drain(worker);
    expect(received).toEqual(["order.paid:ok"]);
    expect(
      await db.job.findMany({
        where: { kind: { not: inboxPurgeJobKind } },
        select: { kind: true, status: true },
      }),
    ).toEqual([{ kind: "domain-event", status: "done" }]);
  });
});
