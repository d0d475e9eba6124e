// POST /webhooks — the one webhook endpoint (R-EVT-2…4). It only verifies the signature, stores the
// delivery in the inbox and answers; the worker does the processing. Kept lean on purpose: no
// framework, no session lookup; concurrent deliveries share one INSERT (group commit).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Clock } from "../clock";
import type { Logger } from "../observability/logger";
import { counter } from "../observability/metrics";
import type { InboxConnection } from "./inbox-connection";
import { createInboxWriter, type StoreOutcome } from "./inbox-writer";
import { isValidWebhookSignature } from "./signature";
import { isShopDomain } from "../shops/registry";
import { isKnownTopic } from "./topics";

export const webhookDeliveries = counter(
  "stayloop_webhook_deliveries_total",
  "Webhook deliveries by topic and outcome (accepted, duplicate, rejected, failed)",
  ["topic", "outcome"] as const,
);

export interface WebhookIntakeOptions {
  /** The intake's own connection to the inbox table (see inbox-connection.ts). */
  inbox: InboxConnection;
  provider: "sqlite" | "postgresql";
  secret: string;
  logger: Logger;
  clock: Clock;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function answer(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { "content-type": "text/plain", "content-length": Buffer.byteLength(body) });
  response.end(body);
}

export function createWebhookIntake(options: WebhookIntakeOptions) {
  const inbox = createInboxWriter(options.inbox, options.provider);

  /** `body` was read (and capped) by the HTTP server, see server/request-body.ts. */
  return async function receiveWebhook(
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
  ): Promise<void> {
    const rawTopic = header(request, "x-shopify-topic") ?? "";
    const topic = isKnownTopic(rawTopic) ? rawTopic : "unknown";
    if (!isValidWebhookSignature(body, header(request, "x-shopify-hmac-sha256"), options.secret)) {
      webhookDeliveries.inc({ topic, outcome: "rejected" });
      options.logger.warn(
        { topic: rawTopic, shop: header(request, "x-shopify-shop-domain") },
        "webhook rejected: bad or missing HMAC",
      );
      answer(response, 401, "Unauthorized");
      return;
    }

    const shopDomain = header(request, "x-shopify-shop-domain");
    const webhookId = header(request, "x-shopify-webhook-id");
    if (!shopDomain || !webhookId || !rawTopic) {
      webhookDeliveries.inc({ topic, outcome: "rejected" });
      answer(response, 400, "Missing X-Shopify-Topic, X-Shopify-Shop-Domain or X-Shopify-Webhook-Id");
      return;
    }
    if (!isShopDomain(shopDomain)) {
      // Signed, yet no shop of ours: nothing it says could be applied, so it is not stored.
      webhookDeliveries.inc({ topic, outcome: "rejected" });
      answer(response, 400, "X-Shopify-Shop-Domain must be a *.myshopify.com domain");
      return;
    }
    if (topic === "unknown") {
      // Stored anyway: the worker records the error on the row where it can be seen (R-EVT-6).
      options.logger.warn(
        { topic: rawTopic, shop: shopDomain, webhookId },
        "webhook for a topic Stayloop does not handle",
      );
    }

    const triggeredAt = header(request, "x-shopify-triggered-at");
    let outcome: StoreOutcome;
    try {
      outcome = await inbox.store({
        shopDomain,
        topic: rawTopic,
        webhookId,
        eventId: header(request, "x-shopify-event-id") ?? null,
        apiVersion: header(request, "x-shopify-api-version") ?? null,
        triggeredAt: triggeredAt && !Number.isNaN(Date.parse(triggeredAt)) ? new Date(triggeredAt) : null,
        payload: body.toString("utf8"),
        receivedAt: options.clock.now(),
      });
    } catch (error) {
      // Not saved: Shopify must retry, so never 200 here (R-EVT-4).
      webhookDeliveries.inc({ topic, outcome: "failed" });
      options.logger.error(
        { err: error, topic: rawTopic, shop: shopDomain, webhookId },
        "webhook not stored",
      );
      answer(response, 503, "Service Unavailable");
      return;
    }
    if (outcome === "duplicate") {
      webhookDeliveries.inc({ topic, outcome: "duplicate" });
      answer(response, 200, "Duplicate");
      return;
    }
    webhookDeliveries.inc({ topic, outcome: "accepted" });
    answer(response, 200, "OK");
  };
}
