// VIP tiers, bonus actions and expiry through the real worker (R-LOY-2, R-LOY-4, R-LOY-7): the
// upgrade on the threshold order, the multiplier from the next order on, a downgrade only after
// the grace period (and when the rolling window moves on), tier tags synced to Shopify, sign-up
// and birthday points once, points expiring after inactivity with a warning first — two shops.
import type { Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { runDailyLoyalty } from "../../app/loyalty/daily";
import { recordReview, ReviewBonusError } from "../../app/loyalty/bonus";
import { saveProgramSettings, ProgramSettingsError } from "../../app/loyalty/program";
import type { TierRules } from "../../app/loyalty/tiers";
import { createAdminClient } from "../../app/shopify/admin-client";
import { workerSetup } from "../../app/worker-setup";
import {
  customerPayload,
  orderPayload,
  refundPayload,
  type CustomerSeed,
} from "../fixtures/shopify-payloads";
import { webhookDelivery, type WebhookDelivery } from "../fixtures/store-history";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { startFakeAdminApi, type FakeAdminApi } from "../support/fake-admin-api";
import { drain, storeDeliveries, testWorker } from "../support/inbox";
import { numbers } from "../support/stored";

const day = 86_400_000;
const accessToken = "shpat_tiers";

const delivery = (topic: string, payload: unknown) => webhookDelivery(topic, payload, "2026-01-10T00:00:00Z");

const tierRules: TierRules = {
  metric: "spend",
  period: "rolling_12_months",
  graceDays: 30,
  tiers: [
    { id: "silver", name: "Silver", threshold: 100_00, earnMultiplierPercent: 125, perks: ["Free shipping"] },
    { id: "gold", name: "Gold", threshold: 300_00, earnMultiplierPercent: 150, perks: ["Early access"] },
  ],
};

describe(`loyalty tiers, bonuses and expiry on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let fake: FakeAdminApi;
  let alpha: Shop;
  let beta: Shop;
  const clock = new ManualClock("2026-01-10T10:00:00Z");
  let run: () => Promise<number>;
  let customerSeed: CustomerSeed;
  let orderNumber = 5000;

  const deliver = async (shop: Shop, ...deliveries: WebhookDelivery[]) => {
    await storeDeliveries(db, shop.domain, deliveries, clock.now());
    await run();
  };
  const memberOf = async (shop: Shop, shopifyId: number | string) => {
    const customer = numbers(
      await db.customer.findFirstOrThrow({
        where: { shopId: shop.id, shopifyId: String(shopifyId) },
      }),
    );
    return numbers(
      await db.loyaltyMember.findFirstOrThrow({ where: { shopId: shop.id, customerId: customer.id } }),
    );
  };
  const order = (shop: Shop, seed: CustomerSeed, price: string, extra: { cancelledAt?: string } = {}) => {
    orderNumber += 1;
    const at = clock.now().toISOString();
    return orderPayload({
      id: orderNumber,
      number: orderNumber,
      customer: seed,
      lines: [{ id: orderNumber * 10, productId: 1, variantId: 1, title: "Tea", price, quantity: 1 }],
      createdAt: at,
      updatedAt: extra.cancelledAt ?? at,
      financialStatus: "paid",
      cancelledAt: extra.cancelledAt ?? null,
    });
  };
  const tierEvents = (shop: Shop) =>
    db.domainEvent.findMany({
      where: { shopId: shop.id, type: "loyalty.tier_changed" },
      orderBy: { createdAt: "asc" },
    });

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    fake = await startFakeAdminApi({ customers: 3, orders: 0, products: 1, accessToken });
    alpha = await db.shop.create({ data: { domain: "alpha.myshopify.com", timezone: "Europe/Prague" } });
    beta = await db.shop.create({ data: { domain: "beta.myshopify.com" } });
    for (const shop of [alpha, beta]) {
      await db.session.create({
        data: { id: `offline_${shop.domain}`, shop: shop.domain, state: "", isOnline: false, accessToken },
      });
    }
    // The tier member is one of the fake store's customers, so their tags can be checked there.
    const fakeCustomer = fake.dataset.customers[0];
    if (!fakeCustomer?.defaultEmailAddress) throw new Error("fake customer without e-mail");
    customerSeed = {
      id: Number(fakeCustomer.id.split("/").pop()),
      email: fakeCustomer.defaultEmailAddress.emailAddress,
      firstName: fakeCustomer.firstName,
      lastName: fakeCustomer.lastName,
      updatedAt: "2026-01-01T00:00:00Z",
    };
    const worker = testWorker(db, clock, {
      ...workerSetup({
        clock,
        adminClientFor: (shop, token) =>
          createAdminClient({
            shopDomain: shop.domain,
            accessToken: token,
            endpoint: fake.endpoint(shop.domain),
          }),
      }),
    });
    run = () => drain(worker);
  });

  afterAll(async () => {
    await fake?.close();
    await database?.drop();
  });

  it("rejects invalid settings whole and saves nothing", async () => {
    await expect(
      saveProgramSettings(
        db,
        alpha.id,
        { enabled: true, tierRules: { ...tierRules, tiers: [...tierRules.tiers].reverse() } },
        clock.now(),
      ),
    ).rejects.toThrow(/tierRules\.tiers\.1\.threshold: must be higher than Gold's threshold/);
    await expect(
      saveProgramSettings(db, alpha.id, { pointsPerCurrencyUnit: 0 }, clock.now()),
    ).rejects.toBeInstanceOf(ProgramSettingsError);
    expect(await db.loyaltyProgram.findUnique({ where: { shopId: alpha.id } })).toBeNull();
    expect(await db.job.count({ where: { kind: "loyalty.daily" } })).toBe(0);
  });

  it("moves up on the threshold order and applies the multiplier from the next order", async () => {
    const program = await saveProgramSettings(
      db,
      alpha.id,
      { enabled: true, pendingDays: 0, tierRules, signupPoints: 20, birthdayPoints: 100, reviewPoints: 30 },
      clock.now(),
    );
    expect(program.tierRules).toEqual(tierRules);
    await deliver(alpha, delivery("customers/create", customerPayload(customerSeed)));
    // Sign-up bonus once, however often the customer is announced.
    await deliver(alpha, delivery("customers/create", customerPayload(customerSeed)));
    expect((await memberOf(alpha, customerSeed.id)).pointsBalance).toBe(20);

    await deliver(alpha, delivery("orders/paid", order(alpha, customerSeed, "99.99")));
    expect(await memberOf(alpha, customerSeed.id)).toMatchObject({ tierId: null, pointsBalance: 20 + 99 });
    // 99.99 + 1.00 = 100.99 ≥ 100.00: Silver on this order, which still earns at 1×.
    await deliver(alpha, delivery("orders/paid", order(alpha, customerSeed, "1.00")));
    expect(await memberOf(alpha, customerSeed.id)).toMatchObject({ tierId: "silver", pointsBalance: 120 });
    const [upgrade] = await tierEvents(alpha);
    expect(upgrade?.payload).toMatchObject({ from: null, to: "silver", direction: "upgrade", value: 100_99 });
    expect(fake.dataset.customers[0]?.tags).toContain("stayloop-tier-silver");

    clock.advance(day);
    await deliver(alpha, delivery("orders/paid", order(alpha, customerSeed, "99.00")));
    // floor(99 × 1.25) = 123
    const silverEarn = numbers(
      await db.loyaltyLedgerEntry.findFirstOrThrow({
        where: { shopId: alpha.id, kind: "earn", reason: { contains: "Silver" } },
      }),
    );
    expect(silverEarn.pointsDelta).toBe(123);
    expect((await memberOf(alpha, customerSeed.id)).pointsBalance).toBe(243);
  });

  it("moves down only after the grace period, and when old orders leave the rolling year", async () => {
    clock.advance(day);
    const big = order(alpha, customerSeed, "150.00");
    await deliver(alpha, delivery("orders/paid", big));
    // 349.99 ≥ 300.00: Gold. That order earned at Silver's 1.25×: floor(150 × 1.25) = 187.
    expect(await memberOf(alpha, customerSeed.id)).toMatchObject({
      tierId: "gold",
      pointsBalance: 243 + 187,
    });
    expect(fake.dataset.customers[0]?.tags).toContain("stayloop-tier-gold");
    expect(fake.dataset.customers[0]?.tags).not.toContain("stayloop-tier-silver");

    clock.advance(8 * day);
    await deliver(
      alpha,
      delivery(
        "refunds/create",
        refundPayload({
          id: 8801,
          orderId: big.id,
          lines: [{ lineItemId: big.line_items[0]?.id ?? 0, quantity: 1, subtotal: "150.00" }],
          amount: "150.00",
          createdAt: clock.now().toISOString(),
        }),
      ),
    );
    const refundedAt = clock.now();
    // Below Gold now (199.99), but the grace period runs first.
    expect(await memberOf(alpha, customerSeed.id)).toMatchObject({
      tierId: "gold",
      tierBelowSince: refundedAt,
    });

    clock.advance(29 * day);
    await run();
    expect((await memberOf(alpha, customerSeed.id)).tierId).toBe("gold");
    clock.advance(2 * day);
    await run();
    expect(await memberOf(alpha, customerSeed.id)).toMatchObject({ tierId: "silver", tierBelowSince: null });
    const events = await tierEvents(alpha);
    expect(events.map((event) => (event.payload as { direction: string }).direction)).toEqual([
      "upgrade",
      "upgrade",
      "downgrade",
    ]);
    expect(fake.dataset.customers[0]?.tags).toContain("stayloop-tier-silver");
    expect(fake.dataset.customers[0]?.tags).not.toContain("stayloop-tier-gold");

    // A year after the first two orders only the 99.00 order is inside the rolling window: below
    // Silver, then out of it once the grace period is over.
    clock.advance(326 * day);
    await run();
    expect((await memberOf(alpha, customerSeed.id)).tierId).toBe("silver");
    clock.advance(31 * day);
    await run();
    expect((await memberOf(alpha, customerSeed.id)).tierId).toBeNull();
    expect(fake.dataset.customers[0]?.tags.filter((tag) => tag.startsWith("stayloop-tier-"))).toEqual([]);
  });

  it("gives birthday points once a year on the shop's local date, and review points once per review", async () => {
    const seed: CustomerSeed = {
      id: 777,
      email: "bday@example.com",
      firstName: "B",
      lastName: "D",
      updatedAt: clock.now().toISOString(),
    };
    await deliver(alpha, delivery("customers/create", customerPayload(seed)));
    const customer = numbers(
      await db.customer.findFirstOrThrow({ where: { shopId: alpha.id, shopifyId: "777" } }),
    );
    // 23:30 UTC on 2027-03-14 is already the 15th in Prague.
    await db.customer.update({ where: { id: customer.id }, data: { birthday: "1990-03-15" } });
    clock.advance(new Date("2027-03-14T23:30:00Z").getTime() - clock.now().getTime());
    const options = { clock, subscribers: [] };
    await runDailyLoyalty(db, alpha.id, options);
    await runDailyLoyalty(db, alpha.id, options);
    const birthdays = numbers(
      await db.loyaltyLedgerEntry.findMany({
        where: { shopId: alpha.id, source: "birthday" },
      }),
    );
    expect(birthdays.map((entry) => [entry.sourceId, entry.pointsDelta])).toEqual([["2027", 100]]);
    expect((await memberOf(alpha, 777)).pointsBalance).toBe(20 + 100);

    expect(
      await recordReview(db, { shopId: alpha.id, customerId: customer.id, reviewId: "rev-1" }, clock.now()),
    ).toBe(true);
    expect(
      await recordReview(db, { shopId: alpha.id, customerId: customer.id, reviewId: "rev-1" }, clock.now()),
    ).toBe(false);
    await expect(
      recordReview(db, { shopId: beta.id, customerId: customer.id, reviewId: "rev-2" }, clock.now()),
    ).rejects.toBeInstanceOf(ReviewBonusError);
    expect((await memberOf(alpha, 777)).pointsBalance).toBe(150);
  });

  it("warns before points expire after inactivity, expires them, and leaves active members and other shops alone", async () => {
    clock.advance(new Date("2027-06-01T10:00:00Z").getTime() - clock.now().getTime());
    await saveProgramSettings(
      db,
      beta.id,
      { enabled: true, pendingDays: 0, expiryMonths: 6, expiryWarningDays: 14, signupPoints: 0 },
      clock.now(),
    );
    const seeds = [901, 902].map((id) => ({
      id,
      email: `e${id}@example.com`,
      firstName: "E",
      lastName: "X",
      updatedAt: clock.now().toISOString(),
    }));
    for (const seed of seeds) await deliver(beta, delivery("orders/paid", order(beta, seed, "50.00")));
    const alphaBefore = numbers(
      await db.loyaltyMember.findMany({
        where: { shopId: alpha.id },
        orderBy: { id: "asc" },
      }),
    );

    // 2027-12-01 is the expiry date; the warning goes out 14 days before.
    clock.advance(new Date("2027-11-16T10:00:00Z").getTime() - clock.now().getTime());
    await run();
    expect(await db.domainEvent.count({ where: { shopId: beta.id, type: "loyalty.points_expiring" } })).toBe(
      0,
    );
    // Customer 902 buys again: a new spell of activity.
    await deliver(beta, delivery("orders/paid", order(beta, seeds[1] as CustomerSeed, "10.00")));
    // Exactly 14 days before: the warning, announcing the expiry date itself.
    clock.advance(day);
    await run();
    const warnings = await db.domainEvent.findMany({
      where: { shopId: beta.id, type: "loyalty.points_expiring" },
    });
    expect(warnings.map((event) => event.payload)).toEqual([
      expect.objectContaining({ points: 50, expiresAt: "2027-12-01T10:00:00.000Z" }),
    ]);
    expect((await memberOf(beta, 901)).pointsBalance).toBe(50);

    clock.advance(new Date("2027-12-01T10:00:00Z").getTime() - clock.now().getTime() - 60_000);
    await run();
    expect((await memberOf(beta, 901)).pointsBalance).toBe(50);
    clock.advance(day);
    await run();
    await run();
    expect(await memberOf(beta, 901)).toMatchObject({ pointsBalance: 0 });
    const expired = numbers(
      await db.loyaltyLedgerEntry.findMany({ where: { shopId: beta.id, kind: "expire" } }),
    );
    expect(expired.map((entry) => entry.pointsDelta)).toEqual([-50]);
    expect((await memberOf(beta, 902)).pointsBalance).toBe(60);
    // Alpha has no expiry: its members are untouched.
    const alphaAfter = numbers(
      await db.loyaltyMember.findMany({
        where: { shopId: alpha.id },
        orderBy: { id: "asc" },
      }),
    );
    expect(alphaAfter.map((member) => member.pointsBalance)).toEqual(
      alphaBefore.map((member) => member.pointsBalance),
    );
    expect(await db.loyaltyLedgerEntry.count({ where: { shopId: alpha.id, kind: "expire" } })).toBe(0);
  });
});
