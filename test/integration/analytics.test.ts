// Analytics (issue 17, R-ANA-1…6): on a generated shop — 2,000 customers, 10,500 orders over two
// years with cancellations, partial and full refunds, guest orders and orders exactly at a local
// midnight, in a DST time zone — the rollups kept from a randomized run of more than 10,000 order
// events (out of order, duplicated, interleaved with cancellations and refunds) equal a rebuild
// from the raw tables, and every metric for several periods equals a straightforward SQL
// computation over the raw orders written here. A second shop's orders never leak into the first.
import { randomUUID } from "node:crypto";
import type { DomainEvent, Job, Order } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isoToDay } from "../../app/analytics/calendar";
import { rebuildShopAnalytics, rollupTables } from "../../app/analytics/rebuild";
import { retentionReport, type PeriodRetention } from "../../app/analytics/retention-report";
import { defaultAnalyticsSettings } from "../../app/analytics/rollups";
import { analyticsSubscription } from "../../app/analytics/subscriber";
import { sqlConnectionOf, type Database } from "../../app/db/client";
import { encodeValue, updateRows, type SqlConnection, type SqlTx } from "../../app/db/sql";
import type { FromStored } from "../../app/money/stored";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import {
  generateShop,
  insertOrders,
  refundRows,
  seededRandom,
  type GeneratedOrder,
  type GeneratedShop,
} from "../support/analytics-shop";

const zone = "Europe/Prague";
const workerId = "analytics-test";
const now = new Date("2026-12-04T12:00:00Z");

// Local midnights written out by hand (CET +01:00, CEST +02:00), not computed by app code.
const midnight = (iso: string) => Date.parse(iso);
const periods = [
  // January 2026.
  {
    from: "2026-01-01",
    to: "2026-02-01",
    start: "2026-01-01T00:00:00+01:00",
    end: "2026-02-01T00:00:00+01:00",
    startBack: "2025-01-01T00:00:00+01:00",
    endBack: "2025-02-01T00:00:00+01:00",
    yearBack: "2025-02-01T00:00:00+01:00",
  },
  // A year across summer time.
  {
    from: "2025-07-01",
    to: "2026-07-01",
    start: "2025-07-01T00:00:00+02:00",
    end: "2026-07-01T00:00:00+02:00",
    startBack: "2024-07-01T00:00:00+02:00",
    endBack: "2025-07-01T00:00:00+02:00",
    yearBack: "2025-07-01T00:00:00+02:00",
  },
  // The week the clocks go forward (2026-03-29 02:00).
  {
    from: "2026-03-29",
    to: "2026-04-05",
    start: "2026-03-29T00:00:00+01:00",
    end: "2026-04-05T00:00:00+02:00",
    startBack: "2025-03-29T00:00:00+01:00",
    endBack: "2025-04-05T00:00:00+02:00",
    yearBack: "2025-04-05T00:00:00+02:00",
  },
  // Half a year in the first year (few customers at its start).
  {
    from: "2025-03-15",
    to: "2025-09-15",
    start: "2025-03-15T00:00:00+01:00",
    end: "2025-09-15T00:00:00+02:00",
    startBack: "2024-03-15T00:00:00+01:00",
    endBack: "2024-09-15T00:00:00+02:00",
    yearBack: "2024-09-15T00:00:00+02:00",
  },
  // Longer than the activity window (549 days): lost customers are checked against all their
  // later spells, not only the next one.
  {
    from: "2025-03-01",
    to: "2026-09-01",
    start: "2025-03-01T00:00:00+01:00",
    end: "2026-09-01T00:00:00+02:00",
    startBack: "2024-03-01T00:00:00+01:00",
    endBack: "2025-09-01T00:00:00+02:00",
    yearBack: "2025-09-01T00:00:00+02:00",
  },
];
// Orders placed exactly at some of those midnights, so "(t − W, t]" is checked at both ends.
const boundaryMidnights = periods
  .flatMap((period) => [period.start, period.end, period.endBack])
  .map(midnight);

let testDatabase: TestDatabase;
let db: Database;
let sql: SqlConnection;
let shopA: GeneratedShop;
let shopB: GeneratedShop;

interface PendingEvent {
  event: DomainEvent;
  redelivered: boolean;
}

