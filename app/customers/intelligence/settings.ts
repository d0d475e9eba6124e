// What a merchant can change about customer intelligence: the shop's thresholds, and per product
// an own consumption interval or "not a consumable". Parsed whole (zod) or refused, nothing changed;
// the next daily run applies them to every customer (a changed interval moves pending reminders).
import { z } from "zod";
import type { Database } from "../../db/client";

export class IntelligenceInputError extends Error {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(message);
  }
}

export const intelligenceSettingsInput = z.object({
  atRiskMultiplier: z.number().min(1).max(10),
  oneTimeFloorDays: z.number().int().min(7).max(730),
  minimumRepeatPairs: z.number().int().min(2).max(1_000),
  replenishmentLeadDays: z.number().int().min(0).max(30),
});

export const productConsumptionInput = z.object({
  /** Days one unit lasts, or null to use the learned interval. */
  overrideIntervalDays: z.number().positive().max(730).nullable(),
  excluded: z.boolean(),
});

function parsed<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new IntelligenceInputError(
    `The ${what} are not valid`,
    result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
  );
}

export async function updateIntelligenceSettings(db: Database, shopId: string, input: unknown) {
  const data = parsed(intelligenceSettingsInput, input, "intelligence settings");
  return db.intelligenceSettings.upsert({
    where: { shopId },
    create: { shopId, ...data },
    update: data,
    select: {
      atRiskMultiplier: true,
      oneTimeFloorDays: true,
      minimumRepeatPairs: true,
      replenishmentLeadDays: true,
    },
  });
}

export async function setProductConsumption(
  db: Database,
  shopId: string,
  productShopifyId: string,
  input: unknown,
  now: Date,
) {
  const data = parsed(productConsumptionInput, input, "product's consumption settings");
  const product = await db.product.findUnique({
    where: { shopId_shopifyId: { shopId, shopifyId: productShopifyId } },
    select: { id: true },
  });
  if (!product)
    throw new IntelligenceInputError(`No product ${productShopifyId} in this shop`, [
      { path: "productShopifyId", message: "Unknown product" },
    ]);
  return db.productConsumption.upsert({
    where: { shopId_productShopifyId: { shopId, productShopifyId } },
    create: { shopId, productShopifyId, ...data, updatedAt: now },
    update: { ...data, updatedAt: now },
    select: {
      productShopifyId: true,
      learnedIntervalDays: true,
      repeatPairs: true,
      overrideIntervalDays: true,
      excluded: true,
    },
  });
}
