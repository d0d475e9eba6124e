// Turns the GraphQL records of the backfill's bulk queries into the REST-shaped webhook payloads
// app/events/payloads.ts validates, so the backfill goes through exactly the ingest code webhooks
// use. GraphQL ids ("gid://shopify/Order/123") become "123"; money stays a decimal string in the
// shop's currency (`shopMoney`) until ingest turns it into minor units.
import { z } from "zod";
import {
  customerPayload,
  orderPayload,
  parsePayload,
  productPayload,
  type CustomerPayload,
  type OrderPayload,
  type ProductPayload,
} from "../events/payloads";
import type { BulkRecord } from "./bulk-operations";

/** "gid://shopify/Order/123" → "123". */
export function legacyId(gid: string): string {
  const match = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)$/.exec(gid);
  if (!match?.[1]) throw new Error(`"${gid}" is not a Shopify global id`);
  return match[1];
}

const gid = z.string().startsWith("gid://shopify/");

const moneyBag = z.object({ shopMoney: z.object({ amount: z.string(), currencyCode: z.string() }) });

const marketingConsent = {
  marketingState: z.string(),
  marketingOptInLevel: z.string().nullish(),
  marketingUpdatedAt: z.string().nullish(),
};

export const customerNode = z.object({
  id: gid,
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  tags: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  defaultEmailAddress: z.object({ emailAddress: z.string().nullish(), ...marketingConsent }).nullish(),
  defaultPhoneNumber: z.object({ phoneNumber: z.string().nullish(), ...marketingConsent }).nullish(),
  defaultAddress: z
    .object({ countryCodeV2: z.string().nullish(), provinceCode: z.string().nullish() })
    .nullish(),
});
export type CustomerNode = z.infer<typeof customerNode>;

export const lineItemNode = z.object({
  id: gid,
  title: z.string(),
  variantTitle: z.string().nullish(),
  sku: z.string().nullish(),
  quantity: z.number().int(),
  originalUnitPriceSet: moneyBag,
  totalDiscountSet: moneyBag.nullish(),
  product: z.object({ id: gid }).nullish(),
  variant: z.object({ id: gid }).nullish(),
});
export type LineItemNode = z.infer<typeof lineItemNode>;

export const orderNode = z.object({
  id: gid,
  name: z.string(),
  email: z.string().nullish(),
  createdAt: z.string(),
  updatedAt: z.string(),
  processedAt: z.string().nullish(),
  cancelledAt: z.string().nullish(),
  test: z.boolean().nullish(),
  sourceName: z.string().nullish(),
  customerLocale: z.string().nullish(),
  displayFinancialStatus: z.string().nullish(),
  displayFulfillmentStatus: z.string().nullish(),
  subtotalPriceSet: moneyBag.nullish(),
  totalPriceSet: moneyBag,
  totalDiscountsSet: moneyBag.nullish(),
  totalTaxSet: moneyBag.nullish(),
  totalShippingPriceSet: moneyBag.nullish(),
  customer: customerNode.nullish(),
});
export type OrderNode = z.infer<typeof orderNode>;

export const variantNode = z.object({
  id: gid,
  title: z.string(),
  sku: z.string().nullish(),
  price: z.string(),
});
export type VariantNode = z.infer<typeof variantNode>;

export const productNode = z.object({
  id: gid,
  title: z.string(),
  handle: z.string(),
  vendor: z.string().nullish(),
  productType: z.string().nullish(),
  status: z.string().nullish(),
  tags: z.array(z.string()),
  updatedAt: z.string(),
  featuredMedia: z
    .object({ preview: z.object({ image: z.object({ url: z.string() }).nullish() }).nullish() })
    .nullish(),
});
export type ProductNode = z.infer<typeof productNode>;

function consent(value: z.infer<z.ZodObject<typeof marketingConsent>> | null | undefined) {
  if (!value) return null;
  return {
    state: value.marketingState.toLowerCase(),
    opt_in_level: value.marketingOptInLevel?.toLowerCase() ?? null,
    consent_updated_at: value.marketingUpdatedAt ?? null,
  };
}

/** The REST JSON of a customer, before validation (it is also nested in orders). */
function customerJson(node: CustomerNode) {
  return {
    id: legacyId(node.id),
    email: node.defaultEmailAddress?.emailAddress ?? null,
    phone: node.defaultPhoneNumber?.phoneNumber ?? null,
    first_name: node.firstName ?? null,
    last_name: node.lastName ?? null,
    tags: node.tags.join(", "),
    created_at: node.createdAt,
    updated_at: node.updatedAt,
    default_address: node.defaultAddress
      ? {
          country_code: node.defaultAddress.countryCodeV2 ?? null,
          province_code: node.defaultAddress.provinceCode ?? null,
        }
      : null,
    email_marketing_consent: consent(node.defaultEmailAddress),
    sms_marketing_consent: consent(node.defaultPhoneNumber),
  };
}

