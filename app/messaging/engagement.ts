// What shoppers do with our messages (R-MSG-2, R-MSG-4): opens and clicks (from the signed pixel
// and click links), unsubscribes (link, one-click header, STOP reply) and START replies. Each
// reaches the message it names; an unsubscribe withdraws the consent for that message's channel at
// once and queues the write-back to Shopify.
import type { Message } from "@prisma/client";
import type { Database } from "../db/client";
import { isChannel, type Channel } from "./channels";
import { changeConsent, consentFor, type ConsentSource } from "./consent";
import { lastMessageToSender } from "./inbound-messages";
import type { InboundText } from "./providers";
import { isStartKeyword, isStopKeyword } from "./stop-keywords";
import { chooseLocale, templateLocales, type TemplateLocale } from "./templates";

export async function recordOpen(db: Database, messageId: string, at: Date): Promise<Message | null> {
  const message = await db.message.findUnique({ where: { id: messageId } });
  if (!message) return null;
  return db.message.update({
    where: { id: message.id },
    data: { opens: { increment: 1 }, openedAt: message.openedAt ?? at },
  });
}

export async function recordClick(db: Database, messageId: string, at: Date): Promise<Message | null> {
  const message = await db.message.findUnique({ where: { id: messageId } });
  if (!message) return null;
  return db.message.update({
    where: { id: message.id },
    // A click implies the message was opened (images may be blocked).
    data: { clicks: { increment: 1 }, clickedAt: message.clickedAt ?? at, openedAt: message.openedAt ?? at },
  });
}

export interface UnsubscribePage {
  shopName: string;
  channel: Channel;
  /** The shopper's language when we have the page in it, English otherwise. */
  locale: TemplateLocale;
  /** Already unsubscribed from marketing on this channel (the page then only says so). */
  unsubscribed: boolean;
}

/**
 * What the unsubscribe link's page shows, read only: a GET never changes consent (RFC 8058 — link
 * scanners open every link), the shopper confirms with a POST.
 */
export async function unsubscribePageFor(db: Database, messageId: string): Promise<UnsubscribePage | null> {
  const message = await db.message.findUnique({ where: { id: messageId }, include: { shop: true } });
  if (!message) return null;
  const customer = await db.customer.findFirst({ where: { id: message.customerId, shopId: message.shopId } });
  if (!customer) return null;
  const channel: Channel = isChannel(message.channel) ? message.channel : "email";
  return {
    shopName: message.shop.name ?? message.shop.domain,
    channel,
    locale: chooseLocale(customer.locale, [...templateLocales], "en"),
    unsubscribed: consentFor(customer, channel) === "unsubscribed",
  };
}

/** The unsubscribe link of a message: the customer leaves marketing on that message's channel. */
export async function unsubscribeFromMessage(
  db: Database,
  messageId: string,
  source: Extract<ConsentSource, "unsubscribe_link" | "one_click">,
  now: Date,
): Promise<{ message: Message; shopName: string } | null> {
  const message = await db.message.findUnique({ where: { id: messageId }, include: { shop: true } });
  if (!message) return null;
  const channel: Channel = isChannel(message.channel) ? message.channel : "email";
  await changeConsent(
    db,
    {
      shopId: message.shopId,
      customerId: message.customerId,
      channel,
      state: "unsubscribed",
      source,
      messageId: message.id,
    },
    now,
  );
  const { shop, ...plain } = message;
  return { message: plain, shopName: shop.name ?? shop.domain };
}

/**
 * A text a shopper sent to our number. STOP / START apply to the shop whose message the number
 * last received on that channel (one provider number may serve several shops).
 */
export async function handleInboundText(
  db: Database,
  inbound: InboundText,
  now: Date,
): Promise<"unsubscribed" | "subscribed" | null> {
  const state = isStopKeyword(inbound.body)
    ? "unsubscribed"
    : isStartKeyword(inbound.body)
      ? "subscribed"
      : null;
  if (!state) return null;
  const last = await lastMessageToSender(db, inbound);
  if (!last) return null;
  await changeConsent(
    db,
    {
      shopId: last.shopId,
      customerId: last.customerId,
      channel: inbound.channel,
      state,
      source: state === "unsubscribed" ? "stop_keyword" : "start_keyword",
      messageId: last.id,
    },
    now,
  );
  return state;
}
