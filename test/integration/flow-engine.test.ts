// The flow engine through the real worker, real store-events intake and the real outbox (issue 14):
// exact timing, the never-after-purchase guarantee in its four shapes, versions, pause and resume,
// control groups, points, conditions, two shops, and definitions refused whole.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { advanceDueRuns } from "../../app/flows/scheduler";
import { createFlow, saveFlowVersion, setFlowStatus } from "../../app/flows/flows";
import { InvalidFlowError } from "../../app/flows/definition";
import { sqlConnectionOf } from "../../app/db/client";
import { checkoutPayload, orderPayload, type CustomerSeed } from "../fixtures/shopify-payloads";
import { testProvider } from "../support/database";
import { emailTemplate, FlowScenario, threeStepFlow } from "../support/flows";

const minute = 1;
const hour = 60;
let sequence = 0;

function shopper(overrides: Partial<CustomerSeed> = {}): CustomerSeed {
  sequence += 1;
  return {
    id: 7_000_000 + sequence,
    email: `shopper${sequence}@example.com`,
    firstName: `Ada${sequence}`,
    lastName: "Lovelace",
    emailConsent: "subscribed",
    updatedAt: "2026-11-01T09:00:00Z",
    ...overrides,
  };
}

function checkout(customer: CustomerSeed, at: Date) {
  sequence += 1;
  const token = `tok-${sequence}`;
  return {
    token,
    payload: checkoutPayload({
      id: 8_000_000 + sequence,
      token,
      customer,
      lines: [
        {
          id: 9_000_000 + sequence,
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

function order(customer: CustomerSeed, at: Date, checkoutToken: string | null) {
  sequence += 1;
  return orderPayload({
    id: 6_000_000 + sequence,
    number: 1000 + sequence,
    customer,
    lines: [
      {
        id: 9_500_000 + sequence,
        productId: 1,
        variantId: 2,
        title: "Merino Sweater",
        price: "89.00",
        quantity: 1,
      },
    ],
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
    checkoutToken,
  });
}

describe(`flow engine on ${testProvider}`, () => {
  let scenario: FlowScenario;

  beforeAll(async () => {
    scenario = await FlowScenario.start();
  });
  afterAll(async () => {
    await scenario.stop();
  });

  const subjects = (address: string) => scenario.emailsTo(address).map((mail) => mail.subject.split(" ")[0]);

  it("sends the three reminders on time: nothing at 59 min, the second at 60, the third a day later", async () => {
    const flow = await scenario.liveFlow(threeStepFlow());
    const ada = shopper();
    await scenario.receive([
      { topic: "checkouts/update", payload: checkout(ada, scenario.clock.now()).payload },
    ]);
    expect(subjects(ada.email)).toEqual(["First"]);
    await scenario.advance(59 * minute);
    expect(subjects(ada.email)).toEqual(["First"]);
    await scenario.advance(1 * minute);
    expect(subjects(ada.email)).toEqual(["First", "Second"]);
    await scenario.advance(24 * hour - 1);
    expect(subjects(ada.email)).toEqual(["First", "Second"]);
    await scenario.advance(1);
    expect(subjects(ada.email)).toEqual(["First", "Second", "Third"]);
    const mail = scenario.emailsTo(ada.email)[0];
    expect(mail?.html).toContain("Merino Sweater × 1");
    expect(mail?.text).toContain("/recover?key=abc");

    const run = await scenario.db.flowRun.findFirstOrThrow({ where: { flowId: flow.id } });
    expect(run.status).toBe("completed");
    const logs = await scenario.db.flowStepLog.findMany({
      where: { runId: run.id },
      orderBy: { seq: "asc" },
    });
    expect(logs.map((log) => `${log.stepId}:${log.outcome}`)).toEqual([
      "send-1:sent",
      "wait-1:waiting",
      "send-2:sent",
      "wait-2:waiting",
      "send-3:sent",
      ":completed",
    ]);
    const messages = await scenario.messages({ flowId: flow.id });
    expect(messages.map((message) => message.status)).toEqual(["sent", "sent", "sent"]);
    expect(messages.map((message) => message.flowStepId)).toEqual(["send-1", "send-2", "send-3"]);
    await setFlowStatus(scenario.db, {
      shopId: scenario.shop.id,
      flowId: flow.id,
      status: "archived",
      staff: "t",
      now: scenario.clock.now(),
    });
  });

  it("(a) an order before the next send ends the run: no later message", async () => {
    const flow = await scenario.liveFlow(threeStepFlow());
    const ada = shopper();
    const cart = checkout(ada, scenario.clock.now());
    await scenario.receive([{ topic: "checkouts/update", payload: cart.payload }]);
    await scenario.advance(30 * minute);
    await scenario.receive([
      { topic: "orders/create", payload: order(ada, scenario.clock.now(), cart.token) },
    ]);
    await scenario.advance(3 * 24 * hour, hour);
    expect(subjects(ada.email)).toEqual(["First"]);
    const run = await scenario.db.flowRun.findFirstOrThrow({ where: { flowId: flow.id } });
    expect(run).toMatchObject({ status: "exited", exitReason: "placed an order", wakeAt: null });
    await setFlowStatus(scenario.db, {
      shopId: scenario.shop.id,
      flowId: flow.id,
      status: "archived",
      staff: "t",
      now: scenario.clock.now(),
    });
  });

  it("(b) an order stored while the message is being queued: the send's own transaction skips it", async () => {
    const flow = await scenario.liveFlow(threeStepFlow());
    const ada = shopper();
    const cart = checkout(ada, scenario.clock.now());
    await scenario.receive([{ topic: "checkouts/update", payload: cart.payload }]);
    await scenario.advance(60 * minute - 1);
    // The second step comes due; the scheduler alone queues its message…
    scenario.clock.advance(60_000);
    expect(
      await advanceDueRuns(sqlConnectionOf(scenario.db), {
        now: scenario.clock.now(),
        limit: 100,
        links: null,
      }),
    ).toBeGreaterThan(0);
    const queued = await scenario.db.message.findFirstOrThrow({
      where: { flowId: flow.id, flowStepId: "send-2" },
    });
    expect(queued.status).toBe("queued");
    // …and the order is written by intake at that instant, before its event reaches the flows.
    const customer = await scenario.db.customer.findFirstOrThrow({
      where: { shopId: scenario.shop.id, email: ada.email },
    });
    await scenario.db.order.create({
      data: {
        shopId: scenario.shop.id,
        shopifyId: `direct-${sequence}`,
        customerId: customer.id,
        name: "#direct",
        email: ada.email,
        currency: "USD",
        subtotalMinor: 8900n,
        totalMinor: 8900n,
        processedAt: scenario.clock.now(),
        shopifyUpdatedAt: scenario.clock.now(),
      },
    });
    await scenario.run();
    expect(subjects(ada.email)).toEqual(["First"]);
    const skipped = await scenario.db.message.findUniqueOrThrow({ where: { id: queued.id } });
    expect(skipped.status).toBe("skipped");
    expect(skipped.lastError).toContain("placed an order");
    const run = await scenario.db.flowRun.findFirstOrThrow({ where: { flowId: flow.id } });
    expect(run.status).toBe("exited");
    await scenario.advance(3 * 24 * hour, 12 * hour);
    expect(subjects(ada.email)).toEqual(["First"]);
    await setFlowStatus(scenario.db, {
      shopId: scenario.shop.id,
      flowId: flow.id,
      status: "archived",
      staff: "t",
      now: scenario.clock.now(),
    });
  });

  it("(c) the order arrives before the checkout's own update: no run, no message", async () => {
    const flow = await scenario.liveFlow(threeStepFlow());
    const ada = shopper();
    const bea = shopper();
    const cartA = checkout(ada, scenario.clock.now());
    const cartB = checkout(bea, scenario.clock.now());
    scenario.clock.advance(5 * 60_000);
    // Ada's order names her checkout; Bea's order (placed after her cart changed) does not.
    await scenario.receive([
      { topic: "orders/create", payload: order(ada, scenario.clock.now(), cartA.token) },
      { topic: "orders/create", payload: order(bea, scenario.clock.now(), null) },
    ]);
    await scenario.receive([
      { topic: "checkouts/update", payload: cartA.payload },
      { topic: "checkouts/update", payload: cartB.payload },
    ]);
    await scenario.advance(3 * 24 * hour, 12 * hour);
    expect(scenario.emailsTo(ada.email)).toEqual([]);
    expect(scenario.emailsTo(bea.email)).toEqual([]);
    expect(await scenario.db.flowRun.count({ where: { flowId: flow.id } })).toBe(0);
    await setFlowStatus(scenario.db, {
      shopId: scenario.shop.id,
      flowId: flow.id,
      status: "archived",
      staff: "t",
      now: scenario.clock.now(),
    });
  });

  it("(d) a duplicate order delivery: one exit, no later message", async () => {
    const flow = await scenario.liveFlow(threeStepFlow());
    const ada = shopper();
    const cart = checkout(ada, scenario.clock.now());
    await scenario.receive([{ topic: "checkouts/update", payload: cart.payload }]);
    await scenario.advance(10 * minute);
    const bought = order(ada, scenario.clock.now(), cart.token);
    await scenario.receive([
      { topic: "orders/create", payload: bought },
      { topic: "orders/create", payload: bought },
      { topic: "orders/paid", payload: bought },
    ]);
    await scenario.receive([{ topic: "orders/create", payload: bought }]);
    await scenario.advance(3 * 24 * hour, 6 * hour);
    expect(subjects(ada.email)).toEqual(["First"]);
    const run = await scenario.db.flowRun.findFirstOrThrow({ where: { flowId: flow.id } });
    const exits = await scenario.db.flowStepLog.count({ where: { runId: run.id, outcome: "exited" } });
    expect(exits).toBe(1);
    await setFlowStatus(scenario.db, {
      shopId: scenario.shop.id,
      flowId: flow.id,
      status: "archived",
      staff: "t",
      now: scenario.clock.now(),
    });
  });

  it("keeps runs on the version they started on; pausing holds runs, resuming continues", async () => {
    const flow = await scenario.liveFlow(threeStepFlow());
    const ada = shopper();
    await scenario.receive([
      { topic: "checkouts/update", payload: checkout(ada, scenario.clock.now()).payload },
    ]);
    const v2 = threeStepFlow({
      templates: {
        first: emailTemplate("New1"),
        second: emailTemplate("New2"),
        third: emailTemplate("New3"),
      },
    });
    await saveFlowVersion(scenario.db, {
      shopId: scenario.shop.id,
      flowId: flow.id,
      definition: v2,
      staff: "editor@merchant",
      now: scenario.clock.now(),
    });
    const bea = shopper();
    await scenario.receive([
      { topic: "checkouts/update", payload: checkout(bea, scenario.clock.now()).payload },
    ]);
    await scenario.advance(60 * minute);
    expect(subjects(ada.email)).toEqual(["First", "Second"]);
    expect(subjects(bea.email)).toEqual(["New1", "New2"]);

    await setFlowStatus(scenario.db, {
      shopId: scenario.shop.id,
      flowId: flow.id,
      status: "paused",
      staff: "editor@merchant",
      now: scenario.clock.now(),
    });
    const cid = shopper();
    await scenario.receive([
      { topic: "checkouts/update", payload: checkout(cid, scenario.clock.now()).payload },
    ]);
    await scenario.advance(48 * hour, 6 * hour);
    expect(subjects(ada.email)).toEqual(["First", "Second"]);
    expect(scenario.emailsTo(cid.email)).toEqual([]);
    await setFlowStatus(scenario.db, {
      shopId: scenario.shop.id,
      flowId: flow.id,
      status: "live",
      staff: "editor@merchant",
      now: scenario.clock.now(),
    });
    await scenario.run();
    expect(subjects(ada.email)).toEqual(["First", "Second", "Third"]);
    expect(subjects(bea.email)).toEqual(["New1", "New2", "New3"]);
    const changes = await scenario.db.flowChange.findMany({
      where: { flowId: flow.id },
      orderBy: { at: "asc" },
    });
    expect(changes.map((change) => change.action)).toEqual([
      "created",
      "went_live",
      "edited",
      "paused",
      "resumed",
    ]);
    expect(changes.find((change) => change.action === "edited")).toMatchObject({
      staff: "editor@merchant",
      version: 2,
    });
    await setFlowStatus(scenario.db, {
      shopId: scenario.shop.id,
      flowId: flow.id,
      status: "archived",
      staff: "t",
      now: scenario.clock.now(),
    });
  });

  it("routes by profile field and by 'has ordered', awards points once, and never crosses shops", async () => {
    const definition = {
      trigger: { event: "customer.created" },
      exitOnPurchase: false,
      templates: {
        vip: emailTemplate("Vip"),
        other: emailTemplate("Other"),
        buyer: emailTemplate("Buyer"),
        later: emailTemplate("Later"),
      },
      start: "is-cz",
      steps: [
        {
          id: "is-cz",
          type: "condition",
          condition: { kind: "profile", field: "countryCode", operator: "equals", value: "CZ" },
          yes: "vip",
          no: "other",
        },
        { id: "vip", type: "send", template: "vip", next: "bonus" },
        { id: "other", type: "send", template: "other", next: "bonus" },
        { id: "bonus", type: "points", points: 50, next: "wait" },
        { id: "wait", type: "wait", minutes: 120, next: "ordered" },
        {
          id: "ordered",
          type: "condition",
          condition: { kind: "has_ordered_since_start" },
          yes: "buyer",
          no: "later",
        },
        { id: "buyer", type: "send", template: "buyer", next: null },
        { id: "later", type: "send", template: "later", next: null },
      ],
    };
    const flow = await scenario.liveFlow(definition);
    await scenario.db.loyaltyProgram.upsert({
      where: { shopId: scenario.shop.id },
      create: { shopId: scenario.shop.id, enabled: true, signupPoints: 0 },
      update: { enabled: true, signupPoints: 0 },
    });
    const now = scenario.clock.now().toISOString();
    const czech = shopper({ countryCode: "CZ", updatedAt: now });
    const other = shopper({ countryCode: "US", updatedAt: now });
    const elsewhere = shopper({ countryCode: "CZ", updatedAt: now });
    await scenario.receive([
      {
        topic: "customers/create",
        payload: (await import("../fixtures/shopify-payloads")).customerPayload(czech),
      },
      {
        topic: "customers/create",
        payload: (await import("../fixtures/shopify-payloads")).customerPayload(other),
      },
    ]);
    await scenario.receive(
      [
        {
          topic: "customers/create",
          payload: (await import("../fixtures/shopify-payloads")).customerPayload(elsewhere),
        },
      ],
      scenario.shops[1],
    );
    await scenario.advance(30 * minute);
    await scenario.receive([{ topic: "orders/create", payload: order(czech, scenario.clock.now(), null) }]);
    await scenario.advance(2 * hour, 30 * minute);
    expect(subjects(czech.email)).toEqual(["Vip", "Buyer"]);
    expect(subjects(other.email)).toEqual(["Other", "Later"]);
    expect(scenario.emailsTo(elsewhere.email)).toEqual([]);
    const member = await scenario.db.loyaltyMember.findFirstOrThrow({
      where: { shopId: scenario.shop.id, customer: { email: czech.email } },
    });
    const entries = await scenario.db.loyaltyLedgerEntry.findMany({
      where: { memberId: member.id, source: "flow" },
    });
    expect(entries.map((entry) => Number(entry.pointsDelta))).toEqual([50]);
    expect(await scenario.db.flowRun.count({ where: { flowId: flow.id } })).toBe(2);
    await setFlowStatus(scenario.db, {
      shopId: scenario.shop.id,
      flowId: flow.id,
      status: "archived",
      staff: "t",
      now: scenario.clock.now(),
    });
  });

  it("a control group walks the flow and receives nothing; each would-be send is logged as held out", async () => {
    const flow = await scenario.liveFlow(threeStepFlow({ controlPercent: 50 }));
    const customers = Array.from({ length: 16 }, () => shopper());
    await scenario.receive(
      customers.map((customer) => ({
        topic: "checkouts/update",
        payload: checkout(customer, scenario.clock.now()).payload,
      })),
    );
    await scenario.advance(30 * hour, 5 * hour);
    const runs = await scenario.db.flowRun.findMany({ where: { flowId: flow.id } });
    expect(runs).toHaveLength(16);
    const control = runs.filter((run) => run.runGroup === "control");
    expect(control.length).toBeGreaterThan(0);
    expect(control.length).toBeLessThan(16);
    for (const run of runs) {
      const outcomes = (
        await scenario.db.flowStepLog.findMany({ where: { runId: run.id }, orderBy: { seq: "asc" } })
      ).map((log) => log.outcome);
      const sends = run.runGroup === "control" ? "held_out" : "sent";
      expect(outcomes).toEqual([sends, "waiting", sends, "waiting", sends, "completed"]);
    }
    const messages = await scenario.messages({ flowId: flow.id });
    expect(messages).toHaveLength((16 - control.length) * 3);
    await setFlowStatus(scenario.db, {
      shopId: scenario.shop.id,
      flowId: flow.id,
      status: "archived",
      staff: "t",
      now: scenario.clock.now(),
    });
  });

  it("starts a flow when a customer subscribes to e-mail (consent changed), not when one unsubscribes", async () => {
    const { customerPayload } = await import("../fixtures/shopify-payloads");
    const flow = await scenario.liveFlow({
      trigger: {
        event: "customer.consent_changed",
        filters: [
          { kind: "event", property: "channel", operator: "equals", value: "email" },
          { kind: "event", property: "to", operator: "equals", value: "subscribed" },
        ],
      },
      reentry: { mode: "once" },
      templates: { hello: emailTemplate("Subscribed") },
      start: "hello",
      steps: [{ id: "hello", type: "send", template: "hello", next: null }],
    });
    const at = (minutes: number) => new Date(scenario.clock.now().getTime() + minutes * 60_000).toISOString();
    const joiner = shopper({ emailConsent: "not_subscribed", updatedAt: at(-10) });
    const leaver = shopper({ emailConsent: "subscribed", updatedAt: at(-10) });
    await scenario.receive([
      { topic: "customers/create", payload: customerPayload(joiner) },
      { topic: "customers/create", payload: customerPayload(leaver) },
    ]);
    await scenario.receive([
      {
        topic: "customers/update",
        payload: customerPayload({ ...joiner, emailConsent: "subscribed", updatedAt: at(-1) }),
      },
      {
        topic: "customers/update",
        payload: customerPayload({ ...leaver, emailConsent: "unsubscribed", updatedAt: at(-1) }),
      },
    ]);
    expect(subjects(joiner.email)).toEqual(["Subscribed"]);
    expect(scenario.emailsTo(leaver.email)).toEqual([]);
    const changes = await scenario.db.domainEvent.findMany({
      where: { shopId: scenario.shop.id, type: "customer.consent_changed" },
      orderBy: { dedupeKey: "asc" },
    });
    expect(changes.map((event) => event.payload)).toEqual(
      expect.arrayContaining([
        { channel: "email", from: "not_subscribed", to: "subscribed" },
        { channel: "email", from: "subscribed", to: "unsubscribed" },
      ]),
    );
    expect(await scenario.db.flowRun.count({ where: { flowId: flow.id } })).toBe(1);
    await setFlowStatus(scenario.db, {
      shopId: scenario.shop.id,
      flowId: flow.id,
      status: "archived",
      staff: "t",
      now: scenario.clock.now(),
    });
  });

  it("a run that cannot advance leaves the flow with the reason and holds up no other run", async () => {
    const [good, broken] = [scenario.shops[0]!, scenario.shops[1]!];
    const waiting = threeStepFlow({
      steps: [
        { id: "send-1", type: "wait", until: { time: "09:00", zone: "shop" }, next: "send-2" },
        { id: "send-2", type: "send", template: "second", next: null },
      ],
    });
    const flows = [await scenario.liveFlow(waiting, good), await scenario.liveFlow(waiting, broken)];
    // A time zone the runtime does not know (a source may send anything).
    await scenario.db.shop.update({ where: { id: broken.id }, data: { timezone: "Mars/Olympus_Mons" } });
    const ada = shopper();
    const bea = shopper();
    await scenario.receive(
      [{ topic: "checkouts/update", payload: checkout(ada, scenario.clock.now()).payload }],
      good,
    );
    await scenario.receive(
      [{ topic: "checkouts/update", payload: checkout(bea, scenario.clock.now()).payload }],
      broken,
    );
    await scenario.advance(24 * hour, 6 * hour);
    expect(subjects(ada.email)).toEqual(["Second"]);
    const failed = await scenario.db.flowRun.findFirstOrThrow({ where: { flowId: flows[1]!.id } });
    expect(failed.status).toBe("exited");
    expect(failed.exitReason).toMatch(/a step failed: .*Mars\/Olympus_Mons/);
    await scenario.db.shop.update({ where: { id: broken.id }, data: { timezone: "UTC" } });
    for (const [flow, shop] of [
      [flows[0]!, good],
      [flows[1]!, broken],
    ] as const)
      await setFlowStatus(scenario.db, {
        shopId: shop.id,
        flowId: flow.id,
        status: "archived",
        staff: "t",
        now: scenario.clock.now(),
      });
  });

  it("costs a shop without live or paused flows no delivery jobs for the flows subscriber", async () => {
    const [withFlow, without] = [scenario.shops[0]!, scenario.shops[1]!];
    const flow = await scenario.liveFlow(threeStepFlow());
    const flowsJobs = (shopId: string) =>
      scenario.db.job.count({ where: { shopId, kind: "domain-event", key: { startsWith: "flows:" } } });
    const [beforeWith, beforeWithout] = [await flowsJobs(withFlow.id), await flowsJobs(without.id)];
    const ada = shopper();
    const bea = shopper();
    await scenario.receive(
      [{ topic: "orders/create", payload: order(ada, scenario.clock.now(), null) }],
      withFlow,
    );
    await scenario.receive(
      [{ topic: "orders/create", payload: order(bea, scenario.clock.now(), null) }],
      without,
    );
    expect(await flowsJobs(withFlow.id)).toBeGreaterThan(beforeWith);
    expect(await flowsJobs(without.id)).toBe(beforeWithout);
    await setFlowStatus(scenario.db, {
      shopId: withFlow.id,
      flowId: flow.id,
      status: "archived",
      staff: "t",
      now: scenario.clock.now(),
    });
  });

  it("refuses an invalid definition whole, naming the step; nothing is saved", async () => {
    const before = [
      await scenario.db.flow.count(),
      await scenario.db.flowVersion.count(),
      await scenario.db.flowChange.count(),
    ];
    const broken = threeStepFlow({
      steps: [
        { id: "send-1", type: "send", template: "first", next: "nowhere" },
        { id: "send-2", type: "send", template: "missing", next: null },
      ],
    });
    const attempt = createFlow(scenario.db, {
      shopId: scenario.shop.id,
      name: "Broken",
      definition: broken,
      staff: "t",
      now: scenario.clock.now(),
    });
    await expect(attempt).rejects.toBeInstanceOf(InvalidFlowError);
    await expect(attempt).rejects.toThrow(/step "send-1".*nowhere/);
    await expect(attempt).rejects.toThrow(/step "send-2".*unknown template "missing"/);
    const flow = await scenario.liveFlow(threeStepFlow());
    await expect(
      saveFlowVersion(scenario.db, {
        shopId: scenario.shop.id,
        flowId: flow.id,
        definition: broken,
        staff: "t",
        now: scenario.clock.now(),
      }),
    ).rejects.toBeInstanceOf(InvalidFlowError);
    const after = [
      await scenario.db.flow.count(),
      await scenario.db.flowVersion.count(),
      await scenario.db.flowChange.count(),
    ];
    expect(after).toEqual([before[0]! + 1, before[1]! + 1, before[2]! + 2]);
    expect((await scenario.db.flow.findUniqueOrThrow({ where: { id: flow.id } })).currentVersion).toBe(1);
  });
});
