// The browse pixel's endpoint (R-EVT-8) through the built production server: POST /pixel/events
// stores valid events once, links a guest's events when the shopper identifies, answers 400 for
// malformed and 404 for unknown-shop events with nothing stored, 429 with Retry-After for a client
// that sends too fast, and keeps shops apart; the worker prunes events older than 30 days.
// Needs `npm run build` first.
import type { Customer, Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqlConnectionOf, type Database } from "../../app/db/client";
import {
  browseEventPruneSweep,
  pruneBrowseEvents,
  type BrowseEventType,
} from "../../app/storefront/browse-events";
import { workerSetup } from "../../app/worker-setup";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { drain, testWorker } from "../support/inbox";
import { startWebServer, type RunningProcess } from "../support/processes";

const day = 86_400_000;
const shopDomain = "pixel-shop.myshopify.com";
const otherDomain = "pixel-other.myshopify.com";
const goneDomain = "pixel-uninstalled.myshopify.com";

interface PixelEvent {
  shop: string;
  eventId: string;
  type: BrowseEventType;
  clientId: string;
  customerId: string | null;
  productId: string | null;
  variantId: string | null;
  occurredAt: string;
}

let sequence = 0;
function pixelEvent(overrides: Partial<PixelEvent> = {}): PixelEvent {
  sequence += 1;
  return {
    shop: shopDomain,
    eventId: `sh-event-${sequence}`,
    type: "product_viewed",
    clientId: "client-guest",
    customerId: null,
    productId: "7421",
    variantId: "39001",
    occurredAt: new Date(Date.now() - 1000).toISOString(),
    ...overrides,
  };
}

