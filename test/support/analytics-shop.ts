// A generated shop for analytics tests and the benchmark: customers, orders over two years with
// cancellations, partial and full refunds, guest orders and orders placed exactly at a local
// midnight — written with batched inserts. Deterministic for a seed.
import { randomUUID } from "node:crypto";
import type { Database } from "../../app/db/client";

/** A small, seeded PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface GeneratedOrder {
  id: string;
  shopifyId: string;
  customerId: string | null;
  processedAt: Date;
  subtotalMinor: number;
  totalMinor: number;
  /** What happens to it later: refunds in minor units (in order), cancelled. */
  refunds: number[];
  cancelled: boolean;
}

export interface GeneratedShop {
  shopId: string;
  customerIds: string[];
  orders: GeneratedOrder[];
}

export interface ShopShape {
  domain: string;
  timezone: string;
  customers: number;
  orders: number;
  from: Date;
  to: Date;
  seed: number;
  /** Instants that are local midnights: some orders are placed exactly there. */
  midnights?: readonly number[];
}

/** Creates the shop and its customers and decides its orders (not inserted: see insertOrders). */
export async function generateShop(db: Database, shape: ShopShape): Promise<GeneratedShop> {
  const random = seededRandom(shape.seed);
  const shop = await db.shop.create({
    data: { domain: shape.domain, timezone: shape.timezone, currency: "EUR" },
  });
  const customerIds = Array.from({ length: shape.customers }, () => randomUUID());
  for (let start = 0; start < customerIds.length; start += 1_000) {
    await db.customer.createMany({
      data: customerIds.slice(start, start + 1_000).map((id, index) => ({
        id,
        shopId: shop.id,
        shopifyId: String(1_000_000 + start + index),
        email: `c${start + index}@${shape.domain}`,
        firstName: `C${start + index}`,
      })),
    });
  }
  const span = shape.to.getTime() - shape.from.getTime();
  const orders: GeneratedOrder[] = Array.from({ length: shape.orders }, (_, index) => {
    // A skew: a fifth of the customers place most repeat orders.
    const heavy = random() < 0.5;
    const pick = Math.floor(random() * (heavy ? customerIds.length / 5 : customerIds.length));
    const midnights = shape.midnights ?? [];
    const atMidnight = midnights.length > 0 && random() < 0.02;
    const placedAt = atMidnight
      ? (midnights[Math.floor(random() * midnights.length)] ?? shape.from.getTime())
      : shape.from.getTime() + Math.floor((random() * span) / 1000) * 1000;
    const subtotalMinor = 1_000 + Math.floor(random() * 19_000);
    const shipping = Math.floor(random() * 800);
    const tax = Math.floor(subtotalMinor * 0.21);
    const totalMinor = subtotalMinor + shipping + tax;
    const fate = random();
    const refunds: number[] = [];
    let cancelled = false;
    if (fate < 0.08) cancelled = true;
    else if (fate < 0.13) refunds.push(totalMinor);
    else if (fate < 0.2) refunds.push(1 + Math.floor(random() * (subtotalMinor - 1)));
    else if (fate < 0.22) {
      // Two partial refunds adding up to the whole order: fully refunded only after the second.
      const first = 1 + Math.floor(random() * (totalMinor - 2));
      refunds.push(first, totalMinor - first);
    } else if (fate < 0.24) refunds.push(subtotalMinor + Math.floor(shipping / 2)); // > subtotal, < total
    return {
      id: randomUUID(),
      shopifyId: String(5_000_000 + index),
      customerId: random() < 0.03 ? null : (customerIds[pick] ?? null),
      processedAt: new Date(placedAt),
      subtotalMinor,
      totalMinor,
      refunds,
      cancelled,
    };
  });
  return { shopId: shop.id, customerIds, orders };
}

/** Inserts orders as placed: not cancelled, nothing refunded yet. */
export async function insertOrders(db: Database, shopId: string, orders: readonly GeneratedOrder[]) {
  for (let start = 0; start < orders.length; start += 1_000) {
    await db.order.createMany({
      data: orders.slice(start, start + 1_000).map((order) => ({
        id: order.id,
        shopId,
        shopifyId: order.shopifyId,
        customerId: order.customerId,
        name: `#${order.shopifyId}`,
        currency: "EUR",
        subtotalMinor: order.subtotalMinor,
        totalMinor: order.totalMinor,
        processedAt: order.processedAt,
        shopifyUpdatedAt: order.processedAt,
      })),
    });
  }
}

/** The refund rows of an order (the intake also sets the order's refunded sum: their total). */
export function refundRows(shopId: string, order: GeneratedOrder) {
  return order.refunds.map((amountMinor, index) => ({
    shopId,
    shopifyId: `${order.shopifyId}-r${index}`,
    orderShopifyId: order.shopifyId,
    currency: "EUR",
    amountMinor,
    lineItems: [],
    processedAt: new Date(order.processedAt.getTime() + 86_400_000 * (index + 1)),
  }));
}
