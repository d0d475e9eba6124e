// The storefront's App Proxy over real HTTP (R-WID-3): requests signed exactly as Shopify signs
// them reach /proxy/*; anything unsigned, tampered, signed with another secret or more than 90 s off
// is 401; the shopper is the signed `logged_in_customer_id` of the signed `shop` and nobody named
// in the body or in extra parameters; another shop's reward is 404; one idempotency key sent 50
// times at once is one code and one debit; writes past the rate limit are 429 with Retry-After.
import type { Customer, Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { loyaltyMemberFor, postLedgerEntry } from "../../app/loyalty/ledger";
import { saveProgramSettings } from "../../app/loyalty/program";
import { createReward } from "../../app/loyalty/rewards";
import { signProxyQuery } from "../../app/storefront/proxy-signature";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { startFakeAdminApi, type FakeAdminApi } from "../support/fake-admin-api";
import { startWebServer, type RunningProcess } from "../support/processes";
import { numbers } from "../support/stored";

const secret = "proxy-test-secret";
const accessToken = "shpat_proxy";
const shopA = "proxy-a.myshopify.com";
const shopB = "proxy-b.myshopify.com";

interface Seeded {
  shop: Shop;
  alice: Customer;
  bob: Customer;
  reward: { id: string };
}

async function seed(db: Database, domain: string, prefix: string, now: Date): Promise<Seeded> {
  const shop = await db.shop.create({ data: { domain, currency: "EUR" } });
  await db.session.create({
    data: { id: `offline_${domain}`, shop: domain, state: "", isOnline: false, accessToken },
  });
  await saveProgramSettings(
    db,
    shop.id,
    {
      enabled: true,
      pendingDays: 14,
      birthdayPoints: 200,
      tierRules: {
        metric: "points",
        period: "lifetime",
        graceDays: 0,
        tiers: [
          { id: "bronze", name: "Bronze", threshold: 0, earnMultiplierPercent: 100, perks: [] },
          {
            id: "silver",
            name: "Silver",
            threshold: 1000,
            earnMultiplierPercent: 125,
            perks: ["Free shipping"],
          },
        ],
      },
    },
    now,
  );
  const customer = async (shopifyId: string, firstName: string, points: number) => {
    const row = await db.customer.create({
      data: { shopId: shop.id, shopifyId, firstName, email: `${firstName.toLowerCase()}@${domain}` },
    });
    await db.$transaction(async (tx) => {
      const member = await loyaltyMemberFor(tx, shop.id, row.id);
      await postLedgerEntry(tx, shop.id, {
        memberId: member.id,
        kind: "earn",
        source: "signup",
        sourceId: row.id,
        pointsDelta: points,
        reason: "Sign-up bonus",
        occurredAt: now,
      });
    });
    return row;
  };
  const alice = await customer(`${prefix}01`, "Alice", 400);
  const bob = await customer(`${prefix}02`, "Bob", 50);
  const reward = await createReward(db, shop.id, {
    kind: "fixed_amount",
    name: "€5 off",
    pointsCost: 100,
    amountMinor: 500,
    currency: "EUR",
  });
  return { shop, alice, bob, reward: { id: reward.id } };
}

/** A request as Shopify's App Proxy forwards it: the shopper's query plus shop, customer, prefix, timestamp, signature. */
function proxyUrl(
  base: string,
  path: string,
  options: {
    shop: string;
    customer?: string | null;
    timestamp: number;
    extra?: [string, string][];
    key?: string;
  },
): string {
  const query = new URLSearchParams(options.extra ?? []);
  query.append("shop", options.shop);
  query.append("logged_in_customer_id", options.customer ?? "");
  query.append("path_prefix", "/apps/stayloop");
  query.append("timestamp", String(options.timestamp));
  return `${base}/proxy/${path}?${signProxyQuery(query, options.key ?? secret)}`;
}

let shopperAddress = 0;
/** A POST from a shopper at an address of its own (unless `headers` names one): only the test of the address limit shares one. */
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-forwarded-for": `198.51.${Math.floor(shopperAddress / 250) % 250}.${(shopperAddress++ % 250) + 1}`,
      ...headers,
    },
    body: JSON.stringify(body),
  });

