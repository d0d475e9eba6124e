// The store-event rules of app/events/ingest/{customers,orders,checkouts}.ts, applied to a batch's
// rows in memory (./store.ts) instead of statement by statement — the same decisions, from the same
// field mappings: newer `updated_at` wins, a deleted or redacted customer stays so, facts are
// announced once from the stored state, profiles are recomputed from all of a customer's orders.
//
// Each delivery is prepared first (parsed fields, money converted — whatever can fail), then
// applied; applying changes nothing until it can no longer fail, so a delivery that fails leaves
// the batch's rows as they were and fails alone.
import { customerProfile, lifecycleChangedEvent } from "../../customers/profile";
import { lineRows, orderFacts, orderFields, orderRefundedEvent, refundFields } from "../ingest/orders";
import { checkoutCompletedEvent, checkoutFields, checkoutUpdatedEvent } from "../ingest/checkouts";
import {
  consentChangedEvents,
  consentUpdates,
  customerCreatedEvent,
  customerFields,
  customerUpdatedEvent,
  profileFields,
} from "../ingest/customers";
import type { CheckoutPayload, CustomerPayload, OrderPayload, RefundPayload } from "../payloads";
import {
  newId,
  type BatchKeys,
  type BatchStore,
  type CheckoutRow,
  type CustomerRow,
  type OrderLineRow,
  type OrderRow,
} from "./store";

export type BatchTopic =
  | "customers/create"
  | "customers/update"
  | "orders/create"
  | "orders/paid"
  | "orders/updated"
  | "orders/fulfilled"
  | "orders/cancelled"
  | "refunds/create"
  | "checkouts/create"
  | "checkouts/update";

export type PreparedDelivery =
  | { kind: "customer"; customer: PreparedCustomer }
  | {
      kind: "order";
      payload: OrderPayload;
      fields: ReturnType<typeof orderFields>;
      lines: LineDraft[];
      customer: PreparedCustomer | null;
    }
  | { kind: "refund"; payload: RefundPayload }
  | {
      kind: "checkout";
      payload: CheckoutPayload;
      fields: ReturnType<typeof checkoutFields>;
      customer: PreparedCustomer | null;
    };

interface PreparedCustomer {
  payload: CustomerPayload;
  locale: string | null;
  fields: ReturnType<typeof customerFields>;
  profile: ReturnType<typeof profileFields>;
}

type LineDraft = Omit<OrderLineRow, "id" | "shopId" | "orderId">;

function prepareCustomer(payload: CustomerPayload, locale: string | null = null): PreparedCustomer {
  return { payload, locale, fields: customerFields(payload), profile: profileFields(payload) };
}

export function prepareOrder(payload: OrderPayload): PreparedDelivery {
  return {
    kind: "order",
    payload,
    fields: orderFields(payload),
    lines: lineRows("", "", payload).map(({ shopId: _shop, orderId: _order, ...line }) => line),
    customer: payload.customer ? prepareCustomer(payload.customer, payload.customer_locale ?? null) : null,
  };
}

export function prepareCheckout(payload: CheckoutPayload): PreparedDelivery {
  return {
    kind: "checkout",
    payload,
    fields: checkoutFields(payload),
    customer: payload.customer ? prepareCustomer(payload.customer, payload.customer_locale ?? null) : null,
  };
}

export function prepareRefund(payload: RefundPayload): PreparedDelivery {
  // Its amounts are converted when applied (refundFields), before anything changes: the refund's
  // currency may be the order's, known only then.
  return { kind: "refund", payload };
}

export function prepareCustomerDelivery(payload: CustomerPayload): PreparedDelivery {
  return { kind: "customer", customer: prepareCustomer(payload) };
}

