// What advancing runs needs from the database, loaded a batch at a time on the batch path's
// connection (app/db/sql.ts): the runs' definitions, customers, shops and their time zones, whether
// each customer ordered since their run started, and the material of their messages (cart or order
// items, loyalty balance). One statement per kind of row, never one per run.
import type {
  Checkout,
  Customer,
  FlowRun,
  FlowVersion,
  LoyaltyMember,
  LoyaltyProgram,
  MessagingSettings,
  Order,
  OrderLine,
  Segment,
  Shop,
} from "@prisma/client";
import { z } from "zod";
import { decodeRow, encodeValue, selectWhereIn, type SqlTx } from "../db/sql";
import type { FromStored } from "../money/stored";
import type { ProfileFacts } from "./conditions";
import { segmentDefinition, segmentMatches, type CustomerFacts } from "../customers/segments";
import { cachedDefinition, segmentIdsOf, storedDefinition, type FlowDefinition } from "./definition";
import { discountsSchema, triggerFactsSchema, variantsSchema, type RunRow } from "./engine";
import { productMaterial, type ProductMaterial } from "./product-material";
import { orderEndsRun, type PurchaseCandidate, type RunPurchaseKeys } from "./purchases";

export type StoredCustomer = FromStored<Customer>;
export type StoredOrder = FromStored<Order>;

/** A FlowRun row (already decoded, e.g. by selectWhereIn) with its JSON columns checked. */
export function runOf(row: FromStored<FlowRun>): RunRow {
  return {
    ...row,
    variants: variantsSchema.parse(row.variants ?? {}),
    trigger: triggerFactsSchema.parse(row.trigger),
    discounts: row.discounts ? discountsSchema.parse(row.discounts) : null,
  };
}

/** A FlowRun row as a raw statement returned it. */
export function runRowOf(row: Record<string, unknown>): RunRow {
  return runOf(decodeRow<FromStored<FlowRun>>("FlowRun", row));
}

/** Items by their shop, in their order. */
export function groupByShop<T extends { shopId: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.shopId);
    if (group) group.push(item);
    else groups.set(item.shopId, [item]);
  }
  return groups;
}

export function purchaseKeysOf(run: RunRow): RunPurchaseKeys {
  return {
    customerId: run.customerId,
    email: run.email,
    checkoutToken: run.checkoutToken,
    since: run.since,
    triggerOrderId: run.trigger.orderId,
  };
}

export function profileOf(customer: StoredCustomer): ProfileFacts {
  return {
    lifecycleStage: customer.lifecycleStage,
    ordersCount: customer.ordersCount,
    totalSpentMinor: customer.totalSpentMinor,
    averageOrderValueMinor: customer.averageOrderValueMinor,
    countryCode: customer.countryCode,
    locale: customer.locale,
    tags: customer.tags,
    emailConsent: customer.emailConsent,
    smsConsent: customer.smsConsent,
    whatsappConsent: customer.whatsappConsent,
    valueBand: customer.valueBand,
    rfmSegment: customer.rfmSegment,
    rfmRecency: customer.rfmRecency,
    rfmFrequency: customer.rfmFrequency,
    rfmMonetary: customer.rfmMonetary,
    predictedClvMinor: customer.predictedClvMinor,
    typicalIntervalDays: customer.typicalIntervalDays,
  };
}

/** A customer a flow can still reach: not deleted, not redacted. */
export function isReachable(customer: StoredCustomer | undefined): customer is StoredCustomer {
  return Boolean(customer && !customer.deletedAt && !customer.redactedAt);
}

/** Definitions of the (flow, version) pairs, parsed once per process (versions never change). */
export async function definitionsFor(
  tx: SqlTx,
  pairs: readonly { flowId: string; version: number }[],
): Promise<Map<string, FlowDefinition>> {
  const definitions = new Map<string, FlowDefinition>();
  const missing = new Set<string>();
  for (const { flowId, version } of pairs) {
    const cached = cachedDefinition(flowId, version);
    if (cached) definitions.set(`${flowId}@${version}`, cached);
    else missing.add(`${flowId}@${version}`);
  }
  if (missing.size === 0) return definitions;
  const rows = await selectWhereIn<FlowVersion>(
    tx,
    "FlowVersion",
    "flowId",
    [...missing].map((key) => key.slice(0, key.lastIndexOf("@"))),
  );
  for (const row of rows) {
    const key = `${row.flowId}@${row.version}`;
    if (missing.has(key)) definitions.set(key, storedDefinition(row.flowId, row.version, row.definition));
  }
  return definitions;
}

/**
 * Orders that could end these runs (one shop's): by customer or e-mail since the earliest run
 * started, or of the runs' checkouts at any time. Three statements, whatever the number of runs.
 */
