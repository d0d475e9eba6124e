// WhatsApp message costs: what Meta charges the merchant for the messages we send, computed from
// message events and a merchant-edited rate table. Pure functions, no database. Money is integer
// micros of the rate table's currency (1 USD = 1_000_000 micros), so sub-cent rates stay exact.
//
// Two pricing models, chosen by the merchant:
//  - "conversation" (Meta's conversation-based pricing, until 30 June 2025): one charge per
//    24-hour conversation window with a recipient. A window is business-initiated (opened by our
//    message outside the customer-service window) or user-initiated (our reply within 24 h of the
//    customer's last message), each with its own rate.
//  - "per_message" (Meta's per-message pricing, since 1 July 2025): each delivered template
//    message is charged by category (marketing, utility, authentication); utility templates inside
//    an open customer-service window and free-form service replies are free.
// Rates are looked up by the recipient's country calling code (longest prefix), with a fallback row.
import { z } from "zod";

export type PricingModel = "conversation" | "per_message";
export type TemplateCategory = "marketing" | "utility" | "authentication" | "service";

export type WhatsAppEvent =
  | {
      kind: "outbound";
      messageId: string;
      to: string;
      at: Date;
      category: TemplateCategory;
      delivered: boolean;
    }
  | { kind: "inbound"; from: string; at: Date };

type OutboundEvent = Extract<WhatsAppEvent, { kind: "outbound" }>;

export type ChargeReason =
  "business_initiated_window" | "user_initiated_window" | "marketing" | "utility" | "authentication";

export interface Charge {
  messageId: string;
  /** The recipient as given in the event. */
  to: string;
  /** The rate row's calling code, or null when no row matched and the fallback rate was used. */
  callingCode: string | null;
  micros: number;
  reason: ChargeReason;
  /** When the charged message was sent. */
  at: Date;
}

/** Both customer-service windows and conversations last 24 hours. */
export const WINDOW_MS = 24 * 60 * 60 * 1000;

// ---------------------------------------------------------------------------------------------
// Rate table

function microsField(label: string) {
  return z
    .number({
      error: (issue) => (issue.input === undefined ? `${label} is missing` : `${label} must be a number`),
    })
    .int({ error: `${label} must be a whole number of micros (1 USD = 1,000,000 micros)` })
    .min(0, { error: `${label} cannot be negative` });
}

const prices = {
  businessInitiatedMicros: microsField("the business-initiated conversation price"),
  userInitiatedMicros: microsField("the user-initiated conversation price"),
  marketingMicros: microsField("the marketing message price"),
  utilityMicros: microsField("the utility message price"),
  authenticationMicros: microsField("the authentication message price"),
};

const callingCodeField = z
  .string({
    error: (issue) =>
      issue.input === undefined ? "the calling code is missing" : "the calling code must be text",
  })
  .trim()
  .transform((code) => code.replace(/^\+/, ""))
  .pipe(
    z
      .string()
      .regex(/^[1-9]\d{0,3}$/, { error: "the calling code must be 1 to 4 digits, for example 420, 1 or 44" }),
  );

const unknownField = (issue: { code: string; keys?: string[] }) =>
  issue.code === "unrecognized_keys" && issue.keys
    ? `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`
    : undefined;

function reportDuplicateCodes(rows: readonly unknown[], context: z.RefinementCtx): void {
  const firstRow = new Map<string, number>();
  rows.forEach((row, index) => {
    const raw = typeof row === "object" && row !== null && "callingCode" in row ? row.callingCode : undefined;
    const code = typeof raw === "string" ? raw.trim().replace(/^\+/, "") : "";
    if (!/^[1-9]\d{0,3}$/.test(code)) return;
    const first = firstRow.get(code);
    if (first === undefined) firstRow.set(code, index);
    else {
      context.addIssue({
        code: "custom",
        path: [index, "callingCode"],
        message: `calling code +${code} is already listed in row ${first + 1}`,
      });
    }
  });
}

const rateRowSchema = z.strictObject({ callingCode: callingCodeField, ...prices }, { error: unknownField });

export const rateTableSchema = z.strictObject(
  {
    currency: z
      .string({ error: "the currency must be a 3-letter code such as USD" })
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{3}$/, { error: "the currency must be a 3-letter code such as USD" }),
    rates: z
      .array(rateRowSchema, { error: "the rates must be a list of rows" })
      // Runs even when other rows have problems, so the merchant sees every problem at once.
      .superRefine(reportDuplicateCodes, { when: (payload) => Array.isArray(payload.value) }),
    fallback: z.strictObject(prices, {
      error: (issue) =>
        unknownField(issue) ??
        (issue.input === undefined
          ? "the fallback rate is missing (it prices numbers no row matches)"
          : "the fallback rate must be a row of prices"),
    }),
  },
  { error: (issue) => unknownField(issue) ?? "the rate table must be an object" },
);