describe(`browse pixel endpoint on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let server: RunningProcess & { baseUrl: string };
  let shop: Shop;
  let other: Shop;
  let shopper: Customer;
  let otherShopper: Customer;

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.baseUrl}/pixel/events`, {
      method: "POST",
      // What the pixel sends: a string body, so no preflight is needed.
      headers: {
        "content-type": "text/plain;charset=UTF-8",
        origin: "https://pixel-shop.example",
        ...headers,
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const stored = (where: { shopId?: string; clientId?: string } = {}) =>
    db.browseEvent.findMany({ where, orderBy: { occurredAt: "asc" } });

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    shop = await db.shop.create({ data: { domain: shopDomain } });
    other = await db.shop.create({ data: { domain: otherDomain } });
    await db.shop.create({ data: { domain: goneDomain, uninstalledAt: new Date() } });
    // The same Shopify customer id in two shops: two different customers.
    shopper = await db.customer.create({ data: { shopId: shop.id, shopifyId: "501" } });
    otherShopper = await db.customer.create({ data: { shopId: other.id, shopifyId: "501" } });
    server = await startWebServer({ DATABASE_URL: database.url });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("stores a product view with ids only, the ids taken out of Shopify's global ids", async () => {
    const event = pixelEvent({
      clientId: "client-ids",
      productId: "gid://shopify/Product/7421",
      variantId: "gid://shopify/ProductVariant/39001",
    });
    const response = await post(event);
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ stored: 1, duplicates: 0, expired: 0 });
    const [row] = await stored({ clientId: "client-ids" });
    expect(row).toMatchObject({
      shopId: shop.id,
      eventId: event.eventId,
      type: "product_viewed",
      clientId: "client-ids",
      customerId: null,
      productShopifyId: "7421",
      variantShopifyId: "39001",
      occurredAt: new Date(event.occurredAt),
      evaluatedAt: null,
    });
    expect(row?.receivedAt.getTime()).toBeGreaterThanOrEqual(new Date(event.occurredAt).getTime());
  });

  it("stores a batch of every event type, and the same event sent again only once", async () => {
    const types: BrowseEventType[] = [
      "product_viewed",
      "product_added_to_cart",
      "checkout_started",
      "checkout_completed",
    ];
    const batch = types.map((type) => pixelEvent({ type, clientId: "client-batch" }));
    const first = await post(batch);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ stored: 4, duplicates: 0, expired: 0 });

    // The pixel retried (or the browser sent the keepalive request twice), plus one repeat inside the batch.
    const again = await post([...batch, batch[0]]);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ stored: 0, duplicates: 5, expired: 0 });
    const rows = await stored({ clientId: "client-batch" });
    expect(rows.map((row) => row.type).sort()).toEqual([...types].sort());
  });

  it("stores an event sent ten times at once exactly once", async () => {
    const event = pixelEvent({ clientId: "client-racing" });
    const responses = await Promise.all(Array.from({ length: 10 }, () => post(event)));
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
    const counts = (await Promise.all(responses.map((response) => response.json()))) as { stored: number }[];
    expect(counts.reduce((sum, count) => sum + count.stored, 0)).toBe(1);
    expect(await db.browseEvent.count({ where: { clientId: "client-racing" } })).toBe(1);
  });

  it("links a guest's earlier events to the customer once the same client identifies", async () => {
    const viewed = pixelEvent({ clientId: "client-joins" });
    const added = pixelEvent({ clientId: "client-joins", type: "product_added_to_cart" });
    await post([viewed, added]);
    expect((await stored({ clientId: "client-joins" })).map((row) => row.customerId)).toEqual([null, null]);

    const started = pixelEvent({ clientId: "client-joins", type: "checkout_started", customerId: "501" });
    expect((await post(started)).status).toBe(200);
    const rows = await stored({ clientId: "client-joins" });
    expect(rows).toHaveLength(3);
    expect(rows.every((row) => row.customerId === shopper.id)).toBe(true);
  });

  it("leaves a customer id it does not know unlinked, and takes a customer only from the event's own shop", async () => {
    const unknown = pixelEvent({ clientId: "client-unknown", customerId: "999999" });
    expect((await post(unknown)).status).toBe(200);
    expect((await stored({ clientId: "client-unknown" }))[0]?.customerId).toBeNull();

    // Shopify customer 501 in the other shop is the other shop's customer.
    const elsewhere = pixelEvent({ shop: otherDomain, clientId: "client-elsewhere", customerId: "501" });
    expect((await post(elsewhere)).status).toBe(200);
    const [row] = await stored({ clientId: "client-elsewhere" });
    expect(row).toMatchObject({ shopId: other.id, customerId: otherShopper.id });
  });

  it("keeps shops apart: the same event id in two shops is two events, and linking stays in its shop", async () => {
    const here = pixelEvent({ clientId: "client-shared", eventId: "same-event-id" });
    const there = { ...here, shop: otherDomain };
    expect(await (await post(here)).json()).toMatchObject({ stored: 1 });
    expect(await (await post(there)).json()).toMatchObject({ stored: 1 });
    // The client identifies in the other shop only.
    await post(pixelEvent({ shop: otherDomain, clientId: "client-shared", customerId: "501" }));
    const inShop = await stored({ shopId: shop.id, clientId: "client-shared" });
    const inOther = await stored({ shopId: other.id, clientId: "client-shared" });
    expect(inShop.map((row) => row.customerId)).toEqual([null]);
    expect(inOther.map((row) => row.customerId)).toEqual([otherShopper.id, otherShopper.id]);
  });

  it("answers 400 for malformed events and stores nothing of them", async () => {
    const before = await db.browseEvent.count();
    const malformed: unknown[] = [
      "not json",
      "[]",
      { ...pixelEvent(), type: "page_viewed" },
      { ...pixelEvent(), eventId: "" },
      { ...pixelEvent(), shop: "evil.example.com" },
      { ...pixelEvent(), productId: "gid://shopify/Product/abc" },
      { ...pixelEvent(), occurredAt: "yesterday" },
      { ...pixelEvent(), clientId: undefined },
      // One bad event refuses the whole batch.
      [pixelEvent({ clientId: "client-malformed" }), { ...pixelEvent(), customerId: "alice@example.com" }],
      // One request is one shop.
      [pixelEvent({ clientId: "client-malformed" }), pixelEvent({ shop: otherDomain })],
      Array.from({ length: 101 }, () => pixelEvent({ clientId: "client-malformed" })),
    ];
    for (const body of malformed) {
      const response = await post(body);
      expect(response.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      expect((await response.json()) as unknown).toHaveProperty("error");
    }
    expect(await db.browseEvent.count()).toBe(before);
  });

  it("answers hundreds of mutated events with 200 or 400 only, and a refused one stores nothing", async () => {
    const nasty: unknown[] = [
      null,
      -1,
      0,
      1e308,
      2 ** 53 + 1,
      "",
      " ",
      "x".repeat(300),
      "ä🎉\u0000\u202e",
      "<script>alert(1)</script>",
      '\'; DROP TABLE "BrowseEvent"; --',
      "gid://shopify/Product/",
      "gid://shopify/Product/99999999999999999999999",
      "9999-12-31T00:00:00Z",
      "2024-02-30T10:00:00Z",
      [],
      {},
      { nested: [null] },
      true,
    ];
    const fields = [
      "shop",
      "eventId",
      "type",
      "clientId",
      "customerId",
      "productId",
      "variantId",
      "occurredAt",
    ];
    let index = 0;
    for (const field of fields) {
      for (const value of nasty) {
        index += 1;
        const event: Record<string, unknown> = {
          ...pixelEvent({ clientId: `client-fuzz-${index}` }),
          [field]: value,
        };
        const before = await db.browseEvent.count();
        const response = await post(index % 2 === 0 ? [event] : event);
        const label = `${field} = ${JSON.stringify(value)?.slice(0, 40)}`;
        expect([200, 400], label).toContain(response.status);
        const after = await db.browseEvent.count();
        if (response.status === 400) expect(after, label).toBe(before);
        else expect(after - before, label).toBeLessThanOrEqual(1);
      }
    }
  });

  it("answers 404 for a shop without Stayloop (never installed or uninstalled) and stores nothing", async () => {
    const before = await db.browseEvent.count();
    for (const domain of ["never-installed.myshopify.com", goneDomain]) {
      const response = await post(pixelEvent({ shop: domain, clientId: `client-${domain}` }));
      expect(response.status).toBe(404);
    }
    expect(await db.browseEvent.count()).toBe(before);
  });

  it("does not store events older than the 30-day window, and puts a future clock back to now", async () => {
    const old = pixelEvent({
      clientId: "client-clock",
      occurredAt: new Date(Date.now() - 31 * day).toISOString(),
    });
    const ahead = pixelEvent({
      clientId: "client-clock",
      occurredAt: new Date(Date.now() + day).toISOString(),
    });
    const response = await post([old, ahead]);
    expect(await response.json()).toEqual({ stored: 1, duplicates: 0, expired: 1 });
    const [row] = await stored({ clientId: "client-clock" });
    expect(row?.eventId).toBe(ahead.eventId);
    expect(row?.occurredAt.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it("answers the storefront's CORS preflight", async () => {
    const response = await fetch(`${server.baseUrl}/pixel/events`, {
      method: "OPTIONS",
      headers: {
        origin: "https://pixel-shop.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-methods")).toContain("POST");
    expect(response.headers.get("access-control-allow-headers")).toContain("content-type");
  });

  it("answers 429 with Retry-After to a client sending too fast, storing nothing of that request", async () => {
    // The bucket holds 120 events: 100 + 20 pass, the next request does not.
    const burst = (count: number) =>
      Array.from({ length: count }, () => pixelEvent({ clientId: "client-flood" }));
    expect((await post(burst(100))).status).toBe(200);
    expect((await post(burst(20))).status).toBe(200);
    const refused = await post(burst(5));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await db.browseEvent.count({ where: { clientId: "client-flood" } })).toBe(120);
    // Another shopper of the same shop is not held back.
    expect((await post(pixelEvent({ clientId: "client-calm" }))).status).toBe(200);
  });
});

describe(`browse event pruning on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let shop: Shop;
  let other: Shop;
  const clock = new ManualClock("2026-11-23T12:00:00Z");

  const seed = async (target: Shop, daysAgo: number[], prefix: string) => {
    await db.browseEvent.createMany({
      data: daysAgo.map((ago, index) => ({
        shopId: target.id,
        eventId: `${prefix}-${index}`,
        type: "product_viewed",
        clientId: "client-prune",
        productShopifyId: "7421",
        occurredAt: new Date(clock.now().getTime() - ago * day),
        receivedAt: new Date(clock.now().getTime() - ago * day),
      })),
    });
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    shop = await db.shop.create({ data: { domain: shopDomain } });
    other = await db.shop.create({ data: { domain: otherDomain } });
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("deletes only events older than 30 days, oldest first, a batch at a time", async () => {
    await seed(shop, [45, 40, 35, 31, 30.5, 29.9, 10, 0], "a");
    await seed(other, [60, 1], "b");
    const sql = sqlConnectionOf(db);
    expect(await pruneBrowseEvents(sql, clock.now(), 3)).toBe(3);
    expect(await pruneBrowseEvents(sql, clock.now(), 3)).toBe(3);
    expect(await pruneBrowseEvents(sql, clock.now(), 3)).toBe(0);
    const left = await db.browseEvent.findMany({ orderBy: { occurredAt: "asc" }, select: { eventId: true } });
    expect(left.map((row) => row.eventId)).toEqual(["a-5", "a-6", "b-1", "a-7"]);
  });

  it("is part of the worker: a tick after the clock moved on prunes, and an idle sweep waits a minute", async () => {
    await seed(shop, [20, 5], "c");
    const worker = testWorker(db, clock, {
      ...workerSetup({
        clock,
        adminClientFor: () => {
          throw new Error("no Admin API in this test");
        },
      }),
    });
    await drain(worker);
    expect(await db.browseEvent.count({ where: { eventId: { startsWith: "c-" } } })).toBe(2);
    clock.advance(15 * day);
    await drain(worker);
    expect(
      (await db.browseEvent.findMany({ where: { eventId: { startsWith: "c-" } } })).map((row) => row.eventId),
    ).toEqual(["c-1"]);

    const sweep = browseEventPruneSweep({ intervalMs: 60_000 });
    const context = { db, sql: sqlConnectionOf(db), workerId: "w", limit: 10 };
    expect(await sweep({ ...context, now: clock.now() })).toBeGreaterThanOrEqual(0);
    await seed(shop, [31], "d");
    // Looked less than a minute ago and found the batch not full: it does not look again yet.
    expect(await sweep({ ...context, now: new Date(clock.now().getTime() + 30_000) })).toBe(0);
    expect(await sweep({ ...context, now: new Date(clock.now().getTime() + 61_000) })).toBe(1);
  });
});
