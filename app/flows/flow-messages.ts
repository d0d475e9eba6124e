// A send step's message for one run: the step's template rendered in the customer's language with
// what the run is about (the cart as it is now, or the order), the customer, the shop and their
// points, queued in the outbox under the run's step key (so the same step is one message).
import { composeMessage } from "../messaging/compose";
import { channelOrderOf, flowStepMessageKey, type QueuedMessage } from "../messaging/outbox";
import { z } from "zod";
import { npsLinks } from "../customers/nps";
import { tierRulesOf } from "../loyalty/program";
import {
  chooseLocale,
  formatMoney,
  templateLocales,
  type TemplateLoyalty,
  type TemplateProduct,
  type TemplateVariables,
} from "../messaging/templates";
import { unsubscribeUrl } from "../messaging/tracking-links";
import type { FlowDefinition } from "./definition";
import { latestDiscountCode } from "./discounts";
import type { RunRow, SendDecision } from "./engine";
import {
  bestsellerIds,
  favouriteCategoryOf,
  recommendationIds,
  shownProducts,
  triggerProductOf,
  type StoredProduct,
} from "./product-material";
import { checkoutItems, type MessageMaterial, type ShownItem } from "./run-data";

/** Where links in messages point (the app's public URL and the link-signing secret). */
export interface FlowMessageLinks {
  baseUrl: string;
  secret: string;
}

function productUrl(shopUrl: string, product: StoredProduct): string {
  return `${shopUrl}/products/${encodeURIComponent(product.handle)}`;
}

function shownProduct(
  product: StoredProduct,
  shopUrl: string,
  currency: string,
  locale: string,
): TemplateProduct {
  return {
    title: product.title,
    url: productUrl(shopUrl, product),
    image_url: product.imageUrl,
    price: product.priceMinor === null ? "" : formatMoney(product.priceMinor, currency, locale),
  };
}

function itemsOf(
  items: readonly ShownItem[],
  context: {
    currency: string;
    locale: string;
    url: string;
    shopUrl: string;
    product: (id: string) => StoredProduct | undefined;
  },
) {
  return items.map((item) => {
    // Carts and orders do not carry images: the product's image shows the item.
    const product = item.productShopifyId ? context.product(item.productShopifyId) : undefined;
    return {
      title: item.title,
      variant_title: item.variantTitle,
      quantity: item.quantity,
      image_url: item.imageUrl ?? product?.imageUrl ?? null,
      url: context.url,
      price: formatMoney(item.priceMinor, context.currency, context.locale),
      price_minor: item.priceMinor,
    };
  });
}

const payloadSchema = z
  .object({
    variantShopifyId: z.union([z.string(), z.number()]).transform(String).nullable().optional(),
    quantity: z.number().int().min(1).max(1000).optional(),
    points: z.union([z.number(), z.string()]).transform(Number).optional(),
    expiresAt: z.string().optional(),
    rewardName: z.string().optional(),
    pointsCost: z.union([z.number(), z.string()]).transform(Number).optional(),
  })
  .passthrough();

/** A cart permalink: `/cart/VARIANT:QUANTITY,…` puts the items in the cart in one click. */
function reorderUrl(shopUrl: string, lines: readonly { variant: string; quantity: number }[]): string {
  if (lines.length === 0) return "";
  return `${shopUrl}/cart/${lines.map((line) => `${encodeURIComponent(line.variant)}:${line.quantity}`).join(",")}`;
}

function loyaltyOf(
  run: RunRow,
  material: MessageMaterial,
  payload: z.infer<typeof payloadSchema> | null,
  locale: string,
  zone: string,
): TemplateLoyalty {
  const program = material.programs.get(run.shopId);
  const member = material.members.get(`${run.shopId}:${run.customerId}`);
  const tiers = program ? (tierRulesOf(program)?.tiers ?? []) : [];
  const index = tiers.findIndex((tier) => tier.id === member?.tierId);
  const expires = payload?.expiresAt ? new Date(payload.expiresAt) : null;
  return {
    enabled: program?.enabled ?? false,
    signup_points: program && program.signupPoints > 0 ? program.signupPoints : null,
    tier_name: index >= 0 ? (tiers[index]?.name ?? null) : null,
    next_tier_name: tiers[index + 1]?.name ?? null,
    expiring_points: payload?.points !== undefined && Number.isFinite(payload.points) ? payload.points : null,
    expires_on:
      expires && !Number.isNaN(expires.getTime())
        ? new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: zone }).format(expires)
        : null,
    reward_name: payload?.rewardName ?? null,
    reward_points:
      payload?.pointsCost !== undefined && Number.isFinite(payload.pointsCost) ? payload.pointsCost : null,
  };
}