describe(`App Proxy signatures and shopper isolation on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let server: RunningProcess & { baseUrl: string };
  let a: Seeded;
  let b: Seeded;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    a = await seed(db, shopA, "1", new Date());
    b = await seed(db, shopB, "2", new Date());
    server = await startWebServer({ DATABASE_URL: database.url, SHOPIFY_API_SECRET: secret });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("answers a correctly signed request with exactly that customer's panel, never cached", async () => {
    const response = await fetch(
      proxyUrl(server.baseUrl, "panel", { shop: shopA, customer: a.alice.shopifyId, timestamp: now() }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-type")).toContain("application/json");
    const panel = await response.json();
    expect(panel).toMatchObject({
      kind: "member",
      customer: { firstName: "Alice" },
      balance: 400,
      tier: { metric: "points", next: { name: "Silver", remaining: 600 }, progressPercent: 40 },
      birthday: { set: false, points: 200 },
    });
    expect(panel.rewards).toEqual([
      expect.objectContaining({ id: a.reward.id, affordable: true, pointsCost: 100 }),
    ]);
    expect(panel.referral.url).toBe(`https://${shopA}/?ref=${panel.referral.code}`);
    expect(panel.history).toEqual([expect.objectContaining({ pointsDelta: 400, reason: "Sign-up bonus" })]);

    const bobs = await (
      await fetch(
        proxyUrl(server.baseUrl, "panel", { shop: shopA, customer: a.bob.shopifyId, timestamp: now() }),
      )
    ).json();
    expect(bobs).toMatchObject({ kind: "member", customer: { firstName: "Bob" }, balance: 50 });
    expect(bobs.rewards[0].affordable).toBe(false);
  });

  it("shows a guest how to join and what an amount would earn", async () => {
    const response = await fetch(
      proxyUrl(server.baseUrl, "panel", { shop: shopA, timestamp: now(), extra: [["amount", "2599"]] }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      kind: "guest",
      signedIn: false,
      earn: { amountMinor: 2599, currency: "EUR", points: 25 },
      rewards: [{ id: a.reward.id, affordable: false }],
      tiers: [{ name: "Bronze" }, { name: "Silver" }],
      loginPath: "account/login",
    });
  });

  it("refuses tampered, unsigned, wrongly keyed and stale or future requests with 401", async () => {
    const good = proxyUrl(server.baseUrl, "panel", {
      shop: shopA,
      customer: a.alice.shopifyId,
      timestamp: now(),
    });
    const tamperedCustomer = good.replace(
      `logged_in_customer_id=${a.alice.shopifyId}`,
      `logged_in_customer_id=${a.bob.shopifyId}`,
    );
    const tamperedShop = good.replace(`shop=${shopA}`, `shop=${shopB}`);
    const addedParameter = `${good}&amount=100`;
    const unsigned = good.replace(/&signature=[0-9a-f]+/, "");
    const wrongSecret = proxyUrl(server.baseUrl, "panel", {
      shop: shopA,
      customer: a.alice.shopifyId,
      timestamp: now(),
      key: "another-apps-secret",
    });
    const stale = proxyUrl(server.baseUrl, "panel", {
      shop: shopA,
      customer: a.alice.shopifyId,
      timestamp: now() - 95,
    });
    const future = proxyUrl(server.baseUrl, "panel", {
      shop: shopA,
      customer: a.alice.shopifyId,
      timestamp: now() + 95,
    });
    for (const url of [
      tamperedCustomer,
      tamperedShop,
      addedParameter,
      unsigned,
      wrongSecret,
      stale,
      future,
    ]) {
      const response = await fetch(url);
      expect(response.status, url).toBe(401);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(await response.json()).toMatchObject({ error: "unauthorized" });
    }
    // Within 90 s either way is accepted (clocks differ a little).
    const slightlyOff = proxyUrl(server.baseUrl, "panel", {
      shop: shopA,
      customer: a.alice.shopifyId,
      timestamp: now() - 60,
    });
    expect((await fetch(slightlyOff)).status).toBe(200);
  });

  it("signs repeated parameters as Shopify does: values joined with commas", async () => {
    const url = proxyUrl(server.baseUrl, "panel", {
      shop: shopA,
      customer: a.alice.shopifyId,
      timestamp: now(),
      extra: [
        ["extra", "1"],
        ["extra", "2"],
      ],
    });
    expect((await fetch(url)).status).toBe(200);
    // The same values in another order are another signed message.
    const swapped = url.replace("extra=1&extra=2", "extra=2&extra=1");
    expect((await fetch(swapped)).status).toBe(401);
  });

  it("takes the customer only from the signed logged_in_customer_id", async () => {
    // Another customer's id as an extra, signed parameter and in the body: still Alice's panel.
    const url = proxyUrl(server.baseUrl, "panel", {
      shop: shopA,
      customer: a.alice.shopifyId,
      timestamp: now(),
      extra: [
        ["customer_id", a.bob.shopifyId],
        ["customerId", a.bob.id],
      ],
    });
    expect(await (await fetch(url)).json()).toMatchObject({ customer: { firstName: "Alice" }, balance: 400 });
    // A second logged_in_customer_id (even signed) is not a shopper.
    const doubled = proxyUrl(server.baseUrl, "panel", {
      shop: shopA,
      customer: a.alice.shopifyId,
      timestamp: now(),
      extra: [["logged_in_customer_id", a.bob.shopifyId]],
    });
    expect((await fetch(doubled)).status).toBe(401);
    // Another shop's customer id under this shop is nobody here: a guest.
    const foreign = proxyUrl(server.baseUrl, "panel", {
      shop: shopA,
      customer: b.alice.shopifyId,
      timestamp: now(),
    });
    expect(await (await fetch(foreign)).json()).toMatchObject({ kind: "guest", signedIn: true });
  });

  it("has no demo storefront outside demo mode", async () => {
    for (const path of [
      "/demo/storefront",
      "/demo/storefront/apps/stayloop/panel",
      "/demo/storefront/assets/stayloop-widget.js",
    ]) {
      expect((await fetch(`${server.baseUrl}${path}`)).status, path).toBe(404);
    }
  });

  it("answers 404 for a shop that does not use Stayloop and for unknown paths", async () => {
    const unknown = await fetch(
      proxyUrl(server.baseUrl, "panel", { shop: "nobody.myshopify.com", timestamp: now() }),
    );
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: "shop_not_found" });
    const path = await fetch(proxyUrl(server.baseUrl, "nothing-here", { shop: shopA, timestamp: now() }));
    expect(path.status).toBe(404);
    expect(path.headers.get("cache-control")).toBe("no-store");
  });

  it("refuses a write without a signed-in customer and a body that is not JSON, changing nothing", async () => {
    const before = await db.redemption.count();
    const guest = await post(proxyUrl(server.baseUrl, "redeem", { shop: shopA, timestamp: now() }), {
      rewardId: a.reward.id,
      idempotencyKey: "guest-request-1",
      customerId: a.alice.id,
      logged_in_customer_id: a.alice.shopifyId,
    });
    expect(guest.status).toBe(401);
    const notJson = await fetch(
      proxyUrl(server.baseUrl, "redeem", { shop: shopA, customer: a.alice.shopifyId, timestamp: now() }),
      { method: "POST", headers: { "content-type": "text/plain" }, body: "rewardId=x" },
    );
    expect(notJson.status).toBe(400);
    const badKey = await post(
      proxyUrl(server.baseUrl, "redeem", { shop: shopA, customer: a.alice.shopifyId, timestamp: now() }),
      { rewardId: a.reward.id, idempotencyKey: "x" },
    );
    expect(badKey.status).toBe(400);
    expect(await db.redemption.count()).toBe(before);
  });
});

