// Points, cashback and tier of a paid order with a partial refund do not depend on the order in
// which Shopify's deliveries reach the worker (R-LOY-6, R-EVT-5) — including a refund that arrives
// before its order exists. Every permutation of orders/paid, refunds/create and orders/updated (and,
// with orders/cancelled, of all four) goes through the inbox and the real worker.
import type { Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { saveProgramSettings } from "../../app/loyalty/program";
import type { TierRules } from "../../app/loyalty/tiers";
import { workerSetup } from "../../app/worker-setup";
import { orderPayload, refundPayload } from "../fixtures/shopify-payloads";
import { webhookDelivery, type WebhookDelivery } from "../fixtures/store-history";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { drain, storeDeliveries, testWorker } from "../support/inbox";
import { numbers } from "../support/stored";

const shopDomain = "order-independence.myshopify.com";

/** One tier at 60.00 spend, no grace: the full order (75.00) reaches it, the refunded one (50.00) does not. */
const tierRules: TierRules = {
  metric: "spend",
  period: "lifetime",
  graceDays: 0,
  tiers: [{ id: "silver", name: "Silver", threshold: 60_00, earnMultiplierPercent: 100, perks: [] }],
};

type Topic = "orders/paid" | "refunds/create" | "orders/updated" | "orders/cancelled";

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]),
  );
}

