// The daily intelligence run per shop (R-CUS-2…3, R-REPL): once per shop day (its time zone),
// claimed by compare-and-set on IntelligenceSettings.lastDailyRunAt, it relearns each product's
// consumption interval, rewrites the product insights, recomputes every customer in pages (rhythm,
// lifecycle stage as of today — announcing changes, so "at risk" and "lapsed" never go stale —
// affinities, replenishment timers), then scores every buyer against the shop's new quintile and
// tertile cut points and stores those for the per-event recomputation.
// A worker sweep (a few times an hour) schedules the run's job for each shop whose day has turned.
import type { IntelligenceSettings, ProductConsumption, ProductInsight } from "@prisma/client";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Clock } from "../../clock";
import { sqlConnectionOf } from "../../db/client";
import {
  decodeRow,
  encodeValue,
  insertRows,
  selectWhereIn,
  updateRows,
  type SqlConnection,
  type SqlTx,
} from "../../db/sql";
import type { DomainEventSubscriber } from "../../events/domain-events";
import { scheduleJobsOnce, type JobRequest } from "../../jobs/schedule";
import type { JobHandler, WorkerSweep } from "../../jobs/worker";
import { localDate } from "../../loyalty/daily";
import type { FromStored } from "../../money/stored";
import { bestsellers, boughtTogether, type InsightLine } from "./insights";
import { learnedInterval, type ProductPurchase } from "./replenishment";
import { dayMs } from "./rhythm";
import { shopAverages, shopCutPoints, predictedClvMinor } from "./scores";
import {
  intelligenceConfigOf,
  recomputeCustomers,
  scoredFields,
  type BuyerResult,
  type IntelligenceConfig,
} from "./store";

export const dailyIntelligenceJobKind = "intelligence.daily";
/** Customers recomputed per transaction by the daily run. */
export const dailyIntelligencePageSize = 500;
/** Orders of the last year feed "bought together"; of the last 90 days, bestsellers. */
const boughtTogetherDays = 365;
const bestsellerDays = 90;

export interface DailyIntelligenceOptions {
  clock: Clock;
  subscribers: readonly DomainEventSubscriber[];
  pageSize?: number;
}

/** The shop's local date at `at`; a zone this runtime does not know counts as UTC. */
export function shopDay(at: Date, timeZone: string): string {
  try {
    return localDate(at, timeZone);
  } catch {
    return at.toISOString().slice(0, 10);
  }
}

/** Whether the shop's local day has turned since its last run. */
export function dailyRunDue(lastRunAt: Date | null, now: Date, timeZone: string): boolean {
  return lastRunAt === null || shopDay(lastRunAt, timeZone) !== shopDay(now, timeZone);
}

/**
 * Claims today's run for the shop: lastDailyRunAt moves to `now` only if it still holds what was
 * read (compare-and-set), so of two workers one runs. Returns the previous value, or false.
 */
async function claimDailyRun(
  tx: SqlTx,
  shopId: string,
  timeZone: string,
  now: Date,
): Promise<{ previous: Date | null } | false> {
  await insertRows<IntelligenceSettings>(
    tx,
    "IntelligenceSettings",
    [
      {
        shopId,
        atRiskMultiplier: 2,
        oneTimeFloorDays: 90,
        minimumRepeatPairs: 5,
        replenishmentLeadDays: 3,
        scoreCutPoints: null,
        lastDailyRunAt: null,
        updatedAt: now,
      },
    ],
    { conflict: ["shopId"] },
  );
  const [settings] = await selectWhereIn<IntelligenceSettings>(tx, "IntelligenceSettings", "shopId", [
    shopId,
  ]);
  const previous = settings?.lastDailyRunAt ?? null;
  if (!dailyRunDue(previous, now, timeZone)) return false;
  const at = encodeValue(tx.provider, "DateTime", now);
  const changed =
    previous === null
      ? await tx.execute(
          `UPDATE "IntelligenceSettings" SET "lastDailyRunAt" = ? WHERE "shopId" = ? AND "lastDailyRunAt" IS NULL`,
          [at, shopId],
        )
      : await tx.execute(
          `UPDATE "IntelligenceSettings" SET "lastDailyRunAt" = ? WHERE "shopId" = ? AND "lastDailyRunAt" = ?`,
          [at, shopId, encodeValue(tx.provider, "DateTime", previous)],
        );
  return changed === 1 ? { previous } : false;
}

