// customer.consent_changed (issue 14's "consent changed" trigger): one event per channel whose
// marketing consent an applied customer update changed, keyed by channel, state and time so a
// repeated delivery announces it once; nothing when consent stayed as it was.
import { describe, expect, it } from "vitest";
import { consentChangedEvents } from "../../app/events/ingest/customers";

const at = new Date("2026-11-30T10:00:00Z");
const consentAt = new Date("2026-11-30T09:59:00Z");

describe("consentChangedEvents", () => {
  it("announces each channel that changed, from → to, at Shopify's consent time", () => {
    const events = consentChangedEvents(
      "c1",
      { emailConsent: "not_subscribed", smsConsent: "subscribed" },
      {
        emailConsent: "subscribed",
        emailConsentAt: consentAt,
        smsConsent: "unsubscribed",
        smsConsentAt: null,
      },
      at,
    );
    expect(events).toEqual([
      {
        type: "customer.consent_changed",
        subjectId: "c1",
        dedupeKey: `customer.consent_changed:c1:email:subscribed:${consentAt.toISOString()}`,
        payload: { channel: "email", from: "not_subscribed", to: "subscribed" },
        occurredAt: consentAt,
      },
      {
        type: "customer.consent_changed",
        subjectId: "c1",
        dedupeKey: `customer.consent_changed:c1:sms:unsubscribed:${at.toISOString()}`,
        payload: { channel: "sms", from: "subscribed", to: "unsubscribed" },
        occurredAt: at,
      },
    ]);
  });

  it("announces nothing when no channel's state changed", () => {
    expect(
      consentChangedEvents("c1", { emailConsent: "subscribed", smsConsent: "not_subscribed" }, {}, at),
    ).toEqual([]);
    expect(
      consentChangedEvents(
        "c1",
        { emailConsent: "subscribed", smsConsent: "not_subscribed" },
        { emailConsent: "subscribed", emailConsentAt: consentAt },
        at,
      ),
    ).toEqual([]);
  });
});
