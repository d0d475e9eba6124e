// orders/create, orders/paid, orders/updated, orders/fulfilled, orders/cancelled and refunds/create.
// The stored order follows the newest `updated_at`; facts (paid, cancelled, fulfilled, refunded)
// are announced once, from the stored state, whichever delivery revealed them first.
import type { Order, Prisma } from "@prisma/client";
import { lifecycleChangedEvent, recomputeCustomerProfile } from "../../customers/profile";
import { toMinorUnits } from "../../money/money";
import { fromStoredInteger } from "../../money/stored";
import type { DomainEventInput } from "../domain-events";
import type { OrderPayload, RefundPayload } from "../payloads";
import type { IngestContext } from "./context";
import { checkoutCompletedEvent } from "./checkouts";
import { applyCustomer } from "./customers";

const paidStatuses = new Set(["paid", "partially_refunded", "refunded"]);

/** Street, postcode and country, normalised, so one address written two ways compares equal. */
export function shippingAddressKey(address: OrderPayload["shipping_address"]): string | null {
  if (!address?.address1 || !address.zip) return null;
  const normal = (value: string | null | undefined) =>
    (value ?? "")
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]/g, "");
  return [address.address1, address.address2, address.zip, address.country_code].map(normal).join("|");
}

export function orderFields(payload: OrderPayload) {
  const currency = payload.currency.toUpperCase();
  const money = (amount: string | null | undefined) => (amount ? toMinorUnits(amount, currency) : 0);
  return {
    name: payload.name,
    email: payload.email?.toLowerCase() ?? null,
    currency,
    subtotalMinor: money(payload.subtotal_price),
    totalDiscountsMinor: money(payload.total_discounts),
    totalShippingMinor: money(payload.total_shipping_price_set?.shop_money.amount),
    totalTaxMinor: money(payload.total_tax),
    totalMinor: money(payload.total_price),
    financialStatus: payload.financial_status ?? null,
    fulfillmentStatus: payload.fulfillment_status ?? null,
    checkoutToken: payload.checkout_token ?? null,
    sourceName: payload.source_name ?? null,
    shippingAddressKey: shippingAddressKey(payload.shipping_address),
    processedAt: payload.processed_at ?? payload.created_at,
    cancelledAt: payload.cancelled_at ?? null,
    shopifyUpdatedAt: payload.updated_at,
  };
}

export function lineRows(shopId: string, orderId: string, payload: OrderPayload) {
  const currency = payload.currency.toUpperCase();
  return payload.line_items.map((line) => ({
    shopId,
    orderId,
    shopifyId: line.id,
    productShopifyId: line.product_id ?? null,
    variantShopifyId: line.variant_id ?? null,
    title: line.title,
    variantTitle: line.variant_title ?? null,
    sku: line.sku ?? null,
    quantity: line.quantity,
    priceMinor: toMinorUnits(line.price, currency),
    totalDiscountMinor: line.total_discount ? toMinorUnits(line.total_discount, currency) : 0,
  }));
}

/** Applies an order payload (any orders/* topic) and returns the stored order. */
export async function applyOrder(context: IngestContext, payload: OrderPayload): Promise<Order> {
  const { tx, shop } = context;
  const customer = payload.customer
    ? await applyCustomer(context, payload.customer, { locale: payload.customer_locale })
    : null;
  const fields = {
    ...orderFields(payload),
    customerId: customer?.id ?? null,
    // The customer was redacted: their order counts, their contact and address are not kept.
    ...(customer?.redactedAt ? { email: null, shippingAddressKey: null } : {}),
  };
  const existing = await tx.order.findUnique({
    where: { shopId_shopifyId: { shopId: shop.id, shopifyId: payload.id } },
  });

  let order: Order;
  if (!existing) {
    order = await tx.order.create({ data: { shopId: shop.id, shopifyId: payload.id, ...fields } });
    await tx.orderLine.createMany({ data: lineRows(shop.id, order.id, payload) });
  } else {
    const { count } = await tx.order.updateMany({
      where: { id: existing.id, shopifyUpdatedAt: { lt: payload.updated_at } },
      data: fields,
    });
    if (count > 0) {
      await tx.orderLine.deleteMany({ where: { orderId: existing.id } });
      await tx.orderLine.createMany({ data: lineRows(shop.id, existing.id, payload) });
    }
    order = await tx.order.findUniqueOrThrow({ where: { id: existing.id } });
  }

  order = await settleRefundedAmount(context, order);
  await announceOrderFacts(context, order);
  await completeCheckout(context, order);
  for (const customerId of new Set([existing?.customerId, order.customerId])) {
    if (customerId) await refreshProfile(context, customerId);
  }
  return order;
}

/**
 * A refund's stored fields: its currency (the successful transactions', else the order's), the
 * money returned and the refunded lines. Throws when the currency cannot be known yet.
 */
export function refundFields(payload: RefundPayload, orderCurrency: string | null) {
  const successful = payload.transactions.filter(
    (transaction) => transaction.kind === "refund" && transaction.status === "success",
  );
  const currency = (successful[0]?.currency ?? orderCurrency ?? "").toUpperCase();
  if (currency === "")
    throw new Error(`refund ${payload.id}: currency unknown (no transaction, order not seen yet)`);
  const money = (amount: string | null | undefined) => (amount ? toMinorUnits(amount, currency) : 0);
  return {
    shopifyId: payload.id,
    orderShopifyId: payload.order_id,
    currency,
    amountMinor: successful.reduce((sum, transaction) => sum + money(transaction.amount), 0),
    lineItems: payload.refund_line_items.map((line) => ({
      lineShopifyId: line.line_item_id,
      quantity: line.quantity,
      subtotalMinor: money(line.subtotal),
      totalTaxMinor: money(line.total_tax),
    })),
    processedAt: payload.processed_at ?? payload.created_at,
  };
}

