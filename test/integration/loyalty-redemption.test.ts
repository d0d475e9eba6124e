// Redeeming rewards against the real database and the fake Admin API over HTTP (R-LOY-5): the
// balance never goes below zero under 50 concurrent redemptions, an Admin API failure gives the
// points back and leaves no code behind, a lost answer is not mistaken for a failure, and the same
// idempotency key always returns the same code.
import type { Shop } from "@prisma/client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { InsufficientPointsError, loyaltyMemberFor, postLedgerEntry } from "../../app/loyalty/ledger";
import {
  reconcileRedemption,
  RedemptionError,
  RedemptionFailedError,
  redemptionSettleMs,
  redeemReward,
} from "../../app/loyalty/redemption";
import { activeRewards, createReward, RewardError, updateReward } from "../../app/loyalty/rewards";
import { createAdminClient } from "../../app/shopify/admin-client";
import { workerSetup } from "../../app/worker-setup";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { startFakeAdminApi, type FakeAdminApi } from "../support/fake-admin-api";
import { drain, testWorker } from "../support/inbox";
import { numbers } from "../support/stored";

const accessToken = "shpat_redemption";

describe(`loyalty redemptions on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let fake: FakeAdminApi;
  let shop: Shop;
  let other: Shop;
  const clock = new ManualClock("2026-11-24T10:00:00Z");
  let sequence = 0;

  const options = (at: ManualClock = clock, maxAttempts = 3) => ({
    clock: at,
    adminClientFor: (target: Shop, token: string) =>
      createAdminClient({
        shopDomain: target.domain,
        accessToken: token,
        endpoint: fake.endpoint(target.domain),
        sleep: async () => {},
        maxAttempts,
      }),
  });

  const install = async (domain: string) => {
    const created = await db.shop.create({ data: { domain, currency: "EUR" } });
    await db.session.create({
      data: { id: `offline_${domain}`, shop: domain, state: "", isOnline: false, accessToken },
    });
    return created;
  };

  /** A customer of `target` holding `points` available points. */
  const memberWith = async (target: Shop, points: number) => {
    sequence += 1;
    const customer = await db.customer.create({
      data: { shopId: target.id, shopifyId: String(7000 + sequence), email: `m${sequence}@example.com` },
    });
    await db.$transaction(async (tx) => {
      const member = await loyaltyMemberFor(tx, target.id, customer.id);
      await postLedgerEntry(tx, target.id, {
        memberId: member.id,
        kind: "adjust",
        source: "admin",
        sourceId: `seed-${sequence}`,
        pointsDelta: points,
        reason: "test balance",
        actor: "test",
        occurredAt: clock.now(),
      });
    });
    return customer;
  };

  const balanceOf = async (customerId: string) => {
    const member = numbers(await db.loyaltyMember.findFirstOrThrow({ where: { customerId } }));
    const entries = numbers(await db.loyaltyLedgerEntry.findMany({ where: { memberId: member.id } }));
    return {
      cached: member.pointsBalance,
      ledgerSum: entries.reduce((sum, entry) => sum + entry.pointsDelta, 0),
      lowest: Math.min(...entries.map((entry) => entry.balanceAfter)),
    };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    fake = await startFakeAdminApi({ customers: 0, orders: 0, products: 0, accessToken });
    shop = await install("redeem-shop.myshopify.com");
    other = await install("other-redeem-shop.myshopify.com");
  });

  beforeEach(() => {
    fake.commerce.discounts.splice(0);
  });

  afterAll(async () => {
    await fake?.close();
    await database?.drop();
  });

  it("lets exactly 10 of 50 concurrent redemptions through a balance that covers 10", async () => {
    const reward = await createReward(db, shop.id, {
      kind: "fixed_amount",
      name: "€5 off",
      pointsCost: 100,
      amountMinor: 500,
      currency: "EUR",
    });
    const customer = await memberWith(shop, 1000);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, index) =>
        redeemReward(
          db,
          { shopId: shop.id, customerId: customer.id, rewardId: reward.id, idempotencyKey: `burst-${index}` },
          options(),
        ),
      ),
    );
    const issued = results.filter((result) => result.status === "fulfilled");
    const refused = results.filter(
      (result) => result.status === "rejected" && result.reason instanceof InsufficientPointsError,
    );
    expect(issued).toHaveLength(10);
    expect(refused).toHaveLength(40);
    const balance = await balanceOf(customer.id);
    expect(balance).toEqual({ cached: 0, ledgerSum: 0, lowest: 0 });

    const codes = issued.map((result) => (result.status === "fulfilled" ? result.value.code : ""));
    expect(new Set(codes).size).toBe(10);
    const atShopify = fake.commerce.discountsOf(shop.domain);
    expect(atShopify.map((discount) => discount.code).sort()).toEqual([...codes].sort());
    // Single use, for this customer only, worth €5.
    expect(atShopify[0]?.input).toMatchObject({
      usageLimit: 1,
      appliesOncePerCustomer: true,
      context: { customers: { add: [`gid://shopify/Customer/${customer.shopifyId}`] } },
      customerGets: { value: { discountAmount: { amount: "5.00" } } },
    });
    expect(await db.redemption.count({ where: { shopId: shop.id, status: "issued" } })).toBe(10);
    // Refused redemptions leave no row behind.
    expect(await db.redemption.count({ where: { shopId: shop.id } })).toBe(10);
  });

  it("gives the points back and leaves no code when the Admin API fails; the same key then issues the same code", async () => {
    const reward = await createReward(db, shop.id, {
      kind: "free_shipping",
      name: "Free shipping",
      pointsCost: 250,
      minimumSubtotalMinor: 3000,
      validDays: 30,
    });
    const customer = await memberWith(shop, 400);
    const request = { shopId: shop.id, customerId: customer.id, rewardId: reward.id, idempotencyKey: "fs-1" };

    fake.commerce.failNext("CreateFreeShippingDiscountCode", "server_error", 3);
    const failure = await redeemReward(db, request, options()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RedemptionFailedError);
    const failed = (failure as RedemptionFailedError).redemption;
    expect(failed.status).toBe("failed");
    expect(await balanceOf(customer.id)).toEqual({ cached: 400, ledgerSum: 400, lowest: 150 });
    expect(fake.commerce.discountsOf(shop.domain)).toEqual([]);

    const retried = await redeemReward(db, request, options());
    expect(retried).toMatchObject({ id: failed.id, code: failed.code, status: "issued", attempts: 2 });
    expect((await balanceOf(customer.id)).cached).toBe(150);
    const [created] = fake.commerce.discountsOf(shop.domain);
    expect(created).toMatchObject({ code: failed.code, kind: "free_shipping" });
    expect(created?.input).toMatchObject({
      minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: "30.00" } },
      endsAt: new Date(clock.now().getTime() + 30 * 86_400_000).toISOString(),
    });

    // Asking again with the same key changes nothing and answers the same code.
    const again = await redeemReward(db, request, options());
    expect(again).toMatchObject({ id: failed.id, code: failed.code, status: "issued" });
    expect((await balanceOf(customer.id)).cached).toBe(150);
    expect(fake.commerce.discountsOf(shop.domain)).toHaveLength(1);
  });

  it("treats a lost answer as issued (the code exists), without giving points back or creating a second code", async () => {
    const reward = await createReward(db, shop.id, {
      kind: "percentage",
      name: "10% off",
      pointsCost: 300,
      percentOff: 10,
    });
    const customer = await memberWith(shop, 300);
    fake.commerce.failNext("CreateBasicDiscountCode", "lost_answer", 3);
    const redemption = await redeemReward(
      db,
      { shopId: shop.id, customerId: customer.id, rewardId: reward.id, idempotencyKey: "lost-1" },
      options(),
    );
    expect(redemption.status).toBe("issued");
    const codes = fake.commerce.discountsOf(shop.domain);
    expect(codes.map((discount) => discount.code)).toEqual([redemption.code]);
    expect(redemption.discountId).toBe(codes[0]?.id);
    expect(await balanceOf(customer.id)).toEqual({ cached: 0, ledgerSum: 0, lowest: 0 });
    expect(await db.loyaltyLedgerEntry.count({ where: { kind: "reversal", shopId: shop.id } })).toBe(1);
  });

  it("keeps shops apart and refuses what cannot be redeemed, changing nothing", async () => {
    const reward = await createReward(db, shop.id, {
      kind: "free_product",
      name: "A free mug",
      pointsCost: 50,
      variantShopifyId: "4455",
    });
    const stranger = await memberWith(other, 500);
    await expect(
      redeemReward(
        db,
        { shopId: other.id, customerId: stranger.id, rewardId: reward.id, idempotencyKey: "x-1" },
        options(),
      ),
    ).rejects.toBeInstanceOf(RedemptionError);
    const customer = await memberWith(shop, 500);
    await expect(
      redeemReward(
        db,
        { shopId: shop.id, customerId: stranger.id, rewardId: reward.id, idempotencyKey: "x-2" },
        options(),
      ),
    ).rejects.toThrow(/not found in this shop/);
    await expect(
      redeemReward(
        db,
        { shopId: shop.id, customerId: customer.id, rewardId: reward.id, idempotencyKey: " " },
        options(),
      ),
    ).rejects.toThrow(/idempotency key/);
    await updateReward(db, shop.id, reward.id, {
      kind: "free_product",
      name: "A free mug",
      pointsCost: 50,
      variantShopifyId: "4455",
      active: false,
    });
    await expect(
      redeemReward(
        db,
        { shopId: shop.id, customerId: customer.id, rewardId: reward.id, idempotencyKey: "x-3" },
        options(),
      ),
    ).rejects.toThrow(/not available/);
    expect((await balanceOf(customer.id)).cached).toBe(500);
    expect((await balanceOf(stranger.id)).cached).toBe(500);
    expect(await db.redemption.count({ where: { idempotencyKey: { startsWith: "x-" } } })).toBe(0);
    expect(fake.commerce.discounts).toEqual([]);
    expect((await activeRewards(db, shop.id)).map((active) => active.id)).not.toContain(reward.id);
    await expect(
      updateReward(db, other.id, reward.id, { kind: "free_shipping", name: "x", pointsCost: 1 }),
    ).rejects.toThrow(RewardError);
  });

  /** A redemption left "issuing": Shopify failed the create and the lookup (points debited, no answer). */
  const stuckRedemption = async (rewardId: string, customerId: string, key: string) => {
    fake.commerce.failNext("CreateBasicDiscountCode", "server_error", 1);
    fake.commerce.failNext("CodeDiscountByCode", "server_error", 1);
    const request = { shopId: shop.id, customerId, rewardId, idempotencyKey: key };
    await expect(redeemReward(db, request, options(clock, 1))).rejects.toThrow(/unreachable/);
    const stuck = numbers(
      await db.redemption.findUniqueOrThrow({
        where: { shopId_idempotencyKey: { shopId: shop.id, idempotencyKey: key } },
      }),
    );
    expect(stuck.status).toBe("issuing");
    return { request, stuck };
  };

  it("settles a redemption stuck in issuing by its reconcile job: code there → issued, absent → points back (R-LOY-5)", async () => {
    const reward = await createReward(db, shop.id, {
      kind: "fixed_amount",
      name: "€3 off",
      pointsCost: 120,
      amountMinor: 300,
      currency: "EUR",
    });
    const absent = await memberWith(shop, 120);
    const { stuck: lost } = await stuckRedemption(reward.id, absent.id, "stuck-absent");
    const present = await memberWith(shop, 120);
    // The create reached Shopify but its answer and the lookup were lost.
    fake.commerce.failNext("CreateBasicDiscountCode", "lost_answer", 3);
    fake.commerce.failNext("CodeDiscountByCode", "server_error", 3);
    await expect(
      redeemReward(
        db,
        { shopId: shop.id, customerId: present.id, rewardId: reward.id, idempotencyKey: "stuck-present" },
        options(),
      ),
    ).rejects.toThrow(/unreachable/);
    expect((await balanceOf(absent.id)).cached).toBe(0);
    expect((await balanceOf(present.id)).cached).toBe(0);

    const jobClock = new ManualClock(clock.now().toISOString());
    const worker = testWorker(db, jobClock, { ...workerSetup(options(jobClock)) });
    // Not due yet: the attempt may still be in flight.
    await drain(worker);
    expect(await db.redemption.count({ where: { shopId: shop.id, status: "issuing" } })).toBe(2);

    jobClock.advance(redemptionSettleMs + 1_000);
    await drain(worker);
    expect(numbers(await db.redemption.findUniqueOrThrow({ where: { id: lost.id } }))).toMatchObject({
      status: "failed",
    });
    expect(await balanceOf(absent.id)).toEqual({ cached: 120, ledgerSum: 120, lowest: 0 });
    expect(fake.commerce.discountsOf(shop.domain).some((discount) => discount.code === lost.code)).toBe(
      false,
    );
    const issued = numbers(
      await db.redemption.findFirstOrThrow({
        where: { shopId: shop.id, idempotencyKey: "stuck-present" },
      }),
    );
    expect(issued.status).toBe("issued");
    expect(
      fake.commerce.discountsOf(shop.domain).filter((discount) => discount.code === issued.code),
    ).toHaveLength(1);
    expect(await balanceOf(present.id)).toEqual({ cached: 0, ledgerSum: 0, lowest: 0 });
    expect(
      await db.job.count({
        where: { shopId: shop.id, kind: "loyalty.redemption-reconcile", status: "done" },
      }),
    ).toBeGreaterThanOrEqual(2);
  });

  it("ends every race of issuing ∥ giving back in exactly one outcome: the code or the points (R-LOY-5)", async () => {
    const rounds = 100;
    const reward = await createReward(db, shop.id, {
      kind: "fixed_amount",
      name: "€1 off",
      pointsCost: 100,
      amountMinor: 100,
      currency: "EUR",
    });
    // Separate clients: on PostgreSQL the two sides run on separate connections, truly at once.
    const issuerDb = database.connect();
    const jobDb = database.connect();
    const lateClock = new ManualClock(clock.now().toISOString());
    lateClock.advance(redemptionSettleMs + 60_000);
    const outcomes = { issued: 0, pointsBack: 0 };
    const pause = () => new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 4)));
    for (let round = 0; round < rounds; round += 1) {
      const customer = await memberWith(shop, 100);
      const { request, stuck } = await stuckRedemption(reward.id, customer.id, `race-${round}`);
      // The shopper asks again (creates the code, marks it issued) while the reconcile job runs late
      // and, not finding the code yet, gives the points back.
      await Promise.allSettled([
        (async () => {
          if (round % 2 === 0) await pause();
          return redeemReward(issuerDb, request, options());
        })(),
        (async () => {
          if (round % 2 === 1) await pause();
          return reconcileRedemption(
            jobDb,
            { shopId: shop.id, redemptionId: stuck.id, attempts: stuck.attempts },
            options(lateClock),
          );
        })(),
      ]);
      const final = numbers(await db.redemption.findUniqueOrThrow({ where: { id: stuck.id } }));
      const codes = fake.commerce.discountsOf(shop.domain).filter((discount) => discount.code === stuck.code);
      const balance = await balanceOf(customer.id);
      expect(balance.lowest).toBeGreaterThanOrEqual(0);
      expect(balance.cached).toBe(balance.ledgerSum);
      if (final.status === "issued") {
        outcomes.issued += 1;
        expect({ round, codes: codes.length, points: balance.cached }).toEqual({
          round,
          codes: 1,
          points: 0,
        });
        expect(final.discountId).toBe(codes[0]?.id);
      } else {
        outcomes.pointsBack += 1;
        expect({ round, status: final.status, codes: codes.length, points: balance.cached }).toEqual({
          round,
          status: "failed",
          codes: 0,
          points: 100,
        });
      }
    }
    expect(outcomes.issued + outcomes.pointsBack).toBe(rounds);
    console.info(`redemption races: ${outcomes.issued} issued, ${outcomes.pointsBack} points back`);
  }, 300_000);

  it("validates a reward whole before saving it", async () => {
    const before = await db.loyaltyReward.count();
    const attempt = createReward(db, shop.id, {
      kind: "percentage",
      name: " ",
      pointsCost: 0,
      percentOff: 120,
    });
    await expect(attempt).rejects.toBeInstanceOf(RewardError);
    const error = (await attempt.catch((caught: unknown) => caught)) as RewardError;
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(["name", "percentOff", "pointsCost"]);
    await expect(
      createReward(db, shop.id, {
        kind: "fixed_amount",
        name: "€5",
        pointsCost: 10,
        amountMinor: 500,
        currency: "eur",
      }),
    ).rejects.toThrow(/currency: must be an ISO currency code/);
    await expect(
      createReward(db, shop.id, { kind: "cash", name: "x", pointsCost: 1 }),
    ).rejects.toBeInstanceOf(RewardError);
    expect(await db.loyaltyReward.count()).toBe(before);
  });
});
