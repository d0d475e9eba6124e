// Advancing one run (R-FLOW-1, -2, -8): from its current step until a wait, the end or an exit,
// deciding each step's outcome — sends with fresh message ids, the control group held out, points,
// condition and split routing (a split's choice kept for the run), exit on purchase, a customer who
// is gone, flow filters re-checked before every send — with one log entry per step numbered on from
// the run's step count. Also the purchase rule that decides "placed an order since the flow started".
import { describe, expect, it } from "vitest";
import { chooseVariant } from "../../app/flows/assignment";
import type { ProfileFacts } from "../../app/flows/conditions";
import { parseFlowDefinition, type FlowDefinition } from "../../app/flows/definition";
import { advanceRun, type AdvanceContext, type RunRow } from "../../app/flows/engine";
import { orderEndsRun, type PurchaseCandidate, type RunPurchaseKeys } from "../../app/flows/purchases";

const now = new Date("2026-01-09T22:00:00.000Z"); // Friday 17:00 in New York
const started = new Date("2026-01-09T21:00:00.000Z");
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const reminder = { versions: { en: { sms: { body: "{{ shop.name }}: your cart {{ checkout_url }}" } } } };

function flow(definition: Record<string, unknown>): FlowDefinition {
  return parseFlowDefinition({
    trigger: { event: "checkout.updated" },
    templates: { reminder },
    ...definition,
  });
}

function run(overrides: Partial<RunRow> = {}): RunRow {
  return {
    id: "r1",
    shopId: "s",
    flowId: "f",
    version: 1,
    discounts: null,
    customerId: "c",
    triggerKey: "k",
    status: "active",
    stepId: "start",
    wakeAt: now,
    runGroup: "treatment",
    variants: {},
    trigger: {
      event: "checkout.updated",
      subjectId: "x",
      occurredAt: started.toISOString(),
      orderId: null,
      checkoutId: null,
      payload: { cart: { totalMinor: 8_000 } },
    },
    checkoutToken: null,
    email: null,
    since: started,
    steps: 0,
    exitReason: null,
    startedAt: started,
    endedAt: null,
    updatedAt: started,
    ...overrides,
  };
}

const profile: ProfileFacts = {
  lifecycleStage: "active",
  ordersCount: 2,
  totalSpentMinor: 10_000,
  averageOrderValueMinor: 5_000,
  countryCode: "CZ",
  locale: "cs",
  tags: "vip",
  emailConsent: "subscribed",
  smsConsent: "subscribed",
  whatsappConsent: null,
  valueBand: null,
  rfmSegment: null,
  rfmRecency: null,
  rfmFrequency: null,
  rfmMonetary: null,
  predictedClvMinor: null,
  typicalIntervalDays: null,
};

function context(definition: FlowDefinition, overrides: Partial<AdvanceContext> = {}): AdvanceContext {
  return {
    now,
    definition,
    profile,
    customerZone: null,
    shopZone: "America/New_York",
    orderedSinceStart: false,
    segments: new Set(),
    ...overrides,
  };
}

/** start: send → wait 60 min → second: send → end. */
const sendWaitSend = flow({
  start: "start",
  steps: [
    { id: "start", type: "send", template: "reminder", next: "wait" },
    { id: "wait", type: "wait", minutes: 60, next: "second" },
    { id: "second", type: "send", template: "reminder", next: null },
  ],
});