/** order.refunded, about the order when known (else the refund itself). */
export function orderRefundedEvent(
  subjectId: string,
  refund: ReturnType<typeof refundFields>,
): DomainEventInput {
  return {
    type: "order.refunded",
    subjectId,
    dedupeKey: `order.refunded:${refund.shopifyId}`,
    payload: {
      refundShopifyId: refund.shopifyId,
      orderShopifyId: refund.orderShopifyId,
      amountMinor: refund.amountMinor,
      currency: refund.currency,
      lineItems: refund.lineItems,
    },
    occurredAt: refund.processedAt,
  };
}

/** refunds/create: recorded once per refund id; the order's refunded amount is the sum. */
export async function applyRefund(context: IngestContext, payload: RefundPayload): Promise<void> {
  const { tx, shop } = context;
  const existing = await tx.refund.findUnique({
    where: { shopId_shopifyId: { shopId: shop.id, shopifyId: payload.id } },
    select: { id: true },
  });
  if (existing) return;
  const order = await tx.order.findUnique({
    where: { shopId_shopifyId: { shopId: shop.id, shopifyId: payload.order_id } },
  });
  const fields = refundFields(payload, order?.currency ?? null);
  const refund = await tx.refund.create({ data: { shopId: shop.id, ...fields } });
  await context.emit(orderRefundedEvent(order?.id ?? refund.id, fields));
  if (order) {
    const settled = await settleRefundedAmount(context, order);
    if (settled.customerId) await refreshProfile(context, settled.customerId);
  }
}

async function settleRefundedAmount(context: IngestContext, order: Order): Promise<Order> {
  const { _sum } = await context.tx.refund.aggregate({
    where: { shopId: order.shopId, orderShopifyId: order.shopifyId },
    _sum: { amountMinor: true },
  });
  const refundedMinor = fromStoredInteger(_sum.amountMinor ?? 0);
  if (refundedMinor === fromStoredInteger(order.refundedMinor)) return order;
  return context.tx.order.update({ where: { id: order.id }, data: { refundedMinor } });
}

/** The order's state as facts to announce: created, and paid, cancelled, fulfilled when so. */
export type OrderFactsSource = Prisma.OrderGetPayload<{
  select: {
    id: true;
    shopifyId: true;
    customerId: true;
    financialStatus: true;
    fulfillmentStatus: true;
    processedAt: true;
    cancelledAt: true;
    shopifyUpdatedAt: true;
  };
}>;

/** The facts applyOrder announces for an order (order.created, .paid, .cancelled, .fulfilled). */

export function orderFacts(order: OrderFactsSource): DomainEventInput[] {
  const base = {
    subjectId: order.id,
    payload: { orderShopifyId: order.shopifyId, customerId: order.customerId },
  };
  const facts: DomainEventInput[] = [
    {
      ...base,
      type: "order.created",
      dedupeKey: `order.created:${order.shopifyId}`,
      occurredAt: order.processedAt,
    },
  ];
  if (order.financialStatus && paidStatuses.has(order.financialStatus)) {
    facts.push({
      ...base,
      type: "order.paid",
      dedupeKey: `order.paid:${order.shopifyId}`,
      occurredAt: order.shopifyUpdatedAt,
    });
  }
  if (order.cancelledAt) {
    facts.push({
      ...base,
      type: "order.cancelled",
      dedupeKey: `order.cancelled:${order.shopifyId}`,
      occurredAt: order.cancelledAt,
    });
  }
  if (order.fulfillmentStatus === "fulfilled") {
    facts.push({
      ...base,
      type: "order.fulfilled",
      dedupeKey: `order.fulfilled:${order.shopifyId}`,
      occurredAt: order.shopifyUpdatedAt,
    });
  }
  return facts;
}

async function announceOrderFacts(context: IngestContext, order: Order): Promise<void> {
  for (const fact of orderFacts(order)) await context.emit(fact);
}

async function completeCheckout(context: IngestContext, order: Order): Promise<void> {
  if (!order.checkoutToken) return;
  const checkout = await context.tx.checkout.findUnique({
    where: { shopId_token: { shopId: order.shopId, token: order.checkoutToken } },
    select: { id: true, completedAt: true },
  });
  if (!checkout) return;
  if (!checkout.completedAt) {
    await context.tx.checkout.update({
      where: { id: checkout.id },
      data: { completedAt: order.processedAt },
    });
  }
  await context.emit(
    checkoutCompletedEvent(
      { id: checkout.id, token: order.checkoutToken },
      order,
      checkout.completedAt ?? order.processedAt,
    ),
  );
}

export async function refreshProfile(context: IngestContext, customerId: string): Promise<void> {
  const now = context.clock.now();
  const change = await recomputeCustomerProfile(context.tx, context.shop.id, customerId, now);
  if (change.stage !== change.previousStage) {
    await context.emit(lifecycleChangedEvent(customerId, change.previousStage, change.stage, now));
  }
}
