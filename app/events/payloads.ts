// zod schemas for the webhook payloads Stayloop reads, shaped like Shopify's (REST-style JSON:
// money as decimal strings, ids as numbers, snake_case). Unknown fields are ignored; missing
// required ones or wrong types fail the delivery with a message naming the field (R-EVT-6).
import { z } from "zod";

/** Shopify ids: numbers in JSON (large ones arrive as strings, see parseWebhookJson). */
export const shopifyId = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+$/, "expected a numeric id")])
  .transform((value) => String(value));

// ISO 8601 as Shopify writes it: a calendar date, optionally a time and an offset.
const isoTimestamp =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Earliest instant a stored timestamp may have: nothing Shopify sends predates 1970. */
export const earliestTimestamp = new Date(Date.UTC(1970, 0, 1));
/** How far past the clock's now a timestamp may lie (clock skew), checked by parsePayload. */
export const futureTimestampLeewayMs = 24 * 60 * 60 * 1000;

/** A real calendar date and time of day: `Date.parse` reads 2024-02-30 as March 1 without a word. */
function isCalendarTimestamp(value: string): boolean {
  const match = isoTimestamp.exec(value);
  if (!match) return false;
  const [year, month, day, hour = 0, minute = 0, second = 0] = match
    .slice(1, 7)
    .map((part) => (part === undefined ? undefined : Number(part))) as [
    number,
    number,
    number,
    number?,
    number?,
    number?,
  ];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59
  );
}

const timestamp = z
  .string()
  .refine(isCalendarTimestamp, "expected an ISO 8601 timestamp with a real calendar date")
  .transform((value) => new Date(value))
  .refine((date) => !Number.isNaN(date.getTime()), "expected an ISO 8601 timestamp")
  .refine((date) => date >= earliestTimestamp, "a timestamp before 1970 is not plausible");

// Amounts in these payloads are never negative (refunds and discounts are positive amounts too).
const decimal = z.union([
  z.string().regex(/^\d+(\.\d+)?$/, 'expected a non-negative decimal amount such as "12.50"'),
  z
    .number()
    .nonnegative("expected a non-negative amount")
    .transform((value) => String(value)),
]);

/** Shopify keeps customer names in 255-character fields. */
const personName = z.string().max(255, "longer than Shopify allows (255 characters)");
/** RFC 5321 caps an address at 254 characters. */
const emailAddress = z.string().max(254, "longer than an e-mail address can be (254 characters)");

const consentState = z.string().transform((value) => value.toLowerCase());

export const marketingConsentPayload = z
  .object({
    state: consentState,
    opt_in_level: z.string().nullish(),
    consent_updated_at: z.string().nullish(),
  })
  .nullish();

const addressPayload = z
  .object({ country_code: z.string().nullish(), province_code: z.string().nullish() })
  .nullish();

export const customerPayload = z.object({
  id: shopifyId,
  email: emailAddress.nullish(),
  phone: z.string().max(64).nullish(),
  first_name: personName.nullish(),
  last_name: personName.nullish(),
  tags: z.string().nullish(),
  currency: z.string().nullish(),
  created_at: timestamp.nullish(),
  updated_at: timestamp,
  default_address: addressPayload,
  email_marketing_consent: marketingConsentPayload,
  sms_marketing_consent: marketingConsentPayload,
});
export type CustomerPayload = z.infer<typeof customerPayload>;

export const customerDeletePayload = z.object({ id: shopifyId });

const moneySet = z.object({ shop_money: z.object({ amount: decimal, currency_code: z.string() }) }).nullish();

export const orderLinePayload = z.object({
  id: shopifyId,
  product_id: shopifyId.nullish(),
  variant_id: shopifyId.nullish(),
  title: z.string(),
  variant_title: z.string().nullish(),
  sku: z.string().nullish(),
  quantity: z.number().int().nonnegative(),
  price: decimal,
  total_discount: decimal.nullish(),
});

export const orderPayload = z.object({
  id: shopifyId,
  name: z.string(),
  email: z.string().nullish(),
  currency: z.string().length(3),
  subtotal_price: decimal,
  total_price: decimal,
  total_discounts: decimal.nullish(),
  total_tax: decimal.nullish(),
  total_shipping_price_set: moneySet,
  financial_status: z.string().nullish(),
  fulfillment_status: z.string().nullish(),
  checkout_token: z.string().nullish(),
  source_name: z.string().nullish(),
  customer_locale: z.string().nullish(),
  created_at: timestamp,
  updated_at: timestamp,
  processed_at: timestamp.nullish(),
  cancelled_at: timestamp.nullish(),
  test: z.boolean().nullish(),
  customer: customerPayload.nullish(),
  shipping_address: z
    .object({
      address1: z.string().nullish(),
      address2: z.string().nullish(),
      zip: z.string().nullish(),
      country_code: z.string().nullish(),
    })
    .nullish(),
  line_items: z.array(orderLinePayload),
});
export type OrderPayload = z.infer<typeof orderPayload>;

export const checkoutLinePayload = z.object({
  title: z.string(),
  variant_title: z.string().nullish(),
  quantity: z.number().int().nonnegative(),
  price: decimal,
  product_id: shopifyId.nullish(),
  variant_id: shopifyId.nullish(),
  sku: z.string().nullish(),
});

