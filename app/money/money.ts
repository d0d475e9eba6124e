// Money is integer minor units with an ISO 4217 currency code (ARCHITECTURE principle 5).
// Shopify sends amounts as decimal strings ("199.99"); they are converted without floating point.

export interface Money {
  amountMinor: number;
  currency: string;
}

const exponentCache = new Map<string, number>();

/** Number of minor-unit digits of a currency: USD 2, JPY 0, KWD 3. */
export function currencyExponent(currency: string): number {
  const code = currency.toUpperCase();
  let exponent = exponentCache.get(code);
  if (exponent === undefined) {
    try {
      exponent = new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions()
        .maximumFractionDigits;
    } catch {
      throw new MoneyError(`unknown currency "${currency}"`);
    }
    exponentCache.set(code, exponent ?? 2);
  }
  return exponent ?? 2;
}

export class MoneyError extends Error {}

/** Digits of the whole part beyond which an amount is refused without parsing it. */
const maxAmountDigits = 16;

/**
 * "12.5" USD → 1250; "1000" JPY → 1000. Rejects more precision than the currency has, and amounts
 * beyond Number.MAX_SAFE_INTEGER minor units (stored as 64-bit integers, computed as numbers).
 */
export function toMinorUnits(amount: string | number, currency: string): number {
  const text = typeof amount === "number" ? String(amount) : amount.trim();
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new MoneyError(`"${text}" is not a decimal amount`);
  const [, sign, whole = "0", fraction = ""] = match;
  const exponent = currencyExponent(currency);
  const significant = fraction.replace(/0+$/, "");
  if (significant.length > exponent) {
    throw new MoneyError(`"${text}" has more decimals than ${currency.toUpperCase()} allows (${exponent})`);
  }
  // Whole numbers from here on: the amount is exact, or refused (never rounded).
  const minor =
    whole.replace(/^0+/, "").length > maxAmountDigits
      ? null
      : BigInt(whole) * 10n ** BigInt(exponent) +
        BigInt(fraction.padEnd(exponent, "0").slice(0, exponent) || "0");
  if (minor === null || minor > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new MoneyError(
      `"${text}" ${currency.toUpperCase()} is too large: at most ${Number.MAX_SAFE_INTEGER} minor units (${toDecimalAmount(Number.MAX_SAFE_INTEGER, currency)}) can be stored exactly`,
    );
  }
  return sign ? -Number(minor) : Number(minor);
}

/** 1250 USD → "12.50"; 1000 JPY → "1000": the decimal string Shopify's Admin API expects. */
export function toDecimalAmount(amountMinor: number, currency: string): string {
  if (!Number.isSafeInteger(amountMinor))
    throw new MoneyError(`${amountMinor} is not a whole number of minor units`);
  const exponent = currencyExponent(currency);
  const sign = amountMinor < 0 ? "-" : "";
  const digits = String(Math.abs(amountMinor)).padStart(exponent + 1, "0");
  return exponent === 0
    ? `${sign}${digits}`
    : `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/**
 * floor(a × b ÷ c) for whole numbers, exact even where a × b passes Number.MAX_SAFE_INTEGER
 * (10^12 minor units × 10,000 basis points); the result must itself be a safe integer.
 */
export function multiplyDivideFloor(a: number, b: number, c: number): number {
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || !Number.isSafeInteger(c) || c === 0) {
    throw new MoneyError(`cannot compute ${a} × ${b} ÷ ${c} in whole numbers`);
  }
  const product = BigInt(a) * BigInt(b);
  const divisor = BigInt(c);
  let quotient = product / divisor; // truncates toward zero
  if (product % divisor !== 0n && product < 0n !== divisor < 0n) quotient -= 1n;
  const result = Number(quotient);
  if (!Number.isSafeInteger(result)) throw new MoneyError(`${a} × ${b} ÷ ${c} is too large`);
  return result;
}