export type RateTable = z.output<typeof rateTableSchema>;
export type RateTableInput = z.input<typeof rateTableSchema>;
export type RateRow = RateTable["rates"][number];
export type Prices = RateTable["fallback"];

export class RateTableError extends Error {
  constructor(readonly problems: string[]) {
    super(`The WhatsApp rate table has ${problems.length} problem(s): ${problems.join("; ")}`);
    this.name = "RateTableError";
  }
}

/** Where an issue is, in the merchant's words: "Row 2 (+44)", "Fallback rate", "Table". */
function whereIs(path: readonly PropertyKey[], input: unknown): string {
  const [section, index] = path;
  if (section === "rates" && typeof index === "number") {
    const rows = (input as { rates?: unknown }).rates;
    const row: unknown = Array.isArray(rows) ? rows[index] : undefined;
    const code =
      typeof row === "object" && row !== null && "callingCode" in row && typeof row.callingCode === "string"
        ? ` (+${row.callingCode.trim().replace(/^\+/, "")})`
        : "";
    return `Row ${index + 1}${code}`;
  }
  if (section === "fallback") return "Fallback rate";
  if (section === "currency") return "Currency";
  if (section === "rates") return "Rates";
  return "Table";
}

/** Validates a merchant-edited rate table; throws a RateTableError listing every problem. */
export function parseRateTable(input: unknown): RateTable {
  const parsed = rateTableSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new RateTableError(
    parsed.error.issues.map((issue) => `${whereIs(issue.path, input)}: ${issue.message}`),
  );
}

// ---------------------------------------------------------------------------------------------
// Calling codes

/** The digits of an international number ("+420 601 123 456" → "420601123456"), or null. */
function internationalDigits(number: string): string | null {
  const trimmed = number.trim();
  if (!trimmed.startsWith("+")) return null;
  const digits = trimmed.slice(1).replace(/[\s().-]/g, "");
  return /^[1-9]\d{1,14}$/.test(digits) ? digits : null;
}

/**
 * The calling code of an E.164 number among the table's rows, by longest prefix ("+12425550123"
 * is 1242 when the table has both 1 and 1242). Null for numbers no row matches or that are not
 * E.164 (they start with "+").
 */
export function callingCodeOf(
  e164: string,
  table: { rates: readonly { callingCode: string }[] },
): string | null {
  const digits = internationalDigits(e164);
  if (digits === null) return null;
  let best: string | null = null;
  for (const { callingCode } of table.rates) {
    if (digits.length > callingCode.length && digits.startsWith(callingCode)) {
      if (best === null || callingCode.length > best.length) best = callingCode;
    }
  }
  return best;
}

function pricesFor(number: string, table: RateTable): { callingCode: string | null; prices: Prices } {
  const callingCode = callingCodeOf(number, table);
  const row = callingCode === null ? undefined : table.rates.find((rate) => rate.callingCode === callingCode);
  return row ? { callingCode, prices: row } : { callingCode: null, prices: table.fallback };
}

const priceField: Record<ChargeReason, keyof Prices> = {
  business_initiated_window: "businessInitiatedMicros",
  user_initiated_window: "userInitiatedMicros",
  marketing: "marketingMicros",
  utility: "utilityMicros",
  authentication: "authenticationMicros",
};

// ---------------------------------------------------------------------------------------------
// Charges

/** One person, however the number is written ("+420 601…" and "+420601…" are the same). */
function recipientKey(number: string): string {
  return internationalDigits(number) ?? number.trim();
}

function assertValidDate(at: Date): void {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
    throw new RangeError("WhatsApp event has an invalid date");
  }
}

/** By time; at the same instant inbound first (the customer's message opens the window), then by id. */
function chronological(a: WhatsAppEvent, b: WhatsAppEvent): number {
  const byTime = a.at.getTime() - b.at.getTime();
  if (byTime !== 0) return byTime;
  if (a.kind !== b.kind) return a.kind === "inbound" ? -1 : 1;
  const keyA = a.kind === "inbound" ? a.from : a.messageId;
  const keyB = b.kind === "inbound" ? b.from : b.messageId;
  return keyA < keyB ? -1 : keyA > keyB ? 1 : 0;
}

function sorted(events: readonly WhatsAppEvent[]): WhatsAppEvent[] {
  events.forEach((event) => assertValidDate(event.at));
  return [...events].sort(chronological);
}