export const checkoutPayload = z.object({
  id: shopifyId,
  token: z.string().min(1),
  email: z.string().nullish(),
  phone: z.string().nullish(),
  currency: z.string().length(3),
  subtotal_price: decimal,
  total_price: decimal,
  abandoned_checkout_url: z.string().nullish(),
  customer_locale: z.string().nullish(),
  created_at: timestamp,
  updated_at: timestamp,
  completed_at: timestamp.nullish(),
  customer: customerPayload.nullish(),
  line_items: z.array(checkoutLinePayload),
});
export type CheckoutPayload = z.infer<typeof checkoutPayload>;

export const refundPayload = z.object({
  id: shopifyId,
  order_id: shopifyId,
  created_at: timestamp,
  processed_at: timestamp.nullish(),
  refund_line_items: z.array(
    z.object({
      line_item_id: shopifyId,
      quantity: z.number().int().nonnegative(),
      subtotal: decimal.nullish(),
      total_tax: decimal.nullish(),
    }),
  ),
  transactions: z.array(
    z.object({
      amount: decimal,
      kind: z.string(),
      status: z.string(),
      currency: z.string().length(3).nullish(),
    }),
  ),
});
export type RefundPayload = z.infer<typeof refundPayload>;

export const customersDataRequestPayload = z.object({
  shop_domain: z.string(),
  customer: z.object({ id: shopifyId, email: z.string().nullish(), phone: z.string().nullish() }),
  orders_requested: z.array(shopifyId).nullish(),
  data_request: z.object({ id: shopifyId }).nullish(),
});

export const customersRedactPayload = z.object({
  shop_domain: z.string(),
  customer: z.object({ id: shopifyId, email: z.string().nullish(), phone: z.string().nullish() }),
  orders_to_redact: z.array(shopifyId).nullish(),
});

export const shopRedactPayload = z.object({ shop_domain: z.string() });

/**
 * JSON.parse, keeping ids beyond 2^53 exact: Shopify ids are 64-bit integers, and a JavaScript
 * number would silently round them. Integers of 16 or more digits outside strings (only ids are
 * that long; money is sent as strings) are turned into strings before parsing.
 */
export function parseWebhookJson(text: string): unknown {
  if (!/\d{16}/.test(text)) return JSON.parse(text);
  let result = "";
  let copiedUpTo = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 92 /* \ */) index += 1;
      else if (char === 34 /* " */) inString = false;
      continue;
    }
    if (char === 34) {
      inString = true;
      continue;
    }
    if (char >= 48 && char <= 57) {
      let end = index;
      while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end += 1;
      const next = text[end];
      if (end - index >= 16 && next !== "." && next !== "e" && next !== "E" && text[index - 1] !== "-") {
        result += `${text.slice(copiedUpTo, index)}"${text.slice(index, end)}"`;
        copiedUpTo = end;
      }
      index = end - 1;
    }
  }
  return JSON.parse(result + text.slice(copiedUpTo));
}

export class PayloadError extends Error {}

/**
 * Validates a payload, or throws a PayloadError naming every problem by its path. With `now`
 * (the injected clock's), a timestamp more than a day ahead of it is a problem too: a stored
 * `updated_at` of 9999-12-31 would make every later real update look older and be ignored.
 */
export function parsePayload<T extends z.ZodType>(schema: T, value: unknown, now?: Date): z.infer<T> {
  const result = schema.safeParse(value);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
  if (result.success && now) {
    const latest = now.getTime() + futureTimestampLeewayMs;
    for (const [path, date] of datesIn(result.data, [])) {
      if (date.getTime() > latest)
        problems.push(`${path.join(".")}: more than a day after now is not plausible`);
    }
  }
  if (problems.length === 0 && result.success) return result.data as z.infer<T>;
  throw new PayloadError(`invalid payload — ${problems.join("; ")}`);
}

function* datesIn(value: unknown, path: (string | number)[]): Generator<[(string | number)[], Date]> {
  if (value instanceof Date) yield [path, value];
  else if (Array.isArray(value))
    for (const [index, item] of value.entries()) yield* datesIn(item, [...path, index]);
  else if (typeof value === "object" && value !== null)
    for (const [key, item] of Object.entries(value)) yield* datesIn(item, [...path, key]);
}

const productVariantPayload = z.object({
  id: shopifyId,
  title: z.string(),
  sku: z.string().nullish(),
  price: decimal,
  image_id: shopifyId.nullish(),
});

/** products/create and products/update, and the backfill's products (R-EVT-7). */
export const productPayload = z.object({
  id: shopifyId,
  title: z.string(),
  handle: z.string(),
  vendor: z.string().nullish(),
  product_type: z.string().nullish(),
  status: z.string().nullish(),
  tags: z.string().nullish(),
  updated_at: timestamp,
  image: z.object({ src: z.string() }).nullish(),
  images: z.array(z.object({ id: shopifyId, src: z.string() })).nullish(),
  variants: z.array(productVariantPayload),
});
export type ProductPayload = z.infer<typeof productPayload>;
