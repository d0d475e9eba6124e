// POST /webhooks through real HTTP on the production build (R-EVT-2…4, R-EVT-6).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { generateStoreHistory, type WebhookDelivery } from "../fixtures/store-history";
import {
  createEmptyTestDatabase,
  createTestDatabase,
  testProvider,
  type TestDatabase,
} from "../support/database";
import { startWebServer, testShopifyEnv, type RunningProcess } from "../support/processes";
import { sendWebhook } from "../support/webhooks";

const secret = testShopifyEnv.SHOPIFY_API_SECRET;
const shop = "alpha.myshopify.com";
const [customerCreated, customerUpdated, third] = generateStoreHistory({ customers: 2 }) as [
  WebhookDelivery,
  WebhookDelivery,
  WebhookDelivery,
];

describe(`webhook intake on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let server: RunningProcess & { baseUrl: string };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    server = await startWebServer({ DATABASE_URL: database.url });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("stores a correctly signed delivery and answers 200", async () => {
    const response = await sendWebhook(server.baseUrl, customerCreated, shop, secret);
    expect(response.status).toBe(200);
    const rows = await db.webhookInbox.findMany({ where: { webhookId: customerCreated.webhookId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      shopDomain: shop,
      topic: "customers/create",
      eventId: customerCreated.eventId,
      apiVersion: "2026-10",
      status: "pending",
      payload: customerCreated.body,
    });
    expect(rows[0]?.triggeredAt?.toISOString()).toBe(customerCreated.triggeredAt);
  });

  it("rejects a wrong signature with 401 and stores nothing", async () => {
    const response = await sendWebhook(server.baseUrl, customerUpdated, shop, "not-the-app-secret");
    expect(response.status).toBe(401);
    expect(await db.webhookInbox.count({ where: { webhookId: customerUpdated.webhookId } })).toBe(0);
  });

  it("rejects a missing signature with 401 and stores nothing", async () => {
    const response = await sendWebhook(server.baseUrl, customerUpdated, shop, secret, {
      "x-shopify-hmac-sha256": undefined,
    });
    expect(response.status).toBe(401);
    expect(await db.webhookInbox.count({ where: { webhookId: customerUpdated.webhookId } })).toBe(0);
  });

  it("rejects a body altered after signing", async () => {
    const tampered = { ...customerUpdated, body: customerUpdated.body.replace("customer", "attacker") };
    const response = await fetch(`${server.baseUrl}/webhooks`, {
      method: "POST",
      headers: {
        "x-shopify-topic": customerUpdated.topic,
        "x-shopify-shop-domain": shop,
        "x-shopify-webhook-id": customerUpdated.webhookId,
        "x-shopify-hmac-sha256": (await import("../../app/events/signature")).signWebhookBody(
          customerUpdated.body,
          secret,
        ),
      },
      body: tampered.body,
    });
    expect(response.status).toBe(401);
    expect(await db.webhookInbox.count({ where: { webhookId: customerUpdated.webhookId } })).toBe(0);
  });

  it("keeps one row when the same delivery arrives three times (R-EVT-3)", async () => {
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      statuses.push((await sendWebhook(server.baseUrl, customerUpdated, shop, secret)).status);
    }
    expect(statuses).toEqual([200, 200, 200]);
    expect(await db.webhookInbox.count({ where: { webhookId: customerUpdated.webhookId } })).toBe(1);
  });

  it("deduplicates on X-Shopify-Event-Id across webhook ids", async () => {
    const first = await sendWebhook(server.baseUrl, third, shop, secret);
    const again = await sendWebhook(
      server.baseUrl,
      { ...third, webhookId: `${third.webhookId}-redelivered` },
      shop,
      secret,
    );
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(await db.webhookInbox.count({ where: { eventId: third.eventId } })).toBe(1);
  });

  it("stores a delivery for an unknown topic so the error is visible on the row", async () => {
    const unknown = {
      ...third,
      topic: "products/create",
      webhookId: "wh-unknown-topic",
      eventId: "ev-unknown",
    };
    const response = await sendWebhook(server.baseUrl, unknown, shop, secret);
    expect(response.status).toBe(200);
    expect(await db.webhookInbox.count({ where: { webhookId: "wh-unknown-topic" } })).toBe(1);
  });

  it("refuses a signed delivery without the headers that identify it", async () => {
    const response = await sendWebhook(server.baseUrl, { ...third, webhookId: "wh-no-shop" }, shop, secret, {
      "x-shopify-shop-domain": undefined,
    });
    expect(response.status).toBe(400);
    expect(await db.webhookInbox.count({ where: { webhookId: "wh-no-shop" } })).toBe(0);
  });

  it("counts deliveries by topic and outcome in /metrics", async () => {
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    const count = (topic: string, outcome: string) =>
      Number(
        new RegExp(
          `stayloop_webhook_deliveries_total\\{topic="${topic}",outcome="${outcome}"\\} (\\d+)`,
        ).exec(metrics)?.[1] ?? 0,
      );
    const expected = new Map<string, number>();
    const add = (topic: string, outcome: string, n: number) =>
      expected.set(`${topic} ${outcome}`, (expected.get(`${topic} ${outcome}`) ?? 0) + n);
    add(customerCreated.topic, "accepted", 1);
    add(customerUpdated.topic, "rejected", 3);
    add(customerUpdated.topic, "accepted", 1);
    add(customerUpdated.topic, "duplicate", 2);
    add(third.topic, "accepted", 1);
    add(third.topic, "duplicate", 1);
    add("unknown", "accepted", 1);
    add(third.topic, "rejected", 1);
    expect(expected.size).toBeGreaterThan(3);
    // Nothing processes this inbox: every stored delivery is waiting, and the lag is their age.
    expect(metrics).toContain(`stayloop_inbox_rows{status="pending"} ${await db.webhookInbox.count()}`);
    expect(Number(/^stayloop_inbox_lag_seconds (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    for (const [key, n] of expected) {
      const [topic = "", outcome = ""] = key.split(" ");
      expect(count(topic, outcome), key).toBe(n);
    }
  });
});

describe(`webhook intake when the database cannot store (${testProvider})`, () => {
  it("answers 503 so that Shopify retries, never 200", async () => {
    // A database without tables: the INSERT fails.
    const database = await createEmptyTestDatabase();
    const server = await startWebServer({ DATABASE_URL: database.url });
    try {
      const response = await sendWebhook(server.baseUrl, customerCreated, shop, secret);
      expect(response.status).toBe(503);
      const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
      expect(metrics).toContain(
        'stayloop_webhook_deliveries_total{topic="customers/create",outcome="failed"} 1',
      );
    } finally {
      await server.stop();
      await database.drop();
    }
  });
});
