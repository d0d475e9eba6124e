// Validation messages from the domain services are written in English for logs and the API; the
// admin shows them in the merchant's language (R-ADM-7). A catalogue's keys that start with
// "error." are the English messages the domain writes (with {placeholders} standing for the varying
// parts) and their translations; a message no entry knows reads as the catalogue's "error.invalid"
// in Czech, so a Czech admin never sees English — the field it belongs to still names it.
import type { AdminLocale } from "./locale";
import { fill, useAdminLocale, type Catalogue } from "./catalogue";

function patternOf(english: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const source = english
    .split(/(\{\w+\})/)
    .map((part) => {
      const placeholder = /^\{(\w+)\}$/.exec(part);
      if (placeholder?.[1]) {
        names.push(placeholder[1]);
        return "(.+?)";
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("");
  return { regex: new RegExp(`^${source}$`), names };
}

/** The domain's English message in the admin's language (several problems joined by "; " each). */
export function localizeError<Keys extends string>(
  message: string,
  catalogue: Catalogue<Keys>,
  locale: AdminLocale,
): string {
  if (locale === "en") return message;
  return message
    .split("; ")
    .map((part) => localizeOne(part, catalogue, locale))
    .join("; ");
}

function localizeOne<Keys extends string>(
  message: string,
  catalogue: Catalogue<Keys>,
  locale: AdminLocale,
): string {
  for (const key of Object.keys(catalogue.en) as Keys[]) {
    if (!key.startsWith("error.") || key === "error.invalid") continue;
    const { regex, names } = patternOf(catalogue.en[key]);
    const match = regex.exec(message);
    if (!match) continue;
    // A varying part the catalogue knows ("value.marketing") is translated too.
    const known = catalogue[locale] as Record<string, string>;
    const values = Object.fromEntries(
      names.map((name, index) => {
        const value = match[index + 1] ?? "";
        return [name, known[`value.${value}`] ?? value];
      }),
    );
    return fill(catalogue[locale][key], values);
  }
  const fallback = (catalogue[locale] as Record<string, string>)["error.invalid"];
  return fallback ?? message;
}

/** `localizeError` in the admin's language. */
export function useErrorText<Keys extends string>(catalogue: Catalogue<Keys>): (message: string) => string {
  const locale = useAdminLocale();
  return (message) => localizeError(message, catalogue, locale);
}