describe("advanceRun: waits", () => {
  it("stops at a wait with wakeAt and the next step set", () => {
    const definition = flow({
      start: "start",
      steps: [
        { id: "start", type: "wait", minutes: 60, next: "send" },
        { id: "send", type: "send", template: "reminder", next: null },
      ],
    });
    const result = advanceRun(run(), context(definition));
    expect(result.run.status).toBe("active");
    expect(result.run.stepId).toBe("send");
    expect(result.run.wakeAt?.toISOString()).toBe("2026-01-09T23:00:00.000Z");
    expect(result.run.endedAt).toBeNull();
    expect(result.sends).toEqual([]);
    expect(result.logs).toEqual([
      {
        seq: 1,
        stepId: "start",
        outcome: "waiting",
        detail: "2026-01-09T23:00:00.000Z",
        messageId: null,
        variant: null,
        at: now,
      },
    ]);
  });

  it("waits until a time of day in the shop's zone when the customer's is unknown", () => {
    const definition = flow({
      start: "start",
      steps: [{ id: "start", type: "wait", until: { time: "09:00", weekdays: [1, 2, 3, 4, 5] }, next: null }],
    });
    // Friday 17:00 in New York → Monday 09:00 EST.
    const shopZone = advanceRun(run(), context(definition, { customerZone: null }));
    expect(shopZone.run.wakeAt?.toISOString()).toBe("2026-01-12T14:00:00.000Z");
    // Friday 23:00 in Prague → Monday 09:00 CET.
    const customerZone = advanceRun(run(), context(definition, { customerZone: "Europe/Prague" }));
    expect(customerZone.run.wakeAt?.toISOString()).toBe("2026-01-12T08:00:00.000Z");
  });

  it("goes on from the step after the wait when woken", () => {
    const result = advanceRun(run({ stepId: "second", steps: 2 }), context(sendWaitSend));
    expect(result.sends.map((send) => send.step.id)).toEqual(["second"]);
    expect(result.run.status).toBe("completed");
  });
});

describe("advanceRun: sends", () => {
  it("decides a send with a fresh message id and logs it as sent", () => {
    const result = advanceRun(run(), context(sendWaitSend));
    expect(result.sends).toHaveLength(1);
    const [send] = result.sends;
    expect(send?.messageId).toMatch(uuid);
    expect(send?.step).toEqual({
      id: "start",
      type: "send",
      template: "reminder",
      purpose: "marketing",
      next: "wait",
    });
    expect(result.logs[0]).toMatchObject({
      seq: 1,
      stepId: "start",
      outcome: "sent",
      messageId: send?.messageId,
    });
    expect(send?.seq).toBe(1);
    // Then it stops at the wait.
    expect(result.logs[1]).toMatchObject({ seq: 2, stepId: "wait", outcome: "waiting" });
    expect(result.run.stepId).toBe("second");

    const again = advanceRun(run(), context(sendWaitSend));
    expect(again.sends[0]?.messageId).toMatch(uuid);
    expect(again.sends[0]?.messageId).not.toBe(send?.messageId);
  });

  it("holds the control group out: it walks the flow but nothing is sent", () => {
    const result = advanceRun(run({ runGroup: "control" }), context(sendWaitSend));
    expect(result.sends).toEqual([]);
    expect(result.logs.map((entry) => [entry.stepId, entry.outcome, entry.messageId])).toEqual([
      ["start", "held_out", null],
      ["wait", "waiting", null],
    ]);
    expect(result.run.stepId).toBe("second");
    expect(result.run.status).toBe("active");
  });

  it("exits before a send when the flow's filters no longer hold", () => {
    const definition = flow({
      filters: [{ kind: "profile", field: "countryCode", operator: "equals", value: "CZ" }],
      start: "start",
      steps: [
        { id: "start", type: "points", points: 10, next: "send" },
        { id: "send", type: "send", template: "reminder", next: null },
      ],
    });
    const matching = advanceRun(run(), context(definition));
    expect(matching.sends).toHaveLength(1);
    expect(matching.run.status).toBe("completed");

    for (const runGroup of ["treatment", "control"]) {
      const moved = advanceRun(
        run({ runGroup }),
        context(definition, { profile: { ...profile, countryCode: "US" } }),
      );
      expect(moved.sends).toEqual([]);
      expect(moved.run.status).toBe("exited");
      expect(moved.run.exitReason).toBe("no longer matches the flow's filters");
      expect(moved.run.wakeAt).toBeNull();
      expect(moved.run.endedAt).toEqual(now);
      expect(moved.logs.map((entry) => [entry.stepId, entry.outcome, entry.detail])).toEqual([
        ["start", "points", "10"],
        ["send", "filtered", "no longer matches the flow's filters"],
      ]);
    }
  });
});

