// Deliveries that can never succeed fail at once with their reason and change nothing; transient
// failures keep their backoff (issue 12, items 2 and 3).
import { afterAll, describe, expect, it } from "vitest";
import { createDatabaseClient, sqlConnectionOf, type Database } from "../../app/db/client";
import type { SqlConnection } from "../../app/db/sql";
import { faultySqlConnection } from "../support/faulty-sql";
import type { WebhookDelivery } from "../fixtures/store-history";
import { checkoutPayload, customerPayload, orderPayload, refundPayload } from "../fixtures/shopify-payloads";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { drain, storeDeliveries, testWorker } from "../support/inbox";
import { resolveDatabase } from "../../prisma/database.mjs";

const alpha = "alpha.myshopify.com";
const now = "2026-11-23T12:00:00Z";

function delivery(topic: string, payload: unknown, id: string): WebhookDelivery {
  return {
    topic,
    webhookId: `wh-${id}`,
    eventId: `ev-${id}`,
    triggeredAt: now,
    body: JSON.stringify(payload),
  };
}

const customer = (overrides: Record<string, unknown> = {}) => ({
  ...customerPayload({
    id: 11,
    email: "ana@example.com",
    firstName: "Ana",
    lastName: "Nováková",
    updatedAt: "2026-11-20T10:00:00Z",
  }),
  ...overrides,
});

const order = (overrides: Record<string, unknown> = {}) => ({
  ...orderPayload({
    id: 5001,
    number: 1001,
    customer: {
      id: 11,
      email: "ana@example.com",
      firstName: "Ana",
      lastName: "Nováková",
      updatedAt: "2026-11-20T10:00:00Z",
    },
    lines: [{ id: 9001, productId: 1, variantId: 2, title: "Beans", price: "14.50", quantity: 2 }],
    createdAt: "2026-11-20T10:00:00Z",
    updatedAt: "2026-11-20T10:00:00Z",
  }),
  ...overrides,
});

const databases: TestDatabase[] = [];
async function database(): Promise<Database> {
  const created = await createTestDatabase();
  databases.push(created);
  return created.connect();
}

afterAll(async () => {
  for (const created of databases) await created.drop();
});

/** Rows a refused delivery must not have touched. */
async function domainCounts(db: Database) {
  return {
    shops: await db.shop.count(),
    customers: await db.customer.count(),
    orders: await db.order.count(),
    orderLines: await db.orderLine.count(),
    checkouts: await db.checkout.count(),
    refunds: await db.refund.count(),
    events: await db.domainEvent.count(),
  };
}

