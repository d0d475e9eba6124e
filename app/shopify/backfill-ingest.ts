// Batched ingest for the backfill. Every Prisma query costs about a millisecond, and the webhook
// ingest spends ~16 queries per order: fine for one delivery, minutes for a shop's history. So:
// - a record Stayloop has never stored is inserted with createMany, in exactly the rows and domain
//   events applyCustomer / applyOrder would write for it (test/integration/backfill.test.ts checks
//   that parity against the webhook path);
// - a stored record in a newer version (or an order with a checkout token) goes through
//   applyCustomer / applyOrder themselves;
// - a stored record at the same or a newer version is skipped: the ingest functions would change
//   nothing (updated_at guard), and its facts were announced when it was stored.
// Customer profiles are recomputed once per customer after the orders (refreshProfiles), not after
// every order, so a backfill announces each customer's current lifecycle stage, not its history
// (lead → one_time → repeat … as each old order is replayed).
import {
  domainEventJobKind,
  type DomainEventInput,
  type DomainEventJobPayload,
  type DomainEventSubscriber,
} from "../events/domain-events";
import type { IngestContext } from "../events/ingest/context";
import { applyCustomer, customerFields } from "../events/ingest/customers";
import {
  applyOrder,
  lineRows,
  orderFacts,
  orderFields,
  type OrderFactsSource,
} from "../events/ingest/orders";
import type { CustomerPayload, OrderPayload } from "../events/payloads";
import { customerProfile, lifecycleChangedEvent } from "../customers/profile";
import { fromStoredInteger, fromStoredRow, type FromStored } from "../money/stored";

// --- batched writes -------------------------------------------------------------------------------

/** The ingest context plus the subscribers, which batched event writes schedule jobs for. */
export interface BatchContext extends IngestContext {
  subscribers: readonly DomainEventSubscriber[];
}

/** recordDomainEvent for many events: each (shop, dedupeKey) once, one delivery job per subscriber. */
async function recordDomainEvents(context: BatchContext, events: readonly DomainEventInput[]): Promise<void> {
  const { tx, shop } = context;
  if (events.length === 0) return;
  const seen = await tx.domainEvent.findMany({
    where: { shopId: shop.id, dedupeKey: { in: events.map((event) => event.dedupeKey) } },
    select: { dedupeKey: true },
  });
  const known = new Set(seen.map((event) => event.dedupeKey));
  const fresh = events.filter((event) => {
    if (known.has(event.dedupeKey)) return false;
    known.add(event.dedupeKey);
    return true;
  });
  if (fresh.length === 0) return;
  const created = await tx.domainEvent.createManyAndReturn({
    data: fresh.map((event) => ({ shopId: shop.id, ...event })),
    select: { id: true, type: true, occurredAt: true },
  });
  const jobs = created.flatMap((event) =>
    context.subscribers
      .filter((subscriber) => (subscriber.types as readonly string[]).includes(event.type))
      .map((subscriber) => {
        const payload: DomainEventJobPayload = { eventId: event.id, subscriber: subscriber.name };
        return {
          shopId: shop.id,
          kind: domainEventJobKind,
          key: `${subscriber.name}:${event.id}`,
          payload: { ...payload },
          runAt: context.clock.now(),
        };
      }),
  );
  if (jobs.length > 0) await tx.job.createMany({ data: jobs });
}

export interface CustomerInput {
  payload: CustomerPayload;
  /** The order's customer_locale, for customers nested in orders (as applyOrder passes it). */
  locale?: string | null;
}

