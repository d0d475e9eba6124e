// customers/create, customers/update, customers/delete — and the customer nested in orders and
// checkouts. An older `updated_at` never overwrites newer data (R-EVT-5); a deleted customer is
// kept as a tombstone so a late, older delivery cannot bring them back. Marketing consent goes by
// its own date: the later change wins, Shopify's or ours (R-FLOW-3, decision 006).
import type { Customer } from "@prisma/client";
import { consentDate, shopifyConsentWins } from "../../customers/marketing-consent";
import type { DomainEventInput } from "../domain-events";
import type { CustomerPayload } from "../payloads";
import type { IngestContext } from "./context";

export function profileFields(payload: CustomerPayload) {
  return {
    email: payload.email?.toLowerCase() ?? null,
    phone: payload.phone ?? null,
    firstName: payload.first_name ?? null,
    lastName: payload.last_name ?? null,
    tags: payload.tags ?? "",
    countryCode: payload.default_address?.country_code ?? null,
    shopifyUpdatedAt: payload.updated_at,
  };
}

/** Shopify's consent per channel, dated by its consent_updated_at. */
function shopifyConsent(payload: CustomerPayload) {
  const email = payload.email_marketing_consent;
  const sms = payload.sms_marketing_consent;
  return {
    email: { state: email?.state ?? "not_subscribed", at: consentDate(email?.consent_updated_at) },
    sms: { state: sms?.state ?? "not_subscribed", at: consentDate(sms?.consent_updated_at) },
  };
}

/** A new customer's fields: everything, consent as Shopify has it. */
export function customerFields(payload: CustomerPayload) {
  const consent = shopifyConsent(payload);
  return {
    ...profileFields(payload),
    emailConsent: consent.email.state,
    emailConsentAt: consent.email.at,
    smsConsent: consent.sms.state,
    smsConsentAt: consent.sms.at,
  };
}

/** The consent columns to change on a stored customer: only the channels where Shopify's is later. */
export function consentUpdates(
  customer: Pick<Customer, "emailConsent" | "emailConsentAt" | "smsConsent" | "smsConsentAt">,
  payload: CustomerPayload,
) {
  const shopify = shopifyConsent(payload);
  return {
    ...(shopifyConsentWins({ state: customer.emailConsent, at: customer.emailConsentAt }, shopify.email)
      ? { emailConsent: shopify.email.state, emailConsentAt: shopify.email.at }
      : {}),
    ...(shopifyConsentWins({ state: customer.smsConsent, at: customer.smsConsentAt }, shopify.sms)
      ? { smsConsent: shopify.sms.state, smsConsentAt: shopify.sms.at }
      : {}),
  };
}

export function customerCreatedEvent(customerId: string, payload: CustomerPayload): DomainEventInput {
  return {
    type: "customer.created",
    subjectId: customerId,
    dedupeKey: `customer.created:${payload.id}`,
    payload: { shopifyId: payload.id },
    occurredAt: payload.created_at ?? payload.updated_at,
  };
}

/**
 * customer.consent_changed for each channel whose marketing consent the applied update changed
 * (from → to), once per channel, state and time: flows can start on a subscription.
 */
export function consentChangedEvents(
  customerId: string,
  before: Pick<Customer, "emailConsent" | "smsConsent">,
  update: ReturnType<typeof consentUpdates>,
  occurredAt: Date,
): DomainEventInput[] {
  const changes = [
    { channel: "email", from: before.emailConsent, to: update.emailConsent, at: update.emailConsentAt },
    { channel: "sms", from: before.smsConsent, to: update.smsConsent, at: update.smsConsentAt },
  ];
  return changes.flatMap(({ channel, from, to, at }) => {
    if (to === undefined || to === from) return [];
    const when = at ?? occurredAt;
    return [
      {
        type: "customer.consent_changed" as const,
        subjectId: customerId,
        dedupeKey: `customer.consent_changed:${customerId}:${channel}:${to}:${when.toISOString()}`,
        payload: { channel, from, to },
        occurredAt: when,
      },
    ];
  });
}

/** customer.updated, once per version (`updated_at`) applied. */
export function customerUpdatedEvent(customerId: string, payload: CustomerPayload): DomainEventInput {
  return {
    type: "customer.updated",
    subjectId: customerId,
    dedupeKey: `customer.updated:${payload.id}:${payload.updated_at.toISOString()}`,
    payload: { shopifyId: payload.id },
    occurredAt: payload.updated_at,
  };
}

/** Applies a customer payload; returns the stored customer (possibly unchanged when stale). */
export async function applyCustomer(
  context: IngestContext,
  payload: CustomerPayload,
  extra: { locale?: string | null } = {},
): Promise<Customer> {
  const { tx, shop } = context;
  const where = { shopId_shopifyId: { shopId: shop.id, shopifyId: payload.id } };
  const existing = await tx.customer.findUnique({ where });
  if (!existing) {
    const created = await tx.customer.create({
      data: {
        shopId: shop.id,
        shopifyId: payload.id,
        ...customerFields(payload),
        locale: extra.locale ?? null,
      },
    });
    await context.emit(customerCreatedEvent(created.id, payload));
    return created;
  }
  // Deleted or redacted (R-SEC-2): a later delivery does not bring the personal data back.
  if (existing.deletedAt || existing.redactedAt) return existing;
  if (extra.locale && !existing.locale) {
    // The locale comes from orders and checkouts, not from the customer record: the first one
    // known is kept, so it does not depend on which delivery is processed first.
    await tx.customer.update({ where: { id: existing.id }, data: { locale: extra.locale } });
  }
  // Compare-and-set in one statement: concurrent workers cannot put an older version back. It also
  // takes the row lock, so the consent read below cannot race an unsubscribe (changeConsent locks too).
  const { count } = await tx.customer.updateMany({
    where: {
      id: existing.id,
      deletedAt: null,
      redactedAt: null,
      OR: [{ shopifyUpdatedAt: null }, { shopifyUpdatedAt: { lt: payload.updated_at } }],
    },
    data: profileFields(payload),
  });
  if (count === 0) return existing;
  const locked = await tx.customer.findUniqueOrThrow({ where: { id: existing.id } });
  const consent = consentUpdates(locked, payload);
  const stored =
    Object.keys(consent).length > 0
      ? await tx.customer.update({ where: { id: existing.id }, data: consent })
      : locked;
  await context.emit(customerUpdatedEvent(existing.id, payload));
  for (const event of consentChangedEvents(existing.id, locked, consent, payload.updated_at))
    await context.emit(event);
  return stored;
}

export async function deleteCustomer(context: IngestContext, shopifyId: string): Promise<void> {
  const { tx, shop } = context;
  const now = context.clock.now();
  const where = { shopId_shopifyId: { shopId: shop.id, shopifyId } };
  const existing = await tx.customer.findUnique({ where, select: { id: true, deletedAt: true } });
  if (existing?.deletedAt) return;
  const tombstone = { deletedAt: now, email: null, phone: null, firstName: null, lastName: null };
  const customer = existing
    ? await tx.customer.update({ where: { id: existing.id }, data: tombstone, select: { id: true } })
    : await tx.customer.create({ data: { shopId: shop.id, shopifyId, ...tombstone }, select: { id: true } });
  await context.emit({
    type: "customer.deleted",
    subjectId: customer.id,
    dedupeKey: `customer.deleted:${shopifyId}`,
    payload: { shopifyId },
    occurredAt: now,
  });
}
