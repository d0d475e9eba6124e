// Moments no webhook announces (app/flows/timers.ts) and the NPS answer (app/customers/nps.ts),
// through the real worker, the flow engine and the outbox: browse abandonment (30 quiet minutes,
// not after a cart or an order, at most once per product per 7 days), birthdays in the customer's
// time zone (29 February too), affordable rewards, and one-click NPS answers that start the rescue
// flow for a detractor only. Two shops; nothing crosses.
import type { Customer, Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerNps, npsLinkOf, npsLinks } from "../../app/customers/nps";
import { createSegment } from "../../app/customers/segments";
import { createFlow } from "../../app/flows/flows";
import { InvalidFlowError } from "../../app/flows/definition";
import { recordDomainEvent } from "../../app/events/domain-events";
import { domainEventSubscribers } from "../../app/events/subscribers";
import { orderPayload, type CustomerSeed } from "../fixtures/shopify-payloads";
import { testProvider } from "../support/database";
import { FlowScenario } from "../support/flows";
import { drain } from "../support/inbox";

const secret = "a-link-secret-of-enough-length";
const baseUrl = "https://app.stayloop.test";
let sequence = 0;

function template(subject: string, html: string) {
  return { versions: { en: { email: { subject, html, text: subject } } } };
}

function flowOn(event: string, extra: Record<string, unknown> = {}, html = "<p>{{ product.title }}</p>") {
  return {
    trigger: { event, delayMinutes: 0 },
    exitOnPurchase: false,
    reentry: { mode: "every_time" },
    templates: { t: template(`${event} for {{ customer.first_name }}`, html) },
    start: "send",
    steps: [{ id: "send", type: "send", template: "t", next: null }],
    ...extra,
  };
}

