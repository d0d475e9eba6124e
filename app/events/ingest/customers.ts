// customers/create, customers/update, customers/delete — and the customer nested in orders and
// checkouts. An older `updated_at` never overwrites newer data (R-EVT-5); a deleted customer is
// kept as a tombstone so a late, older delivery cannot bring them back.
import type { Customer } from "@prisma/client";
import type { CustomerPayload } from "../payloads";
import type { IngestContext } from "./context";

function consent(state: string | undefined): string {
  return state ?? "not_subscribed";
}

export function customerFields(payload: CustomerPayload) {
  return {
    email: payload.email?.toLowerCase() ?? null,
    phone: payload.phone ?? null,
    firstName: payload.first_name ?? null,
    lastName: payload.last_name ?? null,
    tags: payload.tags ?? "",
    countryCode: payload.default_address?.country_code ?? null,
    emailConsent: consent(payload.email_marketing_consent?.state),
    smsConsent: consent(payload.sms_marketing_consent?.state),
    shopifyUpdatedAt: payload.updated_at,
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
    await context.emit({
      type: "customer.created",
      subjectId: created.id,
      dedupeKey: `customer.created:${payload.id}`,
      payload: { shopifyId: payload.id },
      occurredAt: payload.created_at ?? payload.updated_at,
    });
    return created;
  }
  // Deleted or redacted (R-SEC-2): a later delivery does not bring the personal data back.
  if (existing.deletedAt || existing.redactedAt) return existing;
  if (extra.locale && !existing.locale) {
    // The locale comes from orders and checkouts, not from the customer record: the first one
    // known is kept, so it does not depend on which delivery is processed first.
    await tx.customer.update({ where: { id: existing.id }, data: { locale: extra.locale } });
  }
  // Compare-and-set in one statement: concurrent workers cannot put an older version back.
  const { count } = await tx.customer.updateMany({
    where: {
      id: existing.id,
      deletedAt: null,
      redactedAt: null,
      OR: [{ shopifyUpdatedAt: null }, { shopifyUpdatedAt: { lt: payload.updated_at } }],
    },
    data: customerFields(payload),
  });
  if (count === 0) return existing;
  await context.emit({
    type: "customer.updated",
    subjectId: existing.id,
    dedupeKey: `customer.updated:${payload.id}:${payload.updated_at.toISOString()}`,
    payload: { shopifyId: payload.id },
    occurredAt: payload.updated_at,
  });
  return tx.customer.findUniqueOrThrow({ where: { id: existing.id } });
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
