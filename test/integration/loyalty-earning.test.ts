// Points from store events through the real worker (R-LOY-2, R-LOY-6): earned once on a paid order,
// pending for the returns window, reversed on cancellation and, proportionally, on refunds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { postLedgerEntry } from "../../app/loyalty/ledger";
import { workerSetup } from "../../app/worker-setup";
import { orderPayload, refundPayload, type LineSeed } from "../fixtures/shopify-payloads";
import { webhookDelivery, type WebhookDelivery } from "../fixtures/store-history";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { drain, storeDeliveries, testWorker } from "../support/inbox";
import { numbers } from "../support/stored";

const shopDomain = "alpha.myshopify.com";
const day = 86_400_000;

const delivery = (topic: string, payload: unknown) => webhookDelivery(topic, payload, "2026-11-20T00:00:00Z");

const line = (id: number, price: string): LineSeed => ({
  id,
  productId: 1,
  variantId: id,
  title: `Item ${id}`,
  price,
  quantity: 1,
});

function paidOrder(id: number, customerId: number, lines: LineSeed[], extra: { cancelledAt?: string } = {}) {
  return orderPayload({
    id,
    number: id,
    customer: {
      id: customerId,
      email: `c${customerId}@example.com`,
      firstName: "C",
      lastName: "L",
      updatedAt: "2026-11-20T00:00:00Z",
    },
    lines,
    createdAt: "2026-11-20T00:00:00Z",
    updatedAt: extra.cancelledAt ?? "2026-11-20T00:01:00Z",
    financialStatus: "paid",
    shipping: "5.00",
    tax: "2.00",
    cancelledAt: extra.cancelledAt ?? null,
  });
}

