// A send step's message for one run: the step's template rendered in the customer's language with
// what the run is about (the cart as it is now, or the order), the customer, the shop and their
// points, queued in the outbox under the run's step key (so the same step is one message).
import { composeMessage } from "../messaging/compose";
import { channelOrderOf, flowStepMessageKey, type QueuedMessage } from "../messaging/outbox";
import { chooseLocale, formatMoney, templateLocales, type TemplateVariables } from "../messaging/templates";
import { unsubscribeUrl } from "../messaging/tracking-links";
import type { FlowDefinition } from "./definition";
import { latestDiscountCode } from "./discounts";
import type { RunRow, SendDecision } from "./engine";
import { checkoutItems, type MessageMaterial, type ShownItem } from "./run-data";

/** Where links in messages point (the app's public URL and the link-signing secret). */
export interface FlowMessageLinks {
  baseUrl: string;
  secret: string;
}

function itemsOf(items: readonly ShownItem[], currency: string, locale: string, url: string) {
  return items.map((item) => ({
    title: item.title,
    variant_title: item.variantTitle,
    quantity: item.quantity,
    image_url: item.imageUrl,
    url,
    price: formatMoney(item.priceMinor, currency, locale),
    price_minor: item.priceMinor,
  }));
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
  const shopUrl = `https://${shop.domain}`;
  const checkout = run.trigger.checkoutId ? material.checkouts.get(run.trigger.checkoutId) : undefined;
  const order = run.trigger.orderId ? material.orders.get(run.trigger.orderId) : undefined;
  const currency = checkout?.currency ?? order?.currency ?? customer.currency ?? shop.currency;
  const checkoutUrl = checkout?.abandonedCheckoutUrl ?? shopUrl;
  const items = checkout
    ? itemsOf(checkoutItems(checkout), currency, locale, checkoutUrl)
    : itemsOf(order?.lines ?? [], currency, locale, shopUrl);
  const member = material.members.get(`${run.shopId}:${run.customerId}`);
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
    tier: null,
    unsubscribe_url: links ? unsubscribeUrl(links.baseUrl, links.secret, messageId) : "",
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
