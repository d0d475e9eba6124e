// Money fits real shops (issue 12, item 1): orders of 10^12 minor units — in a zero-decimal currency
// (JPY) and a three-decimal one (KWD) — go through the production web server (signed deliveries)
// and worker process and are stored, totalled, earned on, refunded and exported exactly. On
// PostgreSQL a 32-bit `integer` column ends at 2,147,483,647 minor units (21,474,836.47 USD).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { fromStoredRow } from "../../app/money/stored";
import { orderPayload, refundPayload } from "../fixtures/shopify-payloads";
import { webhookDelivery, type WebhookDelivery } from "../fixtures/store-history";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import {
  runProcess,
  startWebServer,
  testShopifyEnv,
  waitForOutput,
  type RunningProcess,
} from "../support/processes";
import { sendWebhook } from "../support/webhooks";

const shopDomain = "big-money.myshopify.com";
const tera = 1_000_000_000_000; // 10^12 minor units
const day = 86_400_000;

interface BigOrder {
  currency: string;
  customerId: number;
  orderId: number;
  price: string; // 10^12 minor units in the currency's notation
  refundSubtotal: string;
  refundMinor: number;
}

const jpy: BigOrder = {
  currency: "JPY",
  customerId: 71,
  orderId: 81,
  price: "1000000000000",
  refundSubtotal: "250000000360",
  refundMinor: 250_000_000_360,
};
const kwd: BigOrder = {
  currency: "KWD",
  customerId: 72,
  orderId: 82,
  price: "1000000000.000",
  refundSubtotal: "333333333.920",
  refundMinor: 333_333_333_920,
};

const processedAt = new Date(Date.now() - day).toISOString();
const delivery = (topic: string, payload: unknown): WebhookDelivery =>
  webhookDelivery(topic, payload, new Date().toISOString());

function paidOrder(order: BigOrder) {
  return orderPayload({
    id: order.orderId,
    number: order.orderId,
    currency: order.currency,
    customer: {
      id: order.customerId,
      email: `c${order.customerId}@example.com`,
      firstName: "Big",
      lastName: order.currency,
      updatedAt: processedAt,
    },
    lines: [
      { id: order.orderId * 10, productId: 1, variantId: 2, title: "Yacht", price: order.price, quantity: 1 },
    ],
    shipping: "0",
    tax: "0",
    createdAt: processedAt,
    updatedAt: processedAt,
    financialStatus: "paid",
  });
}

function partialRefund(order: BigOrder) {
  return refundPayload({
    id: order.orderId * 100,
    orderId: order.orderId,
    lines: [{ lineItemId: order.orderId * 10, quantity: 1, subtotal: order.refundSubtotal }],
    amount: order.refundSubtotal,
    currency: order.currency,
    createdAt: new Date().toISOString(),
  });
}

