// How the customers pages write money (the currency's own format, from integer minor units) and
// dates (in the shop's time zone) in the admin's language.
import type { AdminLocale } from "../../i18n/locale";
import { toDecimalAmount } from "../../money/money";

const intlLocale = (locale: AdminLocale) => (locale === "cs" ? "cs-CZ" : "en-US");

export function formatMoney(amountMinor: number, currency: string, locale: AdminLocale): string {
  const decimal = Number(toDecimalAmount(amountMinor, currency));
  try {
    return new Intl.NumberFormat(intlLocale(locale), { style: "currency", currency }).format(decimal);
  } catch {
    return `${toDecimalAmount(amountMinor, currency)} ${currency}`;
  }
}

function validZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return timeZone;
  } catch {
    return "UTC";
  }
}

/** A day, e.g. "4 Dec 2026" / "4. 12. 2026", in the shop's time zone. */
export function formatDate(iso: string | null, timeZone: string, locale: AdminLocale): string | null {
  if (!iso) return null;
  return new Intl.DateTimeFormat(intlLocale(locale), {
    dateStyle: "medium",
    timeZone: validZone(timeZone),
  }).format(new Date(iso));
}

/** A day and time in the shop's time zone. */
export function formatDateTime(iso: string | null, timeZone: string, locale: AdminLocale): string | null {
  if (!iso) return null;
  return new Intl.DateTimeFormat(intlLocale(locale), {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: validZone(timeZone),
  }).format(new Date(iso));
}

export function formatNumber(value: number, locale: AdminLocale): string {
  return new Intl.NumberFormat(intlLocale(locale)).format(value);
}
