// What flows earned (R-FLOW-6) and whether they earned it (R-FLOW-8), from rows as the engine and
// the outbox write them: the attribution window to the minute, the last message wins, one
// attribution per order, revenue as of now (refunds lower it, cancellation zeroes it), results per
// step and per split variant, recovered checkouts, shop isolation, and the control-group report
// against the hand-computed example (test/unit/control-statistics.test.ts).
import type { Flow, Prisma, Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { attributeOrders, orderRevenueMinor, type Period } from "../../app/flows/attribution";
import { createFlow } from "../../app/flows/flows";
import {
  controlReport,
  flowReport,
  flowResults,
  flowSummaries,
  FlowReportNotFoundError,
  listFlowRuns,
} from "../../app/flows/reports";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const window = 7200 * minute; // the default: 5 days

const template = { versions: { en: { email: { subject: "s", html: "<p>h</p>", text: "t" } } } };
const oneSend = {
  trigger: { event: "checkout.updated" },
  templates: { t1: template },
  start: "s1",
  steps: [{ id: "s1", type: "send", template: "t1", next: null }],
};
// A send before the split (its message belongs to no variant), then one send per variant.
const splitFlow = {
  trigger: { event: "checkout.updated" },
  templates: { t1: template },
  start: "first",
  steps: [
    { id: "first", type: "send", template: "t1", next: "split" },
    {
      id: "split",
      type: "split",
      variants: [
        { id: "a", weight: 50, next: "send_a" },
        { id: "b", weight: 50, next: "send_b" },
      ],
    },
    { id: "send_a", type: "send", template: "t1", next: null },
    { id: "send_b", type: "send", template: "t1", next: null },
  ],
};

const at = (base: Date, offset: number) => new Date(base.getTime() + offset);

describe(`flow attribution and reports on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let sequence = 0;
  const next = () => (sequence += 1);

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
  });

  afterAll(async () => {
    await database?.drop();
  });

  // ---- fixtures: rows shaped as the engine and the outbox write them ---------------------------

  const makeShop = (name: string) =>
    db.shop.create({ data: { domain: `${name}-${next()}.myshopify.com`, currency: "EUR" } });

  const makeCustomer = (shop: Shop) =>
    db.customer.create({
      data: { shopId: shop.id, shopifyId: String(5000 + next()), email: `c${sequence}@example.com` },
    });

  const makeFlow = (shop: Shop, name: string, definition: unknown = oneSend) =>
    createFlow(db, {
      shopId: shop.id,
      name,
      definition,
      staff: "owner@shop.example",
      now: new Date("2026-10-01T00:00:00Z"),
    });

  const makeRun = (
    shop: Shop,
    flow: Flow,
    customerId: string,
    startedAt: Date,
    extra: {
      runGroup?: string;
      variants?: Record<string, string>;
      checkoutToken?: string;
      status?: string;
    } = {},
  ) =>
    db.flowRun.create({
      data: {
        shopId: shop.id,
        flowId: flow.id,
        version: 1,
        customerId,
        triggerKey: `trigger-${next()}`,
        trigger: { event: "checkout.updated" },
        since: startedAt,
        startedAt,
        updatedAt: startedAt,
        runGroup: extra.runGroup ?? "treatment",
        variants: extra.variants ?? {},
        checkoutToken: extra.checkoutToken ?? null,
        status: extra.status ?? "active",
      },
    });

  const log = (
    shop: Shop,
    flow: Flow,
    runId: string,
    seq: number,
    stepId: string,
    outcome: string,
    when: Date,
    extra: { messageId?: string; variant?: string } = {},
  ) =>
    db.flowStepLog.create({
      data: {
        shopId: shop.id,
        flowId: flow.id,
        runId,
        seq,
        stepId,
        outcome,
        at: when,
        messageId: extra.messageId ?? null,
        variant: extra.variant ?? null,
      },
    });

  const makeMessage = (
    shop: Shop,
    customerId: string,
    sentAt: Date | null,
    extra: {
      flowId?: string | null;
      flowRunId?: string;
      flowStepId?: string;
      status?: string;
      deliveredAt?: Date;
      openedAt?: Date;
      clickedAt?: Date;
    } = {},
  ) => {
    const id = `msg-${next()}`;
    return db.message.create({
      data: {
        id,
        shopId: shop.id,
        customerId,
        idempotencyKey: id,
        flowId: extra.flowId === undefined ? null : extra.flowId,
        flowRunId: extra.flowRunId ?? null,
        flowStepId: extra.flowStepId ?? null,
        purpose: "marketing",
        channelOrder: "email",
        content: {},
        status: extra.status ?? (sentAt ? "sent" : "queued"),
        channel: "email",
        scheduledFor: sentAt ?? new Date("2026-11-01T00:00:00Z"),
        sentAt,
        deliveredAt: extra.deliveredAt ?? null,
        openedAt: extra.openedAt ?? null,
        clickedAt: extra.clickedAt ?? null,
      },
    });
  };

  /** A flow message sent by a run's step, logged as the engine logs it. */
  const send = async (
    shop: Shop,
    flow: Flow,
    run: { id: string; customerId: string },
    seq: number,
    stepId: string,
    sentAt: Date,
    extra: { status?: string; deliveredAt?: Date; openedAt?: Date; clickedAt?: Date } = {},
  ) => {
    const message = await makeMessage(shop, run.customerId, sentAt, {
      flowId: flow.id,
      flowRunId: run.id,
      flowStepId: stepId,
      ...extra,
    });
    await log(shop, flow, run.id, seq, stepId, "sent", sentAt, { messageId: message.id });
    return message;
  };

  const makeOrder = (
    shop: Shop,
    customerId: string | null,
    processedAt: Date,
    subtotalMinor: number,
    extra: { refundedMinor?: number; cancelledAt?: Date; checkoutToken?: string } = {},
  ) => {
    const number = next();
    return db.order.create({
      data: {
        shopId: shop.id,
        shopifyId: String(700_000 + number),
        customerId,
        name: `#${1000 + number}`,
        currency: "EUR",
        subtotalMinor: BigInt(subtotalMinor),
        totalMinor: BigInt(subtotalMinor + 500),
        refundedMinor: BigInt(extra.refundedMinor ?? 0),
        cancelledAt: extra.cancelledAt ?? null,
        checkoutToken: extra.checkoutToken ?? null,
        processedAt,
        shopifyUpdatedAt: processedAt,
      },
    });
  };

  const base = new Date("2026-11-02T12:00:00Z");
  const period: Period = { from: new Date("2026-11-01T00:00:00Z"), to: new Date("2026-12-01T00:00:00Z") };

  // ---- attribution ----------------------------------------------------------------------------

  it("honours the window to the minute: window − 1 min counts, window + 1 min does not", async () => {
    const shop = await makeShop("window");
    const flow = await makeFlow(shop, "Abandoned checkout");
    const inside = await makeCustomer(shop);
    const edge = await makeCustomer(shop);
    const outside = await makeCustomer(shop);
    const before = await makeCustomer(shop);
    for (const customer of [inside, edge, outside, before]) {
      const run = await makeRun(shop, flow, customer.id, base);
      await send(shop, flow, run, 1, "s1", base);
    }
    const counted = await makeOrder(shop, inside.id, at(base, window - minute), 10_000);
    const exactly = await makeOrder(shop, edge.id, at(base, window), 20_000);
    await makeOrder(shop, outside.id, at(base, window + minute), 30_000);
    await makeOrder(shop, before.id, at(base, -minute), 40_000);

    const attributions = await attributeOrders(db, shop.id, period);
    expect(attributions.map((a) => a.orderId).sort()).toEqual([counted.id, exactly.id].sort());
    expect(attributions.find((a) => a.orderId === counted.id)).toMatchObject({
      flowId: flow.id,
      flowStepId: "s1",
      revenueMinor: 10_000,
      touchedAt: base,
    });

    // A shop's own window: 60 minutes.
    await db.flowSettings.create({ data: { shopId: shop.id, attributionWindowMinutes: 60 } });
    expect(await attributeOrders(db, shop.id, period)).toEqual([]);
    const soon = await makeOrder(shop, inside.id, at(base, 59 * minute), 1_000);
    await makeOrder(shop, outside.id, at(base, 61 * minute), 1_000);
    expect((await attributeOrders(db, shop.id, period)).map((a) => a.orderId)).toEqual([soon.id]);
  });

  it("by click: the click time opens the window, and an unclicked message earns nothing", async () => {
    const shop = await makeShop("click");
    const flow = await makeFlow(shop, "Browse abandonment");
    await db.flowSettings.create({
      data: { shopId: shop.id, attributionBasis: "click", attributionWindowMinutes: 1440 },
    });
    const clicker = await makeCustomer(shop);
    const reader = await makeCustomer(shop);
    const clickAt = at(base, 3 * hour);
    for (const [customer, clicked] of [
      [clicker, clickAt],
      [reader, undefined],
    ] as const) {
      const run = await makeRun(shop, flow, customer.id, base);
      await send(shop, flow, run, 1, "s1", base, {
        status: "delivered",
        deliveredAt: base,
        openedAt: base,
        clickedAt: clicked,
      });
    }
    // 24 h after the send but 21 h after the click: counts; 24 h + 1 min after the click: does not.
    const counted = await makeOrder(shop, clicker.id, at(clickAt, 1440 * minute - minute), 5_000);
    await makeOrder(shop, clicker.id, at(clickAt, 1440 * minute + minute), 5_000);
    await makeOrder(shop, reader.id, at(base, hour), 5_000);
    expect((await attributeOrders(db, shop.id, period)).map((a) => a.orderId)).toEqual([counted.id]);
  });

  it("gives each order once, to the last flow message sent before it", async () => {
    const shop = await makeShop("last");
    const welcome = await makeFlow(shop, "Welcome");
    const winback = await makeFlow(shop, "Win-back");
    const shopper = await makeCustomer(shop);
    const welcomeRun = await makeRun(shop, welcome, shopper.id, base);
    const winbackRun = await makeRun(shop, winback, shopper.id, base);
    await send(shop, welcome, welcomeRun, 1, "s1", base);
    const last = await send(shop, winback, winbackRun, 1, "s1", at(base, hour));
    // Later, but not earning: a failed send, a queued one, a test-send (no flow), and one after the order.
    await makeMessage(shop, shopper.id, at(base, 2 * hour), { flowId: welcome.id, status: "failed" });
    await makeMessage(shop, shopper.id, null, { flowId: welcome.id });
    await makeMessage(shop, shopper.id, at(base, 2 * hour));
    await send(shop, welcome, welcomeRun, 2, "s1", at(base, 4 * hour));
    const order = await makeOrder(shop, shopper.id, at(base, 3 * hour), 12_345);

    const all = await attributeOrders(db, shop.id, period);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      orderId: order.id,
      messageId: last.id,
      flowId: winback.id,
      revenueMinor: 12_345,
    });
    expect(await attributeOrders(db, shop.id, period, { flowId: welcome.id })).toEqual([]);
    expect(
      (await attributeOrders(db, shop.id, period, { flowId: winback.id })).map((a) => a.orderId),
    ).toEqual([order.id]);

    const summaries = await flowSummaries(db, shop.id, period);
    expect(summaries.currency).toBe("EUR");
    const byId = new Map(summaries.flows.map((flow) => [flow.id, flow]));
    expect(byId.get(welcome.id)).toMatchObject({ recipients: 1, sent: 2, conversions: 0, revenueMinor: 0 });
    expect(byId.get(winback.id)).toMatchObject({
      recipients: 1,
      sent: 1,
      conversions: 1,
      revenueMinor: 12_345,
    });
    // One attribution per order: the flows' conversions add up to the orders attributed.
    expect(summaries.flows.reduce((sum, flow) => sum + flow.conversions, 0)).toBe(1);
  });

  it("flow revenue is the sum of its attributed orders as of now: refunds lower it, cancellation zeroes it", async () => {
    const shop = await makeShop("revenue");
    const flow = await makeFlow(shop, "Post-purchase");
    const subtotals = [
      { subtotal: 10_000, refunded: 0 },
      { subtotal: 8_000, refunded: 2_500 },
      { subtotal: 3_000, refunded: 4_000 }, // refunded more than the subtotal (shipping refunded too): 0
      { subtotal: 6_000, refunded: 0, cancelled: true },
    ];
    const orders = [];
    for (const [index, figures] of subtotals.entries()) {
      const customer = await makeCustomer(shop);
      const run = await makeRun(shop, flow, customer.id, at(base, index * hour));
      await send(shop, flow, run, 1, "s1", at(base, index * hour));
      orders.push(
        await makeOrder(shop, customer.id, at(base, index * hour + day), figures.subtotal, {
          refundedMinor: figures.refunded,
          ...(figures.cancelled ? { cancelledAt: at(base, 2 * day) } : {}),
        }),
      );
    }
    const expected = 10_000 + 5_500 + 0 + 0;
    const attributions = await attributeOrders(db, shop.id, period, { flowId: flow.id });
    expect(attributions.map((a) => a.revenueMinor)).toEqual([10_000, 5_500, 0, 0]);
    let results = await flowResults(db, shop.id, flow.id, period);
    expect(results.totals).toMatchObject({ recipients: 4, sent: 4, converted: 4, revenueMinor: expected });
    expect(results.totals.revenueMinor).toBe(attributions.reduce((sum, a) => sum + a.revenueMinor, 0));
    expect(results.steps.find((step) => step.stepId === "s1")?.revenueMinor).toBe(expected);

    // A refund after the fact: read again, the flow earned less.
    await db.order.update({ where: { id: orders[0]!.id }, data: { refundedMinor: 4_000n } });
    results = await flowResults(db, shop.id, flow.id, period);
    expect(results.totals.revenueMinor).toBe(expected - 4_000);
    await db.order.update({ where: { id: orders[0]!.id }, data: { cancelledAt: at(base, 3 * day) } });
    results = await flowResults(db, shop.id, flow.id, period);
    expect(results.totals.revenueMinor).toBe(5_500);
    expect(orderRevenueMinor({ subtotalMinor: 100n, refundedMinor: 30n, cancelledAt: null })).toBe(70);

    // The period selects orders by when they were processed: [from, to).
    const firstDayOnly = await flowResults(db, shop.id, flow.id, {
      from: period.from,
      to: at(base, day + 30 * minute),
    });
    expect(firstDayOnly.totals.converted).toBe(1);
  });

  it("splits results per step and per variant, and counts recovered checkouts", async () => {
    const shop = await makeShop("variants");
    const flow = await makeFlow(shop, "Cart A/B", splitFlow);
    // variant, delivered, opened, clicked, order (minor units), same checkout
    const plan = [
      { variant: "a", delivered: true, opened: true, clicked: true, order: 10_000, sameCheckout: true },
      { variant: "a", delivered: true, opened: true, clicked: false, order: 4_000, sameCheckout: false },
      { variant: "a", delivered: true, opened: false, clicked: false, order: null, sameCheckout: false },
      { variant: "b", delivered: true, opened: true, clicked: true, order: 7_000, sameCheckout: true },
      { variant: "b", delivered: false, opened: false, clicked: false, order: null, sameCheckout: false },
    ] as const;
    for (const [index, row] of plan.entries()) {
      const customer = await makeCustomer(shop);
      const start = at(base, index * minute);
      const token = `checkout-${index}`;
      const run = await makeRun(shop, flow, customer.id, start, {
        variants: { split: row.variant },
        checkoutToken: token,
      });
      await send(shop, flow, run, 1, "first", start, { status: "delivered", deliveredAt: start });
      await log(shop, flow, run.id, 2, "split", "variant", at(start, hour), { variant: row.variant });
      const sentAt = at(start, hour);
      await send(shop, flow, run, 3, `send_${row.variant}`, sentAt, {
        status: row.delivered ? "delivered" : "sent",
        ...(row.delivered ? { deliveredAt: sentAt } : {}),
        ...(row.opened ? { openedAt: at(sentAt, minute) } : {}),
        ...(row.clicked ? { clickedAt: at(sentAt, 2 * minute) } : {}),
      });
      if (row.order !== null) {
        await makeOrder(shop, customer.id, at(sentAt, 2 * hour), row.order, {
          checkoutToken: row.sameCheckout ? token : `other-${index}`,
        });
      }
    }

    const results = await flowResults(db, shop.id, flow.id, period);
    expect(results.totals).toMatchObject({
      recipients: 5,
      sent: 10,
      delivered: 9,
      opened: 3,
      clicked: 2,
      converted: 3,
      revenueMinor: 21_000,
      recoveredCheckouts: 2,
    });
    const steps = Object.fromEntries(results.steps.map((step) => [step.stepId, step]));
    expect(results.steps.map((step) => step.stepId)).toEqual(["first", "split", "send_a", "send_b"]);
    expect(steps.first).toMatchObject({ type: "send", recipients: 5, sent: 5, delivered: 5, converted: 0 });
    expect(steps.split).toMatchObject({ type: "split", recipients: 5, outcomes: { variant: 5 } });
    expect(steps.send_a).toMatchObject({
      recipients: 3,
      sent: 3,
      delivered: 3,
      opened: 2,
      clicked: 1,
      converted: 2,
      revenueMinor: 14_000,
      recoveredCheckouts: 1,
      outcomes: { sent: 3 },
    });
    expect(steps.send_b).toMatchObject({
      recipients: 2,
      sent: 2,
      delivered: 1,
      opened: 1,
      clicked: 1,
      converted: 1,
      revenueMinor: 7_000,
      recoveredCheckouts: 1,
    });
    // The first message (before the split) belongs to no variant.
    const variants = Object.fromEntries(results.variants.map((variant) => [variant.variantId, variant]));
    expect(variants.a).toMatchObject({
      splitStepId: "split",
      weight: 50,
      recipients: 3,
      sent: 3,
      delivered: 3,
      opened: 2,
      clicked: 1,
      converted: 2,
      revenueMinor: 14_000,
      recoveredCheckouts: 1,
    });
    expect(variants.b).toMatchObject({
      recipients: 2,
      sent: 2,
      delivered: 1,
      opened: 1,
      clicked: 1,
      converted: 1,
      revenueMinor: 7_000,
      recoveredCheckouts: 1,
    });
    expect(results.totals.revenueMinor).toBe(results.steps.reduce((sum, step) => sum + step.revenueMinor, 0));

    // The period bounds every count: from 1 h 2.5 min after the first enrolment, only the last two
    // runs' split and second send (both variant b) fall in it.
    const later = await flowResults(db, shop.id, flow.id, { from: at(base, hour + 150_000), to: period.to });
    const laterVariants = Object.fromEntries(later.variants.map((variant) => [variant.variantId, variant]));
    expect(later.steps.find((step) => step.stepId === "split")?.recipients).toBe(2);
    expect(later.steps.find((step) => step.stepId === "first")?.sent).toBe(0);
    expect(laterVariants.a).toMatchObject({ recipients: 0, sent: 0 });
    expect(laterVariants.b).toMatchObject({ recipients: 2, sent: 2, delivered: 1, converted: 1 });
    expect(later.totals.recipients).toBe(0);

    // The runs, newest first, with the steps they took, page by page.
    const first = await listFlowRuns(db, shop.id, flow.id, { limit: 2 });
    expect(first.runs).toHaveLength(2);
    expect(first.runs[0]!.startedAt.getTime()).toBe(at(base, 4 * minute).getTime());
    expect(first.runs[0]!.steps.map((step) => step.outcome)).toEqual(["sent", "variant", "sent"]);
    expect(first.runs[0]).toMatchObject({ group: "treatment", variants: { split: "b" } });
    const rest = await listFlowRuns(db, shop.id, flow.id, { limit: 10, cursor: decode(first.nextCursor) });
    expect(rest.runs).toHaveLength(3);
    expect(rest.nextCursor).toBeNull();
    expect(new Set([...first.runs, ...rest.runs].map((run) => run.id)).size).toBe(5);
    expect((await listFlowRuns(db, shop.id, flow.id, { limit: 10, status: "completed" })).runs).toEqual([]);
  });

  it("never shows one shop another shop's flows, messages or orders", async () => {
    const mine = await makeShop("mine");
    const theirs = await makeShop("theirs");
    const myFlow = await makeFlow(mine, "Mine");
    const theirFlow = await makeFlow(theirs, "Theirs");
    const myCustomer = await makeCustomer(mine);
    const theirCustomer = await makeCustomer(theirs);
    const myRun = await makeRun(mine, myFlow, myCustomer.id, base);
    await send(mine, myFlow, myRun, 1, "s1", base);
    const theirRun = await makeRun(theirs, theirFlow, theirCustomer.id, base);
    await send(theirs, theirFlow, theirRun, 1, "s1", base);
    // A row of theirs naming my customer (it cannot happen through the app; scoping must hold anyway).
    const stray = await makeMessage(theirs, myCustomer.id, at(base, hour), { flowId: theirFlow.id });
    const myOrder = await makeOrder(mine, myCustomer.id, at(base, 2 * hour), 9_900);
    await makeOrder(theirs, theirCustomer.id, at(base, 2 * hour), 1_100);

    const mineSeen = await attributeOrders(db, mine.id, period);
    expect(mineSeen.map((a) => [a.orderId, a.flowId])).toEqual([[myOrder.id, myFlow.id]]);
    expect(mineSeen.some((a) => a.messageId === stray.id)).toBe(false);
    expect((await flowSummaries(db, mine.id, period)).flows.map((flow) => flow.id)).toEqual([myFlow.id]);
    expect((await flowSummaries(db, theirs.id, period)).flows).toMatchObject([
      { id: theirFlow.id, conversions: 1, revenueMinor: 1_100 },
    ]);
    await expect(flowReport(db, mine.id, theirFlow.id, period)).rejects.toBeInstanceOf(
      FlowReportNotFoundError,
    );
    await expect(listFlowRuns(db, mine.id, theirFlow.id, { limit: 10 })).rejects.toBeInstanceOf(
      FlowReportNotFoundError,
    );
    // Their flow's results, asked for through my shop, have nothing of theirs.
    const crossed = await flowResults(db, mine.id, theirFlow.id, period, {
      definition: (await flowReport(db, theirs.id, theirFlow.id, period)).definition,
    });
    expect(crossed.totals).toMatchObject({ recipients: 0, sent: 0, converted: 0, revenueMinor: 0 });
  });

  it("the control report from real rows matches the hand-computed example", async () => {
    const shop = await makeShop("control");
    const flow = await makeFlow(shop, "Held out", { ...oneSend, controlPercent: 17 });
    const start = new Date("2026-11-10T08:00:00Z");
    const groups = [
      { group: "treatment", recipients: 1000, converting: 120 },
      { group: "control", recipients: 200, converting: 16 },
    ] as const;
    const customers: { id: string; shopId: string; shopifyId: string }[] = [];
    const runs: Prisma.FlowRunCreateManyInput[] = [];
    const orders: Prisma.OrderCreateManyInput[] = [];
    let index = 0;
    for (const { group, recipients, converting } of groups) {
      for (let n = 0; n < recipients; n += 1) {
        index += 1;
        const customerId = `control-customer-${index}`;
        // Seven runs share each enrolment minute, so pages of runs end inside a tie.
        const startedAt = at(start, Math.floor(index / 7) * minute);
        customers.push({ id: customerId, shopId: shop.id, shopifyId: String(900_000 + index) });
        runs.push({
          shopId: shop.id,
          flowId: flow.id,
          version: 1,
          customerId,
          triggerKey: `t-${index}`,
          trigger: {},
          since: startedAt,
          startedAt,
          updatedAt: startedAt,
          runGroup: group,
          variants: {},
          status: "completed",
        });
        const order = (processedAt: Date, subtotal: number, extra: { refundedMinor?: bigint } = {}) =>
          orders.push({
            shopId: shop.id,
            shopifyId: `o-${index}-${processedAt.getTime()}`,
            customerId,
            name: `#c${index}`,
            currency: "EUR",
            subtotalMinor: BigInt(subtotal),
            totalMinor: BigInt(subtotal),
            processedAt,
            shopifyUpdatedAt: processedAt,
            ...extra,
          });
        if (n < converting) {
          // 10,000 minor units each, placed within the window after enrolment — as one order, or
          // as two (6,000 + 4,000) for some, which is still one converted recipient.
          if (n % 10 === 0) {
            order(at(startedAt, day), 6_000);
            order(at(startedAt, window), 4_000);
          } else {
            order(at(startedAt, window - minute), 12_000, { refundedMinor: 2_000n });
          }
        } else if (n < converting + 30) {
          // Not conversions: an order a minute before enrolment, or a minute after the window.
          order(n % 2 === 0 ? at(startedAt, -minute) : at(startedAt, window + minute), 50_000);
        }
      }
    }
    await db.customer.createMany({ data: customers });
    await db.flowRun.createMany({ data: runs });
    await db.order.createMany({ data: orders });
    // A run enrolled outside the period is not a recipient.
    await makeRun(shop, flow, customers[0]!.id, new Date("2026-10-15T00:00:00Z"));

    const report = await controlReport(db, shop.id, flow.id, period);
    expect(report).toMatchObject({
      currency: "EUR",
      controlPercent: 17,
      windowMinutes: 7200,
      enoughData: true,
      reason: null,
      treatment: {
        recipients: 1000,
        conversions: 120,
        revenueMinor: 1_200_000,
        revenuePerRecipientMinor: 1200,
      },
      control: { recipients: 200, conversions: 16, revenueMinor: 160_000, revenuePerRecipientMinor: 800 },
      incrementalRevenueMinor: 400_000,
    });
    expect(report.treatment.conversionRate).toBeCloseTo(0.12, 12);
    expect(report.control.conversionRate).toBeCloseTo(0.08, 12);
    expect(report.lift).toBeCloseTo(0.5, 12);
    // Katz: [−8.935 %, +147.077 %] (worked out in test/unit/control-statistics.test.ts).
    expect(report.liftInterval!.low).toBeCloseTo(-0.089351, 5);
    expect(report.liftInterval!.high).toBeCloseTo(1.470765, 5);

    // A shorter period: too few recipients, so no lift — "not enough data yet", with the reason.
    const early = await controlReport(db, shop.id, flow.id, {
      from: period.from,
      to: at(start, 10 * minute),
    });
    expect(early.enoughData).toBe(false);
    expect(early.reason).toMatch(/^not enough data yet: the treatment group has 69 recipients/);
    expect(early.lift).toBeNull();
    expect(early.liftInterval).toBeNull();
    expect(early.incrementalRevenueMinor).toBeNull();
  });
});

function decode(cursor: string | null) {
  if (!cursor) throw new Error("expected a next page");
  const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [string, string];
  return { at: new Date(at), id };
}