describe("advanceRun: purchases and a customer who is gone", () => {
  it("exits with 'placed an order' when the customer ordered and the flow exits on purchase", () => {
    const result = advanceRun(run(), context(sendWaitSend, { orderedSinceStart: true }));
    expect(sendWaitSend.exitOnPurchase).toBe(true);
    expect(result.sends).toEqual([]);
    expect(result.run.status).toBe("exited");
    expect(result.run.exitReason).toBe("placed an order");
    expect(result.run.wakeAt).toBeNull();
    expect(result.run.endedAt).toEqual(now);
    expect(result.logs).toEqual([
      {
        seq: 1,
        stepId: "start",
        outcome: "exited",
        detail: "placed an order",
        messageId: null,
        variant: null,
        at: now,
      },
    ]);
  });

  it("continues after a purchase when the flow does not exit on purchase", () => {
    const definition = flow({
      exitOnPurchase: false,
      start: "start",
      steps: [{ id: "start", type: "send", template: "reminder", next: null }],
    });
    const result = advanceRun(run(), context(definition, { orderedSinceStart: true }));
    expect(result.sends).toHaveLength(1);
    expect(result.run.status).toBe("completed");
    expect(result.run.exitReason).toBeNull();
  });

  it("exits when the customer no longer exists", () => {
    const result = advanceRun(run(), context(sendWaitSend, { profile: null }));
    expect(result.sends).toEqual([]);
    expect(result.run.status).toBe("exited");
    expect(result.run.exitReason).toBe("the customer no longer exists");
    expect(result.run.wakeAt).toBeNull();
    expect(result.run.endedAt).toEqual(now);
    expect(result.logs).toHaveLength(1);
    expect(result.logs[0]).toMatchObject({
      seq: 1,
      stepId: "start",
      outcome: "exited",
      detail: "the customer no longer exists",
    });
  });
});

