// Small helpers the customers pages share for their words.
import type { CustomersWords } from "../../i18n/messages/customers";

/** The catalogue's word for a stored value (e.g. `lifecycle_at_risk`); the value itself if unknown. */
export function word(words: CustomersWords, key: string): string {
  return Object.hasOwn(words, key) ? words[key as keyof CustomersWords] : key.replace(/^[a-z]+_/, "");
}

export function customerName(
  customer: { firstName: string | null; lastName: string | null; email: string | null },
  words: CustomersWords,
): string {
  const name = [customer.firstName, customer.lastName].filter(Boolean).join(" ");
  return name || customer.email || words.unnamed;
}

export function lifecycleTone(stage: string): "success" | "info" | "warning" | "critical" | undefined {
  switch (stage) {
    case "repeat":
      return "success";
    case "one_time":
      return "info";
    case "at_risk":
      return "warning";
    case "lapsed":
      return "critical";
    default:
      return undefined;
  }
}