/** Events waiting for delivery, taken in random order: the worker gives no ordering guarantee. */
class EventRun {
  readonly pending: PendingEvent[] = [];
  delivered = 0;
  constructor(private readonly random: () => number) {}

  announce(shopId: string, type: string, subjectId: string, payload: Record<string, string> = {}) {
    this.pending.push({
      redelivered: false,
      event: {
        id: randomUUID(),
        shopId,
        type,
        subjectId,
        dedupeKey: `${type}:${subjectId}:${randomUUID()}`,
        payload,
        occurredAt: now,
        createdAt: now,
      },
    });
  }

  /** Delivers a random batch through the subscriber's batch path (real claimed jobs, marked done). */
  async deliver(size: number): Promise<void> {
    const batch: PendingEvent[] = [];
    while (batch.length < size && this.pending.length > 0) {
      const index = Math.floor(this.random() * this.pending.length);
      batch.push(...this.pending.splice(index, 1));
    }
    if (batch.length === 0) return;
    const jobs: Job[] = batch.map(({ event }) => ({
      id: randomUUID(),
      shopId: event.shopId,
      kind: "domain-event",
      key: `analytics:${event.id}:${randomUUID()}`,
      payload: { eventId: event.id, subscriber: "analytics" },
      runAt: now,
      status: "claimed",
      attempts: 1,
      maxAttempts: 8,
      claimedBy: workerId,
      claimedAt: now,
      lastError: null,
      finishedAt: null,
      createdAt: now,
      updatedAt: now,
    }));
    await db.job.createMany({ data: jobs.map((job) => ({ ...job, payload: job.payload ?? {} })) });
    const outcome = await analyticsSubscription().handleBatch?.(
      batch.map(({ event }, index) => ({ event, job: jobs[index] as Job })),
      { db, sql, workerId, now },
    );
    expect(outcome?.done).toHaveLength(batch.length);
    this.delivered += batch.length;
    // A tenth is delivered again later (a retried job), once.
    for (const item of batch) {
      if (!item.redelivered && this.random() < 0.1)
        this.pending.push({ event: item.event, redelivered: true });
    }
  }
}

async function snapshot(shopId: string): Promise<Record<string, unknown[]>> {
  const result: Record<string, unknown[]> = {};
  await sql.transaction(async (tx) => {
    for (const table of rollupTables) {
      const rows = await tx.query<Record<string, unknown>>(`SELECT * FROM "${table}" WHERE "shopId" = ?`, [
        shopId,
      ]);
      result[table] = rows
        .map((row) =>
          Object.fromEntries(
            Object.entries(row).map(([key, value]) => [
              key,
              typeof value === "bigint" ||
              (typeof value === "string" &&
                /^-?\d+$/.test(value) &&
                key !== "customerId" &&
                key !== "orderId")
                ? Number(value)
                : value,
            ]),
          ),
        )
        .map((row) => JSON.stringify(row, Object.keys(row).sort()))
        .sort();
    }
  });
  return result;
}

