// Customer intelligence, the database side (docs/decisions/015-customer-intelligence.md): the
// shop's settings and one batch recomputation of some customers' own fields and replenishment
// timers, on a batch path's connection (app/db/sql.ts): a few statements per batch, whatever its size.
import { randomUUID } from "node:crypto";
import type {
  Customer,
  IntelligenceSettings,
  Order,
  OrderLine,
  Product,
  ProductConsumption,
  Replenishment,
} from "@prisma/client";
import { deleteWhereIn, insertRows, selectWhereIn, updateRows, type SqlTx } from "../../db/sql";
import {
  recordDomainEvents,
  type DomainEventInput,
  type DomainEventSubscriber,
} from "../../events/domain-events";
import type { FromStored } from "../../money/stored";
import type { LifecycleSettings } from "../lifecycle";
import { lifecycleChangedEvent } from "../profile";
import { affinitiesOf, type AffinityLine } from "./affinities";
import {
  replenishmentPlan,
  type Consumption,
  type ProductPurchase,
  type ReplenishmentPlan,
} from "./replenishment";
import { customerRhythm } from "./rhythm";
import {
  daysSince,
  predictedClvMinor,
  rfmScores,
  rfmSegment,
  valueBand,
  type BuyerFigures,
  type ScoreCutPoints,
} from "./scores";

type CustomerRow = FromStored<Customer>;
type OrderRow = FromStored<Order>;
type LineRow = FromStored<OrderLine>;
type ReplenishmentRow = FromStored<Replenishment>;

export interface IntelligenceConfig extends LifecycleSettings {
  minimumRepeatPairs: number;
  replenishmentLeadDays: number;
  cutPoints: ScoreCutPoints | null;
  lastDailyRunAt: Date | null;
}

export const defaultIntelligenceConfig: IntelligenceConfig = {
  atRiskMultiplier: 2,
  oneTimeFloorDays: 90,
  minimumRepeatPairs: 5,
  replenishmentLeadDays: 3,
  cutPoints: null,
  lastDailyRunAt: null,
};

function isCutPoints(value: unknown): value is ScoreCutPoints {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    ["recency", "frequency", "monetary", "clv"].every((key) => Array.isArray(record[key])) &&
    typeof record.averageOrderMinor === "number" &&
    typeof record.repeatShare === "number"
  );
}

/** The shop's intelligence settings, defaults where it has none. */
export async function intelligenceConfigOf(tx: SqlTx, shopId: string): Promise<IntelligenceConfig> {
  const [row] = await selectWhereIn<IntelligenceSettings>(tx, "IntelligenceSettings", "shopId", [shopId]);
  if (!row) return defaultIntelligenceConfig;
  return {
    atRiskMultiplier: row.atRiskMultiplier,
    oneTimeFloorDays: row.oneTimeFloorDays,
    minimumRepeatPairs: row.minimumRepeatPairs,
    replenishmentLeadDays: row.replenishmentLeadDays,
    cutPoints: isCutPoints(row.scoreCutPoints) ? row.scoreCutPoints : null,
    lastDailyRunAt: row.lastDailyRunAt,
  };
}

/** Net revenue of an order: subtotal less refunds, never below zero (as flow attribution counts it). */
export function netRevenueMinor(order: Pick<OrderRow, "subtotalMinor" | "refundedMinor">): number {
  return Math.max(0, order.subtotalMinor - order.refundedMinor);
}

/** What one recomputation found for a buyer: the daily run scores the shop from these. */
export interface BuyerResult extends BuyerFigures {
  customerId: string;
  typicalIntervalDays: number | null;
}

const intelligenceColumns = [
  "lifecycleStage",
  "typicalIntervalDays",
  "atRiskAt",
  "rfmRecency",
  "rfmFrequency",
  "rfmMonetary",
  "rfmSegment",
  "predictedClvMinor",
  "valueBand",
  "affinities",
  "intelligenceAt",
] as const satisfies readonly (keyof CustomerRow)[];

/** The scored fields of a buyer under the cut points (null scores without them). */
export function scoredFields(
  buyer: BuyerResult,
  points: ScoreCutPoints | null,
  settings: LifecycleSettings,
): Pick<
  CustomerRow,
  "rfmRecency" | "rfmFrequency" | "rfmMonetary" | "rfmSegment" | "predictedClvMinor" | "valueBand"