describe(`loyalty order independence on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let shop: Shop;
  const clock = new ManualClock("2026-11-20T00:05:00Z");
  let run: () => Promise<number>;
  let scenario = 0;

  /** A three-line order (3 × 25.00) of a fresh customer, its refund of line 2, and its later states. */
  function deliveriesOfAnOrder(): { customerShopifyId: string; byTopic: Record<Topic, WebhookDelivery> } {
    scenario += 1;
    const orderId = 60_000 + scenario;
    const customerId = 800 + scenario;
    const state = (
      updatedAt: string,
      financialStatus: "paid" | "partially_refunded",
      cancelledAt: string | null = null,
    ) =>
      orderPayload({
        id: orderId,
        number: orderId,
        customer: {
          id: customerId,
          email: `c${customerId}@example.com`,
          firstName: "C",
          lastName: String(customerId),
          updatedAt: "2026-11-20T00:00:00Z",
        },
        lines: [1, 2, 3].map((line) => ({
          id: orderId * 10 + line,
          productId: line,
          variantId: line,
          title: `Item ${line}`,
          price: "25.00",
          quantity: 1,
        })),
        createdAt: "2026-11-20T00:00:00Z",
        updatedAt,
        financialStatus,
        cancelledAt,
      });
    const delivery = (topic: Topic, payload: unknown) =>
      webhookDelivery(topic, payload, "2026-11-20T00:00:00Z");
    return {
      customerShopifyId: String(customerId),
      byTopic: {
        "orders/paid": delivery("orders/paid", state("2026-11-20T00:01:00Z", "paid")),
        "refunds/create": delivery(
          "refunds/create",
          refundPayload({
            id: 90_000 + scenario,
            orderId,
            lines: [{ lineItemId: orderId * 10 + 2, quantity: 1, subtotal: "25.00" }],
            amount: "25.00",
            createdAt: "2026-11-20T00:02:00Z",
          }),
        ),
        "orders/updated": delivery("orders/updated", state("2026-11-20T00:02:30Z", "partially_refunded")),
        "orders/cancelled": delivery(
          "orders/cancelled",
          state("2026-11-20T00:03:00Z", "partially_refunded", "2026-11-20T00:03:00Z"),
        ),
      },
    };
  }

  /** What the customer ends up with: balances, ledger (order ids made comparable), cashback, tier. */
  async function outcome(customerShopifyId: string) {
    const customer = numbers(
      await db.customer.findFirstOrThrow({
        where: { shopId: shop.id, shopifyId: customerShopifyId },
      }),
    );
    const order = numbers(
      await db.order.findFirstOrThrow({ where: { shopId: shop.id, customerId: customer.id } }),
    );
    const member = numbers(
      await db.loyaltyMember.findFirst({ where: { shopId: shop.id, customerId: customer.id } }),
    );
    const entries = member
      ? numbers(await db.loyaltyLedgerEntry.findMany({ where: { shopId: shop.id, memberId: member.id } }))
      : [];
    const credit = numbers(
      await db.cashbackCredit.findUnique({
        where: { shopId_orderId: { shopId: shop.id, orderId: order.id } },
      }),
    );
    return {
      pointsBalance: member?.pointsBalance ?? 0,
      pendingPoints: member?.pendingPoints ?? 0,
      ledgerSum: entries.reduce((sum, entry) => sum + entry.pointsDelta + entry.pendingDelta, 0),
      ledger: entries
        .map((entry) => ({
          kind: entry.kind,
          sourceId: entry.sourceId.replace(order.id, "<order>"),
          pointsDelta: entry.pointsDelta,
          pendingDelta: entry.pendingDelta,
          shortfall: entry.shortfall,
          basisMinor: entry.basisMinor,
        }))
        .sort((a, b) => `${a.kind}${a.sourceId}`.localeCompare(`${b.kind}${b.sourceId}`)),
      cashbackNetMinor: credit ? credit.amountMinor - credit.reversedMinor : 0,
      cashback: credit && { amountMinor: credit.amountMinor, reversedMinor: credit.reversedMinor },
      tierId: member?.tierId ?? null,
    };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    shop = await db.shop.create({ data: { domain: shopDomain } });
    await saveProgramSettings(
      db,
      shop.id,
      { enabled: true, pendingDays: 14, cashbackBasisPoints: 500, tierRules },
      clock.now(),
    );
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

  // 75 points pending, a third (25) taken back; cashback 5 % of 75.00 = 3.75, a third (1.25) taken
  // back; 50.00 of spend stays below the 60.00 tier.
  const partiallyRefunded = {
    pointsBalance: 0,
    pendingPoints: 50,
    ledgerSum: 50,
    ledger: [
      {
        kind: "earn",
        sourceId: "<order>",
        pointsDelta: 0,
        pendingDelta: 75,
        shortfall: 0,
        basisMinor: 7500,
      },
      {
        kind: "reversal",
        sourceId: expect.stringMatching(/^<order>\/refund\/9\d+$/) as unknown as string,
        pointsDelta: 0,
        pendingDelta: -25,
        shortfall: 0,
        basisMinor: null,
      },
    ],
    cashbackNetMinor: 250,
    cashback: { amountMinor: 375, reversedMinor: 125 },
    tierId: null,
  };

  /**
   * One fresh order per permutation; step k delivers the k-th delivery of every permutation and runs
   * the worker until it is idle, so each order sees its deliveries one at a time, in its own order
   * (orders do not share customers, so running them side by side changes nothing but the time).
   */
  async function deliverOneAtATime(orders: Topic[][]) {
    const scenarios = orders.map((order) => ({ order, ...deliveriesOfAnOrder() }));
    for (let step = 0; step < (orders[0]?.length ?? 0); step += 1) {
      await storeDeliveries(
        db,
        shopDomain,
        scenarios.map(({ order, byTopic }) => byTopic[order[step] as Topic]),
        clock.now(),
      );
      await run();
    }
    return Promise.all(
      scenarios.map(async ({ order, customerShopifyId }) => ({
        order,
        ...(await outcome(customerShopifyId)),
      })),
    );
  }

  it("gives the same points, ledger, cashback and tier for all 6 orders of orders/paid, refunds/create and orders/updated, one delivery at a time", async () => {
    const orders = permutations<Topic>(["orders/paid", "refunds/create", "orders/updated"]);
    const results = await deliverOneAtATime(orders);
    expect(results).toEqual(orders.map((order) => ({ order, ...partiallyRefunded })));
  }, 180_000);

  it("gives the same result when the three deliveries arrive together, in any of the 6 orders", async () => {
    const orders = permutations<Topic>(["orders/paid", "refunds/create", "orders/updated"]);
    const scenarios = orders.map((order) => ({ order, ...deliveriesOfAnOrder() }));
    for (const { order, byTopic } of scenarios) {
      await storeDeliveries(
        db,
        shopDomain,
        order.map((topic) => byTopic[topic]),
        clock.now(),
      );
      await run();
    }
    const results = await Promise.all(
      scenarios.map(async ({ order, customerShopifyId }) => ({
        order,
        ...(await outcome(customerShopifyId)),
      })),
    );
    expect(results).toEqual(orders.map((order) => ({ order, ...partiallyRefunded })));
  }, 180_000);

  it("takes everything back for all 24 orders of orders/paid, refunds/create, orders/updated and orders/cancelled", async () => {
    const orders = permutations<Topic>([
      "orders/paid",
      "refunds/create",
      "orders/updated",
      "orders/cancelled",
    ]);
    expect(orders).toHaveLength(24);
    const results = await deliverOneAtATime(orders);
    // A cancellation seen first leaves no earning at all; seen later, an earning and its
    // reversals: either way nothing is kept.
    expect(
      results.map((result) => ({
        order: result.order,
        pointsBalance: result.pointsBalance,
        pendingPoints: result.pendingPoints,
        ledgerSum: result.ledgerSum,
        cashbackNetMinor: result.cashbackNetMinor,
        tierId: result.tierId,
        shortfalls: result.ledger.reduce((sum, entry) => sum + entry.shortfall, 0),
      })),
    ).toEqual(
      orders.map((order) => ({
        order,
        pointsBalance: 0,
        pendingPoints: 0,
        ledgerSum: 0,
        cashbackNetMinor: 0,
        tierId: null,
        shortfalls: 0,
      })),
    );
  }, 180_000); // 96 deliveries through the worker: slow on a busy machine
});