/** Applies customers; returns Stayloop's customer id per Shopify id. */
export async function applyCustomers(
  context: BatchContext,
  inputs: readonly CustomerInput[],
): Promise<Map<string, string>> {
  const { tx, shop } = context;
  // The newest version of each customer in the batch, and the first locale an order gave it (the
  // first one known is kept, as applyCustomer does).
  const newest = new Map<string, CustomerInput>();
  const firstLocale = new Map<string, string>();
  for (const input of inputs) {
    const other = newest.get(input.payload.id);
    if (!other || other.payload.updated_at < input.payload.updated_at) newest.set(input.payload.id, input);
    if (input.locale && !firstLocale.has(input.payload.id)) firstLocale.set(input.payload.id, input.locale);
  }
  const ids = new Map<string, string>();
  if (newest.size === 0) return ids;
  const stored = await tx.customer.findMany({
    where: { shopId: shop.id, shopifyId: { in: [...newest.keys()] } },
    select: { id: true, shopifyId: true, shopifyUpdatedAt: true, deletedAt: true, locale: true },
  });
  const storedById = new Map(stored.map((customer) => [customer.shopifyId, customer]));
  const fresh: CustomerInput[] = [];
  const localeless = new Map<string, string[]>();
  for (const input of newest.values()) {
    const existing = storedById.get(input.payload.id);
    if (!existing) {
      fresh.push(input);
      continue;
    }
    ids.set(existing.shopifyId, existing.id);
    if (existing.deletedAt) continue;
    const locale = firstLocale.get(existing.shopifyId);
    if (locale && !existing.locale) localeless.set(locale, [...(localeless.get(locale) ?? []), existing.id]);
    if (existing.shopifyUpdatedAt === null || existing.shopifyUpdatedAt < input.payload.updated_at) {
      await applyCustomer(context, input.payload, { locale });
    }
  }
  for (const [locale, customerIds] of localeless) {
    await tx.customer.updateMany({
      where: { shopId: shop.id, id: { in: customerIds }, locale: null },
      data: { locale },
    });
  }
  if (fresh.length > 0) {
    const created = await tx.customer.createManyAndReturn({
      data: fresh.map(({ payload }) => ({
        shopId: shop.id,
        shopifyId: payload.id,
        ...customerFields(payload),
        locale: firstLocale.get(payload.id) ?? null,
      })),
      select: { id: true, shopifyId: true },
    });
    for (const customer of created) ids.set(customer.shopifyId, customer.id);
    await recordDomainEvents(
      context,
      fresh.map(({ payload }) => ({
        type: "customer.created",
        subjectId: ids.get(payload.id) as string,
        dedupeKey: `customer.created:${payload.id}`,
        payload: { shopifyId: payload.id },
        occurredAt: payload.created_at ?? payload.updated_at,
      })),
    );
  }
  return ids;
}

const storedOrderSelect = {
  id: true,
  shopifyId: true,
  customerId: true,
  financialStatus: true,
  fulfillmentStatus: true,
  processedAt: true,
  cancelledAt: true,
  shopifyUpdatedAt: true,
} as const;

/** Applies orders (with their customers and lines); returns the ids of the customers they belong to. */
export async function applyOrders(
  context: BatchContext,
  payloads: readonly OrderPayload[],
): Promise<Set<string>> {
  const { tx, shop } = context;
  const touched = new Set<string>();
  const newest = new Map<string, OrderPayload>();
  for (const payload of payloads) {
    const other = newest.get(payload.id);
    if (!other || other.updated_at < payload.updated_at) newest.set(payload.id, payload);
  }
  if (newest.size === 0) return touched;
  const stored = await tx.order.findMany({
    where: { shopId: shop.id, shopifyId: { in: [...newest.keys()] } },
    select: { shopifyId: true, shopifyUpdatedAt: true, customerId: true },
  });
  const storedById = new Map(stored.map((order) => [order.shopifyId, order]));

  const fresh: OrderPayload[] = [];
  const throughIngest: OrderPayload[] = [];
  for (const payload of newest.values()) {
    const existing = storedById.get(payload.id);
    if (!existing) (payload.checkout_token ? throughIngest : fresh).push(payload);
    else if (existing.shopifyUpdatedAt < payload.updated_at) throughIngest.push(payload);
  }

  const customerIds = await applyCustomers(
    context,
    fresh.flatMap((payload) =>
      payload.customer ? [{ payload: payload.customer, locale: payload.customer_locale }] : [],
    ),
  );
  if (fresh.length > 0) {
    // Refunds can arrive before their order; a new order starts with what was already refunded.
    const refunds = await tx.refund.groupBy({
      by: ["orderShopifyId"],
      where: { shopId: shop.id, orderShopifyId: { in: fresh.map((payload) => payload.id) } },
      _sum: { amountMinor: true },
    });
    const refunded = new Map(refunds.map((refund) => [refund.orderShopifyId, refund._sum.amountMinor ?? 0]));
    const created = await tx.order.createManyAndReturn({
      data: fresh.map((payload) => ({
        shopId: shop.id,
        shopifyId: payload.id,
        ...orderFields(payload),
        customerId: payload.customer ? (customerIds.get(payload.customer.id) ?? null) : null,
        refundedMinor: refunded.get(payload.id) ?? 0,
      })),
      select: storedOrderSelect,
    });
    const byShopifyId = new Map(created.map((order) => [order.shopifyId, order]));
    await tx.orderLine.createMany({
      data: fresh.flatMap((payload) =>
        lineRows(shop.id, (byShopifyId.get(payload.id) as OrderFactsSource).id, payload),
      ),
    });
    await recordDomainEvents(context, created.flatMap(orderFacts));
    for (const order of created) if (order.customerId) touched.add(order.customerId);
  }

  for (const payload of throughIngest) {
    const before = storedById.get(payload.id);
    const order = await applyOrder(context, payload);
    // applyOrder refreshed these profiles already; refreshing again at the end changes nothing.
    if (before?.customerId) touched.add(before.customerId);
    if (order.customerId) touched.add(order.customerId);
  }
  return touched;
}

