// The admin's language (R-ADM-7). Shopify opens an embedded app with `?locale=` set to the staff
// member's admin language; an online session carries the staff member's locale; otherwise the
// shop's primary locale. Stayloop speaks English and Czech; anything else reads English.
export const adminLocales = ["en", "cs"] as const;
export type AdminLocale = (typeof adminLocales)[number];

export function adminLocaleOf(value: string | null | undefined): AdminLocale {
  return value?.trim().toLowerCase().startsWith("cs") ? "cs" : "en";
}

export interface LocaleSources {
  /** The request URL: Shopify's `locale` parameter (the demo accepts it too). */
  url: string;
  /** The staff member's locale from an online session, when there is one. */
  staffLocale?: string | null;
  /** The shop's primary locale. */
  shopLocale?: string | null;
}

/** The first source that names a language wins. */
export function resolveAdminLocale({ url, staffLocale, shopLocale }: LocaleSources): AdminLocale {
  const requested = new URL(url).searchParams.get("locale");
  for (const candidate of [requested, staffLocale, shopLocale]) {
    if (candidate && candidate.trim() !== "") return adminLocaleOf(candidate);
  }
  return "en";
}
