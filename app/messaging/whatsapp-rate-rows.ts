// The WhatsApp rate table as the merchant edits it on the Messaging page: one row per country
// calling code and price category, prices in the table's currency ("0.0125"), an empty calling code
// for the fallback price (numbers no other row matches). Turned into the stored rate table
// (whatsapp-costs.ts) and validated by parseRateTable, as a table given whole would be.
import { z } from "zod";
import type { Prices, RateTable, RateTableInput } from "./whatsapp-costs";

export const rateCategories = [
  "marketing",
  "utility",
  "authentication",
  "business_initiated",
  "user_initiated",
] as const;
export type RateCategory = (typeof rateCategories)[number];

const priceField: Record<RateCategory, keyof Prices> = {
  marketing: "marketingMicros",
  utility: "utilityMicros",
  authentication: "authenticationMicros",
  business_initiated: "businessInitiatedMicros",
  user_initiated: "userInitiatedMicros",
};

export const rateRowsSchema = z.object({
  currency: z.string(),
  rows: z.array(z.object({ callingCode: z.string(), category: z.string(), price: z.string() })),
});
export type RateRows = z.infer<typeof rateRowsSchema>;
export type RateRowInput = RateRows["rows"][number];

const microsPerUnit = 1_000_000;

function priceText(micros: number): string {
  const whole = Math.floor(micros / microsPerUnit);
  const fraction = String(micros % microsPerUnit)
    .padStart(6, "0")
    .replace(/0+$/, "");
  return fraction === "" ? `${whole}.00` : `${whole}.${fraction.padEnd(2, "0")}`;
}

/** The stored table as rows (the fallback's rows last, with an empty calling code). */
export function rateRowsOf(table: RateTable | null, defaultCurrency: string): RateRows {
  if (!table) return { currency: defaultCurrency, rows: [] };
  const rowsOf = (callingCode: string, prices: Prices) =>
    rateCategories.map((category) => ({
      callingCode,
      category,
      price: priceText(prices[priceField[category]]),
    }));
  return {
    currency: table.currency,
    rows: [...table.rates.flatMap((rate) => rowsOf(rate.callingCode, rate)), ...rowsOf("", table.fallback)],
  };
}

/**
 * The rows as a rate table for parseRateTable, or the problems of rows that cannot be read (a
 * price that is not an amount, an unknown category, a category given twice for one code, a code
 * without a price in every category), each naming its row or code. No rows at all means "no
 * table" (null).
 */
export function rateTableFromRows(input: RateRows): { table: RateTableInput | null; problems: string[] } {
  const problems: string[] = [];
  if (input.rows.length === 0) return { table: null, problems };
  const byCode = new Map<string, Record<string, number>>();
  input.rows.forEach((row, index) => {
    const where = `Rate row ${index + 1}`;
    const category = rateCategories.find((known) => known === row.category);
    if (!category) {
      problems.push(`${where}: choose a category`);
      return;
    }
    const price = row.price.trim();
    const match = /^(\d{1,9})(?:[.,](\d{1,6}))?$/.exec(price);
    if (!match) {
      problems.push(`${where}: the price must be an amount such as 0.0125`);
      return;
    }
    const micros = Number(match[1]) * microsPerUnit + Number((match[2] ?? "").padEnd(6, "0"));
    const code = row.callingCode.trim().replace(/^\+/, "");
    const prices = byCode.get(code) ?? {};
    const field = priceField[category];
    if (prices[field] !== undefined) {
      problems.push(`${where}: ${code === "" ? "the fallback" : `+${code}`} already has this category`);
      return;
    }
    prices[field] = micros;
    byCode.set(code, prices);
  });
  // Every calling code (and the fallback) needs a price in each category.
  for (const [code, prices] of byCode) {
    for (const category of rateCategories) {
      if (prices[priceField[category]] === undefined) {
        problems.push(`${code === "" ? "The fallback" : `+${code}`} has no ${category} price`);
      }
    }
  }
  if (problems.length > 0) return { table: null, problems };
  const fallback = byCode.get("");
  byCode.delete("");
  const table = {
    currency: input.currency,
    rates: [...byCode].map(([callingCode, prices]) => ({ callingCode, ...prices })),
    ...(fallback ? { fallback } : {}),
  } as RateTableInput;
  return { table, problems };
}
