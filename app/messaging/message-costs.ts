// WhatsApp costs of stored messages (R-MSG-3): the projected cost before a send and the actual
// cost once delivered, under the pricing model and rate table the merchant chose
// (`whatsapp-costs.ts` holds the rules), and the totals per flow and month for the admin.
import type { Message } from "@prisma/client";
import type { Database } from "../db/client";
import { fromStoredInteger } from "../money/stored";
import { inboundEventsFrom } from "./inbound-messages";
import { messagingSettingsFor, type MessagingSettingsView } from "./settings";
import {
  chargesFor,
  parseRateTable,
  projectedCost,
  sumByMonth,
  type PricingModel,
  type RateTable,
  type TemplateCategory,
  type WhatsAppEvent,
} from "./whatsapp-costs";

interface Pricing {
  model: PricingModel;
  table: RateTable;
}

function pricingOf(
  settings: Pick<MessagingSettingsView, "whatsappPricing" | "whatsappRates">,
): Pricing | null {
  if (!settings.whatsappRates) return null;
  const model: PricingModel = settings.whatsappPricing === "conversation" ? "conversation" : "per_message";
  return { model, table: parseRateTable(settings.whatsappRates) };
}

/**
 * The shop's WhatsApp history with one number, as the cost model's events: our messages to it (sent
 * time, delivered or not) and the shopper's messages from it (they open the service window).
 */
async function historyTo(
  db: Database,
  shopId: string,
  to: string,
  excludeId: string,
): Promise<WhatsAppEvent[]> {
  const messages = await db.message.findMany({
    where: { shopId, channel: "whatsapp", toAddress: to, sentAt: { not: null }, id: { not: excludeId } },
    select: { id: true, sentAt: true, deliveredAt: true, category: true, toAddress: true },
  });
  const outbound: WhatsAppEvent[] = messages.map((message) => ({
    kind: "outbound",
    messageId: message.id,
    to,
    at: message.sentAt ?? new Date(0),
    category: (message.category ?? "marketing") as TemplateCategory,
    delivered: message.deliveredAt !== null,
  }));
  return [...outbound, ...(await inboundEventsFrom(db, shopId, to))];
}

/** Before a WhatsApp send: what it would cost if delivered (null when the shop has no rate table). */
export async function projectedMessageCost(
  db: Database,
  message: Message,
  to: string,
  settings: MessagingSettingsView,
  now: Date,
): Promise<{ micros: number | null; currency: string | null }> {
  const pricing = pricingOf(settings);
  if (!pricing) return { micros: null, currency: null };
  const history = await historyTo(db, message.shopId, to, message.id);
  const micros = projectedCost(pricing.model, pricing.table, history, {
    to,
    at: now,
    category: (message.category ?? "marketing") as TemplateCategory,
  });
  return { micros, currency: pricing.table.currency };
}

/** After delivery: what this message actually costs, given every message to the number before it. */
export async function messageCostAfterDelivery(
  db: Database,
  message: Message,
): Promise<{ micros: number; currency: string } | null> {
  if (!message.toAddress || !message.sentAt) return null;
  const pricing = pricingOf(await messagingSettingsFor(db, message.shopId));
  if (!pricing) return null;
  const history = await historyTo(db, message.shopId, message.toAddress, message.id);
  const events: WhatsAppEvent[] = [
    // Messages sent (and received) before this one decide whether it opened a conversation and of
    // which kind (model A) or went out inside an open customer-service window (model B).
    ...history.filter((event) => message.sentAt !== null && event.at <= message.sentAt),
    {
      kind: "outbound",
      messageId: message.id,
      to: message.toAddress,
      at: message.sentAt,
      category: (message.category ?? "marketing") as TemplateCategory,
      delivered: true,
    },
  ];
  const charge = chargesFor(pricing.model, pricing.table, events).find(
    (found) => found.messageId === message.id,
  );
  return { micros: charge?.micros ?? 0, currency: pricing.table.currency };
}

export interface FlowMonthCost {
  flowId: string | null;
  month: string;
  micros: number;
  currency: string;
  messages: number;
}

/** Actual WhatsApp costs per flow and calendar month (the shop's time zone), newest month first. */
export async function messagingCostsByFlowAndMonth(db: Database, shopId: string): Promise<FlowMonthCost[]> {
  const shop = await db.shop.findUniqueOrThrow({ where: { id: shopId } });
  const charged = await db.message.findMany({
    where: { shopId, costMicros: { not: null }, sentAt: { not: null } },
    select: { flowId: true, costMicros: true, costCurrency: true, sentAt: true },
  });
  const groups = new Map<string, typeof charged>();
  for (const message of charged) {
    const key = `${message.flowId ?? ""}\u0000${message.costCurrency ?? ""}`;
    const group = groups.get(key);
    if (group) group.push(message);
    else groups.set(key, [message]);
  }
  const rows: FlowMonthCost[] = [];
  for (const [key, messages] of groups) {
    const [flowId = "", currency = ""] = key.split("\u0000");
    const at = (message: (typeof messages)[number]) => message.sentAt ?? new Date(0);
    const months = sumByMonth(
      messages.map((message) => ({ at: at(message), micros: fromStoredInteger(message.costMicros ?? 0) })),
      shop.timezone,
    );
    // The same months, counting messages instead of micros.
    const counts = sumByMonth(
      messages.map((message) => ({ at: at(message), micros: 1 })),
      shop.timezone,
    );
    for (const [month, micros] of months) {
      rows.push({
        flowId: flowId === "" ? null : flowId,
        month,
        micros,
        currency,
        messages: counts.get(month) ?? 0,
      });
    }
  }
  return rows.sort((a, b) =>
    a.month === b.month ? (a.flowId ?? "").localeCompare(b.flowId ?? "") : a.month < b.month ? 1 : -1,
  );
}
