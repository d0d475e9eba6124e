// The Admin client's cost bookkeeping and retries, against the fake Admin API on a virtual clock:
// sleeping advances the time both the client's and the fake's leaky buckets see.
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  AdminGraphqlError,
  AdminHttpError,
  ThrottleBucket,
  createAdminClient,
  type AdminClientOptions,
} from "../../app/shopify/admin-client";
import { startBulkQuery } from "../../app/shopify/bulk-operations";
import { bulkQueries } from "../../app/shopify/admin-operations";
import { startFakeAdminApi, type FakeAdminApi, type FakeAdminApiOptions } from "../support/fake-admin-api";

const shopDomain = "throttle-test.myshopify.com";

function virtualTime() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

describe("ThrottleBucket", () => {
  it("knows nothing before Shopify reported the bucket, and never makes a query wait then", () => {
    const bucket = new ThrottleBucket(() => 0);
    expect(bucket.known()).toBeNull();
    expect(bucket.waitMs(500)).toBe(0);
  });

  it("refills at the restore rate, up to the maximum, and waits exactly for the missing points", () => {
    let now = 0;
    const bucket = new ThrottleBucket(() => now);
    bucket.observe({ maximumAvailable: 100, currentlyAvailable: 10, restoreRate: 50 });
    expect(bucket.waitMs(30)).toBe(400); // 20 points missing at 50 per second
    now = 200;
    expect(bucket.available()).toBe(20);
    expect(bucket.waitMs(30)).toBe(200);
    expect(bucket.waitMs(20)).toBe(0);
    now = 60_000;
    expect(bucket.available()).toBe(100);
  });

  it("spends reserved points at once, so back-to-back queries do not count the same points twice", () => {
    const bucket = new ThrottleBucket(() => 0);
    bucket.observe({ maximumAvailable: 100, currentlyAvailable: 100, restoreRate: 50 });
    bucket.reserve(60);
    expect(bucket.available()).toBe(40);
    expect(bucket.waitMs(60)).toBe(400);
  });

  it("lets a query dearer than the whole bucket wait for a full bucket, not forever", () => {
    const bucket = new ThrottleBucket(() => 0);
    bucket.observe({ maximumAvailable: 100, currentlyAvailable: 0, restoreRate: 50 });
    expect(bucket.waitMs(5_000)).toBe(2_000);
  });
});

describe("Admin client against the fake Admin API", () => {
  let fake: FakeAdminApi | undefined;

  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  async function setUp(fakeOptions: FakeAdminApiOptions, clientOptions: Partial<AdminClientOptions> = {}) {
    const time = virtualTime();
    fake = await startFakeAdminApi({ customers: 1, orders: 0, products: 0, now: time.now, ...fakeOptions });
    const client = createAdminClient({
      shopDomain,
      accessToken: "shpat_unit",
      endpoint: fake.endpoint(shopDomain),
      now: time.now,
      sleep: time.sleep,
      retryBaseMs: 100,
      ...clientOptions,
    });
    return { client, time, fake };
  }

  it("retries a THROTTLED answer after the restore time, then waits on its own instead of being throttled", async () => {
    const { client, time, fake } = await setUp({
      bucket: { maximumAvailable: 20, restoreRate: 10, currentlyAvailable: 0 },
    });
    await startBulkQuery(client, bulkQueries.customers, { groupObjects: false });
    // Blind first request: throttled, then retried once 10 points (1 s at 10/s) came back.
    expect(fake.stats.throttled).toBe(1);
    expect(client.stats.throttledRetries).toBe(1);
    expect(time.sleeps).toEqual([1_000]);
    expect(client.throttleStatus()).toMatchObject({ maximumAvailable: 20, restoreRate: 10 });

    await startBulkQuery(client, bulkQueries.customers, { groupObjects: false });
    // Now the client knows the bucket is empty and waits before sending: no second THROTTLED.
    expect(fake.stats.throttled).toBe(1);
    expect(client.stats.throttleWaits).toBe(1);
    expect(time.sleeps).toEqual([1_000, 1_000]);
    expect(fake.stats.operations.RunBulkQuery).toBe(2);
  });

  it("retries 5xx answers with exponential backoff", async () => {
    const { client, time, fake } = await setUp({ failFirstRequests: 3 });
    await startBulkQuery(client, bulkQueries.orders, { groupObjects: true });
    expect(fake.stats.serverErrors).toBe(3);
    expect(client.stats.transientRetries).toBe(3);
    expect(time.sleeps).toEqual([100, 200, 400]);
    expect(fake.stats.operations.RunBulkQuery).toBe(1);
  });

  it("gives up after the bounded number of attempts", async () => {
    const { client, fake } = await setUp({ failFirstRequests: 10 }, { maxAttempts: 3 });
    await expect(startBulkQuery(client, bulkQueries.orders, { groupObjects: true })).rejects.toBeInstanceOf(
      AdminHttpError,
    );
    expect(fake.stats.requests).toBe(3);
  });

  it("retries network failures (nothing listening) and then reports the shop unreachable", async () => {
    const { client, fake, time } = await setUp({}, { maxAttempts: 4 });
    await fake.close();
    await expect(startBulkQuery(client, bulkQueries.customers, { groupObjects: false })).rejects.toThrow(
      /unreachable .* after 4 attempts/,
    );
    expect(time.sleeps).toEqual([100, 200, 400]);
  });

  it("never retries a query Shopify refuses as invalid", async () => {
    const { client, fake } = await setUp({});
    await expect(client.request("query { shop { name } }", { schema: z.unknown() })).rejects.toBeInstanceOf(
      AdminGraphqlError,
    );
    await expect(client.request("query {", { schema: z.unknown() })).rejects.toThrow(/Syntax Error/);
    expect(fake.stats.requests).toBe(2);
    expect(fake.stats.rejected).toBe(2);
    expect(client.stats.transientRetries + client.stats.throttledRetries).toBe(0);
  });

  it("does not retry a refused access token", async () => {
    const { client, fake } = await setUp({ accessToken: "shpat_other" });
    await expect(startBulkQuery(client, bulkQueries.customers, { groupObjects: false })).rejects.toThrow(
      /HTTP 401/,
    );
    expect(fake.stats.requests).toBe(1);
    expect(fake.stats.unauthorized).toBe(1);
  });
});
