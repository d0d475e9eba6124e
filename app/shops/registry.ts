// Shops that installed Stayloop. A shop row is created the first time it is seen (install or first
// admin visit) and is the owner of every other domain row.
import type { Shop } from "@prisma/client";
import type { Database } from "../db/client";
import type { Tx } from "../events/domain-events";

const myshopifyDomain = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

export function isShopDomain(domain: string): boolean {
  return myshopifyDomain.test(domain);
}

/** Shopify's id for a shop's offline (install-time) session, as the session storage keeps it. */
export function offlineSessionId(shopDomain: string): string {
  return `offline_${shopDomain}`;
}

export async function findOrCreateShop(db: Database | Tx, domain: string): Promise<Shop> {
  if (!isShopDomain(domain)) {
    throw new Error(`"${domain}" is not a *.myshopify.com shop domain`);
  }
  return db.shop.upsert({
    where: { domain },
    create: { domain },
    update: {},
  });
}

/**
 * The shop a webhook delivery belongs to, created the first time it is seen — unless shop/redact
 * erased it (null): a late delivery must not bring an erased shop back.
 */
export async function shopForDelivery(tx: Tx, domain: string): Promise<Shop | null> {
  const shop = await tx.shop.findUnique({ where: { domain } });
  if (shop) return shop;
  if (await tx.shopRedaction.findUnique({ where: { domain } })) return null;
  return findOrCreateShop(tx, domain);
}
