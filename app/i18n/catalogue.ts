// Message catalogues for the admin (R-ADM-7): each area of the admin keeps its words in one file
// under app/i18n/messages/, English first; the Czech half must have exactly the same keys (the type
// checker refuses a missing or an extra one). Components read their area's words through
// useMessages; placeholders are written {name} and filled by `fill`.
import { useRouteLoaderData } from "@remix-run/react";
import { adminLocaleOf, type AdminLocale } from "./locale";

export type Messages<Keys extends string = string> = Readonly<Record<Keys, string>>;

export interface Catalogue<Keys extends string> {
  readonly en: Messages<Keys>;
  readonly cs: Messages<Keys>;
}

/** Declares an area's words: `defineMessages({ en: {...}, cs: {...} })`, the same keys in both. */
export function defineMessages<Keys extends string>(catalogue: {
  en: Record<Keys, string>;
  cs: NoInfer<Record<Keys, string>>;
}): Catalogue<Keys> {
  return catalogue;
}

/** The catalogue's words in one language. */
export function messagesFor<Keys extends string>(
  catalogue: Catalogue<Keys>,
  locale: AdminLocale,
): Messages<Keys> {
  return catalogue[locale];
}

/** Fills {placeholders}; one that has no value is left as written, so a mistake shows. */
export function fill(text: string, values: Readonly<Record<string, string | number>>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? String(values[name]) : whole,
  );
}

/** The admin's language, as the app layout's loader (routes/app) resolved it. */
export function useAdminLocale(): AdminLocale {
  const data = useRouteLoaderData<{ locale?: string }>("routes/app");
  return adminLocaleOf(data?.locale);
}

/** An area's words in the admin's language. */
export function useMessages<Keys extends string>(catalogue: Catalogue<Keys>): Messages<Keys> {
  return messagesFor(catalogue, useAdminLocale());
}