describe(`implausible deliveries on ${testProvider}`, () => {
  const refused: [string, WebhookDelivery, RegExp][] = [
    [
      "a negative order total",
      delivery("orders/paid", order({ total_price: "-10.00" }), "neg-total"),
      /total_price: expected a non-negative/,
    ],
    [
      "a negative line price",
      delivery(
        "orders/paid",
        order({ line_items: [{ ...order().line_items[0], price: "-14.50" }] }),
        "neg-price",
      ),
      /line_items\.0\.price: expected a non-negative/,
    ],
    [
      "a negative numeric total",
      delivery("orders/paid", order({ subtotal_price: -1 }), "neg-number"),
      /subtotal_price: /,
    ],
    [
      "a negative refund amount",
      delivery(
        "refunds/create",
        refundPayload({
          id: 700,
          orderId: 5001,
          lines: [],
          amount: "-5.00",
          createdAt: "2026-11-21T00:00:00Z",
        }),
        "neg-refund",
      ),
      /transactions\.0\.amount: expected a non-negative/,
    ],
    [
      "a date before 1970",
      delivery("customers/create", customer({ created_at: "1969-12-31T23:59:59Z" }), "before-1970"),
      /created_at: a timestamp before 1970/,
    ],
    [
      "an updated_at of 9999-12-31",
      delivery("customers/update", customer({ updated_at: "9999-12-31T00:00:00Z" }), "far-future"),
      /updated_at: more than a day after now/,
    ],
    [
      "a date two days ahead",
      delivery("orders/create", order({ created_at: "2026-11-25T12:00:01Z" }), "two-days"),
      /created_at: more than a day after now/,
    ],
    [
      "2024-02-30",
      delivery("customers/create", customer({ updated_at: "2024-02-30T10:00:00Z" }), "feb-30"),
      /updated_at: expected an ISO 8601 timestamp with a real calendar date/,
    ],
    [
      "a 25th hour",
      delivery("customers/create", customer({ updated_at: "2026-11-20T25:00:00Z" }), "hour-25"),
      /updated_at: expected an ISO 8601 timestamp/,
    ],
    [
      "a date that cannot be stored",
      delivery("customers/create", customer({ updated_at: "+275760-09-13T00:00:01Z" }), "unstorable"),
      /updated_at: expected an ISO 8601 timestamp/,
    ],
    [
      "a first name longer than Shopify allows",
      delivery("customers/create", customer({ first_name: "A".repeat(256) }), "long-first"),
      /first_name: longer than Shopify allows/,
    ],
    [
      "a last name longer than Shopify allows",
      delivery("customers/create", customer({ last_name: "N".repeat(300) }), "long-last"),
      /last_name: longer than Shopify allows/,
    ],
    [
      "an order whose customer's name is too long",
      delivery(
        "orders/paid",
        order({ customer: customer({ first_name: "A".repeat(256) }) }),
        "long-order-customer",
      ),
      /customer\.first_name: longer than Shopify allows/,
    ],
    [
      "a checkout with a negative total",
      delivery(
        "checkouts/create",
        {
          ...checkoutPayload({
            id: 77,
            token: "tok-77",
            customer: null,
            email: "ana@example.com",
            lines: [{ id: 1, productId: 1, variantId: 2, title: "Beans", price: "14.50", quantity: 1 }],
            createdAt: "2026-11-20T10:00:00Z",
            updatedAt: "2026-11-20T10:00:00Z",
          }),
          total_price: "-1.00",
        },
        "neg-checkout",
      ),
      /total_price: expected a non-negative/,
    ],
    [
      "a total too large to keep",
      delivery("orders/paid", order({ total_price: "99999999999999.00" }), "too-large"),
      /is too large/,
    ],
    // SQLite keeps any 64-bit integer; PostgreSQL's INTEGER columns refuse this one.
    ...(testProvider === "postgresql"
      ? [
          [
            "a quantity out of range for the database",
            delivery(
              "orders/paid",
              order({ line_items: [{ ...order().line_items[0], quantity: 3_000_000_000 }] }),
              "out-of-range",
            ),
            /^cannot be stored: /,
          ] as [string, WebhookDelivery, RegExp],
        ]
      : []),
  ];

  it.each(refused)(
    "parks %s as failed on the first attempt with its reason, and changes nothing (items 2, 3)",
    async (_name, bad, reason) => {
      const db = await database();
      const clock = new ManualClock(now);
      // The customer exists already with plausible data, so an update would show.
      await storeDeliveries(db, alpha, [delivery("customers/create", customer(), "seed")], clock.now());
      await drain(testWorker(db, clock));
      const before = await domainCounts(db);
      const customerBefore = await db.customer.findFirstOrThrow({ omit: { updatedAt: true } });

      await storeDeliveries(db, alpha, [bad], clock.now());
      expect(await drain(testWorker(db, clock))).toBe(1);

      const row = await db.webhookInbox.findUniqueOrThrow({ where: { webhookId: bad.webhookId } });
      expect(row).toMatchObject({ status: "failed", attempts: 1 });
      expect(row.lastError).toMatch(reason);
      expect(await domainCounts(db)).toEqual(before);
      expect(await db.customer.findFirstOrThrow({ omit: { updatedAt: true } })).toEqual(customerBefore);
    },
  );

  it("still applies a plausible delivery dated within the day ahead (clock skew)", async () => {
    const db = await database();
    const clock = new ManualClock(now);
    const fine = delivery("customers/create", customer({ updated_at: "2026-11-24T11:59:59Z" }), "skew");
    await storeDeliveries(db, alpha, [fine], clock.now());
    await drain(testWorker(db, clock));
    expect(await db.webhookInbox.findFirstOrThrow()).toMatchObject({ status: "done" });
    expect(await db.customer.count()).toBe(1);
  });

  it("parks a stored delivery for a shop outside *.myshopify.com at once (item 2)", async () => {
    const db = await database();
    const clock = new ManualClock(now);
    await storeDeliveries(
      db,
      "evil.example.com",
      [delivery("customers/create", customer(), "evil")],
      clock.now(),
    );
    await drain(testWorker(db, clock));
    const row = await db.webhookInbox.findFirstOrThrow();
    expect(row).toMatchObject({ status: "failed", attempts: 1 });
    expect(row.lastError).toMatch(/not a \*\.myshopify\.com shop domain/);
    expect(await db.shop.count()).toBe(0);
  });
});

