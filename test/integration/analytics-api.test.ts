// GET /api/analytics through the built production server in demo mode (admin open on loopback):
// every metric by name, money as { amountMinor, currency }, rates with two decimals, the previous
// period beside it, cohorts, loyalty liability at the cheapest reward rate; another shop's orders
// never count; a bad query is a 400 naming the parameter. Needs `npm run build` first.
import { randomUUID } from "node:crypto";
import type { Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rebuildShopAnalytics } from "../../app/analytics/rebuild";
import type { AnalyticsReport } from "../../app/analytics/report";
import { sqlConnectionOf, type Database } from "../../app/db/client";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import type { RunningProcess } from "../support/processes";
import { createDemoSession, demoShop, startDemoServer } from "../support/demo-admin";

describe(`analytics JSON API on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let server: RunningProcess & { baseUrl: string };
  let shop: Shop;
  let other: Shop;

  async function order(target: Shop, customerId: string, at: string, subtotalMinor: number, extra = {}) {
    await db.order.create({
      data: {
        shopId: target.id,
        shopifyId: randomUUID(),
        customerId,
        name: "#1",
        currency: target.currency,
        subtotalMinor,
        totalMinor: subtotalMinor + 500,
        processedAt: new Date(at),
        shopifyUpdatedAt: new Date(at),
        ...extra,
      },
    });
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    await createDemoSession(db);
    shop = await db.shop.create({ data: { domain: demoShop, currency: "CZK", timezone: "Europe/Prague" } });
    other = await db.shop.create({ data: { domain: "someone-else.myshopify.com", currency: "CZK" } });
    const customer = async (target: Shop, name: string) =>
      (await db.customer.create({ data: { shopId: target.id, shopifyId: randomUUID(), firstName: name } }))
        .id;
    // Anna: ordered in 2025 and in March 2026 (retained); Boris: 2025 only (lost by 2026-04);
    // Cyril: first order in March 2026 (new); Dana: only a cancelled order.
    const anna = await customer(shop, "Anna");
    const boris = await customer(shop, "Boris");
    const cyril = await customer(shop, "Cyril");
    const dana = await customer(shop, "Dana");
    await order(shop, anna, "2025-06-10T10:00:00Z", 10_000);
    await order(shop, anna, "2026-03-05T10:00:00Z", 20_000, { refundedMinor: 5_000 });
    await order(shop, boris, "2025-03-20T10:00:00Z", 30_000);
    await order(shop, cyril, "2026-03-10T10:00:00Z", 40_000);
    await order(shop, cyril, "2026-03-12T10:00:00Z", 10_001);
    await order(shop, dana, "2026-03-15T10:00:00Z", 50_000, {
      cancelledAt: new Date("2026-03-16T00:00:00Z"),
    });
    // Another shop's big customer must not count.
    const stranger = await customer(other, "Stranger");
    for (const day of ["2026-03-02", "2026-03-03"]) await order(other, stranger, `${day}T10:00:00Z`, 999_999);
    for (const target of [shop, other]) await rebuildShopAnalytics(sqlConnectionOf(db), target.id);

    // Loyalty: 1,000 points outstanding; rewards of 500 points → 100 CZK and 200 points → 20 CZK:
    // the cheapest rate is 5 points per 1 CZK, so the liability is 200 CZK.
    const member = await db.loyaltyMember.create({
      data: { shopId: shop.id, customerId: anna, pointsBalance: 1_000 },
    });
    await db.loyaltyReward.createMany({
      data: [
        {
          shopId: shop.id,
          name: "100 CZK",
          kind: "fixed_amount",
          pointsCost: 500,
          amountMinor: 10_000,
          currency: "CZK",
        },
        {
          shopId: shop.id,
          name: "20 CZK",
          kind: "fixed_amount",
          pointsCost: 200,
          amountMinor: 2_000,
          currency: "CZK",
        },
      ],
    });
    await db.loyaltyLedgerEntry.create({
      data: {
        shopId: shop.id,
        memberId: member.id,
        kind: "earn",
        source: "order",
        sourceId: "o1",
        pointsDelta: 400,
        balanceAfter: 400,
        pendingAfter: 0,
        occurredAt: new Date("2026-03-05T10:00:00Z"),
      },
    });
    await db.npsAnswer.createMany({
      data: [10, 9, 8, 3].map((score, index) => ({
        shopId: shop.id,
        customerId: anna,
        subjectKey: `order:${index}`,
        score,
        answeredAt: new Date("2026-03-20T10:00:00Z"),
        updatedAt: new Date(),
      })),
    });

    server = await startDemoServer(database.url);
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  async function get(path: string): Promise<{ status: number; body: AnalyticsReport & { error?: string } }> {
    const response = await fetch(`${server.baseUrl}${path}`, { redirect: "manual" });
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) as AnalyticsReport & { error?: string } };
    } catch {
      throw new Error(
        `${path}: ${response.status} is not JSON: ${text.slice(0, 300)}\n${server.output().slice(-2000)}`,
      );
    }
  }

  it("answers every metric of March 2026 beside February, in the shop's currency", async () => {
    const { status, body } = await get("/api/analytics?from=2026-03-01&to=2026-04-01&compare=previous");
    expect(status).toBe(200);
    expect(body.period).toEqual({ from: "2026-03-01", to: "2026-04-01" });
    expect(body.previousPeriod).toEqual({ from: "2026-01-29", to: "2026-03-01" });
    // Active on 1 March: Anna (June 2025) and Boris (20 March 2025). On 1 April: Anna, Cyril.
    expect(body.metrics).toMatchObject({
      customersAtStart: 2,
      customersAtEnd: 2,
      newCustomers: 1,
      retainedCustomers: 1,
      lostCustomers: 1,
      customerRetentionRate: 50,
      churnRate: 50,
      orders: 3,
      revenue: { amountMinor: 15_000 + 40_000 + 10_001, currency: "CZK" },
      customers: 2,
      repeatCustomers: 1,
      repeatPurchaseRate: 50,
      averageOrderValue: { amountMinor: 21_667, currency: "CZK" },
      purchaseFrequency: 1.5,
      nps: { score: 25, promoters: 2, passives: 1, detractors: 1, answers: 4 },
    });
    // The year to 1 April (Boris's March 2025 order is before it): 4 orders by Anna and Cyril,
    // revenue 75,001 → CLV = 75,001 / 2 × 3 years × 30 % = 33,750.45.
    expect(body.metrics.customerLifetimeValue).toEqual({ amountMinor: 33_750, currency: "CZK" });
    expect(body.previous).toMatchObject({ orders: 0, customersAtStart: 2, customersAtEnd: 2 });
    expect(body.cohorts.map((row) => row.month)).toEqual(["2025-06", "2026-03"]);
    expect(body.loyalty).toMatchObject({
      members: 1,
      activeMembers: 1,
      pointsOutstanding: 1_000,
      liability: { amountMinor: 20_000, currency: "CZK" },
      pointsEarned: 400,
      pointsRedeemed: 0,
      redemptionRate: 0,
    });
    expect(body.loyalty.memberCustomers).toMatchObject({ customers: 1, repeatCustomers: 1, orders: 2 });
    // Non-members: Boris (one order) and Cyril (two); Dana has no qualifying order.
    expect(body.loyalty.nonMemberCustomers).toMatchObject({
      customers: 2,
      repeatCustomers: 1,
      orders: 3,
      revenue: { amountMinor: 80_001, currency: "CZK" },
      averageOrderValue: { amountMinor: 26_667, currency: "CZK" },
    });
    expect(body.flows).toEqual([]);
  });

  it("refuses a bad query, naming the parameter, and changes nothing", async () => {
    for (const query of [
      "from=2026-02-30",
      "from=2026-03-01&to=2026-02-01",
      "from=2020-01-01&to=2026-01-01",
      "compare=next",
    ]) {
      const { status, body } = await get(`/api/analytics?${query}`);
      expect(status, query).toBe(400);
      expect(body.error).toBe("bad_request");
    }
  });
});
