// Sends webhook deliveries the way Shopify does: raw JSON body, HMAC-SHA256 signature and the
// X-Shopify-* headers.
import { signWebhookBody } from "../../app/events/signature";
import type { WebhookDelivery } from "../fixtures/store-history";

export function shopifyHeaders(delivery: WebhookDelivery, shopDomain: string, secret: string) {
  return {
    "content-type": "application/json",
    "x-shopify-topic": delivery.topic,
    "x-shopify-shop-domain": shopDomain,
    "x-shopify-webhook-id": delivery.webhookId,
    "x-shopify-event-id": delivery.eventId,
    "x-shopify-api-version": "2026-10",
    "x-shopify-triggered-at": delivery.triggeredAt,
    "x-shopify-hmac-sha256": signWebhookBody(delivery.body, secret),
  };
}

export async function sendWebhook(
  baseUrl: string,
  delivery: WebhookDelivery,
  shopDomain: string,
  secret: string,
  headerOverrides: Record<string, string | undefined> = {},
): Promise<Response> {
  const headers = Object.fromEntries(
    Object.entries({ ...shopifyHeaders(delivery, shopDomain, secret), ...headerOverrides }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
  return fetch(`${baseUrl}/webhooks`, { method: "POST", headers, body: delivery.body });
}
