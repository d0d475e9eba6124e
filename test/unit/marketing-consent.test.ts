// Consent precedence (R-FLOW-3, docs/decisions/006-consent-precedence.md): the later dated change wins.
import { describe, expect, it } from "vitest";
import { consentDate, shopifyConsentWins } from "../../app/customers/marketing-consent";

const at = (iso: string) => new Date(iso);

describe("shopifyConsentWins", () => {
  it.each([
    ["a later Shopify change wins", "2026-11-23T12:30:00Z", true],
    ["an earlier Shopify change loses", "2026-11-23T11:00:00Z", false],
    ["a tie keeps ours", "2026-11-23T12:00:00Z", false],
  ])("%s", (_name, shopifyAt, wins) => {
    expect(
      shopifyConsentWins(
        { state: "unsubscribed", at: at("2026-11-23T12:00:00Z") },
        { state: "subscribed", at: at(shopifyAt) },
      ),
    ).toBe(wins);
  });

  it("an undated Shopify consent never overturns a dated one, but replaces an undated one", () => {
    expect(
      shopifyConsentWins(
        { state: "unsubscribed", at: at("2026-11-23T12:00:00Z") },
        { state: "subscribed", at: null },
      ),
    ).toBe(false);
    expect(shopifyConsentWins({ state: "not_subscribed", at: null }, { state: "subscribed", at: null })).toBe(
      true,
    );
  });

  it("the same state with a later date moves the date, so the outcome does not depend on delivery order", () => {
    expect(
      shopifyConsentWins(
        { state: "subscribed", at: null },
        { state: "subscribed", at: at("2026-11-23T12:00:00Z") },
      ),
    ).toBe(true);
    expect(
      shopifyConsentWins(
        { state: "subscribed", at: at("2026-11-23T12:00:00Z") },
        { state: "subscribed", at: at("2026-11-23T13:00:00Z") },
      ),
    ).toBe(true);
    expect(
      shopifyConsentWins(
        { state: "subscribed", at: at("2026-11-23T13:00:00Z") },
        { state: "subscribed", at: at("2026-11-23T12:00:00Z") },
      ),
    ).toBe(false);
    expect(shopifyConsentWins({ state: "subscribed", at: null }, { state: "subscribed", at: null })).toBe(
      false,
    );
  });

  it("reads Shopify's consent_updated_at, ignoring absent or broken values", () => {
    expect(consentDate("2026-11-23T12:00:00-05:00")?.toISOString()).toBe("2026-11-23T17:00:00.000Z");
    expect(consentDate(null)).toBeNull();
    expect(consentDate("soon")).toBeNull();
  });
});