> {
  const averages = points ?? {
    averageOrderMinor: buyer.ordersCount > 0 ? buyer.netRevenueMinor / buyer.ordersCount : 0,
    repeatShare: 0,
  };
  const clv = predictedClvMinor(buyer, averages, settings);
  if (!points) {
    return {
      rfmRecency: null,
      rfmFrequency: null,
      rfmMonetary: null,
      rfmSegment: null,
      predictedClvMinor: clv,
      valueBand: null,
    };
  }
  const scores = rfmScores(buyer, points);
  return {
    rfmRecency: scores.recency,
    rfmFrequency: scores.frequency,
    rfmMonetary: scores.monetary,
    rfmSegment: rfmSegment(scores, buyer.ordersCount),
    predictedClvMinor: clv,
    valueBand: valueBand(clv, points.clv),
  };
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** Each product's purchases (units per order) among these orders and their lines. */
function purchasesByProduct(
  orders: readonly OrderRow[],
  lines: readonly LineRow[],
): Map<string, ProductPurchase[]> {
  const orderById = new Map(orders.map((order) => [order.id, order]));
  const units = new Map<string, ProductPurchase>();
  for (const line of lines) {
    const order = orderById.get(line.orderId);
    if (!order?.customerId || !line.productShopifyId) continue;
    const key = `${line.productShopifyId}\u0000${order.id}`;
    const purchase = units.get(key);
    if (purchase) purchase.quantity += line.quantity;
    else
      units.set(key, {
        customerId: order.customerId,
        orderId: order.id,
        purchasedAt: order.processedAt,
        quantity: line.quantity,
      });
  }
  const byProduct = new Map<string, ProductPurchase[]>();
  for (const [key, purchase] of units) {
    const product = key.slice(0, key.indexOf("\u0000"));
    const list = byProduct.get(product) ?? [];
    list.push(purchase);
    byProduct.set(product, list);
  }
  return byProduct;
}

export interface RecomputeResult {
  buyers: BuyerResult[];
  lifecycleChanges: number;
}

/**
 * Recomputes these customers of the shop (their rhythm, lifecycle stage, scores against the stored
 * cut points, predicted CLV, affinities, replenishment timers) from their qualifying orders, in the
 * caller's transaction; announces lifecycle changes. Customers not of this shop are ignored.
 */
export async function recomputeCustomers(
  tx: SqlTx,
  shopId: string,
  customerIds: readonly string[],
  config: IntelligenceConfig,
  now: Date,
  subscribers: readonly DomainEventSubscriber[],
): Promise<RecomputeResult> {
  const shopScope = { where: `"shopId" = ?`, parameters: [shopId] };
  const customers = await selectWhereIn<Customer>(tx, "Customer", "id", customerIds, {
    ...shopScope,
    lock: true,
  });
  if (customers.length === 0) return { buyers: [], lifecycleChanges: 0 };
  const ids = customers.map((customer) => customer.id);
  const orders = await selectWhereIn<Order>(tx, "Order", "customerId", ids, {
    where: `"shopId" = ? AND "cancelledAt" IS NULL`,
    parameters: [shopId],
  });
  const lines = await selectWhereIn<OrderLine>(
    tx,
    "OrderLine",
    "orderId",
    orders.map((order) => order.id),
    shopScope,
  );
  const productIds = [
    ...new Set(lines.flatMap((line) => (line.productShopifyId ? [line.productShopifyId] : []))),
  ];
  const products = await selectWhereIn<Product>(tx, "Product", "shopifyId", productIds, shopScope);
  const consumption = await selectWhereIn<ProductConsumption>(
    tx,
    "ProductConsumption",
    "productShopifyId",
    productIds,
    shopScope,
  );
  const existing = await selectWhereIn<Replenishment>(tx, "Replenishment", "customerId", ids, {
    ...shopScope,
    lock: true,
  });

  const productById = new Map(products.map((product) => [product.shopifyId, product]));
  const consumptionById = new Map<string, Consumption>(
    consumption.map((row) => [
      row.productShopifyId,
      {
        learnedIntervalDays: row.learnedIntervalDays,
        overrideIntervalDays: row.overrideIntervalDays,
        excluded: row.excluded,
      },
    ]),
  );
  const ordersByCustomer = groupBy(orders, (order) => order.customerId ?? "");
  const linesByOrder = groupBy(lines, (line) => line.orderId);
  const existingByKey = new Map(
    existing.map((row) => [`${row.customerId}\u0000${row.productShopifyId}`, row]),
  );

  const updates: CustomerRow[] = [];
  const events: DomainEventInput[] = [];
  const buyers: BuyerResult[] = [];
  const upserts: ReplenishmentRow[] = [];
  const keep = new Set<string>();
  for (const customer of customers) {
    const own = ordersByCustomer.get(customer.id) ?? [];
    const rhythm = customerRhythm(
      own.map((order) => order.processedAt),
      now,
      config,
    );
    const ownLines = own.flatMap((order) => linesByOrder.get(order.id) ?? []);
    let scored: ReturnType<typeof scoredFields> = {
      rfmRecency: null,
      rfmFrequency: null,
      rfmMonetary: null,
      rfmSegment: null,
      predictedClvMinor: null,
      valueBand: null,
    };
    if (own.length > 0) {
      const last = Math.max(...own.map((order) => order.processedAt.getTime()));
      const buyer: BuyerResult = {
        customerId: customer.id,
        recencyDays: daysSince(new Date(last), now),
        ordersCount: own.length,
        netRevenueMinor: own.reduce((sum, order) => sum + netRevenueMinor(order), 0),
        typicalIntervalDays: rhythm.typicalIntervalDays,
      };
      buyers.push(buyer);
      scored = scoredFields(buyer, config.cutPoints, config);
    }
    // A deleted or redacted customer keeps no affinities and gets no reminders: their timers go.
    const reachable = customer.deletedAt === null && customer.redactedAt === null;
    const affinityLines: AffinityLine[] = ownLines.map((line) => {
      const product = line.productShopifyId ? productById.get(line.productShopifyId) : undefined;
      return {
        quantity: line.quantity,
        productType: product?.productType ?? null,
        vendor: product?.vendor ?? null,
      };
    });
    updates.push({
      ...customer,
      lifecycleStage: rhythm.lifecycleStage,
      typicalIntervalDays: rhythm.typicalIntervalDays,
      atRiskAt: rhythm.atRiskAt,
      ...scored,
      affinities: own.length > 0 && reachable ? affinitiesOf(affinityLines) : null,
      intelligenceAt: now,
    });
    if (customer.lifecycleStage !== rhythm.lifecycleStage) {
      events.push(lifecycleChangedEvent(customer.id, customer.lifecycleStage, rhythm.lifecycleStage, now));
    }

    for (const [productShopifyId, purchases] of reachable ? purchasesByProduct(own, ownLines) : []) {
      const plan = replenishmentPlan(
        productShopifyId,
        purchases,
        consumptionById.get(productShopifyId),
        config.replenishmentLeadDays,
        now,
      );
      if (!plan) continue;
      const key = `${customer.id}\u0000${productShopifyId}`;
      keep.add(key);
      const row = replenishmentRow(shopId, customer.id, plan, existingByKey.get(key), now);
      if (row) upserts.push(row);
    }
  }
  await updateRows<CustomerRow>(tx, "Customer", updates, intelligenceColumns);
  await insertRows<Replenishment>(tx, "Replenishment", upserts, {
    conflict: ["shopId", "customerId", "productShopifyId"],
    update: true,
  });
  const gone = existing.filter((row) => !keep.has(`${row.customerId}\u0000${row.productShopifyId}`));
  await deleteWhereIn<Replenishment>(
    tx,
    "Replenishment",
    "id",
    gone.map((row) => row.id),
    shopScope,
  );
  await recordDomainEvents(tx, shopId, events, subscribers, now);
  return { buyers, lifecycleChanges: events.length };
}

/**
 * The row to write for a plan, or null when the stored one stands: the same purchase's reminder once
 * announced is not scheduled again (a changed interval must not remind twice), nor an unchanged one
 * rewritten. A new purchase (a rebuy) moves the timer: the pending reminder is gone with it.
 */
export function replenishmentRow(
  shopId: string,
  customerId: string,
  plan: ReplenishmentPlan,
  stored: ReplenishmentRow | undefined,
  now: Date,
): ReplenishmentRow | null {
  if (stored && stored.lastOrderId === plan.lastOrderId) {
    if (stored.status === "announced") return null;
    if (
      stored.remindAt.getTime() === plan.remindAt.getTime() &&
      stored.quantity === plan.quantity &&
      stored.intervalDays === plan.intervalDays
    )
      return null;
  }
  return {
    // The id stays: the announcement's dedupe key is per row and reminder time.
    id: stored?.id ?? randomUUID(),
    shopId,
    customerId,
    productShopifyId: plan.productShopifyId,
    lastOrderId: plan.lastOrderId,
    lastPurchaseAt: plan.lastPurchaseAt,
    quantity: plan.quantity,
    intervalDays: plan.intervalDays,
    dueAt: plan.dueAt,
    remindAt: plan.remindAt,
    status: "scheduled",
    announcedAt: null,
    updatedAt: now,
  };
}
