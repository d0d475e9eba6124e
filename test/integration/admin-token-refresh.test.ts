// Expiring offline access tokens on the worker's path (app/shopify/shop-admin.ts): refreshed a few
// minutes before they expire and once after a 401, stored in the offline Session row, and two
// workers refreshing at once keep the newest refresh token. Against the fake Admin API, whose
// tokens expire on the test's clock and whose token endpoint rotates the refresh token.
import type { Shop } from "@prisma/client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { Database } from "../../app/db/client";
import { AdminHttpError, createAdminClient, type AdminClient } from "../../app/shopify/admin-client";
import { tagsAddMutation } from "../../app/shopify/admin-operations";
import { OfflineTokenRefusedError } from "../../app/shopify/offline-tokens";
import { shopAdminClient, type AdminClientFactory } from "../../app/shopify/shop-admin";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { startFakeAdminApi, type FakeAdminApi } from "../support/fake-admin-api";
import { FakeOfflineTokens } from "../support/fake-admin-oauth";

const minute = 60_000;
const app = { clientId: "stayloop-client-id", clientSecret: "stayloop-client-secret" };

describe(`expiring offline tokens on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let fake: FakeAdminApi;
  let tokens: FakeOfflineTokens;
  let shop: Shop;
  const clock = new ManualClock("2026-11-24T10:00:00Z");
  const sessionId = "offline_tokens.myshopify.com";

  const factory = (): AdminClientFactory => {
    const adminClientFor: AdminClientFactory = (target, accessToken) =>
      createAdminClient({
        shopDomain: target.domain,
        accessToken,
        endpoint: fake.endpoint(target.domain),
        sleep: async () => {},
        maxAttempts: 2,
      });
    adminClientFor.offlineTokens = {
      ...app,
      clock,
      tokenUrl: (shopDomain) => `${fake.url}/${shopDomain}/admin/oauth/access_token`,
    };
    return adminClientFor;
  };
  const tagCustomer = (client: AdminClient) =>
    client.request(tagsAddMutation, {
      variables: { id: fake.dataset.customers[0]?.id, tags: ["vip"] },
      schema: z.object({ tagsAdd: z.object({ userErrors: z.array(z.unknown()) }) }),
    });
  const stored = () => db.session.findUniqueOrThrow({ where: { id: sessionId } });

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    tokens = new FakeOfflineTokens({ ...app, accessTokenSeconds: 3600, now: () => clock.now().getTime() });
    fake = await startFakeAdminApi({ customers: 3, orders: 0, products: 0, offlineTokens: tokens });
    shop = await db.shop.create({ data: { domain: "tokens.myshopify.com" } });
  });

  beforeEach(async () => {
    // A fresh install: the pair OAuth handed out, stored as the session storage keeps it.
    const issued = tokens.issue();
    const session = {
      shop: shop.domain,
      state: "",
      isOnline: false,
      accessToken: issued.accessToken,
      expires: new Date(issued.expiresAt),
      refreshToken: issued.refreshToken,
      refreshTokenExpires: new Date(issued.refreshTokenExpiresAt),
    };
    await db.session.upsert({
      where: { id: sessionId },
      create: { id: sessionId, ...session },
      update: session,
    });
    tokens.stats.refreshed = 0;
    tokens.stats.refused = 0;
    fake.stats.unauthorized = 0;
  });

  afterAll(async () => {
    await fake?.close();
    await database?.drop();
  });

  it("uses the stored token while it has more than five minutes left", async () => {
    const before = await stored();
    clock.advance(54 * minute);
    const { adminClient } = await shopAdminClient(db, shop.id, factory());
    await tagCustomer(adminClient);
    expect(tokens.stats.refreshed).toBe(0);
    expect((await stored()).accessToken).toBe(before.accessToken);
  });

  it("refreshes a token that expires within five minutes before calling, and stores the new pair", async () => {
    const before = await stored();
    clock.advance(56 * minute);
    const { adminClient } = await shopAdminClient(db, shop.id, factory());
    await tagCustomer(adminClient);
    const after = await stored();
    expect(tokens.stats.refreshed).toBe(1);
    expect(fake.stats.unauthorized).toBe(0);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(tokens.accepts(after.accessToken)).toBe(true);
    expect(after.expires).toEqual(new Date(clock.now().getTime() + 3600 * 1000));
    // The refresh token was replaced: the new one works, the used one no longer does.
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(tokens.refreshable(after.refreshToken)).toBe(true);
    expect(tokens.refreshable(before.refreshToken)).toBe(false);
    expect(after.refreshTokenExpires?.getTime()).toBe(clock.now().getTime() + 90 * 86_400_000);

    // Long after it expired (the shop was quiet for hours): refreshed again, from the stored pair.
    clock.advance(5 * 60 * minute);
    const later = await shopAdminClient(db, shop.id, factory());
    await tagCustomer(later.adminClient);
    expect(tokens.stats.refreshed).toBe(2);
  });

  it("refreshes once after a 401 and sends the call again", async () => {
    const before = await stored();
    const { adminClient } = await shopAdminClient(db, shop.id, factory());
    tokens.revoke(before.accessToken);
    await tagCustomer(adminClient);
    expect(fake.stats.unauthorized).toBe(1);
    expect(tokens.stats.refreshed).toBe(1);
    expect((await stored()).accessToken).not.toBe(before.accessToken);

    // Refused again after the refresh: no loop, the 401 is the answer.
    const next = await stored();
    const again = await shopAdminClient(db, shop.id, factory());
    tokens.revoke(next.accessToken);
    await db.session.update({ where: { id: sessionId }, data: { refreshToken: "shprt_revoked" } });
    await expect(tagCustomer(again.adminClient)).rejects.toBeInstanceOf(OfflineTokenRefusedError);
    expect(tokens.stats.refused).toBe(1);
    expect(fake.stats.unauthorized).toBe(2);
  });

  it("without a refresher (no app credentials) a 401 stays a 401", async () => {
    const plain: AdminClientFactory = (target, accessToken) =>
      createAdminClient({ shopDomain: target.domain, accessToken, endpoint: fake.endpoint(target.domain) });
    tokens.revoke((await stored()).accessToken);
    const { adminClient } = await shopAdminClient(db, shop.id, plain);
    await expect(tagCustomer(adminClient)).rejects.toBeInstanceOf(AdminHttpError);
    expect(tokens.stats.refreshed).toBe(0);
  });

  it("two workers refreshing at once both get a working token and keep the newest refresh token", async () => {
    clock.advance(58 * minute);
    const other = database.connect();
    const results = await Promise.all(
      [db, other].map(async (client) => {
        const { adminClient } = await shopAdminClient(client, shop.id, factory());
        return tagCustomer(adminClient);
      }),
    );
    expect(results).toHaveLength(2);
    const after = await stored();
    // One exchange went through; the other found the refresh token used and took the stored pair.
    expect(tokens.stats.refreshed).toBe(1);
    expect(tokens.refreshable(after.refreshToken)).toBe(true);
    expect(tokens.accepts(after.accessToken)).toBe(true);
    // And the stored pair keeps working an hour later.
    clock.advance(58 * minute);
    const { adminClient } = await shopAdminClient(db, shop.id, factory());
    await tagCustomer(adminClient);
    expect(tokens.stats.refreshed).toBe(2);
  });
});
