// The customer-account endpoints (extensions/loyalty-account) through the built production server:
// a valid session token gets exactly its customer's points, tier and affordable rewards — the shop
// from `dest`, the customer from `sub`; a wrong signature, audience, expired token or a shop /
// customer we do not have is 401; redeeming with one idempotency key twice, or ten times at once,
// gives one code and one debit. The server runs in demo mode (loopback only) so redemptions reach a
// fake Admin API and its clock stands still until the test moves it. Needs `npm run build` first.
import { createHmac } from "node:crypto";
import type { Customer, LoyaltyReward, Prisma, Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { loyaltyMemberFor, postLedgerEntry } from "../../app/loyalty/ledger";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { startFakeAdminApi, type FakeAdminApi } from "../support/fake-admin-api";
import { startWebServer, testShopifyEnv, type RunningProcess } from "../support/processes";

const accessToken = "shpat_account";
const shopDomain = "account-shop.myshopify.com";
const otherDomain = "account-other.myshopify.com";

function base64Url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** A session token as Shopify signs it for a customer-account extension. */
function sessionToken(
  claims: Record<string, unknown>,
  secret = testShopifyEnv.SHOPIFY_API_SECRET,
  header: Record<string, unknown> = { alg: "HS256", typ: "JWT" },
): string {
  const signed = `${base64Url(header)}.${base64Url(claims)}`;
  return `${signed}.${createHmac("sha256", secret).update(signed).digest("base64url")}`;
}

interface AccountLoyalty {
  programActive: boolean;
  currency: string;
  pointsBalance: number;
  pendingPoints: number;
  tier: { id: string; name: string } | null;
  nextTier: { id: string; threshold: number } | null;
  affordableRewards: { id: string; name: string; pointsCost: number }[];
  nextReward: { id: string; pointsNeeded: number } | null;
}

describe(`customer-account loyalty endpoints on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let fake: FakeAdminApi;
  let server: RunningProcess & { baseUrl: string };
  let shop: Shop;
  let other: Shop;
  let shopper: Customer;
  const rewards: Record<string, LoyaltyReward> = {};
  let sequence = 0;

  /** The server's clock (the demo clock, standing still) in seconds. */
  const serverNow = async () => {
    const response = await fetch(`${server.baseUrl}/demo/clock`);
    const { now } = (await response.json()) as { now: string };
    return Math.floor(new Date(now).getTime() / 1000);
  };
  const claimsFor = async (overrides: Record<string, unknown> = {}) => {
    const now = await serverNow();
    return {
      iss: `https://${shopDomain}/account`,
      dest: shopDomain,
      aud: testShopifyEnv.SHOPIFY_API_KEY,
      sub: "gid://shopify/Customer/501",
      exp: now + 60,
      nbf: now - 5,
      iat: now - 5,
      jti: `jti-${(sequence += 1)}`,
      ...overrides,
    };
  };
  const getLoyalty = (token: string | null) =>
    fetch(`${server.baseUrl}/api/account/loyalty`, {
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    });
  const redeem = (token: string, body: unknown) =>
    fetch(`${server.baseUrl}/api/account/redemptions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  const install = async (domain: string) => {
    const created = await db.shop.create({ data: { domain, currency: "EUR" } });
    await db.session.create({
      data: { id: `offline_${domain}`, shop: domain, state: "", isOnline: false, accessToken },
    });
    return created;
  };
  const memberWith = async (
    target: Shop,
    shopifyId: string,
    points: number,
    tierId: string | null = null,
  ) => {
    const customer = await db.customer.create({ data: { shopId: target.id, shopifyId } });
    await db.$transaction(async (tx) => {
      const member = await loyaltyMemberFor(tx, target.id, customer.id);
      await postLedgerEntry(tx, target.id, {
        memberId: member.id,
        kind: "adjust",
        source: "admin",
        sourceId: `seed-${target.id}-${shopifyId}`,
        pointsDelta: points,
        reason: "test balance",
        actor: "test",
        occurredAt: new Date(),
      });
      if (tierId) await tx.loyaltyMember.update({ where: { id: member.id }, data: { tierId } });
    });
    return customer;
  };
  const balanceOf = async (customer: Customer) =>
    Number((await db.loyaltyMember.findFirstOrThrow({ where: { customerId: customer.id } })).pointsBalance);

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    fake = await startFakeAdminApi({ customers: 0, orders: 0, products: 0, accessToken });
    shop = await install(shopDomain);
    other = await install(otherDomain);
    await db.loyaltyProgram.create({
      data: {
        shopId: shop.id,
        enabled: true,
        tierRules: {
          metric: "points",
          period: "lifetime",
          graceDays: 0,
          tiers: [
            {
              id: "silver",
              name: "Silver",
              threshold: 100,
              earnMultiplierPercent: 100,
              perks: ["Early access"],
            },
            { id: "gold", name: "Gold", threshold: 1000, earnMultiplierPercent: 150, perks: [] },
          ],
        },
      },
    });
    await db.loyaltyProgram.create({ data: { shopId: other.id, enabled: true } });
    const reward = async (
      key: string,
      target: Shop,
      data: Omit<Prisma.LoyaltyRewardUncheckedCreateInput, "shopId" | "name" | "kind"> & { kind?: string },
    ) => {
      rewards[key] = await db.loyaltyReward.create({
        data: { shopId: target.id, name: key, kind: "percentage", percentOff: 10, ...data },
      });
    };
    await reward("five-off", shop, {
      kind: "fixed_amount",
      percentOff: null,
      amountMinor: 500,
      currency: "EUR",
      pointsCost: 100,
    });
    await reward("ten-percent", shop, { pointsCost: 300 });
    await reward("free-shipping", shop, { kind: "free_shipping", percentOff: null, pointsCost: 5000 });
    await reward("retired", shop, { pointsCost: 50, active: false });
    await reward("other-shop", other, { pointsCost: 10 });

    // Shopify customer 501 exists in both shops: two different customers.
    shopper = await memberWith(shop, "501", 400, "silver");
    await memberWith(other, "501", 50);
    server = await startWebServer({
      DATABASE_URL: database.url,
      NODE_ENV: "development",
      STAYLOOP_DEMO: "1",
      STAYLOOP_DEMO_SPEED: "0",
      STAYLOOP_DEMO_SHOP: shopDomain,
      STAYLOOP_DEMO_ADMIN_API_URL: fake.url,
    });
  });

  afterAll(async () => {
    await server?.stop();
    await fake?.close();
    await database?.drop();
  });

  it("answers a valid token with exactly that customer's points, tier and affordable rewards", async () => {
    const response = await getLoyalty(sessionToken(await claimsFor()));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    const loyalty = (await response.json()) as AccountLoyalty;
    expect(loyalty).toMatchObject({
      programActive: true,
      currency: "EUR",
      pointsBalance: 400,
      pendingPoints: 0,
      tier: { id: "silver", name: "Silver", perks: ["Early access"] },
      nextTier: { id: "gold", name: "Gold", threshold: 1000, metric: "points" },
      nextReward: { id: rewards["free-shipping"]?.id, pointsNeeded: 4600 },
    });
    expect(loyalty.affordableRewards.map((reward) => reward.name)).toEqual(["five-off", "ten-percent"]);
  });

  it("takes the shop from dest: the same Shopify customer id in the other shop is the other shop's customer", async () => {
    const response = await getLoyalty(sessionToken(await claimsFor({ dest: `https://${otherDomain}` })));
    expect(response.status).toBe(200);
    const loyalty = (await response.json()) as AccountLoyalty;
    expect(loyalty).toMatchObject({ pointsBalance: 50, tier: null, nextTier: null });
    expect(loyalty.affordableRewards.map((reward) => reward.name)).toEqual(["other-shop"]);
  });

  it("answers 401, saying nothing more, to every token it must not trust", async () => {
    const now = await serverNow();
    // A customer of this shop only: a token naming the other shop as dest does not reach them.
    await memberWith(shop, "601", 10);
    const refused: [string, string | null][] = [
      [
        "the other shop's dest for this shop's customer",
        sessionToken(await claimsFor({ dest: otherDomain, sub: "gid://shopify/Customer/601" })),
      ],
      ["no token", null],
      ["not a JWT", "not-a-token"],
      ["wrong signature", sessionToken(await claimsFor(), "another-app-secret")],
      ["wrong audience", sessionToken(await claimsFor({ aud: "another-api-key" }))],
      ["expired", sessionToken(await claimsFor({ exp: now - 30, nbf: now - 120 }))],
      ["not valid yet", sessionToken(await claimsFor({ nbf: now + 120, exp: now + 180 }))],
      ["a shop without Stayloop", sessionToken(await claimsFor({ dest: "stranger.myshopify.com" }))],
      ["a dest that is no shop", sessionToken(await claimsFor({ dest: "https://evil.example.com" }))],
      [
        "a customer the shop does not have",
        sessionToken(await claimsFor({ sub: "gid://shopify/Customer/999" })),
      ],
      ["no customer", sessionToken(await claimsFor({ sub: undefined }))],
      ["unsigned (alg none)", `${base64Url({ alg: "none" })}.${base64Url(await claimsFor())}.`],
      ["HS512", sessionToken(await claimsFor(), undefined, { alg: "HS512" })],
    ];
    for (const [why, token] of refused) {
      const response = await getLoyalty(token);
      expect(response.status, why).toBe(401);
      expect(await response.json()).toEqual({ error: "unauthorized" });
    }
  });

  it("answers the extension's CORS preflight, allowing the Authorization header", async () => {
    for (const path of ["/api/account/loyalty", "/api/account/redemptions"]) {
      const response = await fetch(`${server.baseUrl}${path}`, {
        method: "OPTIONS",
        headers: {
          origin: "https://extensions.shopifycdn.com",
          "access-control-request-method": path.endsWith("redemptions") ? "POST" : "GET",
          "access-control-request-headers": "authorization, content-type",
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-headers")).toContain("authorization");
    }
  });

  it("redeems once for one idempotency key: eight at once and a retry give one code and one debit", async () => {
    const token = sessionToken(await claimsFor());
    const body = { rewardId: rewards["five-off"]?.id, idempotencyKey: "account-redeem-0001" };
    const responses = await Promise.all(Array.from({ length: 8 }, () => redeem(token, body)));
    expect(responses.map((response) => response.status)).toEqual(Array(8).fill(200));
    const answers = (await Promise.all(responses.map((response) => response.json()))) as {
      code: string;
      pointsBalance: number;
    }[];
    const codes = new Set(answers.map((answer) => answer.code));
    expect(codes.size).toBe(1);
    const again = (await (await redeem(token, body)).json()) as { code: string; pointsBalance: number };
    expect(again.code).toBe(answers[0]?.code);
    expect(again.pointsBalance).toBe(300);
    expect(await balanceOf(shopper)).toBe(300);
    expect(
      fake.commerce.discountsOf(shopDomain).filter((discount) => discount.code === again.code),
    ).toHaveLength(1);
    expect(await db.redemption.count({ where: { shopId: shop.id } })).toBe(1);
  });

  it("keeps one shopper's idempotency key from returning another shopper's code", async () => {
    const neighbour = await memberWith(shop, "502", 200);
    const token = sessionToken(await claimsFor({ sub: "gid://shopify/Customer/502" }));
    const response = await redeem(token, {
      rewardId: rewards["five-off"]?.id,
      idempotencyKey: "account-redeem-0001",
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { code: string; pointsBalance: number };
    const first = await db.redemption.findFirstOrThrow({
      where: { shopId: shop.id },
      orderBy: { createdAt: "asc" },
    });
    expect(answer.code).not.toBe(first.code);
    expect(answer.pointsBalance).toBe(100);
    expect(await balanceOf(neighbour)).toBe(100);
  });

  it("refuses another shop's reward (404), a reward beyond the balance (409) and a bad body (400), debiting nothing", async () => {
    // A shopper of their own: the first one spent their redemption allowance above.
    const refusedShopper = await memberWith(shop, "504", 400);
    const token = sessionToken(await claimsFor({ sub: "gid://shopify/Customer/504" }));
    const cases: [unknown, number][] = [
      [{ rewardId: rewards["other-shop"]?.id, idempotencyKey: "account-redeem-0002" }, 404],
      [{ rewardId: rewards.retired?.id, idempotencyKey: "account-redeem-0003" }, 404],
      [{ rewardId: rewards["free-shipping"]?.id, idempotencyKey: "account-redeem-0004" }, 409],
      [{ rewardId: rewards["five-off"]?.id }, 400],
      [{ rewardId: rewards["five-off"]?.id, idempotencyKey: "short" }, 400],
    ];
    for (const [body, status] of cases) {
      const response = await redeem(token, body);
      expect(response.status, JSON.stringify(body)).toBe(status);
    }
    expect(await balanceOf(refusedShopper)).toBe(400);
  });

  it("answers 429 with Retry-After to a shopper redeeming too fast", async () => {
    await memberWith(shop, "503", 10_000);
    const token = sessionToken(await claimsFor({ sub: "gid://shopify/Customer/503" }));
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let index = 0; index < 12; index += 1) {
      const response = await redeem(token, {
        rewardId: rewards["five-off"]?.id,
        idempotencyKey: `account-burst-${String(index).padStart(4, "0")}`,
      });
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get("retry-after");
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it("checks exp against the server's clock: a token that was good is refused once the clock passes it", async () => {
    const token = sessionToken(await claimsFor());
    expect((await getLoyalty(token)).status).toBe(200);
    const advanced = await fetch(`${server.baseUrl}/demo/clock`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ advanceMinutes: 2 }),
    });
    expect(advanced.status).toBe(200);
    expect((await getLoyalty(token)).status).toBe(401);
  });
});