describe("advanceRun: conditions, splits, points, exit, the end", () => {
  const branching = flow({
    start: "start",
    steps: [
      {
        id: "start",
        type: "condition",
        condition: { kind: "event", property: "cart.totalMinor", operator: "at_least", value: 5_000 },
        yes: "big",
        no: "small",
      },
      { id: "big", type: "send", template: "reminder", next: null },
      { id: "small", type: "points", points: 50, next: null },
    ],
  });

  it("routes a condition that holds to 'yes'", () => {
    const result = advanceRun(run(), context(branching));
    expect(result.logs.map((entry) => [entry.stepId, entry.outcome])).toEqual([
      ["start", "yes"],
      ["big", "sent"],
      ["", "completed"],
    ]);
    expect(result.sends.map((send) => send.step.id)).toEqual(["big"]);
    expect(result.points).toEqual([]);
  });

  it("routes a condition that does not hold to 'no'", () => {
    const small = run();
    small.trigger = { ...small.trigger, payload: { cart: { totalMinor: 1_000 } } };
    const result = advanceRun(small, context(branching));
    expect(result.logs.map((entry) => [entry.stepId, entry.outcome])).toEqual([
      ["start", "no"],
      ["small", "points"],
      ["", "completed"],
    ]);
    expect(result.sends).toEqual([]);
  });

  it("routes on the customer's profile and on 'ordered since start'", () => {
    const definition = flow({
      exitOnPurchase: false,
      start: "start",
      steps: [
        {
          id: "start",
          type: "condition",
          condition: { kind: "has_ordered_since_start" },
          yes: "thanks",
          no: "vip",
        },
        { id: "thanks", type: "points", points: 5, next: null },
        {
          id: "vip",
          type: "condition",
          condition: { kind: "profile", field: "tags", operator: "contains", value: "VIP" },
          yes: "send",
          no: null,
        },
        { id: "send", type: "send", template: "reminder", next: null },
      ],
    });
    const ordered = advanceRun(run(), context(definition, { orderedSinceStart: true }));
    expect(ordered.logs.map((entry) => entry.outcome)).toEqual(["yes", "points", "completed"]);
    const vip = advanceRun(run(), context(definition));
    expect(vip.logs.map((entry) => entry.outcome)).toEqual(["no", "yes", "sent", "completed"]);
    const other = advanceRun(run(), context(definition, { profile: { ...profile, tags: "" } }));
    expect(other.logs.map((entry) => entry.outcome)).toEqual(["no", "no", "completed"]);
  });

  const split = flow({
    start: "start",
    steps: [
      {
        id: "start",
        type: "split",
        variants: [
          { id: "A", weight: 1, next: "a" },
          { id: "B", weight: 1, next: "b" },
        ],
      },
      { id: "a", type: "wait", minutes: 10, next: null },
      { id: "b", type: "wait", minutes: 20, next: null },
    ],
  });
  const splitStep = split.steps[0];
  if (splitStep?.type !== "split") throw new Error("the split step is first");

  it("keeps an existing variant choice from run.variants", () => {
    for (const [kept, next, wake] of [
      ["A", null, "2026-01-09T22:10:00.000Z"],
      ["B", null, "2026-01-09T22:20:00.000Z"],
    ] as const) {
      for (let index = 0; index < 20; index += 1) {
        const input = run({ customerId: `customer-${index}`, variants: { start: kept } });
        const result = advanceRun(input, context(split));
        expect(result.run.variants).toEqual({ start: kept });
        expect(result.logs[0]).toMatchObject({ stepId: "start", outcome: "variant", variant: kept });
        expect(result.run.stepId).toBe(next);
        expect(result.run.wakeAt?.toISOString()).toBe(wake);
      }
    }
  });

  it("chooses the sticky variant when none is kept (or the kept one is not in the step)", () => {
    for (let index = 0; index < 20; index += 1) {
      const customerId = `customer-${index}`;
      const expected = chooseVariant(splitStep.variants, "f", "start", customerId).id;
      for (const variants of [{}, { start: "gone" }] as Record<string, string>[]) {
        const input = run({ customerId, variants });
        const result = advanceRun(input, context(split));
        expect(result.run.variants).toEqual({ start: expected });
        expect(result.logs[0]?.variant).toBe(expected);
        // The caller's row is not changed.
        expect(input.variants).toEqual(variants);
      }
    }
  });

  it("decides points with the step's reason (default 'Flow reward')", () => {
    const definition = flow({
      start: "start",
      steps: [
        { id: "start", type: "points", points: 100, reason: "Thanks for your review", next: "more" },
        { id: "more", type: "points", points: 5, next: null },
      ],
    });
    const result = advanceRun(run(), context(definition));
    expect(result.points).toEqual([
      { stepId: "start", seq: 1, points: 100, reason: "Thanks for your review" },
      { stepId: "more", seq: 2, points: 5, reason: "Flow reward" },
    ]);
    expect(result.logs.slice(0, 2).map((entry) => [entry.stepId, entry.outcome, entry.detail])).toEqual([
      ["start", "points", "100"],
      ["more", "points", "5"],
    ]);
    expect(result.sends).toEqual([]);
  });

  it("ends the run at an exit step", () => {
    const definition = flow({
      start: "start",
      steps: [
        { id: "start", type: "send", template: "reminder", next: "stop" },
        { id: "stop", type: "exit" },
      ],
    });
    const result = advanceRun(run(), context(definition));
    expect(result.sends).toHaveLength(1);
    expect(result.run.status).toBe("exited");
    expect(result.run.exitReason).toBe("exit step");
    expect(result.run.stepId).toBeNull();
    expect(result.run.wakeAt).toBeNull();
    expect(result.run.endedAt).toEqual(now);
    expect(result.logs.at(-1)).toMatchObject({
      seq: 2,
      stepId: "stop",
      outcome: "exited",
      detail: "exit step",
    });
  });

  it("completes at the end of the flow", () => {
    const result = advanceRun(run({ stepId: "second", steps: 2 }), context(sendWaitSend));
    expect(result.run.status).toBe("completed");
    expect(result.run.stepId).toBeNull();
    expect(result.run.wakeAt).toBeNull();
    expect(result.run.exitReason).toBeNull();
    expect(result.run.endedAt).toEqual(now);
    expect(result.logs.map((entry) => [entry.seq, entry.outcome])).toEqual([
      [3, "sent"],
      [4, "completed"],
    ]);
  });

  it("numbers log entries by one from run.steps + 1, and sends and points carry their entry's seq", () => {
    const definition = flow({
      start: "start",
      steps: [
        { id: "start", type: "points", points: 10, next: "check" },
        {
          id: "check",
          type: "condition",
          condition: { kind: "profile", field: "ordersCount", operator: "at_least", value: 1 },
          yes: "send",
          no: null,
        },
        { id: "send", type: "send", template: "reminder", next: "wait" },
        { id: "wait", type: "wait", minutes: 30, next: "again" },
        { id: "again", type: "send", template: "reminder", next: null },
      ],
    });
    const input = run({ steps: 7 });
    const first = advanceRun(input, context(definition));
    expect(first.logs.map((entry) => entry.seq)).toEqual([8, 9, 10, 11]);
    expect(first.run.steps).toBe(11);
    expect(first.points[0]?.seq).toBe(8);
    expect(first.sends[0]?.seq).toBe(10);
    expect(input.steps).toBe(7);

    const later = new Date(now.getTime() + 30 * 60_000);
    const second = advanceRun(first.run, context(definition, { now: later }));
    expect(second.logs.map((entry) => [entry.seq, entry.outcome])).toEqual([
      [12, "sent"],
      [13, "completed"],
    ]);
    expect(second.sends[0]?.seq).toBe(12);
    expect(second.logs.every((entry) => entry.at === later)).toBe(true);
  });
});