describe(`timers and NPS on ${testProvider}`, () => {
  let scenario: FlowScenario;
  let shop: Shop;
  let other: Shop;

  beforeAll(async () => {
    scenario = await FlowScenario.start({ start: "2026-11-02T10:00:00Z" });
    shop = scenario.shop;
    other = scenario.shops[1] as Shop;
    for (const target of [shop, other]) {
      for (const [shopifyId, title] of [
        ["101", "Merino Sweater"],
        ["102", "Wool Socks"],
      ] as const) {
        await scenario.db.product.create({
          data: {
            shopId: target.id,
            shopifyId,
            title,
            handle: title.toLowerCase().replace(/ /g, "-"),
            shopifyUpdatedAt: new Date("2026-10-01T00:00:00Z"),
            variants: {
              create: { shopId: target.id, shopifyId: `${shopifyId}1`, title: "Default", priceMinor: 2900n },
            },
          },
        });
      }
    }
  });
  afterAll(async () => {
    await scenario?.stop();
  });

  async function customer(target: Shop, data: Partial<Omit<Customer, "affinities">> = {}): Promise<Customer> {
    sequence += 1;
    return scenario.db.customer.create({
      data: {
        shopId: target.id,
        shopifyId: String(5_500_000 + sequence),
        email: `timer${sequence}@example.com`,
        firstName: `Timer${sequence}`,
        emailConsent: "subscribed",
        ...data,
      },
    });
  }

  async function browse(
    target: Shop,
    who: Customer | null,
    type: string,
    productShopifyId: string | null,
    at: Date,
    clientId = `client-${who?.id ?? "guest"}`,
  ) {
    sequence += 1;
    await scenario.db.browseEvent.create({
      data: {
        shopId: target.id,
        eventId: `evt-${sequence}`,
        type,
        clientId,
        customerId: who?.id ?? null,
        productShopifyId,
        occurredAt: at,
        receivedAt: at,
      },
    });
  }

  const goTo = (at: Date) => scenario.clock.advance(at.getTime() - scenario.clock.now().getTime());
  const sentTo = (who: Customer) => scenario.emailsTo(who.email as string);

  it("announces a view left alone for 30 minutes once per product per 7 days, never after a cart or an order", async () => {
    await scenario.liveFlow(
      flowOn("browse.abandoned", { reentry: { mode: "once_per_days", days: 7 } }),
      shop,
      "Browse",
    );
    await scenario.liveFlow(
      flowOn("browse.abandoned", { reentry: { mode: "once_per_days", days: 7 } }),
      other,
      "Browse",
    );
    const viewer = await customer(shop);
    const carted = await customer(shop);
    const buyer = await customer(shop);
    const elsewhere = await customer(other);
    const now = scenario.clock.now();
    await browse(shop, viewer, "product_viewed", "101", now);
    await browse(shop, viewer, "product_viewed", "101", new Date(now.getTime() + 60_000));
    await browse(shop, carted, "product_viewed", "101", now);
    await browse(shop, carted, "product_added_to_cart", "101", new Date(now.getTime() + 5 * 60_000));
    await browse(shop, buyer, "product_viewed", "102", now);
    await browse(other, elsewhere, "product_viewed", "102", now);
    await browse(shop, null, "product_viewed", "101", now);

    await scenario.advance(29);
    expect(sentTo(viewer)).toHaveLength(0);
    // The buyer orders 20 minutes after the view.
    const buyerSeed: CustomerSeed = {
      id: Number(buyer.shopifyId),
      email: buyer.email as string,
      firstName: "Buyer",
      lastName: "B",
      emailConsent: "subscribed",
      updatedAt: now.toISOString(),
    };
    await scenario.receive([
      {
        topic: "orders/create",
        payload: orderPayload({
          id: 6_600_001,
          number: 6601,
          customer: buyerSeed,
          lines: [
            {
              id: 6_600_101,
              productId: 102,
              variantId: 1021,
              title: "Wool Socks",
              price: "29.00",
              quantity: 1,
            },
          ],
          createdAt: new Date(now.getTime() + 20 * 60_000).toISOString(),
          updatedAt: new Date(now.getTime() + 20 * 60_000).toISOString(),
        }),
      },
    ]);
    await scenario.advance(3, 1);

    expect(sentTo(viewer).map((mail) => mail.html)).toEqual([expect.stringContaining("Merino Sweater")]);
    expect(sentTo(carted)).toHaveLength(0);
    expect(sentTo(buyer)).toHaveLength(0);
    expect(sentTo(elsewhere).map((mail) => mail.html)).toEqual([expect.stringContaining("Wool Socks")]);
    // Both views of the viewer were looked at and stood for one announcement.
    expect(
      await scenario.db.domainEvent.count({ where: { shopId: shop.id, type: "browse.abandoned" } }),
    ).toBe(1);

    // A day later: the same product again is within 7 days (nothing); another product is new.
    scenario.clock.advance(24 * 60 * 60_000);
    const later = scenario.clock.now();
    await browse(shop, viewer, "product_viewed", "101", later);
    await browse(shop, viewer, "product_viewed", "102", later);
    await scenario.advance(31, 1);
    const bodies = sentTo(viewer).map((mail) => mail.html);
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toContain("Wool Socks");
  });

  it("wishes a happy birthday on the day in the customer's zone, once, and on 28 February for a 29 February birthday", async () => {
    // 2026-12-04 23:30 UTC is already 5 December in Prague, still 4 December in New York.
    goTo(new Date("2026-12-04T23:30:00Z"));
    const flow = {
      ...flowOn("customer.birthday", { reentry: { mode: "once_per_days", days: 300 } }),
      start: "wait",
      steps: [
        { id: "wait", type: "wait", until: { time: "10:00", zone: "recipient" }, next: "send" },
        { id: "send", type: "send", template: "t", next: null },
      ],
    };
    await scenario.liveFlow(flow, shop, "Birthday");
    const prague = await customer(shop, { birthday: "1990-12-05", timezone: "Europe/Prague" });
    const newYork = await customer(shop, { birthday: "12-05", timezone: "America/New_York" });
    const leap = await customer(shop, { birthday: "2000-02-29", timezone: "UTC" });
    // On PostgreSQL (where several workers may run, README) two workers sweep at the same
    // moment: the birthday is announced once.
    if (testProvider === "postgresql") await Promise.all([scenario.run(), drain(scenario.anotherWorker())]);
    else await scenario.run();
    expect(
      (await scenario.db.domainEvent.findMany({ where: { shopId: shop.id, type: "customer.birthday" } })).map(
        (event) => event.subjectId,
      ),
    ).toEqual([prague.id]);
    // 10:00 in Prague is 09:00 UTC on the 5th; New York's turn comes on its own 5 December.
    goTo(new Date("2026-12-05T08:59:00Z"));
    await scenario.run();
    expect(sentTo(prague)).toHaveLength(0);
    goTo(new Date("2026-12-05T09:00:00Z"));
    await scenario.run();
    expect(sentTo(prague)).toHaveLength(1);
    goTo(new Date("2026-12-05T16:00:00Z"));
    await scenario.run();
    expect(sentTo(newYork)).toHaveLength(1);
    goTo(new Date("2026-12-05T23:00:00Z"));
    await scenario.run();
    expect(sentTo(prague)).toHaveLength(1);
    expect(sentTo(newYork)).toHaveLength(1);

    goTo(new Date("2027-02-28T12:00:00Z"));
    await scenario.run();
    goTo(new Date("2027-03-01T11:00:00Z"));
    await scenario.run();
    expect(sentTo(leap)).toHaveLength(1);
  });

  it("tells a member once that a reward is now within reach", async () => {
    await scenario.db.loyaltyProgram.upsert({
      where: { shopId: shop.id },
      create: { shopId: shop.id, enabled: true },
      update: { enabled: true },
    });
    await scenario.db.loyaltyReward.create({
      data: { shopId: shop.id, name: "10 % off", kind: "percentage", percentOff: 10, pointsCost: 500n },
    });
    await scenario.liveFlow(
      flowOn(
        "loyalty.reward_affordable",
        {},
        "<p>{{ loyalty.reward_name }} for {{ loyalty.reward_points }}</p>",
      ),
      shop,
      "Reward",
    );
    const rich = await customer(shop);
    const poor = await customer(shop);
    await scenario.db.loyaltyMember.create({
      data: { shopId: shop.id, customerId: rich.id, pointsBalance: 600n },
    });
    await scenario.db.loyaltyMember.create({
      data: { shopId: shop.id, customerId: poor.id, pointsBalance: 499n },
    });
    scenario.clock.advance(60 * 60_000);
    await scenario.run();
    scenario.clock.advance(60 * 60_000);
    await scenario.run();
    expect(sentTo(rich).map((mail) => mail.html)).toEqual([expect.stringContaining("10 % off for 500")]);
    expect(sentTo(poor)).toHaveLength(0);
  });

  it("stores a one-click NPS answer once, updates it on another score, refuses a forged link and rescues only a detractor", async () => {
    const survey = flowOn(
      "order.created",
      {},
      '{% for link in nps.links %}<a href="{{ link.url }}">{{ link.score }}</a>{% endfor %}',
    );
    const surveyFlow = await scenario.liveFlow(survey, shop, "Survey");
    await scenario.liveFlow(
      flowOn(
        "nps.answered",
        {
          trigger: {
            event: "nps.answered",
            filters: [{ kind: "event", property: "score", operator: "at_most", value: 6 }],
          },
          reentry: { mode: "once_per_days", days: 90 },
        },
        "<p>Sorry</p>",
      ),
      shop,
      "Rescue",
    );
    const answers: Customer[] = [];
    for (const score of [3, 10]) {
      sequence += 1;
      const seed: CustomerSeed = {
        id: 5_700_000 + sequence,
        email: `nps${sequence}@example.com`,
        firstName: "Nps",
        lastName: "N",
        emailConsent: "subscribed",
        updatedAt: scenario.clock.now().toISOString(),
      };
      await scenario.receive([
        {
          topic: "orders/create",
          payload: orderPayload({
            id: 6_700_000 + sequence,
            number: 6700 + sequence,
            customer: seed,
            lines: [
              {
                id: 6_700_100 + sequence,
                productId: 101,
                variantId: 1011,
                title: "Merino Sweater",
                price: "89.00",
                quantity: 1,
              },
            ],
            createdAt: scenario.clock.now().toISOString(),
            updatedAt: scenario.clock.now().toISOString(),
          }),
        },
      ]);
      const who = await scenario.db.customer.findFirstOrThrow({
        where: { shopId: shop.id, shopifyId: String(seed.id) },
      });
      answers.push(who);
      const [message] = await scenario.messages({ customerId: who.id, flowId: surveyFlow.id });
      expect(message).toBeDefined();
      const links = npsLinks(baseUrl, secret, (message as { id: string }).id).links;
      const link = links[score]?.url ?? "";
      const token = link.slice(link.lastIndexOf("/") + 1);
      expect(npsLinkOf(secret, token)).toEqual({ messageId: message?.id, score });
      // Four first clicks at once (a double tap, a mail client prefetching): one answer, one event.
      const clicks = await Promise.all(
        Array.from({ length: 4 }, () =>
          answerNps(scenario.db, {
            ...npsLinkOf(secret, token)!,
            now: scenario.clock.now(),
            subscribers: domainEventSubscribers,
          }),
        ),
      );
      expect(clicks.map((page) => page?.score)).toEqual([score, score, score, score]);
      const again = await answerNps(scenario.db, {
        ...npsLinkOf(secret, token)!,
        now: scenario.clock.now(),
        subscribers: domainEventSubscribers,
      });
      expect(again?.score).toBe(score);
      await scenario.run();
    }
    const [detractor, promoter] = answers as [Customer, Customer];
    expect(await scenario.db.npsAnswer.count({ where: { customerId: detractor.id } })).toBe(1);
    for (const customer of [detractor, promoter]) {
      expect(await scenario.db.npsAnswer.count({ where: { customerId: customer.id } })).toBe(1);
      expect(
        await scenario.db.domainEvent.count({ where: { type: "nps.answered", subjectId: customer.id } }),
      ).toBe(1);
    }
    expect(sentTo(detractor).map((mail) => mail.subject)).toContain(
      `nps.answered for ${detractor.firstName}`,
    );
    expect(sentTo(promoter).map((mail) => mail.subject)).not.toContain(
      `nps.answered for ${promoter.firstName}`,
    );

    // A second click on another score changes the answer (one row, order kept).
    const [message] = await scenario.messages({ customerId: detractor.id, flowId: surveyFlow.id });
    const changed = npsLinks(baseUrl, secret, message!.id).links[8]!.url;
    const changedLink = npsLinkOf(secret, changed.slice(changed.lastIndexOf("/") + 1))!;
    await answerNps(scenario.db, {
      ...changedLink,
      now: scenario.clock.now(),
      subscribers: domainEventSubscribers,
    });
    const stored = await scenario.db.npsAnswer.findMany({ where: { customerId: detractor.id } });
    expect(stored.map((answer) => [answer.score, answer.orderId !== null])).toEqual([[8, true]]);

    // Forged: another secret, or a changed score in the payload.
    const forged = npsLinks(baseUrl, "another-secret-of-enough-length", message!.id).links[2]!.url;
    expect(npsLinkOf(secret, forged.slice(forged.lastIndexOf("/") + 1))).toBeNull();
    const [payload, signature] = changed.slice(changed.lastIndexOf("/") + 1).split(".");
    const tampered = Buffer.from(
      Buffer.from(payload!, "base64url").toString().replace('"s":8', '"s":0'),
    ).toString("base64url");
    expect(npsLinkOf(secret, `${tampered}.${signature}`)).toBeNull();
  });

  it("uses saved segments in trigger filters and condition steps, and refuses another shop's segment", async () => {
    const vips = await createSegment(scenario.db, shop.id, {
      name: "High value",
      definition: { match: "all", conditions: [{ field: "valueBand", operator: "is", value: "high" }] },
    });
    const theirs = await createSegment(scenario.db, other.id, {
      name: "High value",
      definition: { match: "all", conditions: [{ field: "valueBand", operator: "is", value: "high" }] },
    });
    const flow = {
      ...flowOn("loyalty.points_expiring"),
      trigger: {
        event: "loyalty.points_expiring",
        filters: [{ kind: "segment", segmentId: vips.id }],
      },
      templates: {
        vip: template("Segment {{ customer.first_name }}", "<p>in</p>"),
        rest: template("Not in segment {{ customer.first_name }}", "<p>out</p>"),
      },
      start: "which",
      steps: [
        {
          id: "which",
          type: "condition",
          condition: { kind: "segment", segmentId: vips.id, member: false },
          yes: "rest",
          no: "vip",
        },
        { id: "vip", type: "send", template: "vip", next: null },
        { id: "rest", type: "send", template: "rest", next: null },
      ],
    };
    await expect(
      createFlow(scenario.db, {
        shopId: shop.id,
        name: "Wrong segment",
        definition: {
          ...flow,
          trigger: { event: "loyalty.points_expiring", filters: [{ kind: "segment", segmentId: theirs.id }] },
        },
        staff: "t",
        now: scenario.clock.now(),
      }),
    ).rejects.toThrow(InvalidFlowError);
    await scenario.liveFlow(flow, shop, "Segment flow");
    const high = await customer(shop, { valueBand: "high" });
    const low = await customer(shop, { valueBand: "low" });
    for (const who of [high, low]) {
      await scenario.db.$transaction((tx) =>
        recordDomainEvent(
          tx,
          shop.id,
          {
            type: "loyalty.points_expiring",
            subjectId: who.id,
            dedupeKey: `segment-test:${who.id}`,
            payload: { customerId: who.id, points: 10 },
            occurredAt: scenario.clock.now(),
          },
          domainEventSubscribers,
          scenario.clock.now(),
        ),
      );
    }
    await scenario.run();
    expect(sentTo(high).map((mail) => mail.subject)).toEqual([`Segment ${high.firstName}`]);
    expect(sentTo(low)).toEqual([]);
  });
});