export async function purchaseCandidates(
  tx: SqlTx,
  shopId: string,
  runs: readonly RunPurchaseKeys[],
): Promise<PurchaseCandidate[]> {
  if (runs.length === 0) return [];
  const since = new Date(Math.min(...runs.map((run) => run.since.getTime())));
  const recent = {
    where: `"shopId" = ? AND "processedAt" >= ?`,
    parameters: [shopId, encodeValue(tx.provider, "DateTime", since)],
  };
  const found = [
    ...(await selectWhereIn<Order>(
      tx,
      "Order",
      "customerId",
      runs.map((run) => run.customerId),
      recent,
    )),
    ...(await selectWhereIn<Order>(
      tx,
      "Order",
      "email",
      runs.flatMap((run) => (run.email ? [run.email] : [])),
      recent,
    )),
    ...(await selectWhereIn<Order>(
      tx,
      "Order",
      "checkoutToken",
      runs.flatMap((run) => (run.checkoutToken ? [run.checkoutToken] : [])),
      { where: `"shopId" = ?`, parameters: [shopId] },
    )),
  ];
  const unique = new Map(found.map((order) => [order.id, order]));
  return [...unique.values()].map((order) => ({
    id: order.id,
    customerId: order.customerId,
    email: order.email,
    checkoutToken: order.checkoutToken,
    processedAt: order.processedAt,
  }));
}

function purchasedSince(candidates: readonly PurchaseCandidate[], run: RunPurchaseKeys): boolean {
  return candidates.some((order) => orderEndsRun(order, run));
}

/** The runs whose customer ordered since the run started (purchases.ts), by shop: three statements each. */
export async function purchasesOf(tx: SqlTx, runs: readonly RunRow[]): Promise<Set<string>> {
  const purchased = new Set<string>();
  for (const [shopId, shopRuns] of groupByShop(runs)) {
    const candidates = await purchaseCandidates(tx, shopId, shopRuns.map(purchaseKeysOf));
    for (const run of shopRuns) if (purchasedSince(candidates, purchaseKeysOf(run))) purchased.add(run.id);
  }
  return purchased;
}

const checkoutLineSchema = z.array(
  z.object({
    title: z.string(),
    variantTitle: z.string().nullable().optional(),
    quantity: z.number(),
    priceMinor: z.number(),
    imageUrl: z.string().nullable().optional(),
    productShopifyId: z.union([z.string(), z.number()]).transform(String).nullable().optional(),
    variantShopifyId: z.union([z.string(), z.number()]).transform(String).nullable().optional(),
  }),
);

/** An item as a message shows it (minor units of the cart's currency). */
export interface ShownItem {
  title: string;
  variantTitle: string | null;
  quantity: number;
  priceMinor: number;
  imageUrl: string | null;
  productShopifyId: string | null;
  variantShopifyId: string | null;
}

/** The order a run is about, as its messages show it. */
export interface ShownOrder {
  name: string;
  currency: string;
  lines: ShownItem[];
  fulfillmentStatus: string | null;
  processedAt: Date;
}

export interface MessageMaterial {
  shops: Map<string, FromStored<Shop>>;
  settings: Map<string, MessagingSettings>;
  customers: Map<string, StoredCustomer>;
  members: Map<string, FromStored<LoyaltyMember>>;
  checkouts: Map<string, FromStored<Checkout>>;
  /** Order id → its lines and currency. */
  orders: Map<string, ShownOrder>;
  programs: Map<string, FromStored<LoyaltyProgram>>;
  products: ProductMaterial;
}

export function checkoutItems(checkout: FromStored<Checkout>): ShownItem[] {
  const lines = checkoutLineSchema.safeParse(checkout.lineItems);
  if (!lines.success) return [];
  return lines.data.map((line) => ({
    title: line.title,
    variantTitle: line.variantTitle ?? null,
    quantity: line.quantity,
    priceMinor: line.priceMinor,
    imageUrl: line.imageUrl ?? null,
    productShopifyId: line.productShopifyId ?? null,
    variantShopifyId: line.variantShopifyId ?? null,
  }));
}

export async function shopsOf(tx: SqlTx, runs: readonly RunRow[]): Promise<Map<string, FromStored<Shop>>> {
  const shops = await selectWhereIn<Shop>(
    tx,
    "Shop",
    "id",
    runs.map((run) => run.shopId),
  );
  return new Map(shops.map((shop) => [shop.id, shop]));
}

