// Which marketing consent a customer has when Shopify and Stayloop both change it (R-FLOW-3,
// docs/decisions/006-consent-precedence.md): the latest change by time wins, whichever side made
// it. Shopify's side is dated by its own consent_updated_at, never by the customer's updated_at —
// an unrelated edit (a tag, an address) says nothing about when consent last changed.

export interface DatedConsent {
  state: string;
  /** When this state was set; null when nobody knows (Shopify never dated it, or before dating). */
  at: Date | null;
}

/**
 * True when Shopify's consent should replace ours. Ours stays when it is dated and Shopify's is
 * not later (an undated Shopify consent cannot overturn a dated change; on a tie ours stays).
 */
export function shopifyConsentWins(ours: DatedConsent, shopify: DatedConsent): boolean {
  if (ours.state === shopify.state) return false;
  if (ours.at === null) return true;
  return shopify.at !== null && shopify.at.getTime() > ours.at.getTime();
}

/** Shopify's consent_updated_at as a date; null when absent or not a date. */
export function consentDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
}
