// Messages shoppers send us on WhatsApp (R-MSG-3): each opens a 24-hour customer-service window,
// which makes our utility templates free (per-message pricing) and our reply a user-initiated
// conversation (conversation pricing). Only who, when and what kind are kept — never the text.
import type { Database } from "../db/client";
import type { InboundText } from "./providers";
import { isStartKeyword, isStopKeyword } from "./stop-keywords";
import type { WhatsAppEvent } from "./whatsapp-costs";

export type InboundKind = "stop" | "start" | "text";

/** What STOP / START handling saw in the text; the text itself is not stored. */
export function inboundKind(body: string): InboundKind {
  return isStopKeyword(body) ? "stop" : isStartKeyword(body) ? "start" : "text";
}

/**
 * The message the number last received on the channel, from any shop (one provider number may serve
 * several shops): the conversation an inbound text answers. Uses Message(channel, toAddress, sentAt).
 */
export async function lastMessageToSender(db: Database, inbound: Pick<InboundText, "channel" | "from">) {
  return db.message.findFirst({
    where: { channel: inbound.channel, toAddress: inbound.from, sentAt: { not: null } },
    orderBy: { sentAt: "desc" },
    select: { id: true, shopId: true, customerId: true },
  });
}

/**
 * The shop a sender belongs to: the one whose message the number last received on the channel (one
 * provider number may serve several shops), else the shop with a customer of that number (a shopper
 * writing first). Null when neither is known.
 */
async function shopOfSender(db: Database, inbound: InboundText): Promise<string | null> {
  const last = await lastMessageToSender(db, inbound);
  if (last) return last.shopId;
  // Uses Customer(phone).
  const customer = await db.customer.findFirst({
    where: { phone: inbound.from, deletedAt: null, redactedAt: null },
    orderBy: { updatedAt: "desc" },
    select: { shopId: true },
  });
  return customer?.shopId ?? null;
}

/** Stores an inbound WhatsApp message once (a redelivered webhook changes nothing); returns its shop. */
export async function recordInboundMessage(db: Database, inbound: InboundText): Promise<string | null> {
  if (inbound.channel !== "whatsapp") return null;
  const shopId = await shopOfSender(db, inbound);
  if (!shopId) return null;
  await db.inboundMessage.upsert({
    where: {
      shopId_channel_providerMessageId: {
        shopId,
        channel: inbound.channel,
        providerMessageId: inbound.providerMessageId,
      },
    },
    create: {
      shopId,
      channel: inbound.channel,
      fromAddress: inbound.from,
      receivedAt: inbound.at,
      kind: inboundKind(inbound.body),
      providerMessageId: inbound.providerMessageId,
    },
    update: {},
  });
  return shopId;
}

/** The shop's inbound WhatsApp messages from one number, as the cost model's events. */
export async function inboundEventsFrom(
  db: Database,
  shopId: string,
  from: string,
): Promise<WhatsAppEvent[]> {
  const rows = await db.inboundMessage.findMany({
    where: { shopId, channel: "whatsapp", fromAddress: from },
    select: { receivedAt: true },
  });
  return rows.map((row) => ({ kind: "inbound", from, at: row.receivedAt }));
}
