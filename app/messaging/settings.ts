// A shop's messaging rules (R-MSG-1…5) as the merchant edits them: sender, quiet hours, frequency
// cap, channel order and fallback wait, WhatsApp pricing model and rate table. Saved whole or not
// at all: every problem is reported, in the merchant's words, with the field it belongs to.
import type { MessagingSettings } from "@prisma/client";
import { z } from "zod";
import type { Database } from "../db/client";
import type { Tx } from "../events/domain-events";
import { channels } from "./channels";
import {
  channelOrderSchema,
  defaultFrequencyCap,
  defaultQuietHours,
  frequencyCapSchema,
  quietHoursSchema,
} from "./send-rules";
import { parseRateTable, RateTableError } from "./whatsapp-costs";
import { rateRowsSchema, rateTableFromRows } from "./whatsapp-rate-rows";

export type MessagingSettingsView = Omit<MessagingSettings, "shopId" | "updatedAt">;

export const defaultMessagingSettings: MessagingSettingsView = {
  fromEmail: null,
  fromName: null,
  replyTo: null,
  quietStart: defaultQuietHours.start,
  quietEnd: defaultQuietHours.end,
  capMessages: defaultFrequencyCap.maxMessages,
  capHours: defaultFrequencyCap.perHours,
  channelOrder: channels.join(","),
  fallbackAfterMinutes: 240,
  whatsappPricing: "per_message",
  whatsappRates: null,
};

/** The shop's settings, or the defaults when the merchant has saved none. */
export async function messagingSettingsFor(
  db: Database | Tx,
  shopId: string,
): Promise<MessagingSettingsView> {
  const stored = await db.messagingSettings.findUnique({ where: { shopId } });
  if (!stored) return { ...defaultMessagingSettings };
  const { shopId: _shopId, updatedAt: _updatedAt, ...view } = stored;
  return view;
}

const optionalEmail = z
  .string()
  .trim()
  .transform((value) => (value === "" ? null : value))
  .pipe(z.email("must be an e-mail address").nullable());
const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

/**
 * The form as submitted: every value a string; the rate table either as the Messaging page's rows
 * (whatsapp-rate-rows.ts; no rows = keep the current table) or as JSON text for the API (empty =
 * keep the current one).
 */
export const messagingSettingsFormSchema = z.object({
  fromName: z
    .string()
    .trim()
    .max(100)
    .transform((value) => (value === "" ? null : value)),
  fromEmail: optionalEmail,
  replyTo: optionalEmail,
  quietStart: z.string().trim(),
  quietEnd: z.string().trim(),
  capMessages: wholeNumber(1, 50),
  capHours: wholeNumber(1, 720),
  channelOrder: z.string().trim(),
  fallbackAfterMinutes: wholeNumber(5, 10_080),
  whatsappPricing: z.enum(["conversation", "per_message"], "must be conversation or per_message"),
  whatsappRates: z.union([z.string().trim(), rateRowsSchema], "must be a rate table"),
});

export class MessagingSettingsError extends Error {
  constructor(readonly issues: { field: string; message: string }[]) {
    super(
      `invalid messaging settings: ${issues.map((issue) => `${issue.field}: ${issue.message}`).join("; ")}`,
    );
  }
}

/** Validates the whole form and saves it, or throws MessagingSettingsError and changes nothing. */
export async function saveMessagingSettings(
  db: Database,
  shopId: string,
  input: unknown,
): Promise<MessagingSettings> {
  const parsed = messagingSettingsFormSchema.safeParse(input);
  const issues: { field: string; message: string }[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ field: issue.path.join(".") || "form", message: issue.message }));
  // The checks below read the raw strings, so a bad field elsewhere does not hide their problems.
  const raw = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
  const text = (name: string) => (typeof raw[name] === "string" ? raw[name].trim() : "");
  const quiet = quietHoursSchema.safeParse({ start: text("quietStart"), end: text("quietEnd") });
  if (!quiet.success) {
    for (const issue of quiet.error.issues) {
      issues.push({ field: issue.path[0] === "end" ? "quietEnd" : "quietStart", message: issue.message });
    }
  }
  const order = text("channelOrder")
    .split(",")
    .map((channel) => channel.trim());
  if (!channelOrderSchema.safeParse(order).success) {
    issues.push({
      field: "channelOrder",
      message: "choose at least one channel, each of e-mail, SMS and WhatsApp at most once",
    });
  }
  let rates: unknown = null;
  const rateRows = rateRowsSchema.safeParse(raw.whatsappRates);
  const rateTable = rateRows.success ? rateTableFromRows(rateRows.data) : null;
  if (rateTable && rateTable.problems.length > 0) {
    issues.push({ field: "whatsappRates", message: rateTable.problems.join("; ") });
  } else if (rateTable?.table || text("whatsappRates") !== "") {
    try {
      rates = parseRateTable(rateTable?.table ?? (JSON.parse(text("whatsappRates")) as unknown));
    } catch (error) {
      const message =
        error instanceof RateTableError
          ? error.problems.join("; ")
          : error instanceof SyntaxError
            ? `is not valid JSON (${error.message})`
            : String(error);
      issues.push({ field: "whatsappRates", message });
    }
  }
  if (parsed.success) {
    const cap = frequencyCapSchema.safeParse({
      maxMessages: parsed.data.capMessages,
      perHours: parsed.data.capHours,
    });
    if (!cap.success)
      issues.push({ field: "capMessages", message: cap.error.issues[0]?.message ?? "invalid" });
  }
  if (!parsed.success || issues.length > 0) throw new MessagingSettingsError(issues);
  const form = parsed.data;
  if (issues.length > 0) throw new MessagingSettingsError(issues);
  const data = {
    fromName: form.fromName,
    fromEmail: form.fromEmail,
    replyTo: form.replyTo,
    quietStart: form.quietStart,
    quietEnd: form.quietEnd,
    capMessages: form.capMessages,
    capHours: form.capHours,
    channelOrder: order.join(","),
    fallbackAfterMinutes: form.fallbackAfterMinutes,
    whatsappPricing: form.whatsappPricing,
    whatsappRates: rates === null ? undefined : (rates as object),
  };
  return db.messagingSettings.upsert({
    where: { shopId },
    create: { shopId, ...data },
    update: data,
  });
}
