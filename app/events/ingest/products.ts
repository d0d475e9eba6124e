// Products and their variants, for message content and recommendations (R-EVT-7 backfill, and the
// same shape as products/* webhooks). An older `updated_at` never overwrites newer data (R-EVT-5).
import type { Product } from "@prisma/client";
import { toMinorUnits } from "../../money/money";
import type { ProductPayload } from "../payloads";
import type { IngestContext } from "./context";

function productFields(payload: ProductPayload) {
  return {
    title: payload.title,
    handle: payload.handle,
    vendor: payload.vendor ?? null,
    productType: payload.product_type ?? null,
    status: payload.status?.toLowerCase() ?? null,
    tags: payload.tags ?? "",
    imageUrl: payload.image?.src ?? null,
    shopifyUpdatedAt: payload.updated_at,
  };
}

function variantRows(context: IngestContext, productId: string, payload: ProductPayload) {
  const { shop } = context;
  const images = new Map((payload.images ?? []).map((image) => [image.id, image.src]));
  return payload.variants.map((variant) => ({
    shopId: shop.id,
    productId,
    shopifyId: variant.id,
    title: variant.title,
    sku: variant.sku ?? null,
    // Variant prices are in the shop's currency.
    priceMinor: toMinorUnits(variant.price, shop.currency),
    imageUrl: (variant.image_id ? images.get(variant.image_id) : undefined) ?? null,
  }));
}

async function replaceVariants(context: IngestContext, productId: string, payload: ProductPayload) {
  const { tx, shop } = context;
  const rows = variantRows(context, productId, payload);
  // A variant moved to this product must leave its old one first (variant ids are unique per shop).
  await tx.productVariant.deleteMany({
    where: { shopId: shop.id, OR: [{ productId }, { shopifyId: { in: rows.map((row) => row.shopifyId) } }] },
  });
  await tx.productVariant.createMany({ data: rows });
}

/** Applies a product payload; returns the stored product (unchanged when the payload is stale). */
export async function applyProduct(context: IngestContext, payload: ProductPayload): Promise<Product> {
  const { tx, shop } = context;
  const existing = await tx.product.findUnique({
    where: { shopId_shopifyId: { shopId: shop.id, shopifyId: payload.id } },
  });
  if (!existing) {
    const created = await tx.product.create({
      data: { shopId: shop.id, shopifyId: payload.id, ...productFields(payload) },
    });
    await replaceVariants(context, created.id, payload);
    return created;
  }
  // Compare-and-set in one statement: concurrent workers cannot put an older version back.
  const { count } = await tx.product.updateMany({
    where: { id: existing.id, shopifyUpdatedAt: { lt: payload.updated_at } },
    data: productFields(payload),
  });
  if (count === 0) return existing;
  await replaceVariants(context, existing.id, payload);
  return tx.product.findUniqueOrThrow({ where: { id: existing.id } });
}