/**
 * A pricer walks the events in chronological order and returns each outbound message's charge
 * (or null when it costs nothing).
 *
 * Conversation model, as Meta billed it: a conversation opens when our first message to a
 * recipient is DELIVERED and lasts 24 h from that delivery; everything else we send to them in it
 * is free. An undelivered message opens nothing. If the customer messaged us within the previous
 * 24 h (the customer-service window), the conversation is user-initiated and charged at the
 * user-initiated rate when our first reply is delivered — the customer's message alone costs
 * nothing and our replies do not open a business-initiated window. Otherwise it is
 * business-initiated. (The 24 h run from our reply, not from the customer's message: Meta started
 * the conversation when the business's message was delivered.) A conversation with a zero rate
 * still yields a Charge of 0 micros, so reports count conversations.
 *
 * Per-message model: marketing and authentication templates are always charged; utility templates
 * are free inside an open customer-service window; service (free-form) messages are free.
 * Undelivered messages cost nothing.
 */
function createPricer(model: PricingModel, table: RateTable): (event: WhatsAppEvent) => Charge | null {
  const lastInbound = new Map<string, number>();
  const conversationOpenedAt = new Map<string, number>();

  const customerServiceWindowOpen = (key: string, at: number): boolean => {
    const last = lastInbound.get(key);
    return last !== undefined && at >= last && at < last + WINDOW_MS;
  };

  const charge = (event: OutboundEvent, reason: ChargeReason): Charge => {
    const { callingCode, prices } = pricesFor(event.to, table);
    return {
      messageId: event.messageId,
      to: event.to,
      callingCode,
      micros: prices[priceField[reason]],
      reason,
      at: event.at,
    };
  };

  return (event) => {
    if (event.kind === "inbound") {
      lastInbound.set(recipientKey(event.from), event.at.getTime());
      return null;
    }
    if (!event.delivered) return null;
    const key = recipientKey(event.to);
    const at = event.at.getTime();

    if (model === "conversation") {
      const openedAt = conversationOpenedAt.get(key);
      if (openedAt !== undefined && at < openedAt + WINDOW_MS) return null;
      conversationOpenedAt.set(key, at);
      // A free-form message outside the customer-service window is refused by Meta; should one
      // be reported delivered anyway, it is counted as business-initiated rather than missed.
      return charge(
        event,
        customerServiceWindowOpen(key, at) ? "user_initiated_window" : "business_initiated_window",
      );
    }

    switch (event.category) {
      case "marketing":
      case "authentication":
        return charge(event, event.category);
      case "utility":
        return customerServiceWindowOpen(key, at) ? null : charge(event, "utility");
      case "service":
        return null;
    }
  };
}

/**
 * The charges for a set of message events (in any order). Only messages that open a charged
 * conversation (conversation model) or charged messages (per-message model) produce a Charge,
 * in chronological order.
 */
export function chargesFor(
  model: PricingModel,
  table: RateTable,
  events: readonly WhatsAppEvent[],
): Charge[] {
  const price = createPricer(model, table);
  const charges: Charge[] = [];
  for (const event of sorted(events)) {
    const charge = price(event);
    if (charge) charges.push(charge);
  }
  return charges;
}

/**
 * What sending `next` would add, in micros, if it is delivered, given the history up to its time
 * (later events are ignored). 0 when it would be free, e.g. inside an open conversation.
 */
export function projectedCost(
  model: PricingModel,
  table: RateTable,
  history: readonly WhatsAppEvent[],
  next: { to: string; at: Date; category: TemplateCategory },
): number {
  assertValidDate(next.at);
  const price = createPricer(model, table);
  for (const event of sorted(history)) {
    if (event.at.getTime() > next.at.getTime()) break;
    price(event);
  }
  const charge = price({ kind: "outbound", messageId: "", delivered: true, ...next });
  return charge?.micros ?? 0;
}

// ---------------------------------------------------------------------------------------------
// Reporting

/** Total micros per calendar month ("YYYY-MM") in the shop's time zone, months in order. */
export function sumByMonth(
  charges: readonly Pick<Charge, "at" | "micros">[],
  timeZone: string,
): Map<string, number> {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    calendar: "gregory",
    numberingSystem: "latn",
  });
  const totals = new Map<string, number>();
  for (const charge of charges) {
    assertValidDate(charge.at);
    const parts = format.formatToParts(charge.at);
    const year = parts.find((part) => part.type === "year")?.value ?? "";
    const month = parts.find((part) => part.type === "month")?.value ?? "";
    const key = `${year.padStart(4, "0")}-${month}`;
    const total = (totals.get(key) ?? 0) + charge.micros;
    if (!Number.isSafeInteger(total)) throw new RangeError(`WhatsApp costs for ${key} are too large`);
    totals.set(key, total);
  }
  return new Map([...totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