/** The rows a prepared delivery refers to, so the batch loads (and locks) them up front. */
export function collectKeys(prepared: PreparedDelivery, keys: BatchKeys): void {
  const customer = prepared.kind === "refund" ? null : prepared.customer;
  if (customer) keys.customerShopifyIds.add(customer.payload.id);
  if (prepared.kind === "order") {
    keys.orderShopifyIds.add(prepared.payload.id);
    if (prepared.fields.checkoutToken) keys.checkoutTokens.add(prepared.fields.checkoutToken);
  }
  if (prepared.kind === "refund") {
    keys.refundShopifyIds.add(prepared.payload.id);
    keys.orderShopifyIds.add(prepared.payload.order_id);
  }
  if (prepared.kind === "checkout") keys.checkoutTokens.add(prepared.payload.token);
}

export function applyPrepared(store: BatchStore, prepared: PreparedDelivery): void {
  switch (prepared.kind) {
    case "customer":
      applyCustomer(store, prepared.customer);
      return;
    case "order":
      applyOrder(store, prepared);
      return;
    case "refund":
      applyRefund(store, prepared.payload);
      return;
    case "checkout":
      applyCheckout(store, prepared);
  }
}

function applyCustomer(store: BatchStore, prepared: PreparedCustomer): CustomerRow {
  const { payload } = prepared;
  const existing = store.customersByShopifyId.get(payload.id);
  if (!existing) {
    const created = store.addCustomer({
      id: newId(),
      shopId: store.shopId,
      shopifyId: payload.id,
      ...prepared.fields,
      locale: prepared.locale,
      timezone: null,
      birthday: null,
      whatsappConsent: "not_subscribed",
      firstOrderAt: null,
      lastOrderAt: null,
      ordersCount: 0,
      totalSpentMinor: 0,
      averageOrderValueMinor: 0,
      currency: null,
      lifecycleStage: "lead",
      typicalIntervalDays: null,
      atRiskAt: null,
      rfmRecency: null,
      rfmFrequency: null,
      rfmMonetary: null,
      rfmSegment: null,
      predictedClvMinor: null,
      valueBand: null,
      affinities: null,
      intelligenceAt: null,
      redactedAt: null,
      deletedAt: null,
      createdAt: store.now,
      updatedAt: store.now,
    });
    store.emit(customerCreatedEvent(created.id, payload));
    return created;
  }
  // Deleted or redacted (R-SEC-2): a later delivery does not bring the personal data back.
  if (existing.deletedAt || existing.redactedAt) return existing;
  // The first locale known is kept, whichever delivery brought it.
  if (prepared.locale && !existing.locale) store.update(existing, { locale: prepared.locale });
  if (existing.shopifyUpdatedAt !== null && existing.shopifyUpdatedAt >= payload.updated_at) return existing;
  const consent = consentUpdates(existing, payload);
  const before = { emailConsent: existing.emailConsent, smsConsent: existing.smsConsent };
  store.update(existing, { ...prepared.profile, ...consent });
  store.emit(customerUpdatedEvent(existing.id, payload));
  for (const event of consentChangedEvents(existing.id, before, consent, payload.updated_at))
    store.emit(event);
  return existing;
}

function applyOrder(store: BatchStore, prepared: Extract<PreparedDelivery, { kind: "order" }>): void {
  const { payload } = prepared;
  const customer = prepared.customer ? applyCustomer(store, prepared.customer) : null;
  const fields = {
    ...prepared.fields,
    customerId: customer?.id ?? null,
    // The customer was redacted: their order counts, their contact and address are not kept.
    ...(customer?.redactedAt ? { email: null, shippingAddressKey: null } : {}),
  };
  const existing = store.ordersByShopifyId.get(payload.id);
  const previousCustomerId = existing?.customerId ?? null;
  let order: OrderRow;
  if (!existing) {
    order = store.addOrder({
      id: newId(),
      shopId: store.shopId,
      shopifyId: payload.id,
      ...fields,
      refundedMinor: 0,
      createdAt: store.now,
      updatedAt: store.now,
    });
    store.replaceLines(order.id, linesOf(store, order.id, prepared.lines));
  } else {
    order = existing;
    if (existing.shopifyUpdatedAt < payload.updated_at) {
      store.update(existing, fields);
      store.replaceLines(existing.id, linesOf(store, existing.id, prepared.lines));
    }
  }
  settleRefundedAmount(store, order);
  for (const fact of orderFacts(order)) store.emit(fact);
  completeCheckout(store, order);
  for (const customerId of new Set([previousCustomerId, order.customerId])) {
    if (customerId) refreshProfile(store, customerId);
  }
}

