// What the home page says about a shop's data: how much Stayloop knows about it so far.
import type { Database } from "../db/client";

export interface ShopOverview {
  customers: number;
  orders: number;
  products: number;
  openCheckouts: number;
  webhookDeliveries: number;
}

export async function shopOverview(
  db: Database,
  shop: { id: string; domain: string },
): Promise<ShopOverview> {
  const [customers, orders, products, openCheckouts, webhookDeliveries] = await Promise.all([
    db.customer.count({ where: { shopId: shop.id } }),
    db.order.count({ where: { shopId: shop.id } }),
    db.product.count({ where: { shopId: shop.id } }),
    db.checkout.count({ where: { shopId: shop.id, completedAt: null } }),
    db.webhookInbox.count({ where: { shopDomain: shop.domain } }),
  ]);
  return { customers, orders, products, openCheckouts, webhookDeliveries };
}
