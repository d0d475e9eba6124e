// checkouts/create and checkouts/update: the cart as the shopper left it, for abandoned-cart flows.
// A checkout whose order is already known is complete, whichever arrived first.
import type { Checkout } from "@prisma/client";
import { toMinorUnits } from "../../money/money";
import type { DomainEventInput } from "../domain-events";
import type { CheckoutPayload } from "../payloads";
import type { IngestContext } from "./context";
import { applyCustomer } from "./customers";

export function checkoutFields(payload: CheckoutPayload) {
  const currency = payload.currency.toUpperCase();
  return {
    shopifyId: payload.id,
    email: payload.email?.toLowerCase() ?? null,
    phone: payload.phone ?? null,
    currency,
    subtotalMinor: toMinorUnits(payload.subtotal_price, currency),
    totalMinor: toMinorUnits(payload.total_price, currency),
    abandonedCheckoutUrl: payload.abandoned_checkout_url ?? null,
    lineItems: payload.line_items.map((line) => ({
      title: line.title,
      variantTitle: line.variant_title ?? null,
      quantity: line.quantity,
      priceMinor: toMinorUnits(line.price, currency),
      productShopifyId: line.product_id ?? null,
      variantShopifyId: line.variant_id ?? null,
      sku: line.sku ?? null,
    })),
    completedAt: payload.completed_at ?? null,
    shopifyUpdatedAt: payload.updated_at,
  };
}

/** checkout.completed, once per checkout, with its order when known. */
export function checkoutCompletedEvent(
  checkout: Pick<Checkout, "id" | "token">,
  order: { id: string; shopifyId: string } | null | undefined,
  occurredAt: Date,
): DomainEventInput {
  return {
    type: "checkout.completed",
    subjectId: checkout.id,
    dedupeKey: `checkout.completed:${checkout.token}`,
    payload: { orderId: order?.id ?? null, orderShopifyId: order?.shopifyId ?? null },
    occurredAt,
  };
}

/** checkout.updated, once per version of the cart: flows (re)start their abandonment timer from it. */
export function checkoutUpdatedEvent(
  checkout: Pick<Checkout, "id" | "token" | "customerId" | "shopifyUpdatedAt">,
): DomainEventInput {
  return {
    type: "checkout.updated",
    subjectId: checkout.id,
    dedupeKey: `checkout.updated:${checkout.token}:${checkout.shopifyUpdatedAt.toISOString()}`,
    payload: { token: checkout.token, customerId: checkout.customerId },
    occurredAt: checkout.shopifyUpdatedAt,
  };
}

export async function applyCheckout(context: IngestContext, payload: CheckoutPayload): Promise<Checkout> {
  const { tx, shop } = context;
  const customer = payload.customer
    ? await applyCustomer(context, payload.customer, { locale: payload.customer_locale })
    : null;
  const fields = {
    ...checkoutFields(payload),
    customerId: customer?.id ?? null,
    ...(customer?.redactedAt ? { email: null, phone: null, abandonedCheckoutUrl: null } : {}),
  };
  const where = { shopId_token: { shopId: shop.id, token: payload.token } };
  const existing = await tx.checkout.findUnique({ where });
  let checkout: Checkout;
  if (!existing) {
    checkout = await tx.checkout.create({ data: { shopId: shop.id, token: payload.token, ...fields } });
  } else {
    await tx.checkout.updateMany({
      where: { id: existing.id, shopifyUpdatedAt: { lt: payload.updated_at } },
      // Once complete, a checkout stays complete.
      data: { ...fields, completedAt: existing.completedAt ?? fields.completedAt },
    });
    checkout = await tx.checkout.findUniqueOrThrow({ where: { id: existing.id } });
  }

  const order = await tx.order.findFirst({
    where: { shopId: shop.id, checkoutToken: payload.token },
    select: { id: true, shopifyId: true, processedAt: true },
  });
  if (order && !checkout.completedAt) {
    checkout = await tx.checkout.update({
      where: { id: checkout.id },
      data: { completedAt: order.processedAt },
    });
  }
  if (checkout.completedAt) {
    await context.emit(checkoutCompletedEvent(checkout, order, checkout.completedAt));
  } else if (checkout.email || checkout.phone) {
    // Flows (re)start their abandonment timer from the newest version of the cart.
    await context.emit(checkoutUpdatedEvent(checkout));
  }
  return checkout;
}