/**
 * The worker's driver connection, failing with `error` once a transaction applies store events
 * (touches customers): the claim before it and the failure record after it go through.
 */
function failingWhileApplying(real: SqlConnection, error: () => Promise<unknown>): SqlConnection {
  return faultySqlConnection(real, async (sql) => {
    if (sql.includes('"Customer"')) throw await error();
  });
}

describe(`transient failures on ${testProvider} keep their backoff (item 2)`, () => {
  it("retries a delivery when the database is unreachable mid-transaction, then applies it", async () => {
    const db = await database();
    const clock = new ManualClock(now);
    // A shop already known: its store events go through the worker's batch path.
    await db.shop.create({ data: { domain: alpha } });
    await storeDeliveries(db, alpha, [delivery("customers/create", customer(), "transient")], clock.now());
    // Applying fails with what a database that is gone answers; the claim and the failure record go through.
    const unreachable = sqlConnectionOf(
      createDatabaseClient(
        resolveDatabase(
          testProvider === "sqlite"
            ? "file:/nonexistent-dir/stayloop.sqlite"
            : "postgresql://postgres@127.0.0.1:1/unreachable",
        ),
      ),
    );
    const connectionError = () =>
      unreachable
        .transaction(async () => undefined)
        .then(
          () => new Error("expected the unreachable database to refuse"),
          (error: unknown) => error,
        );
    const worker = testWorker(db, clock, {
      retryBaseMs: 10_000,
      sql: failingWhileApplying(sqlConnectionOf(db), connectionError),
    });
    await drain(worker);
    let row = await db.webhookInbox.findFirstOrThrow();
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row.availableAt.getTime() - clock.now().getTime()).toBe(10_000);
    expect(row.lastError).not.toBeNull();

    clock.advance(10_000);
    await drain(testWorker(db, clock));
    row = await db.webhookInbox.findFirstOrThrow();
    expect(row).toMatchObject({ status: "done", attempts: 2 });
    expect(await db.customer.count()).toBe(1);
  });

  it("retries a delivery after a lock timeout instead of parking it", async () => {
    const db = await database();
    const clock = new ManualClock(now);
    // A shop already known: its store events go through the worker's batch path.
    await db.shop.create({ data: { domain: alpha } });
    await storeDeliveries(db, alpha, [delivery("customers/create", customer(), "locked")], clock.now());
    // What each driver reports when the write lock stays taken past its timeout.
    const lockTimeout =
      testProvider === "sqlite"
        ? Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" })
        : Object.assign(new Error("canceling statement due to lock timeout"), { code: "55P03" });
    const locked = failingWhileApplying(sqlConnectionOf(db), async () => lockTimeout);
    await drain(testWorker(db, clock, { retryBaseMs: 10_000, sql: locked }));
    const row = await db.webhookInbox.findFirstOrThrow();
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row.lastError).toMatch(/locked|lock timeout/);
  });
});