/** Applies what happens to the orders after they were placed, announcing each change (batched). */
async function applyFates(shop: GeneratedShop, orders: readonly GeneratedOrder[], run: EventRun) {
  const cancelled = orders.filter((order) => order.cancelled);
  await db.order.updateMany({
    where: { shopId: shop.shopId, id: { in: cancelled.map((order) => order.id) } },
    data: { cancelledAt: now },
  });
  for (const order of cancelled) run.announce(shop.shopId, "order.cancelled", order.id);
  const refunded = orders.filter((order) => order.refunds.length > 0);
  const refunds = refunded.flatMap((order) => refundRows(shop.shopId, order));
  await db.refund.createMany({ data: refunds });
  await sql.transaction((tx) =>
    updateRows<Order>(
      tx,
      "Order",
      refunded.map((order) => ({
        id: order.id,
        refundedMinor: order.refunds.reduce((sum, amount) => sum + amount, 0),
      })) as FromStored<Order>[],
      ["refundedMinor"],
    ),
  );
  for (const refund of refunds)
    run.announce(shop.shopId, "order.refunded", randomUUID(), {
      refundShopifyId: refund.shopifyId,
      orderShopifyId: refund.orderShopifyId,
    });
}

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  db = testDatabase.connect();
  sql = sqlConnectionOf(db);
  const shape = { from: new Date("2025-01-01T00:00:00Z"), to: new Date("2026-12-01T00:00:00Z") };
  shopA = await generateShop(db, {
    ...shape,
    domain: "analytics-a.myshopify.com",
    timezone: zone,
    customers: 2_000,
    orders: 10_500,
    seed: 17,
    midnights: boundaryMidnights,
  });
  shopB = await generateShop(db, {
    ...shape,
    domain: "analytics-b.myshopify.com",
    timezone: "UTC",
    customers: 60,
    orders: 300,
    seed: 71,
  });
  // NPS answers: shop A's over the two years, shop B's all promoters (they must not count for A).
  const random = seededRandom(5);
  await db.npsAnswer.createMany({
    data: [
      ...Array.from({ length: 400 }, (_, index) => ({
        shopId: shopA.shopId,
        customerId: shopA.customerIds[index % shopA.customerIds.length] ?? "",
        subjectKey: `order:${index}`,
        score: Math.floor(random() * 11),
        answeredAt: new Date(shape.from.getTime() + Math.floor(random() * 700) * 86_400_000),
        updatedAt: now,
      })),
      ...Array.from({ length: 50 }, (_, index) => ({
        shopId: shopB.shopId,
        customerId: shopB.customerIds[index % shopB.customerIds.length] ?? "",
        subjectKey: `order:${index}`,
        score: 10,
        answeredAt: new Date(shape.from.getTime() + index * 86_400_000 * 10),
        updatedAt: now,
      })),
    ],
  });
}, 300_000);

afterAll(async () => {
  await testDatabase?.drop();
});

