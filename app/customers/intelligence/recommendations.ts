// Product recommendations for messages (R-CART, R-BROWSE, R-WIN, R-REPL), read from the daily run's
// insights: what is bought together with the seed products, then the bestsellers of their product
// types, then the shop's bestsellers — never the seeds themselves, only products on sale. Seeds are
// the given products, or, without any, the customer's own past purchases (newest first).
// One call serves many requests (a batch of flow runs) with a fixed number of queries.
import type { Database } from "../../db/client";
import type { Tx } from "../../events/domain-events";
import { fromStoredInteger } from "../../money/stored";
import { allProductTypes } from "./insights";

export interface RecommendationRequest {
  productShopifyIds: readonly string[];
  customerId?: string | null;
  limit: number;
}

export interface RecommendedProduct {
  productShopifyId: string;
  variantShopifyId: string | null;
  title: string;
  handle: string;
  imageUrl: string | null;
  /** The first variant's price, in the shop's currency. */
  priceMinor: number | null;
  currency: string;
}

/** Past purchases read per customer as seeds. */
const seedLimit = 10;

function idsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((id): id is string => typeof id === "string") : [];
}

/** Recommendations for each request, in order (each at most `limit` products). */
export async function recommendationsForMany(
  db: Database | Tx,
  shopId: string,
  requests: readonly RecommendationRequest[],
): Promise<RecommendedProduct[][]> {
  if (requests.length === 0) return [];
  const shop = await db.shop.findUnique({ where: { id: shopId }, select: { currency: true } });
  if (!shop) return requests.map(() => []);

  const customerIds = [
    ...new Set(
      requests.flatMap((request) =>
        request.productShopifyIds.length === 0 && request.customerId ? [request.customerId] : [],
      ),
    ),
  ];
  const pastLines =
    customerIds.length === 0
      ? []
      : await db.orderLine.findMany({
          where: {
            shopId,
            productShopifyId: { not: null },
            order: { customerId: { in: customerIds }, cancelledAt: null },
          },
          select: { productShopifyId: true, order: { select: { customerId: true } } },
          orderBy: [{ order: { processedAt: "desc" } }, { id: "asc" }],
          take: customerIds.length * 50,
        });
  const pastByCustomer = new Map<string, string[]>();
  for (const line of pastLines) {
    const customerId = line.order.customerId;
    if (!customerId || !line.productShopifyId) continue;
    const list = pastByCustomer.get(customerId) ?? [];
    if (!list.includes(line.productShopifyId) && list.length < seedLimit) list.push(line.productShopifyId);
    pastByCustomer.set(customerId, list);
  }
  const seedsOf = requests.map((request) =>
    request.productShopifyIds.length > 0
      ? [...request.productShopifyIds]
      : request.customerId
        ? (pastByCustomer.get(request.customerId) ?? [])
        : [],
  );
  const allSeeds = [...new Set(seedsOf.flat())];
  const seedProducts = await db.product.findMany({
    where: { shopId, shopifyId: { in: allSeeds } },
    select: { shopifyId: true, productType: true },
  });
  const typeOf = new Map(
    seedProducts.map((product) => [product.shopifyId, product.productType?.trim() || null]),
  );
  const types = [
    ...new Set(
      seedProducts.flatMap((product) => (product.productType?.trim() ? [product.productType.trim()] : [])),
    ),
  ];
  const insights = await db.productInsight.findMany({
    where: {
      shopId,
      OR: [
        { kind: "bought_together", key: { in: allSeeds } },
        { kind: "bestseller", key: { in: [...types, allProductTypes] } },
      ],
    },
    select: { kind: true, key: true, productShopifyIds: true },
  });
  const insight = new Map(insights.map((row) => [`${row.kind}:${row.key}`, idsOf(row.productShopifyIds)]));

  const candidatesOf = seedsOf.map((seeds) => {
    const lists = [
      // Interleaved, so each seed's best companion comes before any seed's second.
      ...interleave(seeds.map((seed) => insight.get(`bought_together:${seed}`) ?? [])),
      ...interleave(
        [...new Set(seeds.map((seed) => typeOf.get(seed)).filter((type): type is string => !!type))].map(
          (type) => insight.get(`bestseller:${type}`) ?? [],
        ),
      ),
      ...(insight.get(`bestseller:${allProductTypes}`) ?? []),
    ];
    const excluded = new Set(seeds);
    return [...new Set(lists)].filter((id) => !excluded.has(id));
  });
  const candidates = [...new Set(candidatesOf.flat())];
  const products = await db.product.findMany({
    where: { shopId, shopifyId: { in: candidates }, OR: [{ status: null }, { status: "active" }] },
    select: {
      shopifyId: true,
      title: true,
      handle: true,
      imageUrl: true,
      variants: {
        orderBy: { id: "asc" },
        take: 1,
        select: { shopifyId: true, priceMinor: true, imageUrl: true },
      },
    },
  });
  const productById = new Map(products.map((product) => [product.shopifyId, product]));
  return requests.map((request, index) =>
    (candidatesOf[index] ?? [])
      .flatMap((id) => {
        const product = productById.get(id);
        if (!product) return [];
        const variant = product.variants[0];
        return [
          {
            productShopifyId: product.shopifyId,
            variantShopifyId: variant?.shopifyId ?? null,
            title: product.title,
            handle: product.handle,
            imageUrl: product.imageUrl ?? variant?.imageUrl ?? null,
            priceMinor: variant ? fromStoredInteger(variant.priceMinor) : null,
            currency: shop.currency,
          },
        ];
      })
      .slice(0, Math.max(0, request.limit)),
  );
}

/** Recommendations for one request. */
export async function recommendationsFor(
  db: Database | Tx,
  shopId: string,
  request: RecommendationRequest,
): Promise<RecommendedProduct[]> {
  const [result] = await recommendationsForMany(db, shopId, [request]);
  return result ?? [];
}

function interleave(lists: readonly (readonly string[])[]): string[] {
  const result: string[] = [];
  const longest = Math.max(0, ...lists.map((list) => list.length));
  for (let index = 0; index < longest; index += 1)
    for (const list of lists) if (index < list.length) result.push(list[index] as string);
  return result;
}