/** What the messages of these runs show (only runs that send need it). */
export async function messageMaterial(
  tx: SqlTx,
  runs: readonly RunRow[],
  customers: Map<string, StoredCustomer>,
  shops: Map<string, FromStored<Shop>>,
): Promise<MessageMaterial> {
  const shopIds = [...new Set(runs.map((run) => run.shopId))];
  const orderIds = runs.flatMap((run) => (run.trigger.orderId ? [run.trigger.orderId] : []));
  const [settings, members, checkouts, orders, lines, programs] = [
    await selectWhereIn<MessagingSettings>(tx, "MessagingSettings", "shopId", shopIds),
    await selectWhereIn<LoyaltyMember>(
      tx,
      "LoyaltyMember",
      "customerId",
      runs.map((run) => run.customerId),
    ),
    await selectWhereIn<Checkout>(
      tx,
      "Checkout",
      "id",
      runs.flatMap((run) => (run.trigger.checkoutId ? [run.trigger.checkoutId] : [])),
    ),
    await selectWhereIn<Order>(tx, "Order", "id", orderIds),
    await selectWhereIn<OrderLine>(tx, "OrderLine", "orderId", orderIds),
    await selectWhereIn<LoyaltyProgram>(tx, "LoyaltyProgram", "shopId", shopIds),
  ];
  const orderItems = new Map<string, ShownOrder>();
  for (const order of orders)
    orderItems.set(order.id, {
      name: order.name,
      currency: order.currency,
      lines: [],
      fulfillmentStatus: order.fulfillmentStatus,
      processedAt: order.processedAt,
    });
  for (const line of lines) {
    orderItems.get(line.orderId)?.lines.push({
      title: line.title,
      variantTitle: line.variantTitle,
      quantity: line.quantity,
      priceMinor: line.priceMinor,
      imageUrl: null,
      productShopifyId: line.productShopifyId,
      variantShopifyId: line.variantShopifyId,
    });
  }
  const checkoutsById = new Map(checkouts.map((checkout) => [checkout.id, checkout]));
  const runProducts = new Map<string, string[]>();
  for (const run of runs) {
    const checkout = run.trigger.checkoutId ? checkoutsById.get(run.trigger.checkoutId) : undefined;
    const order = run.trigger.orderId ? orderItems.get(run.trigger.orderId) : undefined;
    const shown = checkout ? checkoutItems(checkout) : (order?.lines ?? []);
    runProducts.set(
      run.id,
      shown.flatMap((item) => (item.productShopifyId ? [item.productShopifyId] : [])),
    );
  }
  return {
    shops,
    settings: new Map(settings.map((row) => [row.shopId, row])),
    customers,
    members: new Map(members.map((member) => [`${member.shopId}:${member.customerId}`, member])),
    checkouts: checkoutsById,
    orders: orderItems,
    programs: new Map(programs.map((program) => [program.shopId, program])),
    products: await productMaterial(tx, runs, runProducts, customers),
  };
}

/**
 * The saved segments each customer is in, of those their flows refer to (R-CUS-4): one statement
 * for the segments and one for the members' tiers, only when some flow refers to a segment.
 * A segment of another shop, or one deleted since the flow was saved, has no members.
 */
export async function segmentMembership(
  tx: SqlTx,
  items: readonly { shopId: string; customerId: string; definition: FlowDefinition | undefined }[],
  customers: ReadonlyMap<string, StoredCustomer>,
  now: Date,
): Promise<Map<string, Set<string>>> {
  const membership = new Map<string, Set<string>>();
  const wanted = items.flatMap((item) => (item.definition ? segmentIdsOf(item.definition) : []));
  if (wanted.length === 0) return membership;
  const segments = new Map(
    (await selectWhereIn<Segment>(tx, "Segment", "id", wanted)).flatMap((row) => {
      const parsed = segmentDefinition.safeParse(row.definition);
      return parsed.success ? [[row.id, { shopId: row.shopId, definition: parsed.data }] as const] : [];
    }),
  );
  const tiers = new Map(
    (
      await selectWhereIn<LoyaltyMember>(
        tx,
        "LoyaltyMember",
        "customerId",
        items.map((item) => item.customerId),
      )
    ).map((member) => [member.customerId, member.tierId]),
  );
  for (const item of items) {
    const customer = customers.get(item.customerId);
    if (!customer || !item.definition) continue;
    const facts: CustomerFacts = { ...customer, loyaltyTierId: tiers.get(customer.id) ?? null };
    const member = membership.get(item.customerId) ?? new Set<string>();
    for (const id of segmentIdsOf(item.definition)) {
      const segment = segments.get(id);
      if (segment && segment.shopId === item.shopId && segmentMatches(segment.definition, facts, now))
        member.add(id);
    }
    membership.set(item.customerId, member);
  }
  return membership;
}