describe(`analytics rollups on ${testProvider}`, () => {
  it("a randomized run of order events (out of order, duplicated) leaves exactly what a rebuild computes", async () => {
    const run = new EventRun(seededRandom(99));
    const random = seededRandom(3);
    for (const shop of [shopA, shopB]) {
      const chunkSize = 1_500;
      for (let start = 0; start < shop.orders.length; start += chunkSize) {
        const chunk = shop.orders.slice(start, start + chunkSize);
        await insertOrders(db, shop.shopId, chunk);
        for (const order of chunk) {
          run.announce(shop.shopId, "order.created", order.id);
          if (random() < 0.5) run.announce(shop.shopId, "order.paid", order.id);
        }
        await run.deliver(400);
        // Cancellations and refunds of earlier orders arrive while their creations may still wait.
        await applyFates(shop, shop.orders.slice(Math.max(0, start - chunkSize), start), run);
        await run.deliver(300);
      }
      await applyFates(shop, shop.orders.slice(Math.max(0, shop.orders.length - chunkSize)), run);
    }
    while (run.pending.length > 0) await run.deliver(250);
    expect(run.delivered).toBeGreaterThan(10_000);

    for (const shop of [shopA, shopB]) {
      const incremental = await snapshot(shop.shopId);
      expect(incremental.AnalyticsOrder?.length).toBeGreaterThan(shop === shopA ? 7_000 : 100);
      const rebuilt = await rebuildShopAnalytics(sql, shop.shopId);
      expect(rebuilt.orders).toBe(incremental.AnalyticsOrder?.length);
      expect(await snapshot(shop.shopId)).toEqual(incremental);
    }
  }, 600_000);

  describe("every metric equals a straightforward SQL computation over the raw orders", () => {
    const qualifying = `o."shopId" = ? AND o."customerId" IS NOT NULL AND o."cancelledAt" IS NULL AND NOT (o."refundedMinor" > 0 AND o."refundedMinor" >= o."totalMinor")`;
    const at = (tx: SqlTx, ms: number) => encodeValue(tx.provider, "DateTime", new Date(ms));
    const n = (value: unknown) => Number(value ?? 0);

    async function activeBetween(tx: SqlTx, shopId: string, after: number, until: number): Promise<number> {
      const [row] = await tx.query<{ count: unknown }>(
        `SELECT COUNT(DISTINCT o."customerId") AS "count" FROM "Order" o WHERE ${qualifying} AND o."processedAt" > ? AND o."processedAt" <= ?`,
        [shopId, at(tx, after), at(tx, until)],
      );
      return n(row?.count);
    }

    async function expectedFigures(tx: SqlTx, shopId: string, period: (typeof periods)[number]) {
      const start = midnight(period.start);
      const end = midnight(period.end);
      const atStart = await activeBetween(tx, shopId, midnight(period.startBack), start);
      const atEnd = await activeBetween(tx, shopId, midnight(period.endBack), end);
      const [acquired] = await tx.query<{ count: unknown }>(
        `SELECT COUNT(*) AS "count" FROM (SELECT o."customerId", MIN(o."processedAt") AS "first" FROM "Order" o WHERE ${qualifying} GROUP BY o."customerId") f WHERE f."first" >= ? AND f."first" < ?`,
        [shopId, at(tx, start), at(tx, end)],
      );
      const [retained] = await tx.query<{ count: unknown }>(
        `SELECT COUNT(DISTINCT o."customerId") AS "count" FROM "Order" o WHERE ${qualifying} AND o."processedAt" > ? AND o."processedAt" <= ?
           AND EXISTS (SELECT 1 FROM "Order" p WHERE p."shopId" = o."shopId" AND p."customerId" = o."customerId" AND p."cancelledAt" IS NULL
             AND NOT (p."refundedMinor" > 0 AND p."refundedMinor" >= p."totalMinor") AND p."processedAt" > ? AND p."processedAt" <= ?)`,
        [
          shopId,
          at(tx, midnight(period.startBack)),
          at(tx, start),
          at(tx, midnight(period.endBack)),
          at(tx, end),
        ],
      );
      const ordersIn = async (from: number, to: number, edges: "[)" | "(]" = "[)") => {
        const range =
          edges === "[)"
            ? `o."processedAt" >= ? AND o."processedAt" < ?`
            : `o."processedAt" > ? AND o."processedAt" <= ?`;
        const [row] = await tx.query<Record<string, unknown>>(
          `SELECT COUNT(*) AS "orders", SUM(CASE WHEN o."subtotalMinor" > o."refundedMinor" THEN o."subtotalMinor" - o."refundedMinor" ELSE 0 END) AS "revenue",
             COUNT(DISTINCT o."customerId") AS "customers"
           FROM "Order" o WHERE ${qualifying} AND ${range}`,
          [shopId, at(tx, from), at(tx, to)],
        );
        const [repeat] = await tx.query<{ count: unknown }>(
          `SELECT COUNT(*) AS "count" FROM (SELECT o."customerId" FROM "Order" o WHERE ${qualifying} AND o."processedAt" >= ? AND o."processedAt" < ? GROUP BY o."customerId" HAVING COUNT(*) >= 2) r`,
          [shopId, at(tx, from), at(tx, to)],
        );
        return {
          orders: n(row?.orders),
          revenue: n(row?.revenue),
          customers: n(row?.customers),
          repeat: n(repeat?.count),
        };
      };
      const inPeriod = await ordersIn(start, end);
      const lifetime = await ordersIn(0, end);
      // CLV's year is the activity window before the period's end: (end − 365 days, end].
      const year = await ordersIn(midnight(period.yearBack), end, "(]");
      const [nps] = await tx.query<Record<string, unknown>>(
        `SELECT SUM(CASE WHEN "score" >= 9 THEN 1 ELSE 0 END) AS "promoters", SUM(CASE WHEN "score" <= 6 THEN 1 ELSE 0 END) AS "detractors", COUNT(*) AS "answers"
         FROM "NpsAnswer" WHERE "shopId" = ? AND "answeredAt" >= ? AND "answeredAt" < ?`,
        [shopId, at(tx, start), at(tx, end)],
      );
      return {
        atStart,
        atEnd,
        acquired: n(acquired?.count),
        retained: n(retained?.count),
        inPeriod,
        lifetime,
        year,
        nps: { promoters: n(nps?.promoters), detractors: n(nps?.detractors), answers: n(nps?.answers) },
      };
    }

    const rate = (numerator: number, denominator: number) =>
      denominator === 0 ? null : Math.round((numerator * 10_000) / denominator) / 100;

    it.each(periods.map((period) => [`${period.from} … ${period.to}`, period] as const))(
      "%s",
      async (_, period) => {
        const figures = await sql.transaction(async (tx) => {
          const expected = await expectedFigures(tx, shopA.shopId, period);
          const report = await retentionReport(tx, {
            shopId: shopA.shopId,
            zone,
            settings: defaultAnalyticsSettings,
            periods: [{ from: isoToDay(period.from), to: isoToDay(period.to) }],
            now,
          });
          return { expected, actual: report.periods[0] as PeriodRetention };
        });
        const { expected: e, actual } = figures;
        expect(e.atStart + e.atEnd).toBeGreaterThan(0);
        expect(actual).toMatchObject({
          customersAtStart: e.atStart,
          customersAtEnd: e.atEnd,
          newCustomers: e.acquired,
          retainedCustomers: e.retained,
          lostCustomers: e.atStart - e.retained,
          customerRetentionRate: rate(e.atEnd - e.acquired, e.atStart),
          churnRate: rate(e.atStart - e.retained, e.atStart),
          orders: e.inPeriod.orders,
          revenueMinor: e.inPeriod.revenue,
          customers: e.inPeriod.customers,
          repeatCustomers: e.inPeriod.repeat,
          repeatPurchaseRate: rate(e.inPeriod.repeat, e.inPeriod.customers),
          lifetimeCustomers: e.lifetime.customers,
          lifetimeRepeatCustomers: e.lifetime.repeat,
          lifetimeRepeatPurchaseRate: rate(e.lifetime.repeat, e.lifetime.customers),
          averageOrderValueMinor:
            e.inPeriod.orders === 0 ? null : Math.round(e.inPeriod.revenue / e.inPeriod.orders),
          purchaseFrequency:
            e.inPeriod.customers === 0
              ? null
              : Math.round((e.inPeriod.orders * 100) / e.inPeriod.customers) / 100,
          yearOrders: e.year.orders,
          yearRevenueMinor: e.year.revenue,
          yearCustomers: e.year.customers,
          // 36 months × 30 % = AOV × frequency × 3 × 0.3 = revenue / customers × 0.9.
          customerLifetimeValueMinor: Math.round((e.year.revenue * 9) / (e.year.customers * 10)),
          nps: {
            promoters: e.nps.promoters,
            detractors: e.nps.detractors,
            answers: e.nps.answers,
            score: rate(e.nps.promoters - e.nps.detractors, e.nps.answers),
          },
        });
      },
      120_000,
    );

    it("the monthly CRR/churn series and the lifetime totals", async () => {
      // The year period's series: July 2025 … June 2026. Months' first midnights carry summer time
      // from April to October; a year back is the same date (no 29 February in between).
      const iso = (year: number, month: number) => {
        const offset = month >= 4 && month <= 10 ? "+02:00" : "+01:00";
        return `${year}-${String(month).padStart(2, "0")}-01T00:00:00${offset}`;
      };
      const months = Array.from({ length: 12 }, (_, index) => {
        const year = 2025 + Math.floor((6 + index) / 12);
        const month = ((6 + index) % 12) + 1;
        const nextYear = month === 12 ? year + 1 : year;
        const next = month === 12 ? 1 : month + 1;
        return {
          label: `${year}-${String(month).padStart(2, "0")}`,
          from: `${year}-${String(month).padStart(2, "0")}-01`,
          to: `${nextYear}-${String(next).padStart(2, "0")}-01`,
          start: iso(year, month),
          end: iso(nextYear, next),
          startBack: iso(year - 1, month),
          endBack: iso(nextYear - 1, next),
          yearBack: iso(nextYear - 1, next),
        };
      });
      const { expected, report } = await sql.transaction(async (tx) => ({
        expected: await Promise.all(months.map((month) => expectedFigures(tx, shopA.shopId, month))),
        report: await retentionReport(tx, {
          shopId: shopA.shopId,
          zone,
          settings: defaultAnalyticsSettings,
          periods: [{ from: isoToDay("2025-07-01"), to: isoToDay("2026-07-01") }],
          now,
        }),
      }));
      expect(report.series.map((point) => point.month)).toEqual(months.map((month) => month.label));
      for (const [index, point] of report.series.entries()) {
        const e = expected[index];
        if (!e) throw new Error("no expected figures");
        expect(point, point.month).toMatchObject({
          customersAtStart: e.atStart,
          customersAtEnd: e.atEnd,
          newCustomers: e.acquired,
          customerRetentionRate: rate(e.atEnd - e.acquired, e.atStart),
          churnRate: rate(e.atStart - e.retained, e.atStart),
          orders: e.inPeriod.orders,
          revenueMinor: e.inPeriod.revenue,
        });
      }
      // Some months lose customers, so the churn above is not trivially zero.
      expect(expected.filter((e) => e.atStart - e.retained > 0).length).toBeGreaterThan(6);

      const lifetime = expected[0]?.lifetime;
      const all = await sql.transaction(async (tx) => {
        const [row] = await tx.query<Record<string, unknown>>(
          `SELECT COUNT(*) AS "orders", SUM(CASE WHEN o."subtotalMinor" > o."refundedMinor" THEN o."subtotalMinor" - o."refundedMinor" ELSE 0 END) AS "revenue",
             COUNT(DISTINCT o."customerId") AS "customers" FROM "Order" o WHERE ${qualifying}`,
          [shopA.shopId],
        );
        const [repeat] = await tx.query<{ count: unknown }>(
          `SELECT COUNT(*) AS "count" FROM (SELECT o."customerId" FROM "Order" o WHERE ${qualifying} GROUP BY o."customerId" HAVING COUNT(*) >= 2) r`,
          [shopA.shopId],
        );
        return {
          orders: n(row?.orders),
          revenue: n(row?.revenue),
          customers: n(row?.customers),
          repeat: n(repeat?.count),
        };
      });
      expect(lifetime?.customers).toBeLessThan(all.customers);
      expect(report.lifetimeTotals).toEqual({
        customers: all.customers,
        repeatCustomers: all.repeat,
        orders: all.orders,
        revenueMinor: all.revenue,
      });
      expect(report.customersWithOrders).toBe(all.customers);
    }, 120_000);

    it("cohorts: first-order month × share ordering again in month +1 … +12", async () => {
      const rows = await sql.transaction((tx) =>
        tx.query<Record<string, unknown>>(
          `SELECT o."customerId", o."processedAt" FROM "Order" o WHERE ${qualifying}`,
          [shopA.shopId],
        ),
      );
      const monthFormat = new Intl.DateTimeFormat("en-CA", {
        timeZone: zone,
        year: "numeric",
        month: "2-digit",
      });
      const monthIndex = (value: unknown) => {
        const instant =
          value instanceof Date
            ? value
            : new Date(
                String(value).includes("T") || String(value).includes("+")
                  ? String(value)
                  : `${String(value).replace(" ", "T")}Z`,
              );
        const [year, month] = monthFormat.format(instant).split("-").map(Number);
        return (year ?? 0) * 12 + (month ?? 1) - 1;
      };
      const months = new Map<string, Set<number>>();
      for (const row of rows) {
        const id = String(row.customerId);
        const set = months.get(id) ?? new Set<number>();
        set.add(monthIndex(row.processedAt));
        months.set(id, set);
      }
      const current = 2026 * 12 + 11; // December 2026
      const last = 2026 * 12 + 5; // June 2026, the year period's last month
      const expected: { month: string; customers: number; retention: (number | null)[] }[] = [];
      for (let cohort = last - 11; cohort <= last; cohort += 1) {
        const members = [...months.values()].filter((set) => Math.min(...set) === cohort);
        if (members.length === 0) continue;
        expected.push({
          month: `${Math.floor(cohort / 12)}-${String((cohort % 12) + 1).padStart(2, "0")}`,
          customers: members.length,
          retention: Array.from({ length: 12 }, (_, index) =>
            cohort + index + 1 > current
              ? null
              : rate(members.filter((set) => set.has(cohort + index + 1)).length, members.length),
          ),
        });
      }
      const report = await sql.transaction((tx) =>
        retentionReport(tx, {
          shopId: shopA.shopId,
          zone,
          settings: defaultAnalyticsSettings,
          periods: [{ from: isoToDay("2025-07-01"), to: isoToDay("2026-07-01") }],
          now,
        }),
      );
      expect(expected.length).toBe(12);
      expect(report.cohorts).toEqual(expected);
    });
  });
});
