// Customer intelligence on a real database (R-CUS-2…4, R-REPL, R-WIN): the daily run against a
// hand-computed 20-customer table, replenishment learned from a generated history and announced by
// the worker's sweep at due − 3 days, insights and recommendations, segments counted in SQL — with
// a second shop whose data must never leak into the first one's figures.
import type { Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDailyIntelligence } from "../../app/customers/intelligence/daily";
import { announceDueReplenishments } from "../../app/customers/intelligence/replenishment-sweep";
import {
  IntelligenceInputError,
  setProductConsumption,
  updateIntelligenceSettings,
} from "../../app/customers/intelligence/settings";
import { intelligenceSubscriber } from "../../app/customers/intelligence/subscriber";
import {
  createSegment,
  deleteSegment,
  listSegments,
  segmentCount,
  segmentMatches,
  SegmentInputError,
  SegmentNotFoundError,
  updateSegment,
  type CustomerFacts,
  type SegmentDefinition,
} from "../../app/customers/segments";
import { sqlConnectionOf, type Database } from "../../app/db/client";
import { openSqlConnection, type SqlConnection } from "../../app/db/sql";
import { workerSetup } from "../../app/worker-setup";
import { orderNetsOf, orderDatesOf, rfmTable } from "../fixtures/rfm-table";
import { orderPayload, seededRandom, type CustomerSeed } from "../fixtures/shopify-payloads";
import { webhookDelivery } from "../fixtures/store-history";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { drain, storeDeliveries, testWorker } from "../support/inbox";
import { numbers } from "../support/stored";

const day = 86_400_000;
const minute = 60_000;

// Two worker connections: PostgreSQL's race for real; SQLite's in-process connections would block each
// other's event loop (its writers take turns anyway), so there the two share one serialising connection.
let testDatabase: TestDatabase | undefined;
let testDb: Database | undefined;
function twoConnections(): SqlConnection[] {
  if (!testDatabase || !testDb) throw new Error("no database yet");
  if (testProvider !== "postgresql") return [sqlConnectionOf(testDb), sqlConnectionOf(testDb)];
  return [openSqlConnection(testDatabase.database), openSqlConnection(testDatabase.database)];
}
async function closeConnections(connections: SqlConnection[]): Promise<void> {
  if (testProvider === "postgresql") await Promise.all(connections.map((sql) => sql.close()));
}

