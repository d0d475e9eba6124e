// Consent precedence between Shopify and Stayloop (R-FLOW-3, docs/decisions/006-consent-precedence.md):
// the latest consent change by time wins, whichever side made it; a customers/update carrying
// Shopify's older consent never undoes an unsubscribe, and the write-back to Shopify is retried
// until it lands — through the worker's backoff and past a parked job — and never overwrites a
// newer consent with an older one.
import type { Customer, Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { changeConsent, consentRetryLaterMs, consentSyncJobKind } from "../../app/messaging/consent";
import { createAdminClient } from "../../app/shopify/admin-client";
import { workerSetup } from "../../app/worker-setup";
import type { WebhookDelivery } from "../fixtures/store-history";
import { customerPayload } from "../fixtures/shopify-payloads";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { startFakeAdminApi, type FakeAdminApi } from "../support/fake-admin-api";
import { drain, storeDeliveries, testWorker } from "../support/inbox";

const accessToken = "shpat_consent";
const hour = 3_600_000;

describe(`consent precedence on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let admin: FakeAdminApi;
  let sequence = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    admin = await startFakeAdminApi({ customers: 0, orders: 0, products: 0, accessToken });
  });

  afterAll(async () => {
    await admin?.close();
    await database?.drop();
  });

  const workerFor = (clock: ManualClock, maxAttempts?: number) =>
    testWorker(db, clock, {
      ...workerSetup({
        clock,
        // One HTTP try per job attempt, so each injected failure is one failed write-back.
        adminClientFor: (target, token) =>
          createAdminClient({
            shopDomain: target.domain,
            accessToken: token,
            endpoint: admin.endpoint(target.domain),
            maxAttempts: 1,
          }),
      }),
      ...(maxAttempts ? { maxAttempts } : {}),
    });

  /** A shop with an offline session and one subscribed shopper, as the last sync left them. */
  const setUp = async (): Promise<{ shop: Shop; shopper: Customer; shopifyId: number }> => {
    sequence += 1;
    const shop = await db.shop.create({
      data: { domain: `consent-${sequence}.myshopify.com`, name: "Linen & Co", timezone: "UTC" },
    });
    await db.session.create({
      data: { id: `offline_${shop.domain}`, shop: shop.domain, state: "", isOnline: false, accessToken },
    });
    const shopifyId = 8100 + sequence;
    const shopper = await db.customer.create({
      data: {
        shopId: shop.id,
        shopifyId: String(shopifyId),
        email: `ada${sequence}@example.com`,
        firstName: "Ada",
        emailConsent: "subscribed",
        emailConsentAt: new Date("2026-10-01T00:00:00Z"),
        shopifyUpdatedAt: new Date("2026-11-20T00:00:00Z"),
      },
    });
    return { shop, shopper, shopifyId };
  };

  /** Shopify's customers/update: the shopper as Shopify has them, consent dated by consent_updated_at. */
  const customersUpdate = (
    shopifyId: number,
    updatedAt: string,
    consent: { state: "subscribed" | "unsubscribed"; updatedAt: string },
  ): WebhookDelivery => {
    const payload = customerPayload({
      id: shopifyId,
      email: `ada${shopifyId - 8100}@example.com`,
      firstName: "Ada",
      lastName: `Edited ${updatedAt}`,
      updatedAt,
    });
    payload.email_marketing_consent = {
      state: consent.state,
      opt_in_level: "single_opt_in",
      consent_updated_at: consent.updatedAt,
    };
    return {
      topic: "customers/update",
      webhookId: `wh-${shopifyId}-${updatedAt}`,
      eventId: `ev-${shopifyId}-${updatedAt}`,
      triggeredAt: updatedAt,
      body: JSON.stringify(payload),
    };
  };

  const unsubscribe = (shop: Shop, shopper: Customer, now: Date) =>
    changeConsent(
      db,
      {
        shopId: shop.id,
        customerId: shopper.id,
        channel: "email",
        state: "unsubscribed",
        source: "unsubscribe_link",
      },
      now,
    );

  const consentWrites = (shop: Shop) =>
    admin.commerce.consentUpdates.filter((update) => update.shop === shop.domain);

  it("keeps the unsubscribe when a later customers/update carries Shopify's older consent, and retries the write-back until Shopify has it", async () => {
    const { shop, shopper, shopifyId } = await setUp();
    const clock = new ManualClock("2026-11-23T12:00:00Z");
    const worker = workerFor(clock);
    admin.commerce.failNext("UpdateEmailMarketingConsent", "server_error", 3);

    await unsubscribe(shop, shopper, clock.now());
    await drain(worker); // first write-back attempt fails
    // Newer than the last sync (20 Nov) but older than the unsubscribe; and one newer than both
    // (a merchant edits the customer's name) — both still carry the consent Shopify had before.
    await storeDeliveries(
      db,
      shop.domain,
      [
        customersUpdate(shopifyId, "2026-11-23T11:00:00Z", {
          state: "subscribed",
          updatedAt: "2026-10-01T00:00:00Z",
        }),
        customersUpdate(shopifyId, "2026-11-23T12:30:00Z", {
          state: "subscribed",
          updatedAt: "2026-10-01T00:00:00Z",
        }),
      ],
      clock.now(),
    );
    clock.advance(hour);
    await drain(worker);
    const afterUpdates = await db.customer.findUniqueOrThrow({ where: { id: shopper.id } });
    expect(afterUpdates.lastName).toBe("Edited 2026-11-23T12:30:00Z"); // the update itself applied
    expect(afterUpdates.emailConsent).toBe("unsubscribed");

    // Backoff retries: the write-back has failed 3 times in all, then lands.
    for (let step = 0; step < 4; step += 1) {
      clock.advance(hour);
      await drain(worker);
    }
    const job = await db.job.findFirstOrThrow({ where: { shopId: shop.id, kind: consentSyncJobKind } });
    expect(job).toMatchObject({ status: "done", attempts: 4 });
    expect(consentWrites(shop)).toEqual([
      expect.objectContaining({
        customerId: `gid://shopify/Customer/${shopifyId}`,
        channel: "email",
        marketingState: "UNSUBSCRIBED",
        consentUpdatedAt: "2026-11-23T12:00:00.000Z",
      }),
    ]);
    const change = await db.consentChange.findFirstOrThrow({ where: { shopId: shop.id } });
    expect(change.syncedAt).not.toBeNull();
    expect((await db.customer.findUniqueOrThrow({ where: { id: shopper.id } })).emailConsent).toBe(
      "unsubscribed",
    );
  });

  it("a write-back parked after its last attempt leaves a successor that lands it later", async () => {
    const { shop, shopper, shopifyId } = await setUp();
    const clock = new ManualClock("2026-11-23T12:00:00Z");
    const worker = workerFor(clock, 2); // parked after 2 attempts
    admin.commerce.failNext("UpdateEmailMarketingConsent", "server_error", 3);

    const change = await unsubscribe(shop, shopper, clock.now());
    await drain(worker);
    clock.advance(hour);
    await drain(worker);
    const first = await db.job.findFirstOrThrow({
      where: { shopId: shop.id, kind: consentSyncJobKind, key: change?.id },
    });
    expect(first.status).toBe("failed");
    expect(first.lastError).toContain("HTTP 502");
    expect(consentWrites(shop)).toEqual([]);

    clock.advance(consentRetryLaterMs);
    await drain(worker); // the successor's first attempt: the third failure
    clock.advance(hour);
    await drain(worker);
    expect(consentWrites(shop)).toEqual([
      expect.objectContaining({
        customerId: `gid://shopify/Customer/${shopifyId}`,
        marketingState: "UNSUBSCRIBED",
      }),
    ]);
    const jobs = await db.job.findMany({
      where: { shopId: shop.id, kind: consentSyncJobKind },
      orderBy: { key: "asc" },
    });
    expect(jobs.map((job) => [job.key, job.status])).toEqual([
      [change?.id, "failed"],
      [`${change?.id}:2`, "done"],
      [`${change?.id}:3`, "scheduled"],
    ]);
    // The third generation, scheduled when the second first failed, finds the change synced.
    clock.advance(consentRetryLaterMs);
    await drain(worker);
    expect(consentWrites(shop)).toHaveLength(1);
  });

  it("a later consent change at Shopify wins, and the older unsubscribe is never written over it", async () => {
    const { shop, shopper, shopifyId } = await setUp();
    const clock = new ManualClock("2026-11-23T12:00:00Z");
    const worker = workerFor(clock);
    admin.commerce.failNext("UpdateEmailMarketingConsent", "server_error", 1);

    await unsubscribe(shop, shopper, clock.now());
    await drain(worker); // the write-back fails once
    // The shopper subscribes again at the storefront half an hour after unsubscribing.
    await storeDeliveries(
      db,
      shop.domain,
      [
        customersUpdate(shopifyId, "2026-11-23T12:30:00Z", {
          state: "subscribed",
          updatedAt: "2026-11-23T12:30:00Z",
        }),
      ],
      clock.now(),
    );
    clock.advance(hour);
    await drain(worker);
    const customer = await db.customer.findUniqueOrThrow({ where: { id: shopper.id } });
    expect(customer.emailConsent).toBe("subscribed");
    expect(customer.emailConsentAt?.toISOString()).toBe("2026-11-23T12:30:00.000Z");
    clock.advance(consentRetryLaterMs);
    await drain(worker);
    expect(consentWrites(shop)).toEqual([]);
    const change = await db.consentChange.findFirstOrThrow({ where: { shopId: shop.id } });
    expect(change).toMatchObject({ syncedAt: null });
    expect(change.supersededAt).not.toBeNull();
  });
});