describe(`loyalty earning on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  const clock = new ManualClock("2026-11-20T00:05:00Z");
  let run: () => Promise<number>;

  const member = async (customerShopifyId: number) => {
    const customer = numbers(
      await db.customer.findFirstOrThrow({ where: { shopifyId: String(customerShopifyId) } }),
    );
    return numbers(await db.loyaltyMember.findFirstOrThrow({ where: { customerId: customer.id } }));
  };
  const deliver = async (...deliveries: WebhookDelivery[]) => {
    await storeDeliveries(db, shopDomain, deliveries, clock.now());
    await run();
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    const shop = await db.shop.create({ data: { domain: shopDomain } });
    await db.loyaltyProgram.create({ data: { shopId: shop.id, enabled: true, pendingDays: 14 } });
    const worker = testWorker(db, clock, {
      ...workerSetup({
        clock,
        adminClientFor: () => {
          throw new Error("no Admin API in this test");
        },
      }),
    });
    run = () => drain(worker);
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("earns points once on a paid order, pending for the returns window, then spendable", async () => {
    const order = paidOrder(9001, 11, [line(1, "25.00"), line(2, "25.00"), line(3, "25.00")]);
    // orders/paid three times over (different webhook ids) and orders/updated: one award.
    await deliver(
      delivery("orders/paid", order),
      delivery("orders/paid", order),
      delivery("orders/updated", order),
    );
    await deliver(delivery("orders/paid", order));
    expect(await member(11)).toMatchObject({ pointsBalance: 0, pendingPoints: 75, lifetimePoints: 75 });
    const earn = numbers(await db.loyaltyLedgerEntry.findFirstOrThrow({ where: { kind: "earn" } }));
    // Subtotal only: shipping (5.00) and taxes (2.00) are excluded by default.
    expect(earn).toMatchObject({ pendingDelta: 75, basisMinor: 7500 });

    clock.advance(14 * day - 6 * 60_000);
    await run();
    expect((await member(11)).pendingPoints).toBe(75);
    clock.advance(2 * 60_000);
    await run();
    expect(await member(11)).toMatchObject({ pointsBalance: 75, pendingPoints: 0 });
  });

  it("reverses one third of the points when 1 of 3 equal items is refunded", async () => {
    const refund = refundPayload({
      id: 7001,
      orderId: 9001,
      lines: [{ lineItemId: 2, quantity: 1, subtotal: "25.00" }],
      amount: "25.00",
      createdAt: "2026-12-05T00:00:00Z",
    });
    await deliver(delivery("refunds/create", refund), delivery("refunds/create", refund));
    expect(await member(11)).toMatchObject({ pointsBalance: 50, pendingPoints: 0 });
    expect(await db.loyaltyLedgerEntry.count({ where: { kind: "reversal" } })).toBe(1);
  });

  it("rounds a partial refund's reversal down (the customer keeps the fraction)", async () => {
    const order = paidOrder(9002, 12, [line(11, "10.00"), line(12, "10.00"), line(13, "10.01")]);
    await deliver(delivery("orders/paid", order));
    const held = async () => {
      const stored = await member(12);
      return stored.pointsBalance + stored.pendingPoints;
    };
    expect(await held()).toBe(30);
    await deliver(
      delivery(
        "refunds/create",
        refundPayload({
          id: 7002,
          orderId: 9002,
          lines: [{ lineItemId: 11, quantity: 1, subtotal: "10.00" }],
          amount: "10.00",
          createdAt: "2026-11-21T00:00:00Z",
        }),
      ),
    );
    // floor(30 × 10.00 / 30.01) = floor(9.997) = 9
    expect(await held()).toBe(21);
    // The rest refunded: everything the order earned is back, not one point more.
    await deliver(
      delivery(
        "refunds/create",
        refundPayload({
          id: 7003,
          orderId: 9002,
          lines: [
            { lineItemId: 12, quantity: 1, subtotal: "10.00" },
            { lineItemId: 13, quantity: 1, subtotal: "10.01" },
          ],
          amount: "20.01",
          createdAt: "2026-11-22T00:00:00Z",
        }),
      ),
    );
    expect(await held()).toBe(0);
  });

  it("takes back everything a cancelled order earned", async () => {
    const order = paidOrder(9003, 13, [line(21, "40.00")]);
    await deliver(delivery("orders/paid", order));
    const stored = await member(13);
    expect(stored.pointsBalance + stored.pendingPoints).toBe(40);
    await deliver(
      delivery(
        "orders/cancelled",
        paidOrder(9003, 13, [line(21, "40.00")], { cancelledAt: "2026-11-20T05:00:00Z" }),
      ),
    );
    expect(await member(13)).toMatchObject({ pointsBalance: 0, pendingPoints: 0 });
  });

  it("stops at zero when refunded points were already spent, and records the shortfall", async () => {
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: shopDomain } });
    await db.loyaltyProgram.update({ where: { shopId: shop.id }, data: { pendingDays: 0 } });
    await deliver(delivery("orders/paid", paidOrder(9004, 14, [line(31, "100.00")])));
    const spender = await member(14);
    expect(spender.pointsBalance).toBe(100);
    await db.$transaction((tx) =>
      postLedgerEntry(tx, shop.id, {
        memberId: spender.id,
        kind: "redeem",
        source: "reward",
        sourceId: "r-1",
        pointsDelta: -80,
        occurredAt: clock.now(),
      }),
    );
    await deliver(
      delivery(
        "refunds/create",
        refundPayload({
          id: 7004,
          orderId: 9004,
          lines: [{ lineItemId: 31, quantity: 1, subtotal: "100.00" }],
          amount: "100.00",
          createdAt: "2026-12-01T00:00:00Z",
        }),
      ),
    );
    expect((await member(14)).pointsBalance).toBe(0);
    const reversal = numbers(
      await db.loyaltyLedgerEntry.findFirstOrThrow({
        where: { memberId: spender.id, kind: "reversal" },
      }),
    );
    expect(reversal).toMatchObject({ pointsDelta: -20, shortfall: 80, balanceAfter: 0 });
  });

  it("earns nothing while the program is off", async () => {
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: shopDomain } });
    await db.loyaltyProgram.update({ where: { shopId: shop.id }, data: { enabled: false } });
    await deliver(delivery("orders/paid", paidOrder(9005, 15, [line(41, "60.00")])));
    expect(await db.loyaltyMember.count({ where: { customer: { shopifyId: "15" } } })).toBe(0);
  });
});