describe(`customer intelligence on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  const clock = new ManualClock("2026-12-04T12:00:00Z");
  let alpha: Shop;
  let beta: Shop;
  let run: () => Promise<number>;
  const options = { clock, subscribers: [intelligenceSubscriber] };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    testDatabase = database;
    testDb = db;
    alpha = await db.shop.create({ data: { domain: "alpha.myshopify.com", timezone: "Europe/Prague" } });
    beta = await db.shop.create({ data: { domain: "beta.myshopify.com" } });
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
    await database.drop();
  });

  describe("the daily run (R-CUS-2, R-CUS-3)", () => {
    const tableShop = "table.myshopify.com";
    let shopId: string;
    let otherShopId: string;
    const now = new Date("2026-12-04T12:00:00Z");

    const seedTable = async (domain: string, buyers: typeof rfmTable, scale: number) => {
      const shop = await db.shop.create({ data: { domain } });
      let orderNumber = 0;
      for (const buyer of buyers) {
        const customer = await db.customer.create({
          data: {
            shopId: shop.id,
            shopifyId: `${domain}-${buyer.name}`,
            email: `${buyer.name}@example.com`,
            tags: buyer.orders >= 5 ? "VIP, coffee" : "coffee",
            countryCode: buyer.orders % 2 === 0 ? "CZ" : "DE",
            emailConsent: buyer.recencyDays < 100 ? "subscribed" : "not_subscribed",
          },
        });
        const dates = orderDatesOf(buyer, now);
        const nets = orderNetsOf(buyer);
        for (const [index, processedAt] of dates.entries()) {
          orderNumber += 1;
          // c11's only order was partly refunded: net 1,500 − 500 = 1,000.
          const refunded = buyer.name === "c11" ? 500 : 0;
          const subtotal = (nets[index] as number) * scale + refunded;
          await db.order.create({
            data: {
              shopId: shop.id,
              shopifyId: String(orderNumber),
              customerId: customer.id,
              name: `#${orderNumber}`,
              currency: "USD",
              subtotalMinor: subtotal,
              totalMinor: subtotal + 500,
              refundedMinor: refunded,
              processedAt,
              shopifyUpdatedAt: processedAt,
            },
          });
        }
        // The profile ingest keeps (app/customers/profile.ts), for the segment conditions.
        await db.customer.update({
          where: { id: customer.id },
          data: {
            ordersCount: buyer.orders,
            totalSpentMinor: buyer.netMinor * scale,
            firstOrderAt: dates[0] ?? null,
            lastOrderAt: dates.at(-1) ?? null,
          },
        });
        if (buyer.name === "c20") {
          // A cancelled order counts for nothing.
          orderNumber += 1;
          await db.order.create({
            data: {
              shopId: shop.id,
              shopifyId: String(orderNumber),
              customerId: customer.id,
              name: `#${orderNumber}`,
              currency: "USD",
              subtotalMinor: 99_999_00,
              totalMinor: 99_999_00,
              processedAt: new Date(now.getTime() - day),
              cancelledAt: now,
              shopifyUpdatedAt: now,
            },
          });
        }
      }
      // A customer without orders: a lead, no scores.
      await db.customer.create({ data: { shopId: shop.id, shopifyId: `${domain}-lead`, tags: "" } });
      return shop.id;
    };

    beforeAll(async () => {
      shopId = await seedTable(tableShop, rfmTable, 1);
      // Another shop with far bigger figures and other rhythms: it must not move this shop's cut points.
      otherShopId = await seedTable(
        "other.myshopify.com",
        rfmTable.slice(0, 5).map((buyer) => ({ ...buyer, orders: buyer.orders * 3, recencyDays: 0 })),
        100,
      );
    });

    it("matches the hand-computed 20-customer table, per shop", async () => {
      const dayClock = new ManualClock(now);
      expect(
        await runDailyIntelligence(sqlConnectionOf(db), shopId, { ...options, clock: dayClock, pageSize: 7 }),
      ).toBe(true);
      expect(
        await runDailyIntelligence(sqlConnectionOf(db), otherShopId, { ...options, clock: dayClock }),
      ).toBe(true);
      const customers = await db.customer.findMany({ where: { shopId }, orderBy: { shopifyId: "asc" } });
      const byName = new Map(
        customers.map((customer) => [customer.shopifyId.replace(`${tableShop}-`, ""), customer]),
      );
      expect(
        rfmTable.map((buyer) => {
          const customer = byName.get(buyer.name);
          return {
            name: buyer.name,
            stage: customer?.lifecycleStage,
            r: customer?.rfmRecency,
            f: customer?.rfmFrequency,
            m: customer?.rfmMonetary,
            segment: customer?.rfmSegment,
          };
        }),
      ).toEqual(rfmTable.map(({ name, stage, r, f, m, segment }) => ({ name, stage, r, f, m, segment })));
      const lead = byName.get("lead");
      expect(lead).toMatchObject({
        lifecycleStage: "lead",
        rfmRecency: null,
        rfmSegment: null,
        valueBand: null,
        predictedClvMinor: null,
        atRiskAt: null,
      });
      // Rhythm: a 10-day buyer (c1) is at risk 20 days after the last order.
      expect(byName.get("c1")?.typicalIntervalDays).toBe(10);
      expect(byName.get("c1")?.atRiskAt).toEqual(new Date(now.getTime() - day + 20 * day));
      expect(byName.get("c2")?.atRiskAt).toEqual(new Date(now.getTime() - 3 * day + 90 * day));
    });

    it("bands predicted CLV by the shop's tertiles", async () => {
      const buyers = numbers(
        await db.customer.findMany({ where: { shopId, ordersCount: { gte: 0 }, valueBand: { not: null } } }),
      );
      expect(buyers).toHaveLength(20);
      const clvs = (band: string) =>
        buyers.filter((buyer) => buyer.valueBand === band).map((buyer) => buyer.predictedClvMinor ?? 0);
      expect(clvs("low").length).toBeGreaterThanOrEqual(6);
      expect(clvs("high").length).toBeGreaterThanOrEqual(5);
      expect(Math.max(...clvs("low"))).toBeLessThan(Math.min(...clvs("medium")));
      expect(Math.max(...clvs("medium"))).toBeLessThan(Math.min(...clvs("high")));
      // The lapsed champion of old is worth less than the current champion with the same spend.
      const c1 = buyers.find((buyer) => buyer.shopifyId.endsWith("-c1"));
      const c18 = buyers.find((buyer) => buyer.shopifyId.endsWith("-c18"));
      expect(c1?.valueBand).toBe("high");
      expect(c18?.predictedClvMinor ?? 0).toBeLessThan(c1?.predictedClvMinor ?? 0);
    });

    it("announces each stage change once, and runs once per shop day", async () => {
      const changes = await db.domainEvent.findMany({
        where: { shopId, type: "customer.lifecycle_changed" },
      });
      // Seeded as leads: every buyer changed stage.
      expect(changes).toHaveLength(20);
      expect(
        changes.find((event) => event.payload && JSON.stringify(event.payload).includes("at_risk")),
      ).toBeDefined();
      const later = new ManualClock(new Date(now.getTime() + 6 * 60 * minute));
      expect(await runDailyIntelligence(sqlConnectionOf(db), shopId, { ...options, clock: later })).toBe(
        false,
      );
      // The next day, c7 (a 20-day rhythm, 20 days since the last order) is still fine; 21 days later at risk.
      const nextDays = new ManualClock(new Date(now.getTime() + 21 * day));
      expect(await runDailyIntelligence(sqlConnectionOf(db), shopId, { ...options, clock: nextDays })).toBe(
        true,
      );
      const c7 = await db.customer.findFirstOrThrow({ where: { shopId, shopifyId: `${tableShop}-c7` } });
      expect(c7.lifecycleStage).toBe("at_risk");
      const c7Changes = await db.domainEvent.findMany({
        where: { shopId, type: "customer.lifecycle_changed", subjectId: c7.id },
        orderBy: { occurredAt: "asc" },
      });
      expect(c7Changes.map((event) => event.payload)).toEqual([
        { from: "lead", to: "repeat" },
        { from: "repeat", to: "at_risk" },
      ]);
    });

    it("of two workers running the same shop day, one runs", async () => {
      const nextDay = new ManualClock(new Date(now.getTime() + 22 * day));
      const connections = twoConnections();
      try {
        const ran = await Promise.all(
          connections.map((sql) => runDailyIntelligence(sql, shopId, { ...options, clock: nextDay })),
        );
        expect(ran.sort()).toEqual([false, true]);
      } finally {
        await closeConnections(connections);
      }
    });

    it("counts a segment in SQL exactly as segmentMatches decides (R-CUS-4)", async () => {
      const at = new Date(now.getTime() + 22 * day);
      // Members in tiers: c1 gold, c2 silver; c3 a member without a tier.
      const tierOf: Record<string, string | null> = { c1: "gold", c2: "silver", c3: null };
      for (const [name, tierId] of Object.entries(tierOf)) {
        const member = await db.customer.findFirstOrThrow({
          where: { shopId, shopifyId: `${tableShop}-${name}` },
        });
        await db.loyaltyMember.create({ data: { shopId, customerId: member.id, tierId } });
      }
      const customers = numbers(
        await db.customer.findMany({
          where: { shopId },
          include: { loyaltyMembers: { select: { tierId: true } } },
        }),
      );
      const facts = customers.map((customer): CustomerFacts => ({
        ...customer,
        loyaltyTierId: customer.loyaltyMembers[0]?.tierId ?? null,
      }));
      const definitions: SegmentDefinition[] = [
        {
          match: "all",
          conditions: [{ field: "lifecycleStage", operator: "in", value: ["at_risk", "lapsed"] }],
        },
        {
          match: "all",
          conditions: [
            { field: "rfmRecency", operator: "gte", value: 4 },
            { field: "valueBand", operator: "is_not", value: "low" },
          ],
        },
        {
          match: "any",
          conditions: [
            { field: "tags", operator: "has", value: "vip" },
            { field: "lastOrderDaysAgo", operator: "lt", value: 30 },
          ],
        },
        { match: "all", conditions: [{ field: "lastOrderDaysAgo", operator: "eq", value: 41 }] },
        { match: "all", conditions: [{ field: "lastOrderDaysAgo", operator: "neq", value: 41 }] },
        {
          match: "all",
          conditions: [
            { field: "countryCode", operator: "is", value: "CZ" },
            { field: "emailConsent", operator: "is", value: "subscribed" },
            { field: "totalSpentMinor", operator: "gt", value: 10_000 },
          ],
        },
        {
          match: "all",
          conditions: [{ field: "rfmSegment", operator: "not_in", value: ["champions", "lost"] }],
        },
        { match: "all", conditions: [{ field: "tags", operator: "has_not", value: "coffee" }] },
        { match: "any", conditions: [{ field: "ordersCount", operator: "lte", value: 1 }] },
        { match: "all", conditions: [{ field: "loyaltyTier", operator: "in", value: ["gold", "silver"] }] },
        { match: "all", conditions: [{ field: "loyaltyTier", operator: "is_not", value: "gold" }] },
      ];
      for (const definition of definitions) {
        const expected = facts.filter((customer) => segmentMatches(definition, customer, at)).length;
        expect({ definition, count: await segmentCount(db, shopId, definition, at) }).toEqual({
          definition,
          count: expected,
        });
      }
      // A segment with someone in it and one with no one: the comparison above is not vacuous.
      expect(await segmentCount(db, shopId, definitions[0] as SegmentDefinition, at)).toBeGreaterThan(0);
      expect(await segmentCount(db, shopId, definitions[7] as SegmentDefinition, at)).toBe(1);
      expect(await segmentCount(db, shopId, definitions[9] as SegmentDefinition, at)).toBe(2);
      expect(await segmentCount(db, shopId, definitions[10] as SegmentDefinition, at)).toBe(20);
    });

    it("saves segments with unique names per shop and clear errors", async () => {
      const definition: SegmentDefinition = {
        match: "all",
        conditions: [{ field: "valueBand", operator: "is", value: "high" }],
      };
      const saved = await createSegment(db, shopId, { name: " High value ", definition });
      expect(saved.name).toBe("High value");
      await expect(createSegment(db, shopId, { name: "High value", definition })).rejects.toThrow(
        'A segment named "High value" already exists',
      );
      // Same name in another shop: fine.
      await createSegment(db, otherShopId, { name: "High value", definition });
      const invalid = createSegment(db, shopId, {
        name: "Broken",
        definition: { match: "all", conditions: [{ field: "valueBand", operator: "gt", value: "high" }] },
      });
      await expect(invalid).rejects.toBeInstanceOf(SegmentInputError);
      await expect(
        updateSegment(db, otherShopId, saved.id, { name: "Mine", definition }),
      ).rejects.toBeInstanceOf(SegmentNotFoundError);
      await expect(deleteSegment(db, otherShopId, saved.id)).rejects.toBeInstanceOf(SegmentNotFoundError);
      const renamed = await updateSegment(db, shopId, saved.id, { name: "Best", definition });
      expect(renamed.name).toBe("Best");
      expect((await listSegments(db, shopId)).map((segment) => segment.name)).toEqual(["Best"]);
      await deleteSegment(db, shopId, saved.id);
      expect(await listSegments(db, shopId)).toEqual([]);
    });
  });

  describe("replenishment (R-REPL)", () => {
    const coffee = { productId: 101, variantId: 1011, title: "Coffee beans 1 kg", price: "20.00" };
    const grinder = { productId: 202, variantId: 2021, title: "Grinder", price: "120.00" };
    let orderId = 10_000;
    let lineId = 50_000;
    const customer = (id: number): CustomerSeed => ({
      id,
      email: `r${id}@example.com`,
      firstName: "R",
      lastName: String(id),
      updatedAt: "2026-01-01T00:00:00Z",
    });
    const order = (
      customerId: number,
      at: Date,
      lines: { item: typeof coffee; quantity: number }[],
      extra: { id?: number; cancelledAt?: string } = {},
    ) => {
      const id = extra.id ?? (orderId += 1);
      return orderPayload({
        id,
        number: id,
        customer: customer(customerId),
        lines: lines.map(({ item, quantity }) => ({ id: (lineId += 1), ...item, quantity })),
        createdAt: at.toISOString(),
        updatedAt: extra.cancelledAt ?? at.toISOString(),
        cancelledAt: extra.cancelledAt ?? null,
      });
    };
    const deliver = async (shop: Shop, topic: string, payloads: unknown[]) => {
      await storeDeliveries(
        db,
        shop.domain,
        payloads.map((payload) => webhookDelivery(topic, payload, clock.now().toISOString())),
        clock.now(),
      );
      await run();
    };
    const timerOf = async (shop: Shop, customerShopifyId: number, productShopifyId = "101") => {
      const owner = await db.customer.findFirstOrThrow({
        where: { shopId: shop.id, shopifyId: String(customerShopifyId) },
      });
      return db.replenishment.findUnique({
        where: {
          shopId_customerId_productShopifyId: { shopId: shop.id, customerId: owner.id, productShopifyId },
        },
      });
    };
    const dueEvents = (shop: Shop) =>
      db.domainEvent.findMany({
        where: { shopId: shop.id, type: "replenishment.due" },
        orderBy: { occurredAt: "asc" },
      });

    beforeAll(async () => {
      for (const shop of [alpha, beta]) {
        for (const item of [coffee, grinder]) {
          await db.product.create({
            data: {
              shopId: shop.id,
              shopifyId: String(item.productId),
              title: item.title,
              handle: item.title.toLowerCase().replaceAll(" ", "-"),
              productType: item === coffee ? "Coffee" : "Equipment",
              vendor: "Roastery",
              status: "active",
              imageUrl: `https://cdn.example/${item.productId}.jpg`,
              shopifyUpdatedAt: new Date("2026-01-01T00:00:00Z"),
              variants: {
                create: {
                  shopId: shop.id,
                  shopifyId: String(item.variantId),
                  title: "Default Title",
                  priceMinor: Math.round(Number(item.price) * 100),
                },
              },
            },
          });
        }
      }
      // Eight customers rebuy coffee every ~30 days (± 5, seeded), four times each; each bought the
      // grinder once with their first coffee.
      const random = seededRandom(30);
      const history: unknown[] = [];
      for (let index = 0; index < 8; index += 1) {
        let at = new Date(clock.now().getTime() - (200 + index) * day);
        for (let purchase = 0; purchase < 4; purchase += 1) {
          if (purchase > 0) at = new Date(at.getTime() + (30 + (random() * 10 - 5)) * day);
          history.push(
            order(
              1 + index,
              at,
              purchase === 0
                ? [
                    { item: coffee, quantity: 1 },
                    { item: grinder, quantity: 1 },
                  ]
                : [{ item: coffee, quantity: 1 }],
            ),
          );
        }
      }
      // Someone bought a second grinder a month later: one pair is no pattern.
      history.push(order(9, new Date(clock.now().getTime() - 100 * day), [{ item: grinder, quantity: 1 }]));
      history.push(order(9, new Date(clock.now().getTime() - 70 * day), [{ item: grinder, quantity: 1 }]));
      await deliver(alpha, "orders/create", history);
      // The beta shop sells the same product ids, without any history.
      await deliver(beta, "orders/create", [
        order(1, new Date(clock.now().getTime() - 40 * day), [{ item: coffee, quantity: 1 }]),
        order(1, new Date(clock.now().getTime() - 10 * day), [{ item: coffee, quantity: 1 }]),
      ]);
    });

    it("learns the coffee's ~30-day interval (within 10 %) and no interval for the grinder", async () => {
      const learned = await db.productConsumption.findMany({
        where: { shopId: alpha.id },
        orderBy: { productShopifyId: "asc" },
      });
      expect(learned.map((row) => [row.productShopifyId, row.repeatPairs])).toEqual([
        ["101", 24],
        ["202", 1],
      ]);
      const interval = learned[0]?.learnedIntervalDays ?? 0;
      expect(Math.abs(interval - 30)).toBeLessThan(3);
      expect(learned[1]?.learnedIntervalDays).toBeNull();
      // Per shop: beta learned nothing from alpha's history.
      const betaLearned = await db.productConsumption.findMany({ where: { shopId: beta.id } });
      expect(betaLearned.every((row) => row.learnedIntervalDays === null)).toBe(true);
      expect(await db.replenishment.count({ where: { shopId: beta.id } })).toBe(0);
      expect(await db.replenishment.count({ where: { productShopifyId: "202" } })).toBe(0);
    });

    it("reminds at due − 3 days, not a minute before; quantity 2 doubles the interval", async () => {
      const learned = await db.productConsumption.findFirstOrThrow({
        where: { shopId: alpha.id, productShopifyId: "101" },
      });
      const interval = learned.learnedIntervalDays ?? 0;
      const boughtAt = clock.now();
      await deliver(alpha, "orders/create", [
        order(20, boughtAt, [
          { item: coffee, quantity: 1 },
          { item: grinder, quantity: 1 },
        ]),
        order(21, boughtAt, [{ item: coffee, quantity: 2 }]),
      ]);
      const single = await timerOf(alpha, 20);
      const double = await timerOf(alpha, 21);
      expect(await timerOf(alpha, 20, "202")).toBeNull();
      expect(single?.dueAt.getTime()).toBe(Math.round(boughtAt.getTime() + interval * day));
      expect(single?.remindAt.getTime()).toBe((single?.dueAt.getTime() ?? 0) - 3 * day);
      expect(double?.dueAt.getTime()).toBe(Math.round(boughtAt.getTime() + 2 * interval * day));
      expect(double?.quantity).toBe(2);

      const remindAt = single?.remindAt.getTime() ?? 0;
      const before = (await dueEvents(alpha)).length;
      clock.advance(remindAt - clock.now().getTime() - minute);
      await run();
      expect(await dueEvents(alpha)).toHaveLength(before);
      clock.advance(minute);
      await run();
      const events = await dueEvents(alpha);
      expect(events).toHaveLength(before + 1);
      const owner = await db.customer.findFirstOrThrow({ where: { shopId: alpha.id, shopifyId: "20" } });
      expect(events.at(-1)).toMatchObject({
        subjectId: owner.id,
        payload: {
          customerId: owner.id,
          productShopifyId: "101",
          variantShopifyId: "1011",
          quantity: 1,
          dueAt: single?.dueAt.toISOString(),
          remindAt: single?.remindAt.toISOString(),
          lastOrderId: single?.lastOrderId,
          reentryKey: "product:101",
        },
      });
      expect((await timerOf(alpha, 20))?.status).toBe("announced");
      // Announced once: later ticks do not repeat it.
      clock.advance(day);
      await run();
      expect(await dueEvents(alpha)).toHaveLength(before + 1);
      expect((await timerOf(alpha, 21))?.status).toBe("scheduled");
    });

    it("a rebuy before the reminder cancels it; a cancelled order takes its timer back", async () => {
      const boughtAt = clock.now();
      await deliver(alpha, "orders/create", [order(22, boughtAt, [{ item: coffee, quantity: 1 }])]);
      const first = await timerOf(alpha, 22);
      clock.advance(10 * day);
      await deliver(alpha, "orders/create", [order(22, clock.now(), [{ item: coffee, quantity: 1 }])]);
      const moved = await timerOf(alpha, 22);
      expect(moved?.id).toBe(first?.id);
      expect(moved?.remindAt.getTime()).toBeGreaterThan(first?.remindAt.getTime() ?? 0);
      clock.advance((first?.remindAt.getTime() ?? 0) - clock.now().getTime());
      await run();
      const owner = await db.customer.findFirstOrThrow({ where: { shopId: alpha.id, shopifyId: "22" } });
      const forOwner = async () => (await dueEvents(alpha)).filter((event) => event.subjectId === owner.id);
      expect(await forOwner()).toHaveLength(0);

      // Customer 23 buys once, then cancels: no timer is left.
      const cancelled = order(23, clock.now(), [{ item: coffee, quantity: 1 }]);
      await deliver(alpha, "orders/create", [cancelled]);
      expect(await timerOf(alpha, 23)).not.toBeNull();
      clock.advance(minute);
      await deliver(alpha, "orders/cancelled", [
        { ...cancelled, cancelled_at: clock.now().toISOString(), updated_at: clock.now().toISOString() },
      ]);
      expect(await timerOf(alpha, 23)).toBeNull();
    });

    it("writes what is bought together and the bestsellers, per shop (flow messages recommend from them)", async () => {
      // Today's daily run (the clock moved on) rewrote the insights.
      clock.advance(day);
      await run();
      const insight = async (shopId: string, kind: string, key: string) =>
        (await db.productInsight.findUnique({ where: { shopId_kind_key: { shopId, kind, key } } }))
          ?.productShopifyIds ?? null;
      expect(await insight(alpha.id, "bought_together", "101")).toEqual(["202"]);
      expect(await insight(alpha.id, "bestseller", "*")).toEqual(expect.arrayContaining(["101"]));
      // Beta's own orders never had the two together.
      expect(await insight(beta.id, "bought_together", "101")).toBeNull();
    });

    it("the merchant's override wins and an excluded product's timers go, at the next daily run", async () => {
      await expect(
        setProductConsumption(
          db,
          alpha.id,
          "202",
          { overrideIntervalDays: -1, excluded: false },
          clock.now(),
        ),
      ).rejects.toBeInstanceOf(IntelligenceInputError);
      await expect(
        setProductConsumption(
          db,
          alpha.id,
          "999",
          { overrideIntervalDays: 30, excluded: false },
          clock.now(),
        ),
      ).rejects.toThrow("No product 999 in this shop");
      await setProductConsumption(
        db,
        alpha.id,
        "202",
        { overrideIntervalDays: 365, excluded: false },
        clock.now(),
      );
      await setProductConsumption(
        db,
        alpha.id,
        "101",
        { overrideIntervalDays: null, excluded: true },
        clock.now(),
      );
      await expect(
        updateIntelligenceSettings(db, alpha.id, {
          atRiskMultiplier: 0,
          oneTimeFloorDays: 90,
          minimumRepeatPairs: 5,
          replenishmentLeadDays: 3,
        }),
      ).rejects.toBeInstanceOf(IntelligenceInputError);
      expect(
        await updateIntelligenceSettings(db, alpha.id, {
          atRiskMultiplier: 2,
          oneTimeFloorDays: 90,
          minimumRepeatPairs: 5,
          replenishmentLeadDays: 7,
        }),
      ).toMatchObject({ replenishmentLeadDays: 7 });
      clock.advance(day);
      await run();
      expect(await db.replenishment.count({ where: { shopId: alpha.id, productShopifyId: "101" } })).toBe(0);
      const grinderTimer = await timerOf(alpha, 20, "202");
      expect(grinderTimer).toMatchObject({ intervalDays: 365, status: "scheduled" });
      expect((grinderTimer?.dueAt.getTime() ?? 0) - (grinderTimer?.remindAt.getTime() ?? 0)).toBe(7 * day);
      // The other shop keeps its own (none).
      expect(await db.productConsumption.count({ where: { shopId: beta.id, excluded: true } })).toBe(0);
    });

    it("a redacted customer keeps no timers and no affinities", async () => {
      expect(await timerOf(alpha, 20, "202")).not.toBeNull();
      // A data request hands them their timers too.
      await deliver(alpha, "customers/data_request", [
        { shop_id: 1, shop_domain: alpha.domain, customer: { id: 20 }, data_request: { id: 7020 } },
      ]);
      const exported = await db.customerDataExport.findFirstOrThrow({ where: { shopId: alpha.id } });
      expect(exported.data).toMatchObject({
        replenishments: [{ productShopifyId: "202", intervalDays: 365 }],
      });
      await deliver(alpha, "customers/redact", [
        {
          shop_id: 1,
          shop_domain: alpha.domain,
          customer: { id: 20, email: "r20@example.com" },
          orders_to_redact: [],
        },
      ]);
      const redacted = await db.customer.findFirstOrThrow({ where: { shopId: alpha.id, shopifyId: "20" } });
      expect(redacted.redactedAt).not.toBeNull();
      expect(redacted.affinities).toBeNull();
      expect(await db.replenishment.count({ where: { customerId: redacted.id } })).toBe(0);
      // Others keep theirs.
      expect(
        await db.replenishment.count({ where: { shopId: alpha.id, productShopifyId: "202" } }),
      ).toBeGreaterThan(0);
    });

    it("two sweeps never announce the same reminder (SKIP LOCKED on PostgreSQL)", async () => {
      const owner = await db.customer.findFirstOrThrow({ where: { shopId: beta.id, shopifyId: "1" } });
      const at = clock.now();
      await db.replenishment.createMany({
        data: Array.from({ length: 50 }, (_, index) => ({
          shopId: beta.id,
          customerId: owner.id,
          productShopifyId: `p${index}`,
          lastOrderId: `o${index}`,
          lastPurchaseAt: new Date(at.getTime() - 30 * day),
          quantity: 1,
          intervalDays: 30,
          dueAt: at,
          remindAt: new Date(at.getTime() - 3 * day + index),
          updatedAt: at,
        })),
      });
      const connections = twoConnections();
      try {
        let taken = 0;
        for (;;) {
          const counts = await Promise.all(
            connections.map((sql) =>
              announceDueReplenishments(sql, { now: at, limit: 20, subscribers: [intelligenceSubscriber] }),
            ),
          );
          const total = counts.reduce((sum, count) => sum + count, 0);
          taken += total;
          if (total === 0) break;
        }
        expect(taken).toBe(50);
      } finally {
        await closeConnections(connections);
      }
      expect(await db.domainEvent.count({ where: { shopId: beta.id, type: "replenishment.due" } })).toBe(50);
      expect(await db.replenishment.count({ where: { shopId: beta.id, status: "announced" } })).toBe(50);
    });
  });
});
