// Product insights from the shop's own orders (R-CUS-3), the pure part: "bought together" (other
// products in the same orders, by how many orders had both) and bestsellers (units sold in the
// window) per product type and shop-wide ("*").
export interface InsightLine {
  orderId: string;
  productShopifyId: string;
  quantity: number;
  purchasedAt: Date;
}

export const boughtTogetherSize = 5;
export const bestsellersSize = 10;
export const allProductTypes = "*";

function ranked(counts: Map<string, number>, size: number): string[] {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, size)
    .map(([productShopifyId]) => productShopifyId);
}

/** Per product, the products most often in the same order with it (top 5, ties by id). */
export function boughtTogether(lines: readonly InsightLine[]): Map<string, string[]> {
  const productsByOrder = new Map<string, Set<string>>();
  for (const line of lines) {
    const products = productsByOrder.get(line.orderId) ?? new Set<string>();
    products.add(line.productShopifyId);
    productsByOrder.set(line.orderId, products);
  }
  const pairs = new Map<string, Map<string, number>>();
  for (const products of productsByOrder.values()) {
    if (products.size < 2) continue;
    for (const product of products) {
      const counts = pairs.get(product) ?? new Map<string, number>();
      for (const other of products) if (other !== product) counts.set(other, (counts.get(other) ?? 0) + 1);
      pairs.set(product, counts);
    }
  }
  return new Map([...pairs].map(([product, counts]) => [product, ranked(counts, boughtTogetherSize)]));
}

/** Bestsellers by units since `since`, per product type and over all products ("*"). */
export function bestsellers(
  lines: readonly InsightLine[],
  productTypeOf: (productShopifyId: string) => string | null,
  since: Date,
): Map<string, string[]> {
  const units = new Map<string, Map<string, number>>();
  const add = (key: string, product: string, quantity: number) => {
    const counts = units.get(key) ?? new Map<string, number>();
    counts.set(product, (counts.get(product) ?? 0) + quantity);
    units.set(key, counts);
  };
  for (const line of lines) {
    if (line.purchasedAt < since || line.quantity <= 0) continue;
    add(allProductTypes, line.productShopifyId, line.quantity);
    const type = productTypeOf(line.productShopifyId)?.trim();
    if (type) add(type, line.productShopifyId, line.quantity);
  }
  return new Map([...units].map(([key, counts]) => [key, ranked(counts, bestsellersSize)]));
}