describe("orderEndsRun", () => {
  const since = new Date("2026-01-09T21:00:00Z");
  const keys: RunPurchaseKeys = {
    customerId: "customer-1",
    email: "Jana@Example.com",
    checkoutToken: "checkout-1",
    since,
    triggerOrderId: null,
  };
  const before = new Date(since.getTime() - 60_000);
  const after = new Date(since.getTime() + 60_000);

  function order(overrides: Partial<PurchaseCandidate>): PurchaseCandidate {
    return {
      id: "order-1",
      customerId: "customer-2",
      email: "someone@else.com",
      checkoutToken: "checkout-2",
      processedAt: after,
      ...overrides,
    };
  }

  it("ends the run on an order of its checkout, whenever it was placed", () => {
    expect(orderEndsRun(order({ checkoutToken: "checkout-1", processedAt: after }), keys)).toBe(true);
    expect(orderEndsRun(order({ checkoutToken: "checkout-1", processedAt: before }), keys)).toBe(true);
  });

  it("ends the run on an order by its customer only since `since`", () => {
    expect(orderEndsRun(order({ customerId: "customer-1", processedAt: after }), keys)).toBe(true);
    expect(orderEndsRun(order({ customerId: "customer-1", processedAt: since }), keys)).toBe(true);
    expect(orderEndsRun(order({ customerId: "customer-1", processedAt: before }), keys)).toBe(false);
  });

  it("ends the run on an order by its e-mail (any case) only since `since`", () => {
    expect(orderEndsRun(order({ email: "jana@example.COM", processedAt: after }), keys)).toBe(true);
    expect(orderEndsRun(order({ email: "jana@example.com", processedAt: before }), keys)).toBe(false);
    expect(orderEndsRun(order({ email: "jana@example.com" }), { ...keys, email: null })).toBe(false);
    expect(orderEndsRun(order({ email: null }), keys)).toBe(false);
  });

  it("never ends a run on the order that started it", () => {
    const trigger = { ...keys, triggerOrderId: "order-1" };
    expect(
      orderEndsRun(
        order({
          id: "order-1",
          customerId: "customer-1",
          email: "jana@example.com",
          checkoutToken: "checkout-1",
        }),
        trigger,
      ),
    ).toBe(false);
    expect(orderEndsRun(order({ id: "order-2", customerId: "customer-1" }), trigger)).toBe(true);
  });

  it("does not end the run on another customer's order", () => {
    expect(orderEndsRun(order({}), keys)).toBe(false);
    expect(orderEndsRun(order({ customerId: null, email: null, checkoutToken: null }), keys)).toBe(false);
    // No checkout on either side is not a match.
    expect(orderEndsRun(order({ checkoutToken: null }), { ...keys, checkoutToken: null })).toBe(false);
  });
});