/** The template variables of a run's message. */
export function runVariables(
  run: RunRow,
  material: MessageMaterial,
  messageId: string,
  links: FlowMessageLinks | null,
): TemplateVariables {
  const shop = material.shops.get(run.shopId);
  const customer = material.customers.get(run.customerId);
  if (!shop || !customer) throw new Error(`run ${run.id}: shop or customer not loaded`);
  const locale = customer.locale ?? shop.locale;
  const zone = customer.timezone ?? shop.timezone;
  const shopUrl = `https://${shop.domain}`;
  const checkout = run.trigger.checkoutId ? material.checkouts.get(run.trigger.checkoutId) : undefined;
  const order = run.trigger.orderId ? material.orders.get(run.trigger.orderId) : undefined;
  const currency = checkout?.currency ?? order?.currency ?? customer.currency ?? shop.currency;
  const checkoutUrl = checkout?.abandonedCheckoutUrl ?? shopUrl;
  const products = material.products;
  const productById = (id: string) => products.products.get(`${run.shopId}:${id}`);
  const lines = checkout ? checkoutItems(checkout) : (order?.lines ?? []);
  const items = itemsOf(lines, {
    currency,
    locale,
    url: checkout ? checkoutUrl : shopUrl,
    shopUrl,
    product: productById,
  });
  const show = (ids: readonly string[], exclude: ReadonlySet<string> = new Set()) =>
    shownProducts(products, run.shopId, ids, 3, exclude).map((product) =>
      shownProduct(product, shopUrl, shop.currency, locale),
    );
  const triggerProduct = triggerProductOf(run);
  const about = [
    ...(triggerProduct ? [triggerProduct] : []),
    ...lines.flatMap((line) => (line.productShopifyId ? [line.productShopifyId] : [])),
  ];
  const aboutSet = new Set(about);
  const payload = payloadSchema.safeParse(run.trigger.payload);
  const facts = payload.success ? payload.data : null;
  const product = triggerProduct ? productById(triggerProduct) : undefined;
  const reorderLines =
    triggerProduct && facts?.variantShopifyId
      ? [{ variant: facts.variantShopifyId, quantity: facts.quantity ?? 1 }]
      : lines.flatMap((line) =>
          line.variantShopifyId ? [{ variant: line.variantShopifyId, quantity: line.quantity }] : [],
        );
  const member = material.members.get(`${run.shopId}:${run.customerId}`);
  const loyalty = loyaltyOf(run, material, facts, locale, zone);
  return {
    customer: {
      first_name: customer.firstName ?? "",
      last_name: customer.lastName ?? "",
      email: customer.email ?? "",
      locale,
    },
    shop: { name: shop.name ?? shop.domain, url: shopUrl },
    currency,
    items,
    checkout_url: checkoutUrl,
    discount_code: latestDiscountCode(run),
    points: { balance: member?.pointsBalance ?? 0, pending: member?.pendingPoints ?? 0 },
    tier: loyalty.tier_name ? { name: loyalty.tier_name } : null,
    unsubscribe_url: links ? unsubscribeUrl(links.baseUrl, links.secret, messageId) : "",
    event: run.trigger.payload ?? {},
    product: product ? shownProduct(product, shopUrl, shop.currency, locale) : null,
    recommendations: show(recommendationIds(products, run.shopId, about), aboutSet),
    bestsellers: show(bestsellerIds(products, run.shopId, favouriteCategoryOf(customer))),
    newest_products: show(products.newest.get(run.shopId) ?? []),
    recently_viewed: show(products.viewed.get(run.customerId) ?? []),
    reorder_url: reorderUrl(shopUrl, reorderLines),
    order: order
      ? {
          name: order.name,
          is_first_order:
            customer.firstOrderAt === null || customer.firstOrderAt.getTime() >= order.processedAt.getTime(),
          fulfillment_status: order.fulfillmentStatus,
          status_url: `${shopUrl}/account`,
        }
      : null,
    nps: order && links ? npsLinks(links.baseUrl, links.secret, messageId) : null,
    loyalty,
  };
}

/** The outbox message of a send decision. */
export async function flowMessage(
  run: RunRow,
  definition: FlowDefinition,
  send: SendDecision,
  material: MessageMaterial,
  links: FlowMessageLinks | null,
  now: Date,
): Promise<QueuedMessage> {
  const template = definition.templates[send.step.template];
  if (!template) throw new Error(`flow ${run.flowId}: step "${send.step.id}" has no template`);
  const shop = material.shops.get(run.shopId);
  const content = await composeMessage(
    template,
    runVariables(run, material, send.messageId, links),
    chooseLocale(shop?.locale, [...templateLocales], "en"),
  );
  const settings = material.settings.get(run.shopId);
  return {
    id: send.messageId,
    shopId: run.shopId,
    customerId: run.customerId,
    idempotencyKey: flowStepMessageKey(run.id, send.step.id, send.seq),
    flowId: run.flowId,
    flowRunId: run.id,
    flowStepId: send.step.id,
    purpose: send.step.purpose,
    content,
    channelOrder: send.step.channels ?? channelOrderOf(settings?.channelOrder ?? "email,sms,whatsapp"),
    notBefore: now,
  };
}