/** REST-shaped customer (as customers/update sends it). */
export function customerPayloadFromNode(node: CustomerNode): CustomerPayload {
  return parsePayload(customerPayload, customerJson(node));
}

// REST reports an unfulfilled order as null and a partly fulfilled one as "partial".
const fulfillmentStatuses: Record<string, string | null> = {
  FULFILLED: "fulfilled",
  PARTIALLY_FULFILLED: "partial",
  UNFULFILLED: null,
};

function fulfillmentStatus(display: string | null | undefined): string | null {
  if (!display) return null;
  return display in fulfillmentStatuses ? (fulfillmentStatuses[display] ?? null) : display.toLowerCase();
}

/** REST-shaped order (as orders/updated sends it) from an order and its line items. */
export function orderPayloadFromNode(node: OrderNode, lineItems: readonly LineItemNode[]): OrderPayload {
  const currency = node.totalPriceSet.shopMoney.currencyCode;
  const amount = (bag: z.infer<typeof moneyBag> | null | undefined) => bag?.shopMoney.amount ?? null;
  return parsePayload(orderPayload, {
    id: legacyId(node.id),
    name: node.name,
    email: node.email ?? null,
    currency,
    subtotal_price: amount(node.subtotalPriceSet) ?? "0",
    total_price: node.totalPriceSet.shopMoney.amount,
    total_discounts: amount(node.totalDiscountsSet),
    total_tax: amount(node.totalTaxSet),
    total_shipping_price_set: node.totalShippingPriceSet
      ? {
          shop_money: {
            amount: node.totalShippingPriceSet.shopMoney.amount,
            currency_code: node.totalShippingPriceSet.shopMoney.currencyCode,
          },
        }
      : null,
    financial_status: node.displayFinancialStatus?.toLowerCase() ?? null,
    fulfillment_status: fulfillmentStatus(node.displayFulfillmentStatus),
    // The GraphQL order has no checkout token: a backfilled order does not complete a stored checkout.
    checkout_token: null,
    source_name: node.sourceName ?? null,
    customer_locale: node.customerLocale ?? null,
    created_at: node.createdAt,
    updated_at: node.updatedAt,
    processed_at: node.processedAt ?? null,
    cancelled_at: node.cancelledAt ?? null,
    test: node.test ?? null,
    customer: node.customer ? customerJson(node.customer) : null,
    line_items: lineItems.map((line) => ({
      id: legacyId(line.id),
      product_id: line.product ? legacyId(line.product.id) : null,
      variant_id: line.variant ? legacyId(line.variant.id) : null,
      title: line.title,
      variant_title: line.variantTitle ?? null,
      sku: line.sku ?? null,
      quantity: line.quantity,
      price: line.originalUnitPriceSet.shopMoney.amount,
      total_discount: amount(line.totalDiscountSet),
    })),
  });
}

/** REST-shaped product (as products/update sends it) from a product and its variants. */
export function productPayloadFromNode(node: ProductNode, variants: readonly VariantNode[]): ProductPayload {
  const imageUrl = node.featuredMedia?.preview?.image?.url ?? null;
  return parsePayload(productPayload, {
    id: legacyId(node.id),
    title: node.title,
    handle: node.handle,
    vendor: node.vendor ?? null,
    product_type: node.productType ?? null,
    status: node.status?.toLowerCase() ?? null,
    tags: node.tags.join(", "),
    updated_at: node.updatedAt,
    image: imageUrl ? { src: imageUrl } : null,
    variants: variants.map((variant) => ({
      id: legacyId(variant.id),
      title: variant.title,
      sku: variant.sku ?? null,
      price: variant.price,
    })),
  });
}

function children<T extends z.ZodType>(record: BulkRecord, type: string, schema: T): z.infer<T>[] {
  return (record.children[type] ?? []).map((child) => schema.parse(child.node));
}

/** Bulk record (customers query) → customer payload. */
export function customerFromRecord(record: BulkRecord): CustomerPayload {
  return customerPayloadFromNode(customerNode.parse(record.node));
}

/** Bulk record (orders query, line items as children) → order payload. */
export function orderFromRecord(record: BulkRecord): OrderPayload {
  return orderPayloadFromNode(orderNode.parse(record.node), children(record, "LineItem", lineItemNode));
}

/** Bulk record (products query, variants as children) → product payload. */
export function productFromRecord(record: BulkRecord): ProductPayload {
  return productPayloadFromNode(
    productNode.parse(record.node),
    children(record, "ProductVariant", variantNode),
  );
}