function linesOf(store: BatchStore, orderId: string, lines: readonly LineDraft[]): OrderLineRow[] {
  return lines.map((line) => ({ id: newId(), shopId: store.shopId, orderId, ...line }));
}

function applyRefund(store: BatchStore, payload: RefundPayload): void {
  if (store.refundsByShopifyId.has(payload.id)) return;
  const order = store.ordersByShopifyId.get(payload.order_id);
  const fields = refundFields(payload, order?.currency ?? null);
  const refund = store.addRefund({ id: newId(), shopId: store.shopId, ...fields, createdAt: store.now });
  store.emit(orderRefundedEvent(order?.id ?? refund.id, fields));
  if (order) {
    settleRefundedAmount(store, order);
    if (order.customerId) refreshProfile(store, order.customerId);
  }
}

function settleRefundedAmount(store: BatchStore, order: OrderRow): void {
  const refundedMinor = store.refundsOf(order.shopifyId).reduce((sum, refund) => sum + refund.amountMinor, 0);
  if (refundedMinor !== order.refundedMinor) store.update(order, { refundedMinor });
}

function completeCheckout(store: BatchStore, order: OrderRow): void {
  if (!order.checkoutToken) return;
  const checkout = store.checkoutsByToken.get(order.checkoutToken);
  if (!checkout) return;
  const completedAt = checkout.completedAt;
  if (!completedAt) store.update(checkout, { completedAt: order.processedAt });
  store.emit(checkoutCompletedEvent(checkout, order, completedAt ?? order.processedAt));
}

function refreshProfile(store: BatchStore, customerId: string): void {
  const customer = store.customersById.get(customerId);
  if (!customer) return;
  const orders = store.ordersOf(customerId).filter((order) => order.cancelledAt === null);
  const profile = customerProfile(orders, store.now);
  const previousStage = customer.lifecycleStage;
  store.update(customer, profile);
  if (profile.lifecycleStage !== previousStage) {
    store.emit(lifecycleChangedEvent(customerId, previousStage, profile.lifecycleStage, store.now));
  }
}

function applyCheckout(store: BatchStore, prepared: Extract<PreparedDelivery, { kind: "checkout" }>): void {
  const { payload } = prepared;
  const customer = prepared.customer ? applyCustomer(store, prepared.customer) : null;
  const fields = {
    ...prepared.fields,
    customerId: customer?.id ?? null,
    ...(customer?.redactedAt ? { email: null, phone: null, abandonedCheckoutUrl: null } : {}),
  };
  const existing = store.checkoutsByToken.get(payload.token);
  let checkout: CheckoutRow;
  if (!existing) {
    checkout = store.addCheckout({
      id: newId(),
      shopId: store.shopId,
      token: payload.token,
      ...fields,
      createdAt: store.now,
      updatedAt: store.now,
    });
  } else {
    checkout = existing;
    if (existing.shopifyUpdatedAt < payload.updated_at) {
      // Once complete, a checkout stays complete.
      store.update(existing, { ...fields, completedAt: existing.completedAt ?? fields.completedAt });
    }
  }
  const order = store.orderWithCheckout(payload.token);
  if (order && !checkout.completedAt) store.update(checkout, { completedAt: order.processedAt });
  if (checkout.completedAt) {
    store.emit(checkoutCompletedEvent(checkout, order, checkout.completedAt));
  } else if (checkout.email || checkout.phone) {
    // Flows (re)start their abandonment timer from the newest version of the cart.
    store.emit(checkoutUpdatedEvent(checkout));
  }
}