describe(`64-bit money through the web server and worker on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let server: RunningProcess & { baseUrl: string };
  let worker: RunningProcess;
  let shopId: string;

  /** Sends signed deliveries to /webhooks and waits until the worker has applied them and their events. */
  async function deliver(...deliveries: WebhookDelivery[]) {
    for (const item of deliveries) {
      const response = await sendWebhook(server.baseUrl, item, shopDomain, testShopifyEnv.SHOPIFY_API_SECRET);
      expect(response.status, `${item.topic}: ${await response.text()}`).toBe(200);
    }
    for (let deadline = Date.now() + 60_000; ;) {
      const open = await db.webhookInbox.count({ where: { status: { in: ["pending", "processing"] } } });
      const due = await db.job.count({
        where: { status: { in: ["scheduled", "claimed"] }, kind: "domain-event", runAt: { lte: new Date() } },
      });
      if (open === 0 && due === 0) break;
      if (Date.now() > deadline) throw new Error(`worker did not finish:\n${worker.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const failed = await db.webhookInbox.findMany({
      where: { status: "failed" },
      select: { lastError: true },
    });
    expect(failed).toEqual([]);
    const failedJobs = await db.job.findMany({
      where: { OR: [{ status: "failed" }, { lastError: { not: null } }] },
      select: { kind: true, lastError: true },
    });
    expect(failedJobs).toEqual([]);
  }

  async function customerOf(order: BigOrder) {
    return db.customer.findUniqueOrThrow({
      where: { shopId_shopifyId: { shopId, shopifyId: String(order.customerId) } },
    });
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    const shop = await db.shop.create({ data: { domain: shopDomain, currency: "JPY" } });
    shopId = shop.id;
    // One point per whole currency unit (the default), points pending for the returns window, and
    // 2.5 % cashback (paid out after the window: nothing calls the Admin API in this test).
    await db.loyaltyProgram.create({
      data: {
        shopId,
        enabled: true,
        pendingDays: 14,
        cashbackBasisPoints: 250,
        cashbackMethod: "discount_code",
      },
    });
    server = await startWebServer({ DATABASE_URL: database.url });
    worker = runProcess(process.execPath, ["build/worker.js"], {
      ...testShopifyEnv,
      NODE_ENV: "production",
      DATABASE_URL: database.url,
      WORKER_IDLE_MS: "50",
    });
    await waitForOutput(worker, /Stayloop worker started/);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([server?.stop(), worker?.stop()]);
    await database?.drop();
  });

  it.each([
    // JPY has no minor unit: 10^12 yen earn 10^12 points; a refund of about a quarter takes exactly
    // its share back (in floating point: 250,000,000,359 points and 6,250,000,008 yen of cashback).
    { order: jpy, points: tera, reversed: 250_000_000_360, cashbackReversed: 6_250_000_009 },
    // KWD has three decimals: 10^12 fils are 10^9 dinars, 10^9 points; about a third refunded
    // (in floating point the cashback taken back would be 8,333,333,347 fils).
    { order: kwd, points: 1_000_000_000, reversed: 333_333_333, cashbackReversed: 8_333_333_348 },
  ])(
    "stores, totals, earns and refunds an order of 10^12 minor units in $order.currency exactly",
    async ({ order, points, reversed, cashbackReversed }) => {
      await deliver(delivery("orders/paid", paidOrder(order)));

      const stored = fromStoredRow(
        await db.order.findUniqueOrThrow({
          where: { shopId_shopifyId: { shopId, shopifyId: String(order.orderId) } },
        }),
      );
      expect(stored).toMatchObject({
        currency: order.currency,
        subtotalMinor: tera,
        totalMinor: tera,
        refundedMinor: 0,
      });
      const line = await db.orderLine.findFirstOrThrow({ where: { orderId: stored.id } });
      expect(fromStoredRow(line).priceMinor).toBe(tera);
      expect(fromStoredRow(await customerOf(order))).toMatchObject({
        ordersCount: 1,
        totalSpentMinor: tera,
        averageOrderValueMinor: tera,
      });
      const member = async () =>
        fromStoredRow(
          await db.loyaltyMember.findFirstOrThrow({ where: { customerId: stored.customerId ?? "" } }),
        );
      expect(await member()).toMatchObject({
        pointsBalance: 0,
        pendingPoints: points,
        lifetimePoints: points,
      });
      const earn = fromStoredRow(
        await db.loyaltyLedgerEntry.findFirstOrThrow({ where: { kind: "earn", sourceId: stored.id } }),
      );
      expect(earn).toMatchObject({ pendingDelta: points, pendingAfter: points, basisMinor: tera });
      // 2.5 % of 10^12 minor units.
      const credit = async () =>
        fromStoredRow(await db.cashbackCredit.findFirstOrThrow({ where: { orderId: stored.id } }));
      expect(await credit()).toMatchObject({ amountMinor: 25_000_000_000, reversedMinor: 0 });

      await deliver(delivery("refunds/create", partialRefund(order)));

      const refunded = fromStoredRow(await db.order.findUniqueOrThrow({ where: { id: stored.id } }));
      expect(refunded.refundedMinor).toBe(order.refundMinor);
      const refund = fromStoredRow(
        await db.refund.findFirstOrThrow({ where: { orderShopifyId: String(order.orderId) } }),
      );
      expect(refund.amountMinor).toBe(order.refundMinor);
      expect(fromStoredRow(await customerOf(order))).toMatchObject({
        ordersCount: 1,
        totalSpentMinor: tera - order.refundMinor,
      });
      const reversal = fromStoredRow(
        await db.loyaltyLedgerEntry.findFirstOrThrow({
          where: { kind: "reversal", sourceId: { startsWith: stored.id } },
        }),
      );
      expect(reversal).toMatchObject({
        pendingDelta: -reversed,
        pendingAfter: points - reversed,
        shortfall: 0,
      });
      expect(await member()).toMatchObject({ pendingPoints: points - reversed, lifetimePoints: points });
      // floor(2.5 % of 10^12 × refunded ÷ subtotal), in whole numbers.
      expect((await credit()).reversedMinor).toBe(cashbackReversed);
    },
    120_000,
  );

  it("exports the exact amounts as JSON numbers in the customer's data request", async () => {
    await deliver(
      delivery("customers/data_request", {
        shop_id: 1,
        shop_domain: shopDomain,
        customer: { id: jpy.customerId, email: `c${jpy.customerId}@example.com` },
        orders_requested: [jpy.orderId],
        data_request: { id: 9901 },
      }),
    );
    const stored = await db.customerDataExport.findFirstOrThrow({ where: { shopId } });
    const data = stored.data as {
      customer: { totalSpentMinor: unknown };
      orders: { totalMinor: unknown; refundedMinor: unknown; lines: { priceMinor: unknown }[] }[];
      refunds: { amountMinor: unknown }[];
      loyalty: { pendingPoints: unknown; lifetimePoints: unknown; entries: { pendingDelta: unknown }[] };
      cashback: { amountMinor: unknown }[];
    };
    expect(data.customer.totalSpentMinor).toBe(749_999_999_640);
    expect(data.orders).toMatchObject([
      { totalMinor: tera, refundedMinor: 250_000_000_360, lines: [{ priceMinor: tera }] },
    ]);
    expect(data.refunds).toMatchObject([{ amountMinor: 250_000_000_360 }]);
    expect(data.loyalty).toMatchObject({ pendingPoints: 749_999_999_640, lifetimePoints: tera });
    expect(data.loyalty.entries.map((entry) => entry.pendingDelta)).toEqual([tera, -250_000_000_360]);
    expect(data.cashback).toMatchObject([{ amountMinor: 25_000_000_000 }]);
    // JSON numbers, not strings.
    expect(typeof data.orders[0]?.totalMinor).toBe("number");
  });
});
