// Every preset of the flow library through the engine's harness (fake clock, real database, real
// worker and outbox), turned on with turnOnPreset: a shopper who should get its message gets it, in
// their language, and one who should not (filter, consent, exit) does not. The abandoned checkout
// gets the full treatment of issue 15: 1 h / 24 h / 72 h, never after a purchase however the
// webhooks arrive, never without consent, quiet hours postpone and never drop.
import type { Customer, Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordDomainEvent, type DomainEventType } from "../../app/events/domain-events";
import { domainEventSubscribers } from "../../app/events/subscribers";
import { turnOnPreset } from "../../app/flows/preset-flows";
import { createAdminClient } from "../../app/shopify/admin-client";
import {
  checkoutPayload,
  customerPayload,
  orderPayload,
  type CustomerSeed,
} from "../fixtures/shopify-payloads";
import { testProvider } from "../support/database";
import { startFakeAdminApi, type FakeAdminApi } from "../support/fake-admin-api";
import { FlowScenario } from "../support/flows";

const hour = 60;
const day = 24 * hour;
let sequence = 0;

function seed(overrides: Partial<CustomerSeed> = {}): CustomerSeed {
  sequence += 1;
  return {
    id: 8_800_000 + sequence,
    email: `preset${sequence}@example.com`,
    firstName: `Pat${sequence}`,
    lastName: "Preset",
    emailConsent: "subscribed",
    updatedAt: "2026-11-01T09:00:00Z",
    ...overrides,
  };
}

