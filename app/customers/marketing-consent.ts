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
 * True when Shopify's consent should replace ours (state and date): the later dated record wins,
 * also when both say the same and only the date moves, so the stored consent is the same whatever
 * order the deliveries are applied in. An undated Shopify consent cannot overturn a dated one; on a
 * tie ours stays.
 */
export function shopifyConsentWins(ours: DatedConsent, shopify: DatedConsent): boolean {
  if (shopify.at === null) return ours.at === null && ours.state !== shopify.state;
  return ours.at === null || shopify.at.getTime() > ours.at.getTime();
}

/** Shopify's consent_updated_at as a date; null when absent or not a date. */
export function consentDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
}
