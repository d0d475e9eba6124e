// The storefront's loyalty actions through their entry points (R-LOY-2, R-LOY-5, R-LOY-8): the App
// Proxy's verified shopper — the signed shop and its logged-in customer — shares a referral code,
// joins through one, redeems a reward and is rewarded for a review. A customer of another shop is
// refused and changes nothing.
import type { Customer, Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { loyaltyMemberFor, postLedgerEntry } from "../../app/loyalty/ledger";
import { saveProgramSettings } from "../../app/loyalty/program";
import { createReward } from "../../app/loyalty/rewards";
import {
  claimShopperReferral,
  recordShopperReview,
  redeemShopperReward,
  shopperReferralCode,
  storefrontShopper,
  StorefrontShopperError,
  type StorefrontShopper,
} from "../../app/loyalty/storefront";
import { createAdminClient } from "../../app/shopify/admin-client";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { startFakeAdminApi, type FakeAdminApi } from "../support/fake-admin-api";
import { numbers } from "../support/stored";

const accessToken = "shpat_storefront";

describe(`loyalty storefront entry points on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let fake: FakeAdminApi;
  let shop: Shop;
  let other: Shop;
  let stranger: Customer;
  const clock = new ManualClock("2026-11-24T10:00:00Z");

  const options = () => ({
    clock,
    adminClientFor: (target: Shop, token: string) =>
      createAdminClient({
        shopDomain: target.domain,
        accessToken: token,
        endpoint: fake.endpoint(target.domain),
        sleep: async () => {},
      }),
  });

  const install = async (domain: string) => {
    const created = await db.shop.create({ data: { domain, currency: "EUR" } });
    await db.session.create({
      data: { id: `offline_${domain}`, shop: domain, state: "", isOnline: false, accessToken },
    });
    await saveProgramSettings(
      db,
      created.id,
      { enabled: true, pendingDays: 0, reviewPoints: 30 },
      clock.now(),
    );
    return created;
  };

  const customerOf = async (target: Shop, shopifyId: string, points = 0) => {
    const customer = await db.customer.create({
      data: { shopId: target.id, shopifyId, email: `c${shopifyId}@${target.domain}` },
    });
    if (points > 0) {
      await db.$transaction(async (tx) => {
        const member = await loyaltyMemberFor(tx, target.id, customer.id);
        await postLedgerEntry(tx, target.id, {
          memberId: member.id,
          kind: "adjust",
          source: "admin",
          sourceId: `seed-${customer.id}`,
          pointsDelta: points,
          reason: "test balance",
          actor: "test",
          occurredAt: clock.now(),
        });
      });
    }
    return customer;
  };

  /** Everything a refused call could have changed. */
  const footprint = async () => ({
    members: await db.loyaltyMember.count(),
    entries: await db.loyaltyLedgerEntry.count(),
    referrals: await db.referral.count(),
    redemptions: await db.redemption.count(),
    codes: fake.commerce.discounts.length,
    strangerMembers: numbers(
      await db.loyaltyMember.findMany({
        where: { customerId: stranger.id },
        select: { shopId: true, pointsBalance: true, referralCode: true },
      }),
    ),
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    fake = await startFakeAdminApi({ customers: 0, orders: 0, products: 0, accessToken });
    shop = await install("storefront-a.myshopify.com");
    other = await install("storefront-b.myshopify.com");
    stranger = await customerOf(other, "900", 500);
  });

  afterAll(async () => {
    await fake?.close();
    await database?.drop();
  });

  it("finds the App Proxy's shopper only among the signed shop's customers", async () => {
    const own = await customerOf(shop, "101");
    const shopper = await storefrontShopper(db, shop.domain, "101");
    expect(shopper.shop.id).toBe(shop.id);
    expect(shopper.customer.id).toBe(own.id);
    await expect(storefrontShopper(db, shop.domain, stranger.shopifyId)).rejects.toBeInstanceOf(
      StorefrontShopperError,
    );
    await expect(storefrontShopper(db, shop.domain, null)).rejects.toThrow(/not logged in/);
    await expect(storefrontShopper(db, "unknown.myshopify.com", "101")).rejects.toThrow(/does not use/);
    expect((await storefrontShopper(db, other.domain, stranger.shopifyId)).customer.id).toBe(stranger.id);
  });

  it("shares a referral code and lets a friend join through it; another shop's customer is refused (R-LOY-8)", async () => {
    await customerOf(shop, "201");
    await customerOf(shop, "202");
    const referrer = await storefrontShopper(db, shop.domain, "201");
    const code = await shopperReferralCode(db, referrer);
    expect(code).toMatch(/^[A-Z2-9]{8}$/);
    expect(await shopperReferralCode(db, referrer)).toBe(code);

    const friend = await storefrontShopper(db, shop.domain, "202");
    const referral = await claimShopperReferral(db, friend, code.toLowerCase());
    expect(referral).toMatchObject({
      shopId: shop.id,
      friendCustomerId: friend.customer.id,
      status: "pending",
    });

    const before = await footprint();
    const forged: StorefrontShopper = { shop, customer: stranger };
    await expect(shopperReferralCode(db, forged)).rejects.toBeInstanceOf(StorefrontShopperError);
    await expect(claimShopperReferral(db, forged, code)).rejects.toBeInstanceOf(StorefrontShopperError);
    expect(await footprint()).toEqual(before);
  });

  it("redeems a reward for the shopper, once per key; another shop's customer is refused (R-LOY-5)", async () => {
    const reward = await createReward(db, shop.id, {
      kind: "fixed_amount",
      name: "€5 off",
      pointsCost: 100,
      amountMinor: 500,
      currency: "EUR",
    });
    const own = await customerOf(shop, "301", 250);
    const shopper = await storefrontShopper(db, shop.domain, "301");
    const request = { rewardId: reward.id, idempotencyKey: "widget-req-1" };
    const redemption = await redeemShopperReward(db, shopper, request, options());
    expect(redemption).toMatchObject({ shopId: shop.id, status: "issued", points: 100 });
    expect(await redeemShopperReward(db, shopper, request, options())).toMatchObject({
      id: redemption.id,
      code: redemption.code,
    });
    expect(fake.commerce.discountsOf(shop.domain).map((discount) => discount.code)).toEqual([
      redemption.code,
    ]);
    expect(
      numbers(await db.loyaltyMember.findFirstOrThrow({ where: { shopId: shop.id, customerId: own.id } }))
        .pointsBalance,
    ).toBe(150);

    const before = await footprint();
    await expect(
      redeemShopperReward(
        db,
        { shop, customer: stranger },
        { ...request, idempotencyKey: "widget-req-2" },
        options(),
      ),
    ).rejects.toBeInstanceOf(StorefrontShopperError);
    expect(await footprint()).toEqual(before);
    expect(before.strangerMembers).toEqual([{ shopId: other.id, pointsBalance: 500, referralCode: null }]);
  });

  it("rewards the shopper's review once; another shop's customer is refused (R-LOY-2)", async () => {
    const own = await customerOf(shop, "401");
    const shopper = await storefrontShopper(db, shop.domain, "401");
    expect(await recordShopperReview(db, shopper, "review-77", clock)).toBe(true);
    expect(await recordShopperReview(db, shopper, "review-77", clock)).toBe(false);
    expect(
      numbers(await db.loyaltyMember.findFirstOrThrow({ where: { shopId: shop.id, customerId: own.id } }))
        .pointsBalance,
    ).toBe(30);

    const before = await footprint();
    await expect(
      recordShopperReview(db, { shop, customer: stranger }, "review-78", clock),
    ).rejects.toBeInstanceOf(StorefrontShopperError);
    expect(await footprint()).toEqual(before);
  });
});