interface PurchaseLine extends InsightLine {
  customerId: string | null;
}

/** Every line of the shop's qualifying orders with a product (the few columns the run needs). */
async function purchaseLines(tx: SqlTx, shopId: string): Promise<PurchaseLine[]> {
  const rows = await tx.query<Record<string, unknown>>(
    `SELECT l."orderId" AS "orderId", l."productShopifyId" AS "productShopifyId", l.quantity AS quantity,
            o."customerId" AS "customerId", o."processedAt" AS "processedAt"
       FROM "OrderLine" l JOIN "Order" o ON o.id = l."orderId"
      WHERE o."shopId" = ? AND l."shopId" = ? AND o."cancelledAt" IS NULL AND l."productShopifyId" IS NOT NULL`,
    [shopId, shopId],
  );
  return rows.map((row) => {
    const decoded = decodeRow<{ processedAt: Date }>("Order", { processedAt: row.processedAt });
    return {
      orderId: String(row.orderId),
      productShopifyId: String(row.productShopifyId),
      quantity: Number(row.quantity),
      customerId: row.customerId === null ? null : String(row.customerId),
      purchasedAt: decoded.processedAt,
    };
  });
}

/** Relearns each bought product's interval; the merchant's override and exclusion stay. */
async function learnIntervals(
  tx: SqlTx,
  shopId: string,
  lines: readonly PurchaseLine[],
  config: IntelligenceConfig,
  now: Date,
): Promise<void> {
  const units = new Map<string, ProductPurchase & { productShopifyId: string }>();
  for (const line of lines) {
    if (!line.customerId) continue;
    const key = `${line.productShopifyId}\u0000${line.orderId}`;
    const purchase = units.get(key);
    if (purchase) purchase.quantity += line.quantity;
    else
      units.set(key, {
        productShopifyId: line.productShopifyId,
        customerId: line.customerId,
        orderId: line.orderId,
        purchasedAt: line.purchasedAt,
        quantity: line.quantity,
      });
  }
  const byProduct = new Map<string, ProductPurchase[]>();
  for (const purchase of units.values()) {
    const list = byProduct.get(purchase.productShopifyId) ?? [];
    list.push(purchase);
    byProduct.set(purchase.productShopifyId, list);
  }
  const stored = await selectWhereIn<ProductConsumption>(
    tx,
    "ProductConsumption",
    "productShopifyId",
    [...byProduct.keys()],
    { where: `"shopId" = ?`, parameters: [shopId] },
  );
  const storedById = new Map(stored.map((row) => [row.productShopifyId, row]));
  const rows: FromStored<ProductConsumption>[] = [...byProduct].map(([productShopifyId, purchases]) => {
    const learned = learnedInterval(purchases, config.minimumRepeatPairs);
    const previous = storedById.get(productShopifyId);
    return {
      id: previous?.id ?? randomUUID(),
      shopId,
      productShopifyId,
      learnedIntervalDays: learned.intervalDays,
      repeatPairs: learned.repeatPairs,
      overrideIntervalDays: previous?.overrideIntervalDays ?? null,
      excluded: previous?.excluded ?? false,
      computedAt: now,
      updatedAt: now,
    };
  });
  await insertRows<ProductConsumption>(tx, "ProductConsumption", rows, {
    conflict: ["shopId", "productShopifyId"],
    update: true,
  });
}

