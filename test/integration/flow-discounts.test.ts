// A flow's discount step through the real worker and the fake Admin API (issue 14): one unique
// single-use code per recipient with its expiry, created once even when Shopify's answer is lost,
// shown in the next message; a refused code ends the run instead of sending a message without it;
// the control group gets no code.
import type { Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setFlowStatus } from "../../app/flows/flows";
import { createAdminClient } from "../../app/shopify/admin-client";
import { checkoutPayload, type CustomerSeed } from "../fixtures/shopify-payloads";
import { testProvider } from "../support/database";
import { startFakeAdminApi, type FakeAdminApi } from "../support/fake-admin-api";
import { emailTemplate, FlowScenario } from "../support/flows";

const accessToken = "shpat_flow_discounts";
let sequence = 0;

function cart(at: Date) {
  sequence += 1;
  const customer: CustomerSeed = {
    id: 5_100_000 + sequence,
    email: `d${sequence}@example.com`,
    firstName: `D${sequence}`,
    lastName: "Discount",
    emailConsent: "subscribed",
    updatedAt: at.toISOString(),
  };
  const payload = checkoutPayload({
    id: 5_200_000 + sequence,
    token: `disc-${sequence}`,
    customer,
    lines: [
      { id: 5_300_000 + sequence, productId: 1, variantId: 2, title: "Tea", price: "20.00", quantity: 1 },
    ],
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
  });
  return { customer, payload };
}

const withCode = {
  versions: {
    en: {
      email: {
        subject: "Your code",
        html: "<p>Use {{ discount_code }}</p>",
        text: "Use {{ discount_code }} at checkout",
      },
    },
  },
};

function discountFlow(controlPercent = 0) {
  return {
    trigger: { event: "checkout.updated" },
    controlPercent,
    templates: { first: emailTemplate("First"), code: withCode },
    start: "send-1",
    steps: [
      { id: "send-1", type: "send", template: "first", next: "wait" },
      { id: "wait", type: "wait", minutes: 60, next: "offer" },
      {
        id: "offer",
        type: "discount",
        benefit: { kind: "percentage", percentOff: 10 },
        expiresAfterDays: 3,
        prefix: "COMEBACK",
        next: "send-code",
      },
      { id: "send-code", type: "send", template: "code", next: null },
    ],
  };
}

describe(`flow discount step on ${testProvider}`, () => {
  let fake: FakeAdminApi;
  let scenario: FlowScenario;
  let shop: Shop;

  beforeAll(async () => {
    fake = await startFakeAdminApi({ customers: 0, orders: 0, products: 0, accessToken });
    scenario = await FlowScenario.start({
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

  it("creates one code per recipient with its expiry, once even when Shopify's answer is lost, and shows it", async () => {
    const flow = await scenario.liveFlow(discountFlow());
    const ada = cart(scenario.clock.now());
    const bea = cart(scenario.clock.now());
    await scenario.receive([
      { topic: "checkouts/update", payload: ada.payload },
      { topic: "checkouts/update", payload: bea.payload },
    ]);
    // The first attempt's answer is lost: the job looks the code up instead of creating another.
    fake.commerce.failNext("CreateBasicDiscountCode", "lost_answer", 1);
    await scenario.advance(60);
    await scenario.advance(10, 5);

    const codes = fake.commerce.discountsOf(shop.domain);
    expect(codes).toHaveLength(2);
    expect(new Set(codes.map((code) => code.code)).size).toBe(2);
    for (const code of codes) expect(code.code).toMatch(/^COMEBACK-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const runs = await scenario.db.flowRun.findMany({ where: { flowId: flow.id } });
    expect(runs.map((run) => run.status)).toEqual(["completed", "completed"]);
    for (const person of [ada, bea]) {
      const mails = scenario.emailsTo(person.customer.email);
      expect(mails.map((mail) => mail.subject)).toEqual([
        `First for ${person.customer.firstName}`,
        "Your code",
      ]);
      const code = /Use (\S+) at checkout/.exec(mails[1]?.text ?? "")?.[1];
      expect(codes.map((created) => created.code)).toContain(code);
    }
    const [one] = codes;
    expect(one?.input).toMatchObject({ usageLimit: 1, appliesOncePerCustomer: true });
    const endsAt = new Date(String((one?.input as { endsAt?: string }).endsAt));
    expect(endsAt.getTime() - scenario.clock.now().getTime()).toBeGreaterThan(2.9 * 86_400_000);
    expect(endsAt.getTime() - scenario.clock.now().getTime()).toBeLessThanOrEqual(3 * 86_400_000);
    await setFlowStatus(scenario.db, {
      shopId: shop.id,
      flowId: flow.id,
      status: "archived",
      staff: "t",
      now: scenario.clock.now(),
    });
  });

  it("ends the run instead of sending a message without its code when Shopify refuses it", async () => {
    const flow = await scenario.liveFlow(discountFlow());
    const cid = cart(scenario.clock.now());
    await scenario.receive([{ topic: "checkouts/update", payload: cid.payload }]);
    const before = fake.commerce.discountsOf(shop.domain).length;
    fake.commerce.failNext("CreateBasicDiscountCode", "user_error", 1);
    await scenario.advance(60);
    await scenario.advance(10, 5);
    expect(fake.commerce.discountsOf(shop.domain)).toHaveLength(before);
    expect(scenario.emailsTo(cid.customer.email).map((mail) => mail.subject)).toEqual([
      `First for ${cid.customer.firstName}`,
    ]);
    const run = await scenario.db.flowRun.findFirstOrThrow({ where: { flowId: flow.id } });
    expect(run.status).toBe("exited");
    expect(run.exitReason).toMatch(/discount code could not be created/);
    await setFlowStatus(scenario.db, {
      shopId: shop.id,
      flowId: flow.id,
      status: "archived",
      staff: "t",
      now: scenario.clock.now(),
    });
  });
});
