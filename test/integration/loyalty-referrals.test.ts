// Referrals through the real worker (R-LOY-8): the friend's welcome points and the referrer's
// reward after the friend's first paid order survives the returns window; self-referrals (same
// customer, same e-mail behind a second account, same shipping address), existing customers,
// cancelled orders and the monthly limit earn nothing.
import type { Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import {
  claimReferral,
  normalisedEmail,
  referralCodeFor,
  ReferralError,
  settleReferral,
} from "../../app/loyalty/referrals";
import { saveProgramSettings } from "../../app/loyalty/program";
import { workerSetup } from "../../app/worker-setup";
import { customerPayload, orderPayload, type CustomerSeed } from "../fixtures/shopify-payloads";
import { webhookDelivery, type WebhookDelivery } from "../fixtures/store-history";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { drain, storeDeliveries, testWorker } from "../support/inbox";
import { numbers } from "../support/stored";

const day = 86_400_000;
let orderNumber = 6000;

const delivery = (topic: string, payload: unknown) => webhookDelivery(topic, payload, "2026-11-24T00:00:00Z");

const home = { address1: "Dlouhá 12", zip: "110 00", countryCode: "CZ" };

const person = (id: number, email: string, phone: string | null = null): CustomerSeed => ({
  id,
  email,
  phone,
  firstName: "P",
  lastName: String(id),
  updatedAt: "2026-11-24T00:00:00Z",
});

describe(`loyalty referrals on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let shop: Shop;
  let other: Shop;
  const clock = new ManualClock("2026-11-24T10:00:00Z");
  let run: () => Promise<number>;
  let code: string;
  const referrer = person(1, "Ann.Smith@gmail.com", "+420 601 111 222");

  const deliver = async (...deliveries: WebhookDelivery[]) => {
    await storeDeliveries(db, shop.domain, deliveries, clock.now());
    await run();
  };
  const customerId = async (shopifyId: number) =>
    numbers(await db.customer.findFirstOrThrow({ where: { shopId: shop.id, shopifyId: String(shopifyId) } }))
      .id;
  const points = async (shopifyId: number) => {
    const member = numbers(
      await db.loyaltyMember.findFirst({ where: { customerId: await customerId(shopifyId) } }),
    );
    return { available: member?.pointsBalance ?? 0, pending: member?.pendingPoints ?? 0 };
  };
  const paid = (
    seed: CustomerSeed,
    price: string,
    extra: { cancelledAt?: string; to?: typeof home } = {},
  ) => {
    orderNumber += 1;
    const at = clock.now().toISOString();
    return orderPayload({
      id: orderNumber,
      number: orderNumber,
      customer: seed,
      lines: [{ id: orderNumber * 10, productId: 1, variantId: 1, title: "Mug", price, quantity: 1 }],
      createdAt: at,
      updatedAt: extra.cancelledAt ?? at,
      cancelledAt: extra.cancelledAt ?? null,
      shippingAddress: extra.to,
    });
  };
  const signUp = async (seed: CustomerSeed) => {
    await deliver(delivery("customers/create", customerPayload(seed)));
    return customerId(seed.id);
  };
  const claim = async (seed: CustomerSeed) =>
    claimReferral(db, { shopId: shop.id, code: code.toLowerCase(), friendCustomerId: await signUp(seed) });

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    shop = await db.shop.create({ data: { domain: "refer.myshopify.com" } });
    other = await db.shop.create({ data: { domain: "other.myshopify.com" } });
    await saveProgramSettings(
      db,
      shop.id,
      { enabled: true, pendingDays: 14, referrerPoints: 500, friendPoints: 200, referralMonthlyLimit: 2 },
      clock.now(),
    );
    const worker = testWorker(db, clock, {
      ...workerSetup({
        clock,
        adminClientFor: () => {
          throw new Error("no Admin API in this test");
        },
      }),
    });
    run = () => drain(worker);
    // The referrer has ordered before, to their home address.
    await deliver(delivery("orders/paid", paid(referrer, "10.00", { to: home })));
    code = await referralCodeFor(db, shop.id, await customerId(referrer.id));
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("gives every member one code and treats e-mail variants as one person", async () => {
    expect(code).toMatch(/^[A-Z2-9]{8}$/);
    expect(await referralCodeFor(db, shop.id, await customerId(referrer.id))).toBe(code);
    expect(normalisedEmail("A.n.n.Smith+promo@GoogleMail.com")).toBe("annsmith@gmail.com");
    expect(normalisedEmail("ann.smith+x@example.com")).toBe("ann.smith@example.com");
  });

  it("rewards the friend and, after the returns window, the referrer", async () => {
    const friend = person(2, "bob@example.com");
    expect(await claim(friend)).toMatchObject({ status: "pending" });
    // Claiming again (or through another code) changes nothing.
    expect(await claim(friend)).toMatchObject({ status: "pending" });
    await deliver(delivery("orders/paid", paid(friend, "30.00", { to: { ...home, address1: "Krátká 3" } })));
    const referral = await db.referral.findFirstOrThrow({ where: { friendCustomerId: await customerId(2) } });
    expect(referral.status).toBe("qualifying");
    // Friend: 30 order points + 200 welcome, both pending for the returns window.
    expect(await points(2)).toEqual({ available: 0, pending: 230 });
    expect(await points(1)).toEqual({ available: 0, pending: 10 });

    clock.advance(14 * day + 60_000);
    await run();
    expect(await db.referral.findUniqueOrThrow({ where: { id: referral.id } })).toMatchObject({
      status: "rewarded",
    });
    expect(await points(1)).toEqual({ available: 510, pending: 0 });
    expect(await points(2)).toEqual({ available: 230, pending: 0 });
    expect(
      await db.domainEvent.count({ where: { shopId: shop.id, type: "loyalty.referral_rewarded" } }),
    ).toBe(1);
    // The job again: nothing more.
    await db.$transaction((tx) => settleReferral(tx, shop.id, referral.id, clock.now(), []));
    expect(await points(1)).toEqual({ available: 510, pending: 0 });
  });

  it("earns nothing for a self-referral: the same customer, the same e-mail or phone, the same address", async () => {
    const self = await claimReferral(db, {
      shopId: shop.id,
      code,
      friendCustomerId: await customerId(referrer.id),
    });
    expect(self).toMatchObject({ status: "rejected", rejectedReason: "self_referral" });

    const alias = person(3, "annsmith+shop@gmail.com");
    expect(await claim(alias)).toMatchObject({ status: "rejected", rejectedReason: "same_email" });
    const samePhone = person(4, "ann.work@example.com", "+420601111222");
    expect(await claim(samePhone)).toMatchObject({ status: "rejected", rejectedReason: "same_phone" });

    const sameHome = person(5, "cecil@example.com");
    expect(await claim(sameHome)).toMatchObject({ status: "pending" });
    await deliver(
      delivery(
        "orders/paid",
        paid(sameHome, "20.00", { to: { address1: "DLOUHÁ 12", zip: "11000", countryCode: "cz" } }),
      ),
    );
    expect(
      await db.referral.findFirstOrThrow({ where: { friendCustomerId: await customerId(5) } }),
    ).toMatchObject({
      status: "rejected",
      rejectedReason: "same_address",
    });
    await deliver(delivery("orders/paid", paid(alias, "20.00")));
    clock.advance(15 * day);
    await run();
    // Only their own order points: no welcome points, and nothing more for the referrer.
    expect(await points(5)).toEqual({ available: 20, pending: 0 });
    expect(await points(3)).toEqual({ available: 20, pending: 0 });
    expect(await points(1)).toEqual({ available: 510, pending: 0 });
  });

  it("does not count existing customers, and rejects unknown codes without recording anything", async () => {
    const regular = person(6, "dana@example.com");
    await deliver(delivery("orders/paid", paid(regular, "5.00")));
    expect(await claim(regular)).toMatchObject({ status: "rejected", rejectedReason: "existing_customer" });
    const before = await db.referral.count();
    await expect(
      claimReferral(db, { shopId: shop.id, code: "NOPE2345", friendCustomerId: await customerId(6) }),
    ).rejects.toBeInstanceOf(ReferralError);
    // A code from another shop is unknown here.
    const stranger = await db.customer.create({ data: { shopId: other.id, shopifyId: "99" } });
    await expect(
      claimReferral(db, { shopId: other.id, code, friendCustomerId: stranger.id }),
    ).rejects.toThrow(/unknown referral code/);
    expect(await db.referral.count()).toBe(before);
  });

  it("takes the welcome points back when the friend's order is cancelled in the window", async () => {
    const friend = person(7, "eve@example.com");
    await claim(friend);
    const order = paid(friend, "40.00");
    await deliver(delivery("orders/paid", order));
    expect(await points(7)).toEqual({ available: 0, pending: 240 });
    clock.advance(3 * day);
    await deliver(
      delivery("orders/cancelled", {
        ...order,
        cancelled_at: clock.now().toISOString(),
        updated_at: clock.now().toISOString(),
      }),
    );
    clock.advance(12 * day);
    await run();
    expect(
      await db.referral.findFirstOrThrow({ where: { friendCustomerId: await customerId(7) } }),
    ).toMatchObject({
      status: "rejected",
      rejectedReason: "order_cancelled",
    });
    expect(await points(7)).toEqual({ available: 0, pending: 0 });
    expect(await points(1)).toEqual({ available: 510, pending: 0 });
  });

  it("rewards a referrer for at most the monthly limit of friends; the friends keep their welcome", async () => {
    // Three friends whose orders all pass the window in the same month; the limit is 2.
    clock.advance(new Date("2026-12-20T10:00:00Z").getTime() - clock.now().getTime());
    const friends = [person(8, "f8@example.com"), person(9, "f9@example.com"), person(10, "f10@example.com")];
    for (const friend of friends) {
      await claim(friend);
      await deliver(delivery("orders/paid", paid(friend, "10.00")));
    }
    clock.advance(15 * day);
    await run();
    const statuses = await db.referral.findMany({
      where: { friendCustomerId: { in: await Promise.all(friends.map((friend) => customerId(friend.id))) } },
      orderBy: { createdAt: "asc" },
    });
    expect(statuses.map((referral) => referral.rejectedReason ?? referral.status).sort()).toEqual([
      "monthly_limit",
      "rewarded",
      "rewarded",
    ]);
    expect(await points(1)).toEqual({ available: 510 + 2 * 500, pending: 0 });
    for (const friend of friends) expect(await points(friend.id)).toEqual({ available: 210, pending: 0 });
  });
});
