// How the Flows pages show figures: money in the shop currency, shares as percentages, moments in
// the shop's time zone — all in the admin's language.
import { toDecimalAmount } from "../../money/money";

export function formatMoneyMinor(amountMinor: number, currency: string, locale: string): string {
  return new Intl.NumberFormat(locale, { style: "currency", currency }).format(
    Number(toDecimalAmount(amountMinor, currency)),
  );
}

export function formatShare(value: number | null, locale: string): string {
  if (value === null) return "—";
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(value);
}

export function formatCount(value: number, locale: string): string {
  return new Intl.NumberFormat(locale).format(value);
}

export function formatMoment(iso: string | Date, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(
    new Date(iso),
  );
}
