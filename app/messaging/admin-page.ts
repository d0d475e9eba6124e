// What the Messaging admin page (/app/messaging) loads and does, so its route stays thin: the
// shop's settings as the form shows them (the channel order as a list, the WhatsApp rate table as
// rows), the latest messages, WhatsApp costs per flow and month, and the template preview.
import type { Shop } from "@prisma/client";
import type { Database } from "../db/client";
import { channels, isChannel, type Channel } from "./channels";
import { messagingCostsByFlowAndMonth } from "./message-costs";
import { MessagingSettingsError, messagingSettingsFor, saveMessagingSettings } from "./settings";
import { previewTemplate, TemplateError, validateTemplate, type TemplateLocale } from "./templates";
import { parseRateTable } from "./whatsapp-costs";
import { rateRowsOf, type RateRows } from "./whatsapp-rate-rows";

/** The stored order first, then the channels it leaves out (shown switched off). */
export function channelListOf(order: string): { channel: Channel; used: boolean }[] {
  const used = order
    .split(",")
    .map((channel) => channel.trim())
    .filter(isChannel);
  return [
    ...used.map((channel) => ({ channel, used: true })),
    ...channels.filter((channel) => !used.includes(channel)).map((channel) => ({ channel, used: false })),
  ];
}

export async function messagingPage(db: Database, shop: Pick<Shop, "id" | "timezone">) {
  const [settings, messages, costs] = await Promise.all([
    messagingSettingsFor(db, shop.id),
    db.message.findMany({
      where: { shopId: shop.id },
      orderBy: { createdAt: "desc" },
      take: 20,
      select: {
        id: true,
        channel: true,
        status: true,
        toAddress: true,
        flowId: true,
        sentAt: true,
        opens: true,
        clicks: true,
      },
    }),
    messagingCostsByFlowAndMonth(db, shop.id),
  ]);
  // A stored table that no longer reads is shown empty rather than breaking the page.
  let rates: RateRows;
  try {
    rates = rateRowsOf(settings.whatsappRates ? parseRateTable(settings.whatsappRates) : null, "USD");
  } catch {
    rates = rateRowsOf(null, "USD");
  }
  return {
    timeZone: shop.timezone,
    settings: { ...settings, channelList: channelListOf(settings.channelOrder), whatsappRates: rates },
    messages: messages.map((message) => ({ ...message, sentAt: message.sentAt?.toISOString() ?? null })),
    costs,
  };
}

export type SaveMessagingResult =
  | { intent: "save"; saved: true }
  | { intent: "save"; saved: false; errors: { field: string; message: string }[] };

export async function saveMessagingForm(
  db: Database,
  shopId: string,
  form: unknown,
): Promise<SaveMessagingResult> {
  try {
    await saveMessagingSettings(db, shopId, form);
    return { intent: "save", saved: true };
  } catch (error) {
    if (error instanceof MessagingSettingsError)
      return { intent: "save", saved: false, errors: error.issues };
    throw error;
  }
}

export type PreviewResult = { intent: "preview"; preview: string; problems: string[] };

/** The template rendered on sample data, or its mistakes by line. */
export async function previewForMerchant(source: string, locale: TemplateLocale): Promise<PreviewResult> {
  const checked = validateTemplate(source);
  if (!checked.ok)
    return { intent: "preview", preview: "", problems: checked.errors.map((error) => error.message) };
  try {
    return {
      intent: "preview",
      preview: await previewTemplate(source, locale, { escapeHtml: false }),
      problems: [],
    };
  } catch (error) {
    if (error instanceof TemplateError) {
      return { intent: "preview", preview: "", problems: error.problems.map((problem) => problem.message) };
    }
    throw error;
  }
}
