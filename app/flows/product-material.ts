// The products a batch of flow messages shows (R-CART, R-BROWSE, R-WELCOME, R-REPL, R-WIN): the
// browsed or replenished product, recommendations from the shop's own orders ("bought together",
// bestsellers of the customer's favourite category, the shop's bestsellers), the newest products and
// what the customer viewed lately. Loaded for the whole batch with a few statements per shop; what
// a message picks from it is a pure function.
import type { BrowseEvent, Product, ProductInsight, ProductVariant } from "@prisma/client";
import { z } from "zod";
import { inList, selectWhereIn, type SqlTx } from "../db/sql";
import type { FromStored } from "../money/stored";
import type { RunRow } from "./engine";
import type { StoredCustomer } from "./run-data";

export interface StoredProduct {
  shopifyId: string;
  title: string;
  handle: string;
  imageUrl: string | null;
  priceMinor: number | null;
}

export interface ProductMaterial {
  /** `shopId:productShopifyId` → product. */
  products: Map<string, StoredProduct>;
  /** `shopId:kind:key` → product ids, best first (ProductInsight). */
  insights: Map<string, string[]>;
  /** shopId → the newest active products. */
  newest: Map<string, string[]>;
  /** customerId → products viewed lately, latest first. */
  viewed: Map<string, string[]>;
}

const triggerProductSchema = z
  .object({ productShopifyId: z.union([z.string(), z.number()]).transform(String) })
  .passthrough();
const affinitySchema = z
  .object({ categories: z.array(z.object({ name: z.string() })).default([]) })
  .passthrough();
const idsSchema = z.array(z.union([z.string(), z.number()]).transform(String));

/** The product a run is about (browse abandonment, replenishment), from its trigger. */
export function triggerProductOf(run: RunRow): string | null {
  const parsed = triggerProductSchema.safeParse(run.trigger.payload);
  return parsed.success ? parsed.data.productShopifyId : null;
}

/** The customer's favourite category (product type), from their order lines. */
export function favouriteCategoryOf(customer: StoredCustomer | undefined): string | null {
  const parsed = affinitySchema.safeParse(customer?.affinities);
  return parsed.success ? (parsed.data.categories[0]?.name ?? null) : null;
}

const newestPerShop = 6;
const viewedPerCustomer = 6;

/**
 * Loads what these runs' messages can show. `runProducts` are the products each run is about
 * already (cart or order lines); recommendations are looked up for them.
 */
export async function productMaterial(
  tx: SqlTx,
  runs: readonly RunRow[],
  runProducts: Map<string, string[]>,
  customers: Map<string, StoredCustomer>,
): Promise<ProductMaterial> {
  const material: ProductMaterial = {
    products: new Map(),
    insights: new Map(),
    newest: new Map(),
    viewed: new Map(),
  };
  const byShop = new Map<string, RunRow[]>();
  for (const run of runs) byShop.set(run.shopId, [...(byShop.get(run.shopId) ?? []), run]);
  for (const [shopId, shopRuns] of byShop) {
    const about = new Set<string>();
    const keys = new Set<string>(["*"]);
    for (const run of shopRuns) {
      const product = triggerProductOf(run);
      if (product) about.add(product);
      for (const id of runProducts.get(run.id) ?? []) about.add(id);
      const category = favouriteCategoryOf(customers.get(run.customerId));
      if (category) keys.add(category);
    }
    for (const id of about) keys.add(id);
    const insights = await selectWhereIn<ProductInsight>(tx, "ProductInsight", "key", [...keys], {
      where: `"shopId" = ?`,
      parameters: [shopId],
    });
    const wanted = new Set(about);
    for (const insight of insights) {
      const ids = idsSchema.safeParse(insight.productShopifyIds);
      if (!ids.success) continue;
      material.insights.set(`${shopId}:${insight.kind}:${insight.key}`, ids.data);
      for (const id of ids.data) wanted.add(id);
    }
    const newest = await tx.query<{ shopifyId: string }>(
      `SELECT "shopifyId" FROM "Product" WHERE "shopId" = ? AND (status IS NULL OR status = 'active')
       ORDER BY "createdAt" DESC, id DESC LIMIT ${newestPerShop}`,
      [shopId],
    );
    material.newest.set(
      shopId,
      newest.map((row) => String(row.shopifyId)),
    );
    for (const row of newest) wanted.add(String(row.shopifyId));
    const customerIds = [...new Set(shopRuns.map((run) => run.customerId))];
    const list = inList(tx, "customerId", "String", customerIds);
    const views = await tx.query<Pick<BrowseEvent, "customerId" | "productShopifyId"> & { at: unknown }>(
      `SELECT "customerId", "productShopifyId", MAX("occurredAt") AS at FROM "BrowseEvent"
       WHERE "shopId" = ? AND type = 'product_viewed' AND "productShopifyId" IS NOT NULL AND ${list.sql}
       GROUP BY "customerId", "productShopifyId" ORDER BY at DESC`,
      [shopId, ...list.parameters],
    );
    for (const view of views) {
      if (!view.customerId || !view.productShopifyId) continue;
      const seen = material.viewed.get(view.customerId) ?? [];
      if (seen.length < viewedPerCustomer) seen.push(view.productShopifyId);
      material.viewed.set(view.customerId, seen);
      wanted.add(view.productShopifyId);
    }
    const products = await selectWhereIn<Product>(tx, "Product", "shopifyId", [...wanted], {
      where: `"shopId" = ?`,
      parameters: [shopId],
    });
    const variants = await selectWhereIn<ProductVariant>(
      tx,
      "ProductVariant",
      "productId",
      products.map((product) => product.id),
    );
    const cheapest = new Map<string, FromStored<ProductVariant>>();
    for (const variant of variants) {
      const known = cheapest.get(variant.productId);
      if (!known || variant.priceMinor < known.priceMinor) cheapest.set(variant.productId, variant);
    }
    for (const product of products) {
      const variant = cheapest.get(product.id);
      material.products.set(`${shopId}:${product.shopifyId}`, {
        shopifyId: product.shopifyId,
        title: product.title,
        handle: product.handle,
        imageUrl: product.imageUrl ?? variant?.imageUrl ?? null,
        priceMinor: variant ? Number(variant.priceMinor) : null,
      });
    }
  }
  return material;
}

/** The products a message shows, resolved from ids (unknown or archived ones are left out). */
export function shownProducts(
  material: ProductMaterial,
  shopId: string,
  ids: readonly string[],
  limit: number,
  exclude: ReadonlySet<string> = new Set(),
): StoredProduct[] {
  const shown: StoredProduct[] = [];
  const seen = new Set(exclude);
  for (const id of ids) {
    if (shown.length >= limit) break;
    if (seen.has(id)) continue;
    seen.add(id);
    const product = material.products.get(`${shopId}:${id}`);
    if (product) shown.push(product);
  }
  return shown;
}

/** Recommendations for products a run is about: bought together with them first, then bestsellers. */
export function recommendationIds(
  material: ProductMaterial,
  shopId: string,
  about: readonly string[],
): string[] {
  return [
    ...about.flatMap((id) => material.insights.get(`${shopId}:bought_together:${id}`) ?? []),
    ...(material.insights.get(`${shopId}:bestseller:*`) ?? []),
  ];
}

/** Bestsellers of the customer's favourite category, else of the shop. */
export function bestsellerIds(material: ProductMaterial, shopId: string, category: string | null): string[] {
  return [
    ...(category ? (material.insights.get(`${shopId}:bestseller:${category}`) ?? []) : []),
    ...(material.insights.get(`${shopId}:bestseller:*`) ?? []),
  ];
}