/** Rewrites the shop's "bought together" and bestseller insights. */
async function writeInsights(
  tx: SqlTx,
  shopId: string,
  lines: readonly PurchaseLine[],
  now: Date,
): Promise<void> {
  const recent = lines.filter(
    (line) => line.purchasedAt.getTime() >= now.getTime() - boughtTogetherDays * dayMs,
  );
  const products = await tx.query<Record<string, unknown>>(
    `SELECT "shopifyId", "productType" FROM "Product" WHERE "shopId" = ?`,
    [shopId],
  );
  const typeOf = new Map(
    products.map((row) => [String(row.shopifyId), row.productType === null ? null : String(row.productType)]),
  );
  const rows: FromStored<ProductInsight>[] = [];
  for (const [key, ids] of boughtTogether(recent))
    rows.push({
      id: randomUUID(),
      shopId,
      kind: "bought_together",
      key,
      productShopifyIds: ids,
      computedAt: now,
    });
  const since = new Date(now.getTime() - bestsellerDays * dayMs);
  for (const [key, ids] of bestsellers(recent, (id) => typeOf.get(id) ?? null, since))
    rows.push({ id: randomUUID(), shopId, kind: "bestseller", key, productShopifyIds: ids, computedAt: now });
  await tx.execute(
    `DELETE FROM "ProductInsight" WHERE "shopId" = ? AND kind IN ('bought_together', 'bestseller')`,
    [shopId],
  );
  await insertRows<ProductInsight>(tx, "ProductInsight", rows);
}

/** Recomputes every customer of the shop in pages; returns what it found for the buyers. */
async function recomputeAllCustomers(
  sql: SqlConnection,
  shopId: string,
  config: IntelligenceConfig,
  now: Date,
  options: DailyIntelligenceOptions,
): Promise<BuyerResult[]> {
  const pageSize = options.pageSize ?? dailyIntelligencePageSize;
  const buyers: BuyerResult[] = [];
  let cursor = "";
  for (;;) {
    const page = await sql.transaction(async (tx) => {
      const ids = await tx.query<{ id: string }>(
        `SELECT id FROM "Customer" WHERE "shopId" = ? AND id > ? ORDER BY id LIMIT ?`,
        [shopId, cursor, pageSize],
      );
      const result = await recomputeCustomers(
        tx,
        shopId,
        ids.map((row) => row.id),
        config,
        now,
        options.subscribers,
      );
      buyers.push(...result.buyers);
      return ids;
    });
    if (page.length < pageSize) return buyers;
    cursor = page.at(-1)?.id ?? cursor;
  }
}

/** Scores every buyer against the shop's new cut points and stores them. */
async function scoreShop(
  sql: SqlConnection,
  shopId: string,
  buyers: readonly BuyerResult[],
  config: IntelligenceConfig,
  now: Date,
  pageSize: number,
): Promise<void> {
  const totals = {
    netRevenueMinor: buyers.reduce((sum, buyer) => sum + buyer.netRevenueMinor, 0),
    orders: buyers.reduce((sum, buyer) => sum + buyer.ordersCount, 0),
    buyers: buyers.length,
    repeatBuyers: buyers.filter((buyer) => buyer.ordersCount >= 2).length,
  };
  const averages = shopAverages(totals);
  const points = shopCutPoints(
    buyers.map((buyer) => ({ ...buyer, predictedClvMinor: predictedClvMinor(buyer, averages, config) })),
    averages,
  );
  for (let start = 0; start < buyers.length; start += pageSize) {
    const rows = buyers.slice(start, start + pageSize).map((buyer) => ({
      id: buyer.customerId,
      ...scoredFields(buyer, points, config),
    }));
    await sql.transaction((tx) =>
      updateRows(tx, "Customer", rows, [
        "rfmRecency",
        "rfmFrequency",
        "rfmMonetary",
        "rfmSegment",
        "predictedClvMinor",
        "valueBand",
      ]),
    );
  }
  await sql.transaction((tx) =>
    tx.execute(`UPDATE "IntelligenceSettings" SET "scoreCutPoints" = ?, "updatedAt" = ? WHERE "shopId" = ?`, [
      encodeValue(tx.provider, "Json", points),
      encodeValue(tx.provider, "DateTime", now),
      shopId,
    ]),
  );
}

/**
 * Runs the shop's daily recomputation if its day has turned since the last run (and no other worker
 * took it); returns whether it ran. A run that fails hands the day back, so its retry runs again.
 */