/**
 * Recomputes customer profiles (R-CUS-1, R-CUS-2) as recomputeCustomerProfile does, for many
 * customers with two reads, writing only what changed and announcing lifecycle stage changes as
 * refreshProfile does.
 */
export async function refreshProfiles(context: BatchContext, customerIds: readonly string[]): Promise<void> {
  const { tx, shop } = context;
  if (customerIds.length === 0) return;
  const now = context.clock.now();
  // Take the customers' row locks first, as recomputeCustomerProfile does: a concurrent
  // recomputation (PostgreSQL) waits, then reads the orders this one committed.
  await tx.customer.updateMany({
    where: { shopId: shop.id, id: { in: [...customerIds] } },
    data: { updatedAt: now },
  });
  const customers = await tx.customer.findMany({
    where: { shopId: shop.id, id: { in: [...customerIds] } },
    select: {
      id: true,
      lifecycleStage: true,
      ordersCount: true,
      totalSpentMinor: true,
      averageOrderValueMinor: true,
      currency: true,
      firstOrderAt: true,
      lastOrderAt: true,
    },
  });
  const orders = await tx.order.findMany({
    where: { shopId: shop.id, customerId: { in: [...customerIds] }, cancelledAt: null },
    select: { customerId: true, processedAt: true, totalMinor: true, refundedMinor: true, currency: true },
  });
  const byCustomer = new Map<string, FromStored<(typeof orders)[number]>[]>();
  for (const order of orders) {
    if (!order.customerId) continue;
    const list = byCustomer.get(order.customerId) ?? [];
    list.push(fromStoredRow(order));
    byCustomer.set(order.customerId, list);
  }
  const changes: DomainEventInput[] = [];
  for (const customer of customers) {
    const profile = customerProfile(byCustomer.get(customer.id) ?? [], now);
    const unchanged =
      profile.ordersCount === customer.ordersCount &&
      profile.totalSpentMinor === fromStoredInteger(customer.totalSpentMinor) &&
      profile.averageOrderValueMinor === fromStoredInteger(customer.averageOrderValueMinor) &&
      profile.currency === customer.currency &&
      profile.firstOrderAt?.getTime() === customer.firstOrderAt?.getTime() &&
      profile.lastOrderAt?.getTime() === customer.lastOrderAt?.getTime() &&
      profile.lifecycleStage === customer.lifecycleStage;
    if (unchanged) continue;
    await tx.customer.update({ where: { id: customer.id }, data: profile });
    if (profile.lifecycleStage !== customer.lifecycleStage) {
      changes.push(lifecycleChangedEvent(customer.id, customer.lifecycleStage, profile.lifecycleStage, now));
    }
  }
  await recordDomainEvents(context, changes);
}