describe("advanceRun at a discount step", () => {
  const definition = flow({
    start: "offer",
    steps: [
      {
        id: "offer",
        type: "discount",
        benefit: { kind: "free_shipping" },
        expiresAfterDays: 2,
        prefix: "SHIP",
        next: "send",
      },
      { id: "send", type: "send", template: "reminder", next: null },
    ],
  });

  it("records the code it chose and sleeps until the job has created it", () => {
    const result = advanceRun(run({ stepId: "offer" }), context(definition));
    const state = result.run.discounts?.offer;
    expect(state).toMatchObject({ status: "pending", discountId: null, error: null });
    expect(state?.code).toMatch(/^SHIP-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(state?.expiresAt).toBe(new Date(now.getTime() + 2 * 86_400_000).toISOString());
    expect(result.discounts).toEqual([{ stepId: "offer", seq: 1, code: state?.code }]);
    expect(result.run).toMatchObject({ stepId: "offer", wakeAt: null, status: "active" });
    expect(result.sends).toEqual([]);
    expect(result.logs.map((log) => log.outcome)).toEqual(["discount_requested"]);
    // Woken while still pending (it should not be): it asks for nothing new and sleeps again.
    const again = advanceRun(result.run, context(definition));
    expect(again.discounts).toEqual([]);
    expect(again.logs).toEqual([]);
    expect(again.run.wakeAt).toBeNull();
  });

  it("goes on to the next step once the code exists, and leaves the flow when it could not be created", () => {
    const pending = { code: "SHIP-AAAA-BBBB", discountId: null, expiresAt: now.toISOString(), error: null };
    const created = advanceRun(
      run({
        stepId: "offer",
        steps: 1,
        discounts: { offer: { ...pending, status: "created", discountId: "gid://1" } },
      }),
      context(definition),
    );
    expect(created.logs.map((log) => `${log.seq}:${log.outcome}:${log.detail ?? ""}`)).toEqual([
      "2:discount:SHIP-AAAA-BBBB",
      "3:sent:",
      "4:completed:",
    ]);
    const failed = advanceRun(
      run({
        stepId: "offer",
        steps: 1,
        discounts: { offer: { ...pending, status: "failed", error: "refused" } },
      }),
      context(definition),
    );
    expect(failed.run).toMatchObject({ status: "exited" });
    expect(failed.run.exitReason).toMatch(/could not be created: refused/);
    expect(failed.sends).toEqual([]);
  });

  it("gives the control group no code", () => {
    const result = advanceRun(run({ stepId: "offer", runGroup: "control" }), context(definition));
    expect(result.discounts).toEqual([]);
    expect(result.logs.map((log) => log.outcome)).toEqual(["held_out", "held_out", "completed"]);
  });
});