export async function runDailyIntelligence(
  sql: SqlConnection,
  shopId: string,
  options: DailyIntelligenceOptions,
): Promise<boolean> {
  const now = options.clock.now();
  const shops = await sql.transaction((tx) =>
    tx.query<{ timezone: string; uninstalledAt: unknown }>(
      `SELECT timezone, "uninstalledAt" FROM "Shop" WHERE id = ?`,
      [shopId],
    ),
  );
  const shop = shops[0];
  if (!shop || shop.uninstalledAt !== null) return false;
  const claim = await sql.transaction((tx) => claimDailyRun(tx, shopId, shop.timezone, now));
  if (!claim) return false;
  try {
    const config = await sql.transaction(async (tx) => {
      const shopConfig = await intelligenceConfigOf(tx, shopId);
      const lines = await purchaseLines(tx, shopId);
      await learnIntervals(tx, shopId, lines, shopConfig, now);
      await writeInsights(tx, shopId, lines, now);
      return shopConfig;
    });
    const buyers = await recomputeAllCustomers(sql, shopId, config, now, options);
    await scoreShop(sql, shopId, buyers, config, now, options.pageSize ?? dailyIntelligencePageSize);
    return true;
  } catch (error) {
    await sql
      .transaction((tx) =>
        tx.execute(`UPDATE "IntelligenceSettings" SET "lastDailyRunAt" = ? WHERE "shopId" = ?`, [
          encodeValue(tx.provider, "DateTime", claim.previous),
          shopId,
        ]),
      )
      .catch(() => undefined);
    throw error;
  }
}

const dailyPayload = z.object({ day: z.string() });

/** The worker's handler for "intelligence.daily" jobs. */
export function dailyIntelligenceJobHandler(options: DailyIntelligenceOptions): JobHandler {
  return async (job, db) => {
    dailyPayload.parse(job.payload);
    await runDailyIntelligence(sqlConnectionOf(db), job.shopId, options);
  };
}

/** How often (clock time) the sweep looks for shops whose day has turned. */
export const dailyCheckEveryMs = 5 * 60_000;

/** Today's run of each shop with orders whose local day turned since its last run, as jobs. */
export async function dueDailyRuns(tx: SqlTx, now: Date): Promise<JobRequest[]> {
  const rows = await tx.query<Record<string, unknown>>(
    `SELECT s.id AS id, s.timezone AS timezone, i."lastDailyRunAt" AS "lastDailyRunAt"
       FROM "Shop" s LEFT JOIN "IntelligenceSettings" i ON i."shopId" = s.id
      WHERE s."uninstalledAt" IS NULL
        AND EXISTS (SELECT 1 FROM "Order" o WHERE o."shopId" = s.id)`,
  );
  const jobs: JobRequest[] = [];
  for (const row of rows) {
    const { lastDailyRunAt } = decodeRow<{ lastDailyRunAt: Date | null }>("IntelligenceSettings", {
      lastDailyRunAt: row.lastDailyRunAt,
    });
    const timeZone = String(row.timezone);
    if (!dailyRunDue(lastDailyRunAt, now, timeZone)) continue;
    const day = shopDay(now, timeZone);
    const shopId = String(row.id);
    jobs.push({
      shopId,
      kind: dailyIntelligenceJobKind,
      key: `${shopId}:${day}`,
      payload: { day },
      runAt: now,
    });
  }
  return jobs;
}

/** The worker's sweep that schedules due daily runs, a few times an hour of clock time. */
export function dailyIntelligenceSweep(): WorkerSweep {
  let lastCheck = Number.NEGATIVE_INFINITY;
  return async ({ sql, now }) => {
    if (Math.abs(now.getTime() - lastCheck) < dailyCheckEveryMs) return 0;
    lastCheck = now.getTime();
    const scheduled = await sql.transaction(async (tx) => {
      const due = await dueDailyRuns(tx, now);
      await scheduleJobsOnce(tx, due, now);
      return due.length;
    });
    // Counted as work, so the worker ticks again at once (and a test's drain goes on) to run them.
    return scheduled;
  };
}