describe(`flow presets on ${testProvider}`, () => {
  let scenario: FlowScenario;
  let shop: Shop;
  // Discount steps (the third cart reminder, win-back, birthday gift, rescue) ask Shopify.
  let fake: FakeAdminApi;
  const accessToken = "shpat_presets";

  beforeAll(async () => {
    fake = await startFakeAdminApi({ customers: 0, orders: 0, products: 0, accessToken });
    scenario = await FlowScenario.start({
      start: "2026-11-02T10:00:00Z",
      adminClientFor: (target: Shop, token: string) =>
        createAdminClient({
          shopDomain: target.domain,
          accessToken: token,
          endpoint: fake.endpoint(target.domain),
          sleep: async () => {},
          maxAttempts: 2,
        }),
    });
    shop = scenario.shop;
    await scenario.db.session.create({
      data: { id: `offline_${shop.domain}`, shop: shop.domain, state: "", isOnline: false, accessToken },
    });
  });
  afterAll(async () => {
    await scenario?.stop();
    await fake?.close();
  });

  const now = () => scenario.clock.now();
  const on = (presetId: string, target: Shop = shop) =>
    turnOnPreset(scenario.db, { shopId: target.id, presetId, staff: "test@merchant", now: now() });
  const subjects = (who: { email: string | null }) =>
    scenario.emailsTo(who.email as string).map((mail) => mail.subject);

  async function customer(data: Partial<Omit<Customer, "affinities">> = {}): Promise<Customer> {
    sequence += 1;
    return scenario.db.customer.create({
      data: {
        shopId: shop.id,
        shopifyId: String(8_900_000 + sequence),
        email: `direct${sequence}@example.com`,
        firstName: `Dana${sequence}`,
        emailConsent: "subscribed",
        ...data,
      },
    });
  }

  async function announce(type: DomainEventType, who: Customer, payload: Record<string, unknown>) {
    sequence += 1;
    await scenario.db.$transaction((tx) =>
      recordDomainEvent(
        tx,
        shop.id,
        {
          type,
          subjectId: who.id,
          dedupeKey: `${type}:test:${sequence}`,
          payload: { customerId: who.id, ...payload },
          occurredAt: now(),
        },
        domainEventSubscribers,
        now(),
      ),
    );
    await scenario.run();
  }

  function checkout(customerSeed: CustomerSeed, at: Date) {
    sequence += 1;
    const token = `preset-tok-${sequence}`;
    return {
      token,
      payload: checkoutPayload({
        id: 8_700_000 + sequence,
        token,
        customer: customerSeed,
        lines: [
          {
            id: 8_710_000 + sequence,
            productId: 1,
            variantId: 2,
            title: "Merino Sweater",
            price: "89.00",
            quantity: 1,
          },
        ],
        createdAt: at.toISOString(),
        updatedAt: at.toISOString(),
      }),
    };
  }

  function order(customerSeed: CustomerSeed, at: Date, extra: Record<string, unknown> = {}) {
    sequence += 1;
    return orderPayload({
      id: 8_600_000 + sequence,
      number: 8600 + sequence,
      customer: customerSeed,
      lines: [
        {
          id: 8_610_000 + sequence,
          productId: 1,
          variantId: 2,
          title: "Merino Sweater",
          price: "89.00",
          quantity: 1,
        },
      ],
      createdAt: at.toISOString(),
      updatedAt: at.toISOString(),
      ...extra,
    });
  }

  describe("abandoned checkout", () => {
    const first = /^You left something in your cart$/;
    const second = /^Your cart is only held for a limited time$/;
    const third = /(off your cart, just for you|Last reminder)/;

    beforeAll(async () => {
      await on("abandoned-checkout");
    });

    it("reminds at 1 h, 24 h and 72 h after the checkout was left, with the cart's items and link", async () => {
      const shopper = seed();
      const left = now();
      await scenario.receive([{ topic: "checkouts/update", payload: checkout(shopper, left).payload }]);
      await scenario.advance(59, 1);
      expect(subjects(shopper)).toEqual([]);
      await scenario.advance(1);
      expect(subjects(shopper)).toEqual([expect.stringMatching(first)]);
      const [reminder] = scenario.emailsTo(shopper.email);
      expect(reminder?.html).toContain("Merino Sweater");
      await scenario.advance(23 * hour - 1);
      expect(subjects(shopper)).toHaveLength(1);
      await scenario.advance(1);
      expect(subjects(shopper)[1]).toMatch(second);
      await scenario.advance(48 * hour - 1);
      expect(subjects(shopper)).toHaveLength(2);
      await scenario.advance(1);
      expect(subjects(shopper)[2]).toMatch(third);
      await scenario.advance(10 * day, day);
      expect(subjects(shopper)).toHaveLength(3);
    });

    it("sends nothing after the purchase: order before the checkout's update, twice, or hours late", async () => {
      // (a) The order arrives before the checkout's own update.
      const early = seed();
      const left = now();
      const cart = checkout(early, left);
      await scenario.receive([
        {
          topic: "orders/create",
          payload: order(early, new Date(left.getTime() + 60_000), { checkoutToken: cart.token }),
        },
      ]);
      await scenario.receive([{ topic: "checkouts/update", payload: cart.payload }]);
      // (b) The order arrives twice, between the first and second reminder.
      const twice = seed();
      const cartTwice = checkout(twice, left);
      await scenario.receive([{ topic: "checkouts/update", payload: cartTwice.payload }]);
      // (c) The order was placed 30 minutes after leaving, its webhook comes 5 hours late.
      const late = seed();
      const cartLate = checkout(late, left);
      await scenario.receive([{ topic: "checkouts/update", payload: cartLate.payload }]);
      await scenario.advance(2 * hour, 30);
      expect(subjects(twice)).toHaveLength(1);
      const bought = order(twice, now(), { checkoutToken: cartTwice.token });
      await scenario.receive([
        { topic: "orders/create", payload: bought },
        { topic: "orders/create", payload: bought },
      ]);
      await scenario.advance(3 * hour, 30);
      await scenario.receive([
        {
          topic: "orders/create",
          payload: order(late, new Date(left.getTime() + 30 * 60_000), { checkoutToken: cartLate.token }),
        },
      ]);
      await scenario.advance(5 * day, 6 * hour);
      expect(subjects(early)).toEqual([]);
      expect(subjects(twice)).toHaveLength(1);
      // The late order was placed before the first reminder: that one went, none after the order came.
      expect(subjects(late)).toHaveLength(1);
    });

    it("sends nothing without consent", async () => {
      const silent = seed({ emailConsent: "not_subscribed" });
      await scenario.receive([{ topic: "checkouts/update", payload: checkout(silent, now()).payload }]);
      await scenario.advance(4 * day, 6 * hour);
      expect(subjects(silent)).toEqual([]);
    });

    it("postpones a reminder due in quiet hours into the morning and never drops it", async () => {
      await scenario.db.messagingSettings.update({
        where: { shopId: shop.id },
        data: { quietStart: "21:00", quietEnd: "08:00" },
      });
      try {
        // Move to 21:30 UTC (the shop's zone): the first reminder falls due at 22:30.
        const target = new Date(now());
        target.setUTCHours(21, 30, 0, 0);
        if (target <= now()) target.setUTCDate(target.getUTCDate() + 1);
        scenario.clock.advance(target.getTime() - now().getTime());
        const night = seed();
        await scenario.receive([{ topic: "checkouts/update", payload: checkout(night, now()).payload }]);
        await scenario.advance(10 * hour, 30);
        // 07:30 the next morning: still nothing; at 08:00 it goes.
        expect(subjects(night)).toEqual([]);
        await scenario.advance(60, 15);
        expect(subjects(night)).toEqual([expect.stringMatching(first)]);
      } finally {
        await scenario.db.messagingSettings.update({
          where: { shopId: shop.id },
          data: { quietStart: "00:00", quietEnd: "00:00" },
        });
      }
    });
  });

  it("welcome: a new subscribed customer is welcomed once; one without consent is not", async () => {
    await on("welcome");
    const newcomer = seed();
    const quiet = seed({ emailConsent: "not_subscribed" });
    await scenario.receive([
      { topic: "customers/create", payload: customerPayload(newcomer) },
      { topic: "customers/create", payload: customerPayload(quiet) },
    ]);
    await scenario.advance(hour, 30);
    expect(subjects(newcomer)).toEqual([expect.stringContaining("Welcome to")]);
    expect(subjects(quiet)).toEqual([]);
  });

  it("post-purchase: a buyer is thanked a day after paying (first order variant), not before", async () => {
    await on("post-purchase-thank-you");
    const buyer = seed();
    await scenario.receive([{ topic: "orders/create", payload: order(buyer, now()) }]);
    await scenario.advance(day - 60, 6 * 60);
    const before = subjects(buyer).length;
    await scenario.advance(2 * hour, 30);
    const thanks = subjects(buyer).slice(before);
    expect(thanks).toHaveLength(1);
    expect(scenario.emailsTo(buyer.email).at(-1)?.html).toContain("Merino Sweater");
  });

  it("delivery and NPS: a fulfilled order gets its delivery update and later the one-click survey", async () => {
    await on("delivery-and-nps");
    const buyer = seed({ emailConsent: "not_subscribed" });
    const subscribed = seed();
    for (const who of [buyer, subscribed]) {
      await scenario.receive([
        { topic: "orders/create", payload: order(who, now(), { fulfillmentStatus: "fulfilled" }) },
      ]);
    }
    await scenario.advance(hour, 30);
    // The delivery update is transactional: it reaches a customer without marketing consent too.
    expect(subjects(buyer).length).toBeGreaterThanOrEqual(1);
    await scenario.advance(7 * day, 6 * hour);
    const isSurvey = (mail: { text?: string | null }) =>
      /\/n\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/.test(mail.text ?? "");
    expect(scenario.emailsTo(subscribed.email).filter(isSurvey)).toHaveLength(1);
    // The survey is marketing: none for the customer without consent.
    expect(scenario.emailsTo(buyer.email).some(isSurvey)).toBe(false);
  });

  it("replenishment: a due reminder carries the one-click reorder link; none without consent", async () => {
    await on("replenishment");
    const regular = await customer();
    const silent = await customer({ emailConsent: "unsubscribed" });
    for (const who of [regular, silent]) {
      await announce("replenishment.due", who, {
        productShopifyId: "1",
        variantShopifyId: "2",
        quantity: 2,
        dueAt: new Date(now().getTime() + 3 * day * 60_000).toISOString(),
        remindAt: now().toISOString(),
        lastOrderId: "o-1",
        reentryKey: "product:1",
      });
    }
    await scenario.advance(hour, 30);
    expect(scenario.emailsTo(regular.email as string).at(-1)?.text).toContain("/cart/2:2");
    expect(subjects(silent)).toEqual([]);
  });

  it("win-back: at risk starts it, another stage does not, and an order ends it", async () => {
    const flow = await on("win-back");
    const sent = async (who: Customer) =>
      (await scenario.messages({ flowId: flow.id, customerId: who.id })).filter((m) => m.status === "sent")
        .length;
    const lapsing = await customer({ valueBand: "high" });
    const fine = await customer();
    const returning = await customer();
    await announce("customer.lifecycle_changed", lapsing, { from: "repeat", to: "at_risk" });
    await announce("customer.lifecycle_changed", fine, { from: "one_time", to: "repeat" });
    await announce("customer.lifecycle_changed", returning, { from: "repeat", to: "at_risk" });
    await scenario.advance(hour, 30);
    expect(await sent(lapsing)).toBe(1);
    expect(await sent(returning)).toBe(1);
    expect(await sent(fine)).toBe(0);
    // The returning customer orders: no follow-up; the lapsing one gets it.
    const returningSeed = seed({ id: Number(returning.shopifyId), email: returning.email as string });
    await scenario.receive([{ topic: "orders/create", payload: order(returningSeed, now()) }]);
    await scenario.advance(14 * day, 6 * hour);
    expect(await sent(lapsing)).toBeGreaterThan(1);
    expect(await sent(returning)).toBe(1);
  });

  it("loyalty moments: tier up, points expiring and a reward within reach; a tier down sends nothing", async () => {
    for (const preset of ["loyalty-tier-reached", "loyalty-points-expiring", "loyalty-reward-available"])
      await on(preset);
    const member = await customer();
    const demoted = await customer();
    await announce("loyalty.tier_changed", member, {
      from: "silver",
      to: "gold",
      toName: "Gold",
      direction: "up",
    });
    await announce("loyalty.tier_changed", demoted, {
      from: "gold",
      to: "silver",
      toName: "Silver",
      direction: "down",
    });
    await announce("loyalty.points_expiring", member, { points: 300, expiresAt: "2026-12-31T00:00:00Z" });
    await announce("loyalty.reward_affordable", member, {
      rewardId: "r1",
      rewardName: "Free socks",
      pointsCost: 500,
      balance: 600,
    });
    await scenario.advance(hour, 30);
    const html = scenario
      .emailsTo(member.email as string)
      .map((mail) => mail.html ?? "")
      .join("\n");
    expect(subjects(member)).toHaveLength(3);
    expect(html).toContain("Gold");
    expect(html).toContain("300");
    expect(html).toContain("Free socks");
    expect(subjects(demoted)).toEqual([]);
  });

  it("occasions: a birthday greeting at 10:00 in the customer's zone, an anniversary; none without consent", async () => {
    await on("birthday");
    await on("purchase-anniversary");
    const celebrant = await customer({ timezone: "Europe/Prague" });
    const silent = await customer({ emailConsent: "not_subscribed" });
    // Midnight UTC: the greeting waits for 10:00 Prague (09:00 UTC).
    const midnight = new Date(now());
    midnight.setUTCHours(24, 0, 0, 0);
    scenario.clock.advance(midnight.getTime() - now().getTime());
    await announce("customer.birthday", celebrant, { date: "11-20" });
    await announce("customer.birthday", silent, { date: "11-20" });
    await scenario.advance(9 * 60 - 1, 60);
    expect(subjects(celebrant)).toEqual([]);
    await scenario.advance(2 * hour, 30);
    expect(subjects(celebrant)).toHaveLength(1);
    await announce("customer.purchase_anniversary", celebrant, {
      years: 2,
      firstOrderAt: "2024-11-20T10:00:00Z",
    });
    await scenario.advance(day, 2 * hour);
    expect(subjects(celebrant)).toHaveLength(2);
    expect(subjects(silent)).toEqual([]);
  });

  it("rescue: a detractor's answer and a cancelled order start an apology; a promoter's answer does not", async () => {
    await on("rescue-detractor");
    await on("rescue-cancelled-order");
    const unhappy = await customer();
    const happy = await customer();
    await announce("nps.answered", unhappy, { score: 3, orderId: null, answerId: "a1" });
    await announce("nps.answered", happy, { score: 10, orderId: null, answerId: "a2" });
    await scenario.advance(hour, 30);
    expect(subjects(unhappy)).toHaveLength(1);
    expect(subjects(happy)).toEqual([]);
    const cancelled = seed();
    await scenario.receive([
      {
        topic: "orders/create",
        payload: order(cancelled, now(), { cancelledAt: now().toISOString(), financialStatus: "voided" }),
      },
    ]);
    await scenario.advance(hour, 30);
    expect(subjects(cancelled).length).toBeGreaterThanOrEqual(1);
  });

  it("browse abandonment: a product left alone is shown back; one put in the cart is not", async () => {
    await on("browse-abandonment");
    await scenario.db.product.create({
      data: {
        shopId: shop.id,
        shopifyId: "4242",
        title: "Linen Shirt",
        handle: "linen-shirt",
        shopifyUpdatedAt: now(),
        variants: { create: { shopId: shop.id, shopifyId: "42421", title: "M", priceMinor: 4900n } },
      },
    });
    const browser = await customer();
    const buyer = await customer();
    for (const [who, types] of [
      [browser, ["product_viewed"]],
      [buyer, ["product_viewed", "product_added_to_cart"]],
    ] as const) {
      for (const type of types) {
        sequence += 1;
        await scenario.db.browseEvent.create({
          data: {
            shopId: shop.id,
            eventId: `preset-evt-${sequence}`,
            type,
            clientId: `c-${who.id}`,
            customerId: who.id,
            productShopifyId: "4242",
            occurredAt: now(),
            receivedAt: now(),
          },
        });
      }
    }
    await scenario.advance(2 * hour, 15);
    expect(scenario.emailsTo(browser.email as string).at(-1)?.html).toContain("Linen Shirt");
    expect(subjects(buyer)).toEqual([]);
  });
});