describe(`App Proxy writes on ${testProvider} (demo mode: the Admin API stand-in issues the codes)`, () => {
  let database: TestDatabase;
  let db: Database;
  let fake: FakeAdminApi;
  let server: RunningProcess & { baseUrl: string };
  let a: Seeded;
  let b: Seeded;
  /** Shopify's timestamps are real time (also in demo mode, whose own clock may run faster). */
  const serverNow = async () => Math.floor(Date.now() / 1000);

  const balanceOf = async (customer: Customer) =>
    numbers(
      await db.loyaltyMember.findFirstOrThrow({
        where: { shopId: customer.shopId, customerId: customer.id },
        select: { pointsBalance: true },
      }),
    ).pointsBalance;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    fake = await startFakeAdminApi({ customers: 0, orders: 0, products: 0, accessToken });
    a = await seed(db, shopA, "1", new Date());
    b = await seed(db, shopB, "2", new Date());
    server = await startWebServer({
      DATABASE_URL: database.url,
      NODE_ENV: "development",
      STAYLOOP_DEMO: "1",
      // The demo's clock runs 600 times faster: timestamps and limits still follow real time.
      STAYLOOP_DEMO_SPEED: "600",
      STAYLOOP_DEMO_ADMIN_API_URL: fake.url,
      SHOPIFY_API_SECRET: secret,
      STAYLOOP_PROXY_CUSTOMER_LIMIT: "60",
      STAYLOOP_PROXY_ADDRESS_LIMIT: "20",
    });
  });

  afterAll(async () => {
    await server?.stop();
    await fake?.close();
    await database?.drop();
  });

  it("redeems one code with one debit for 50 concurrent requests with one idempotency key", async () => {
    const timestamp = await serverNow();
    const url = proxyUrl(server.baseUrl, "redeem", { shop: shopA, customer: a.alice.shopifyId, timestamp });
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        post(url, { rewardId: a.reward.id, idempotencyKey: "widget-request-0001" }),
      ),
    );
    const bodies = await Promise.all(responses.map((response) => response.json()));
    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(200));
    const codes = new Set(bodies.map((body: { code: string }) => body.code));
    expect(codes.size).toBe(1);
    const [code] = [...codes];
    expect(bodies[0]).toMatchObject({ points: 100, applyPath: `discount/${code}` });
    expect(fake.commerce.discountsOf(shopA).map((discount) => discount.code)).toEqual([code]);
    expect(await balanceOf(a.alice)).toBe(300);
    expect(await db.loyaltyLedgerEntry.count({ where: { shopId: a.shop.id, kind: "redeem" } })).toBe(1);
    expect(await db.redemption.count({ where: { shopId: a.shop.id } })).toBe(1);

    // The panel shows the code, and the balance after the debit.
    const panel = await (
      await fetch(proxyUrl(server.baseUrl, "panel", { shop: shopA, customer: a.alice.shopifyId, timestamp }))
    ).json();
    expect(panel).toMatchObject({ balance: 300, redemptions: [{ code, rewardName: "€5 off" }] });
  });

  it("keeps one shopper's idempotency key from naming another shopper's redemption", async () => {
    const timestamp = await serverNow();
    // Bob has 50 points: with Alice's key he gets no code of hers, only his own refusal.
    const response = await post(
      proxyUrl(server.baseUrl, "redeem", { shop: shopA, customer: a.bob.shopifyId, timestamp }),
      { rewardId: a.reward.id, idempotencyKey: "widget-request-0001" },
    );
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({
      error: "insufficient_points",
      available: 50,
      required: 100,
    });
    expect(await balanceOf(a.bob)).toBe(50);
  });

  it("ignores a customer named in the body or in extra parameters", async () => {
    const timestamp = await serverNow();
    const before = { alice: await balanceOf(a.alice), bob: await balanceOf(a.bob) };
    const response = await post(
      proxyUrl(server.baseUrl, "redeem", {
        shop: shopA,
        customer: a.alice.shopifyId,
        timestamp,
        extra: [["customer_id", a.bob.shopifyId]],
      }),
      {
        rewardId: a.reward.id,
        idempotencyKey: "widget-request-0002",
        customerId: a.bob.id,
        customer_id: a.bob.shopifyId,
        logged_in_customer_id: a.bob.shopifyId,
      },
    );
    expect(response.status).toBe(200);
    expect(await balanceOf(a.alice)).toBe(before.alice - 100);
    expect(await balanceOf(a.bob)).toBe(before.bob);
  });

  it("answers 404 for another shop's reward, changing nothing", async () => {
    const timestamp = await serverNow();
    const before = { balance: await balanceOf(a.alice), redemptions: await db.redemption.count() };
    const response = await post(
      proxyUrl(server.baseUrl, "redeem", { shop: shopA, customer: a.alice.shopifyId, timestamp }),
      { rewardId: b.reward.id, idempotencyKey: "widget-request-0003" },
    );
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: "reward_not_found" });
    expect(await balanceOf(a.alice)).toBe(before.balance);
    expect(await db.redemption.count()).toBe(before.redemptions);
    expect(await balanceOf(b.alice)).toBe(400);
  });

  it("stores the birthday once and claims a referral once", async () => {
    const timestamp = await serverNow();
    const url = proxyUrl(server.baseUrl, "birthday", { shop: shopA, customer: a.bob.shopifyId, timestamp });
    const first = await post(url, { birthday: "07-14", idempotencyKey: "birthday-request-1" });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ birthday: "07-14", set: true, changed: true });
    const again = await post(url, { birthday: "07-14", idempotencyKey: "birthday-request-1" });
    expect(await again.json()).toMatchObject({ changed: false });
    const other = await post(url, { birthday: "08-01", idempotencyKey: "birthday-request-2" });
    expect(other.status).toBe(409);
    const invalid = await post(url, { birthday: "02-30", idempotencyKey: "birthday-request-3" });
    expect(invalid.status).toBe(400);
    expect((await db.customer.findUniqueOrThrow({ where: { id: a.bob.id } })).birthday).toBe("07-14");

    const alicePanel = await (
      await fetch(proxyUrl(server.baseUrl, "panel", { shop: shopA, customer: a.alice.shopifyId, timestamp }))
    ).json();
    const friend = await db.customer.create({
      data: { shopId: a.shop.id, shopifyId: "1099", firstName: "Fay" },
    });
    const claimUrl = proxyUrl(server.baseUrl, "referral", {
      shop: shopA,
      customer: friend.shopifyId,
      timestamp,
    });
    const claim = await post(claimUrl, {
      code: alicePanel.referral.code,
      idempotencyKey: "referral-request-1",
    });
    expect(claim.status).toBe(200);
    expect(await claim.json()).toMatchObject({ status: "pending" });
    expect(await db.referral.count({ where: { friendCustomerId: friend.id } })).toBe(1);
    // Another shop's code is unknown here.
    const bPanel = await (
      await fetch(proxyUrl(server.baseUrl, "panel", { shop: shopB, customer: b.bob.shopifyId, timestamp }))
    ).json();
    const foreign = await post(claimUrl, {
      code: bPanel.referral.code,
      idempotencyKey: "referral-request-2",
    });
    expect(foreign.status).toBe(404);
  });

  it("limits writes per customer and per client address with 429 and Retry-After", async () => {
    const timestamp = await serverNow();
    const url = proxyUrl(server.baseUrl, "birthday", { shop: shopB, customer: b.bob.shopifyId, timestamp });
    // 100 at once against 60 a minute, regaining one a second while they are served.
    let started = Date.now();
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        post(url, { birthday: "03-03", idempotencyKey: `birthday-${index}-request` }),
      ),
    );
    let regained = Math.ceil((Date.now() - started) / 1000) + 1;
    const statuses = responses.map((response) => response.status);
    const accepted = statuses.filter((status) => status === 200).length;
    expect(accepted).toBeGreaterThanOrEqual(60);
    expect(accepted).toBeLessThanOrEqual(60 + regained);
    expect(statuses.filter((status) => status !== 200).every((status) => status === 429)).toBe(true);
    const refused = responses.find((response) => response.status === 429)!;
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.headers.get("cache-control")).toBe("no-store");
    expect(await refused.json()).toMatchObject({ error: "rate_limited" });
    // Another customer is not held back by Bob's limit.
    const alice = await post(
      proxyUrl(server.baseUrl, "birthday", { shop: shopB, customer: b.alice.shopifyId, timestamp }),
      { birthday: "04-04", idempotencyKey: "birthday-alice-1" },
    );
    expect(alice.status).toBe(200);

    // One address: its own limit (20 a minute here) applies, whoever is signed in — checked first,
    // so even a guest's refused write counts.
    const address = { "x-forwarded-for": "203.0.113.7" };
    const guestUrl = proxyUrl(server.baseUrl, "redeem", { shop: shopB, timestamp });
    started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 60 }, () =>
        post(guestUrl, { rewardId: "r", idempotencyKey: "address-limit" }, address),
      ),
    );
    regained = Math.ceil((Date.now() - started) / 3000) + 1;
    const counts = results.reduce<Record<number, number>>((tally, response) => {
      tally[response.status] = (tally[response.status] ?? 0) + 1;
      return tally;
    }, {});
    expect(counts[401]).toBeGreaterThanOrEqual(20);
    expect(counts[401]).toBeLessThanOrEqual(20 + regained);
    expect((counts[401] ?? 0) + (counts[429] ?? 0)).toBe(60);
    const limited = results.find((response) => response.status === 429)!;
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(3);
  });
});
