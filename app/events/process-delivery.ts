// Turns one stored webhook delivery into domain changes, inside one transaction together with
// marking the delivery done — so a crash at any point either applied all of it or none of it.
import type { WebhookInbox } from "@prisma/client";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import { isPermanentDatabaseError, isTransientConflict } from "../db/errors";
import { MoneyError } from "../money/money";
import { isShopDomain, shopForDelivery } from "../shops/registry";
import type { DomainEventSubscriber } from "./domain-events";
import { scheduleInboxPurge } from "./inbox-retention";
import { ingestContext, type IngestContext } from "./ingest/context";
import { exportCustomerData, redactCustomer, redactShop, uninstallShop } from "./ingest/compliance";
import { applyCheckout } from "./ingest/checkouts";
import { applyCustomer, deleteCustomer } from "./ingest/customers";
import { applyOrder, applyRefund } from "./ingest/orders";
import {
  checkoutPayload,
  customerDeletePayload,
  customerPayload,
  customersDataRequestPayload,
  customersRedactPayload,
  orderPayload,
  parsePayload,
  parseWebhookJson,
  PayloadError,
  refundPayload,
} from "./payloads";
import type { WebhookTopic } from "./topics";
import { isKnownTopic } from "./topics";

/** A delivery that can never succeed as it is (bad JSON, wrong shape, unknown topic): not retried. */
export class PermanentDeliveryError extends Error {}

type TopicHandler = (context: IngestContext, payload: unknown) => Promise<unknown>;

const handlers: Record<Exclude<WebhookTopic, "shop/redact">, TopicHandler> = {
  "customers/create": (context, payload) =>
    applyCustomer(context, parsePayload(customerPayload, payload, context.clock.now())),
  "customers/update": (context, payload) =>
    applyCustomer(context, parsePayload(customerPayload, payload, context.clock.now())),
  "customers/delete": (context, payload) =>
    deleteCustomer(context, parsePayload(customerDeletePayload, payload, context.clock.now()).id),
  "orders/create": (context, payload) =>
    applyOrder(context, parsePayload(orderPayload, payload, context.clock.now())),
  "orders/paid": (context, payload) =>
    applyOrder(context, parsePayload(orderPayload, payload, context.clock.now())),
  "orders/updated": (context, payload) =>
    applyOrder(context, parsePayload(orderPayload, payload, context.clock.now())),
  "orders/fulfilled": (context, payload) =>
    applyOrder(context, parsePayload(orderPayload, payload, context.clock.now())),
  "orders/cancelled": (context, payload) =>
    applyOrder(context, parsePayload(orderPayload, payload, context.clock.now())),
  "refunds/create": (context, payload) =>
    applyRefund(context, parsePayload(refundPayload, payload, context.clock.now())),
  "checkouts/create": (context, payload) =>
    applyCheckout(context, parsePayload(checkoutPayload, payload, context.clock.now())),
  "checkouts/update": (context, payload) =>
    applyCheckout(context, parsePayload(checkoutPayload, payload, context.clock.now())),
  "app/uninstalled": (context) => uninstallShop(context),
  "customers/data_request": (context, payload) => {
    const request = parsePayload(customersDataRequestPayload, payload, context.clock.now());
    return exportCustomerData(context, {
      customerShopifyId: request.customer.id,
      dataRequestId: request.data_request?.id ?? null,
    });
  },
  "customers/redact": (context, payload) => {
    const request = parsePayload(customersRedactPayload, payload, context.clock.now());
    return redactCustomer(context, {
      customerShopifyId: request.customer.id,
      orderShopifyIds: request.orders_to_redact ?? [],
      email: request.customer.email ?? null,
      phone: request.customer.phone ?? null,
    });
  },
};

/** Topics whose body is personal data needed only to apply it: erased as soon as it is applied. */
const erasedOnceApplied: ReadonlySet<WebhookTopic> = new Set<WebhookTopic>([
  "customers/data_request",
  "customers/redact",
  "shop/redact",
]);

export interface DeliveryProcessingOptions {
  db: Database;
  clock: Clock;
  subscribers: readonly DomainEventSubscriber[];
  workerId: string;
}

/** Applies the delivery and marks it done, atomically. Throws without changing anything on failure. */
export async function processDelivery(
  delivery: WebhookInbox,
  options: DeliveryProcessingOptions,
): Promise<void> {
  const topic = delivery.topic;
  if (!isKnownTopic(topic)) throw new PermanentDeliveryError(`unknown topic "${topic}"`);
  const payload = deliveryBody(delivery);

  // A race with another worker over the same customer or order is settled by running again.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await applyDelivery(delivery, topic, payload, options);
      return;
    } catch (error) {
      if (attempt < 4 && isTransientConflict(error)) continue;
      throw deliveryFailure(error);
    }
  }
}

/** The JSON body of a delivery whose shop domain is plausible; PermanentDeliveryError otherwise. */
export function deliveryBody(delivery: Pick<WebhookInbox, "shopDomain" | "payload">): unknown {
  if (!isShopDomain(delivery.shopDomain))
    throw new PermanentDeliveryError(`"${delivery.shopDomain}" is not a *.myshopify.com shop domain`);
  try {
    return parseWebhookJson(delivery.payload);
  } catch (error) {
    throw new PermanentDeliveryError(`malformed JSON: ${(error as Error).message}`);
  }
}

/**
 * Why a delivery failed, as the worker records it: a payload that cannot be used, or a value the
 * database cannot store (out of range, invalid), fails the same way every time — permanent; other
 * errors (a lost connection, a lock timeout) are returned as they are and retried.
 */
export function deliveryFailure(error: unknown): unknown {
  if (error instanceof PayloadError || error instanceof MoneyError)
    return new PermanentDeliveryError(error.message);
  if (isPermanentDatabaseError(error))
    return new PermanentDeliveryError(`cannot be stored: ${(error as Error).message}`);
  return error;
}

async function applyDelivery(
  delivery: WebhookInbox,
  topic: WebhookTopic,
  payload: unknown,
  options: DeliveryProcessingOptions,
): Promise<void> {
  const now = options.clock.now();
  const shopId = await options.db.$transaction(
    async (tx) => {
      let shopId: string | null = null;
      // After shop/redact nothing of the shop is kept, and a late delivery does not bring it back.
      let erase = erasedOnceApplied.has(topic);
      if (topic === "shop/redact") {
        await redactShop(tx, delivery.shopDomain, delivery.id, now);
      } else {
        const shop = await shopForDelivery(tx, delivery.shopDomain);
        if (shop) {
          await handlers[topic](ingestContext(tx, shop, options.clock, options.subscribers), payload);
          shopId = shop.id;
        } else erase = true;
      }
      // Marked done inside the same transaction, and only while still ours: a claim released to
      // another worker (ours was presumed dead) makes this commit fail instead of applying twice.
      const { count } = await tx.webhookInbox.updateMany({
        where: { id: delivery.id, status: "processing", claimedBy: options.workerId },
        data: {
          status: "done",
          processedAt: now,
          lastError: null,
          claimedBy: null,
          ...(erase ? { payload: "", payloadPurgedAt: now } : {}),
        },
      });
      if (count !== 1) throw new Error("claim lost before commit; another worker owns this delivery now");
      return shopId;
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
  // After the commit: the body just applied is erased once its retention period is over.
  if (shopId) await scheduleInboxPurge(options.db, shopId, now);
}
