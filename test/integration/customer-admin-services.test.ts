// The customers admin's services on a real database (issue 18): the customers list's search,
// filters and keyset pages — never another shop's customers — the live count and saved counts of
// segments, and taking a customer out of a flow run (once, and never a run that moved on).
import type { Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerDetail, CustomerNotFoundError } from "../../app/customers/customer-detail";
import {
  CustomerListSegmentError,
  customerListQuery,
  listCustomers,
} from "../../app/customers/customer-list";
import { countSegmentForm, saveSegmentForm, segmentsWithCounts } from "../../app/customers/segment-admin";
import { segmentFormEntries } from "../../app/customers/segment-form";
import { listSegments, segmentCount } from "../../app/customers/segments";
import { testRecipientPrefix } from "../../app/customers/test-recipients";
import type { Database } from "../../app/db/client";
import { createFlow, setFlowStatus } from "../../app/flows/flows";
import { deleteSegmentNotInUse, SegmentInUseError } from "../../app/flows/segment-use";
import { FlowRunNotFoundError, removeCustomerFromRun } from "../../app/flows/run-removal";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";

const day = 86_400_000;
const now = new Date("2026-11-20T12:00:00Z");

const waitingFlow = {
  trigger: { event: "customer.created" },
  templates: { t1: { versions: { en: { email: { subject: "Hi", html: "<p>h</p>", text: "t" } } } } },
  start: "w1",
  steps: [
    { id: "w1", type: "wait", minutes: 60 * 24 * 7, next: "s1" },
    { id: "s1", type: "send", template: "t1", next: null },
  ],
};

describe(`customers admin services on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let shop: Shop;
  let other: Shop;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    shop = await db.shop.create({ data: { domain: "list.myshopify.com", currency: "CZK" } });
    other = await db.shop.create({ data: { domain: "other.myshopify.com", currency: "CZK" } });
    await db.loyaltyProgram.create({
      data: {
        shopId: shop.id,
        enabled: true,
        tierRules: {
          metric: "points",
          period: "lifetime",
          graceDays: 0,
          tiers: [
            { id: "silver", name: "Silver", threshold: 0, earnMultiplierPercent: 100, perks: [] },
            { id: "gold", name: "Gold", threshold: 1000, earnMultiplierPercent: 150, perks: [] },
          ],
        },
      },
    });
    const people = [
      // key, first, last, email, phone, stage, rfm, band, emailConsent, smsConsent, tier
      [
        "jana",
        "Jana",
        "Nováková",
        "jana@example.cz",
        "+420601111222",
        "repeat",
        "champions",
        "high",
        "subscribed",
        "subscribed",
        "gold",
      ],
      [
        "petr",
        "Petr",
        "Svoboda",
        "petr@example.cz",
        "+420602333444",
        "at_risk",
        "at_risk",
        "medium",
        "subscribed",
        "not_subscribed",
        "silver",
      ],
      [
        "eva",
        "Eva",
        "Dvořáková",
        "EVA@Example.com",
        null,
        "one_time",
        "new",
        "low",
        "unsubscribed",
        "not_subscribed",
        null,
      ],
      [
        "karel",
        "Karel",
        "Novák",
        "karel@example.cz",
        "+420603555666",
        "lapsed",
        "lost",
        "low",
        "not_subscribed",
        "subscribed",
        "none",
      ],
      [
        "lead",
        null,
        null,
        "lead_100%@example.cz",
        null,
        "lead",
        null,
        null,
        "pending",
        "not_subscribed",
        null,
      ],
    ] as const;
    for (const [
      index,
      [key, firstName, lastName, email, phone, stage, rfm, band, emailConsent, smsConsent, tier],
    ] of people.entries()) {
      const customer = await db.customer.create({
        data: {
          shopId: shop.id,
          shopifyId: `c-${key}`,
          firstName,
          lastName,
          email,
          phone,
          lifecycleStage: stage,
          rfmSegment: rfm,
          valueBand: band,
          emailConsent,
          smsConsent,
          ordersCount: index,
          totalSpentMinor: BigInt(index * 100_000),
          currency: "CZK",
          createdAt: new Date(now.getTime() - (10 - index) * day),
        },
      });
      ids[key] = customer.id;
      if (tier !== null)
        await db.loyaltyMember.create({
          data: {
            shopId: shop.id,
            customerId: customer.id,
            pointsBalance: 1200n,
            tierId: tier === "none" ? null : tier,
          },
        });
    }
    // A deleted customer of the shop and a look-alike of another shop: never listed.
    await db.customer.create({
      data: {
        shopId: shop.id,
        shopifyId: "c-gone",
        firstName: "Jana",
        email: "gone@example.cz",
        deletedAt: now,
      },
    });
    ids.stranger = (
      await db.customer.create({
        data: {
          shopId: other.id,
          shopifyId: "c-jana",
          firstName: "Jana",
          lastName: "Nováková",
          email: "jana@example.cz",
          lifecycleStage: "repeat",
          rfmSegment: "champions",
          valueBand: "high",
          emailConsent: "subscribed",
        },
      })
    ).id;
  });

  afterAll(async () => {
    await database?.drop();
  });

  async function names(query: Record<string, string>, shopId = shop.id): Promise<string[]> {
    const page = await listCustomers(db, shopId, customerListQuery.parse(query), now);
    return page.customers.map((customer) => customer.email ?? "");
  }

  it("lists the shop's live customers newest first, with their loyalty membership", async () => {
    const page = await listCustomers(db, shop.id, customerListQuery.parse({}), now);
    expect(page.customers.map((customer) => customer.id)).toEqual([
      ids.lead,
      ids.karel,
      ids.eva,
      ids.petr,
      ids.jana,
    ]);
    expect(page.customers[4]).toMatchObject({
      firstName: "Jana",
      lifecycleStage: "repeat",
      totalSpentMinor: 0,
      loyalty: { tierId: "gold", pointsBalance: 1200 },
    });
    expect(page.customers[2]?.loyalty).toBeNull();
    expect(page.nextCursor).toBeNull();
    expect(page.previousCursor).toBeNull();
    // The other shop sees only its own customer.
    expect(
      (await listCustomers(db, other.id, customerListQuery.parse({}), now)).customers.map((c) => c.id),
    ).toEqual([ids.stranger]);
  });

  it("searches by name, e-mail and phone (case, spaces and LIKE wildcards as typed)", async () => {
    expect(await names({ q: "novák" })).toEqual(["karel@example.cz", "jana@example.cz"]);
    expect(await names({ q: "Jana Nováková" })).toEqual(["jana@example.cz"]);
    expect(await names({ q: "eva@example" })).toEqual(["EVA@Example.com"]);
    expect(await names({ q: "+420 602 333" })).toEqual(["petr@example.cz"]);
    expect(await names({ q: "100%" })).toEqual(["lead_100%@example.cz"]);
    // "_" and "%" are not wildcards: "a_1" does not match "lead_100%…" by any letter.
    expect(await names({ q: "d_1%" })).toEqual([]);
    expect(await names({ q: "%" })).toEqual(["lead_100%@example.cz"]);
    // The deleted Jana and the other shop's Jana are never found.
    expect(await names({ q: "jana" })).toEqual(["jana@example.cz"]);
  });

  it("filters by lifecycle, RFM segment, value band, consent per channel, membership and tier", async () => {
    expect(await names({ lifecycle: "at_risk" })).toEqual(["petr@example.cz"]);
    expect(await names({ rfm: "champions" })).toEqual(["jana@example.cz"]);
    expect(await names({ value: "low" })).toEqual(["karel@example.cz", "EVA@Example.com"]);
    expect(await names({ email: "subscribed" })).toEqual(["petr@example.cz", "jana@example.cz"]);
    expect(await names({ email: "subscribed", sms: "subscribed" })).toEqual(["jana@example.cz"]);
    expect(await names({ whatsapp: "subscribed" })).toEqual([]);
    expect(await names({ membership: "member" })).toEqual([
      "karel@example.cz",
      "petr@example.cz",
      "jana@example.cz",
    ]);
    expect(await names({ membership: "not_member" })).toEqual(["lead_100%@example.cz", "EVA@Example.com"]);
    expect(await names({ tier: "silver" })).toEqual(["petr@example.cz"]);
    expect(await names({ tier: "gold", q: "jana", lifecycle: "repeat" })).toEqual(["jana@example.cz"]);
    // Another shop with the same filters sees only its own.
    expect(await names({ rfm: "champions" }, other.id)).toEqual(["jana@example.cz"]);
    expect(customerListQuery.safeParse({ lifecycle: "sleeping" }).success).toBe(false);
    expect(customerListQuery.safeParse({ limit: "1000" }).success).toBe(false);
    expect(customerListQuery.safeParse({ after: "not-a-cursor" }).success).toBe(false);
  });

  it("pages forward and back by cursor, at most `limit` a page", async () => {
    const first = await listCustomers(db, shop.id, customerListQuery.parse({ limit: "2" }), now);
    expect(first.customers.map((c) => c.id)).toEqual([ids.lead, ids.karel]);
    expect(first.previousCursor).toBeNull();
    const second = await listCustomers(
      db,
      shop.id,
      customerListQuery.parse({ limit: "2", after: first.nextCursor ?? "" }),
      now,
    );
    expect(second.customers.map((c) => c.id)).toEqual([ids.eva, ids.petr]);
    const third = await listCustomers(
      db,
      shop.id,
      customerListQuery.parse({ limit: "2", after: second.nextCursor ?? "" }),
      now,
    );
    expect(third.customers.map((c) => c.id)).toEqual([ids.jana]);
    expect(third.nextCursor).toBeNull();
    const back = await listCustomers(
      db,
      shop.id,
      customerListQuery.parse({ limit: "2", before: third.previousCursor ?? "" }),
      now,
    );
    expect(back.customers.map((c) => c.id)).toEqual([ids.eva, ids.petr]);
    const start = await listCustomers(
      db,
      shop.id,
      customerListQuery.parse({ limit: "2", before: back.previousCursor ?? "" }),
      now,
    );
    expect(start.customers.map((c) => c.id)).toEqual([ids.lead, ids.karel]);
    expect(start.previousCursor).toBeNull();
  });

  it("counts a builder form live, saves it, lists it with its count and filters the list by it", async () => {
    const form = {
      name: "Subscribed regulars",
      match: "all",
      conditions: [
        { field: "emailConsent", operator: "is", values: ["subscribed"] },
        { field: "totalSpentMinor", operator: "gte", values: ["500"] },
      ],
    };
    // 500 CZK = 50 000 minor units: of the subscribed Petr (100 000) and Jana (0), Petr; with
    // "any", everyone who is subscribed or spent that much (all five).
    expect(await countSegmentForm(db, shop, segmentFormEntries(form), now)).toEqual({ ok: true, count: 1 });
    expect(await countSegmentForm(db, shop, segmentFormEntries({ ...form, match: "any" }), now)).toEqual({
      ok: true,
      count: 5,
    });
    const tiers = segmentFormEntries({
      ...form,
      name: "Gold or silver",
      conditions: [{ field: "loyaltyTier", operator: "is", values: ["gold", "silver"] }],
    });
    expect(await countSegmentForm(db, shop, tiers, now)).toEqual({ ok: true, count: 2 });

    const saved = await saveSegmentForm(db, shop, null, segmentFormEntries(form));
    if (!saved.ok) throw new Error(JSON.stringify(saved.errors));
    expect(saved.segment.definition.conditions[1]).toEqual({
      field: "totalSpentMinor",
      operator: "gte",
      value: 50_000,
    });
    expect(await names({ segment: saved.segment.id })).toEqual(["petr@example.cz"]);
    await expect(
      listCustomers(db, other.id, customerListQuery.parse({ segment: saved.segment.id }), now),
    ).rejects.toBeInstanceOf(CustomerListSegmentError);
    const tierSegment = await saveSegmentForm(db, shop, null, tiers);
    expect(tierSegment.ok).toBe(true);
    expect(
      (await segmentsWithCounts(db, shop.id, now)).map((segment) => [segment.name, segment.count]),
    ).toEqual([
      ["Gold or silver", 2],
      ["Subscribed regulars", 1],
    ]);
    expect(await segmentsWithCounts(db, other.id, now)).toEqual([]);
  });

  it("refuses a bad builder form naming each field, and saves nothing", async () => {
    const before = await listSegments(db, shop.id);
    const result = await saveSegmentForm(
      db,
      shop,
      null,
      segmentFormEntries({
        name: " ",
        match: "either",
        conditions: [
          { field: "lifecycleStage", operator: "is", values: [] },
          { field: "rfmRecency", operator: "gte", values: ["9"] },
          { field: "totalSpentMinor", operator: "gt", values: ["12.345"] },
          { field: "loyaltyTier", operator: "is", values: ["platinum"] },
          { field: "shoeSize", operator: "is", values: ["42"] },
        ],
      }),
    );
    expect(result).toEqual({
      ok: false,
      errors: [
        { field: "name", code: "nameMissing" },
        { field: "match", code: "matchInvalid" },
        { field: "conditions.0.value", code: "choicesMissing" },
        { field: "conditions.1.value", code: "numberInvalid", values: { max: 5 } },
        { field: "conditions.2.value", code: "amountInvalid", values: { currency: "CZK" } },
        { field: "conditions.3.value", code: "choiceInvalid", values: { value: "platinum" } },
        { field: "conditions.4.field", code: "fieldInvalid" },
      ],
    });
    const taken = await saveSegmentForm(
      db,
      shop,
      null,
      segmentFormEntries({
        name: "Subscribed regulars",
        match: "any",
        conditions: [{ field: "tags", operator: "has", values: ["vip"] }],
      }),
    );
    expect(taken).toEqual({ ok: false, errors: [{ field: "name", code: "nameTaken" }] });
    expect(await listSegments(db, shop.id)).toEqual(before);
  });

  describe("removing a customer from a flow run", () => {
    let flowId = "";
    const openRun = async (customerId: string, key: string, status = "active") =>
      (
        await db.flowRun.create({
          data: {
            shopId: shop.id,
            flowId,
            version: 1,
            customerId,
            triggerKey: key,
            trigger: {
              event: "customer.created",
              subjectId: customerId,
              occurredAt: now.toISOString(),
              orderId: null,
              checkoutId: null,
              payload: {},
            },
            variants: {},
            status,
            stepId: status === "completed" ? null : "s1",
            wakeAt: status === "completed" ? null : new Date(now.getTime() + day),
            since: now,
            startedAt: now,
            updatedAt: now,
            steps: 1,
            endedAt: status === "completed" ? now : null,
          },
        })
      ).id;

    beforeAll(async () => {
      flowId = (
        await createFlow(db, {
          shopId: shop.id,
          name: "Welcome",
          definition: waitingFlow,
          staff: "owner",
          now,
        })
      ).id;
    });

    it("ends an open run once with the reason, logs it and skips its queued message", async () => {
      const runId = await openRun(ids.jana!, "once");
      await db.message.create({
        data: {
          id: "queued-for-jana",
          shopId: shop.id,
          customerId: ids.jana!,
          idempotencyKey: "queued-for-jana",
          flowId,
          flowRunId: runId,
          flowStepId: "s1",
          purpose: "marketing",
          channelOrder: "email",
          content: {},
          scheduledFor: now,
        },
      });
      const input = {
        shopId: shop.id,
        customerId: ids.jana!,
        runId,
        staff: "owner@shop",
        reason: "asked us to stop",
        now,
      };
      expect(await removeCustomerFromRun(db, input)).toEqual({
        outcome: "removed",
        runId,
        exitReason: "removed by owner@shop: asked us to stop",
      });
      // Twice: one change.
      expect(
        await removeCustomerFromRun(db, { ...input, now: new Date(now.getTime() + 1000) }),
      ).toMatchObject({
        outcome: "already_ended",
        status: "exited",
      });
      const run = await db.flowRun.findUniqueOrThrow({ where: { id: runId } });
      expect(run).toMatchObject({
        status: "exited",
        exitReason: "removed by owner@shop: asked us to stop",
        wakeAt: null,
        steps: 2,
      });
      expect(run.endedAt?.toISOString()).toBe(now.toISOString());
      const logs = await db.flowStepLog.findMany({ where: { runId } });
      expect(logs.map((log) => [log.seq, log.outcome, log.detail])).toEqual([
        [2, "exited", "removed by owner@shop: asked us to stop"],
      ]);
      expect(await db.message.findUniqueOrThrow({ where: { id: "queued-for-jana" } })).toMatchObject({
        status: "skipped",
      });
      const detail = await customerDetail(db, shop.id, ids.jana!, "CZK");
      expect(detail.runs).toEqual([
        expect.objectContaining({ id: runId, flowName: "Welcome", status: "exited" }),
      ]);
    });

    it("leaves a run that already completed as it was", async () => {
      const runId = await openRun(ids.petr!, "done", "completed");
      const before = await db.flowRun.findUniqueOrThrow({ where: { id: runId } });
      expect(
        await removeCustomerFromRun(db, {
          shopId: shop.id,
          customerId: ids.petr!,
          runId,
          staff: "owner",
          reason: "",
          now,
        }),
      ).toEqual({ outcome: "already_ended", runId, status: "completed", exitReason: null });
      expect(await db.flowRun.findUniqueOrThrow({ where: { id: runId } })).toEqual(before);
      expect(await db.flowStepLog.count({ where: { runId } })).toBe(0);
    });

    it("ends a run held by a paused flow too", async () => {
      const runId = await openRun(ids.eva!, "held", "held");
      expect(
        await removeCustomerFromRun(db, {
          shopId: shop.id,
          customerId: ids.eva!,
          runId,
          staff: "owner",
          reason: "",
          now,
        }),
      ).toEqual({ outcome: "removed", runId, exitReason: "removed by owner" });
    });

    it("does not find another shop's run, or a run of another customer", async () => {
      const runId = await openRun(ids.karel!, "karel");
      await expect(
        removeCustomerFromRun(db, {
          shopId: other.id,
          customerId: ids.karel!,
          runId,
          staff: "x",
          reason: "",
          now,
        }),
      ).rejects.toBeInstanceOf(FlowRunNotFoundError);
      await expect(
        removeCustomerFromRun(db, {
          shopId: shop.id,
          customerId: ids.jana!,
          runId,
          staff: "x",
          reason: "",
          now,
        }),
      ).rejects.toBeInstanceOf(FlowRunNotFoundError);
      expect((await db.flowRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe("active");
    });
  });

  it("shows a customer's page only to their shop", async () => {
    const detail = await customerDetail(db, shop.id, ids.jana!, "CZK");
    expect(detail.profile).toMatchObject({ firstName: "Jana", lifecycleStage: "repeat", currency: "CZK" });
    expect(detail.loyalty).toMatchObject({ pointsBalance: 1200, tierName: "Gold" });
    await expect(customerDetail(db, other.id, ids.jana!, "CZK")).rejects.toBeInstanceOf(
      CustomerNotFoundError,
    );
  });

  it("keeps a segment a flow uses, naming the flow, and deletes it once the flow is archived", async () => {
    const segment = await db.segment.create({
      data: { shopId: shop.id, name: "Kept", definition: { match: "all", conditions: [] } },
    });
    const flow = await createFlow(db, {
      shopId: shop.id,
      name: "VIP thanks",
      definition: { ...waitingFlow, filters: [{ kind: "segment", segmentId: segment.id }] },
      staff: "owner",
      now,
    });
    const refused = await deleteSegmentNotInUse(db, shop.id, segment.id).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SegmentInUseError);
    expect((refused as SegmentInUseError).flowNames).toEqual(["VIP thanks"]);
    expect(await db.segment.count({ where: { id: segment.id } })).toBe(1);
    await setFlowStatus(db, { shopId: shop.id, flowId: flow.id, status: "archived", staff: "owner", now });
    await deleteSegmentNotInUse(db, shop.id, segment.id);
    expect(await db.segment.count({ where: { id: segment.id } })).toBe(0);
  });

  it("leaves the Flows editor's test recipients out of the list and of segment counts", async () => {
    const everyone = {
      match: "all" as const,
      conditions: [{ field: "lifecycleStage" as const, operator: "is" as const, value: "lead" as const }],
    };
    const before = {
      listed: (await listCustomers(db, shop.id, customerListQuery.parse({ q: "tester@" }), now)).customers
        .length,
      counted: await segmentCount(db, shop.id, everyone, now),
    };
    await db.customer.create({
      data: {
        shopId: shop.id,
        shopifyId: `${testRecipientPrefix}tester@merchant.example`,
        email: "tester@merchant.example",
        lifecycleStage: "lead",
        tags: "stayloop-test-recipient",
      },
    });
    expect(
      (await listCustomers(db, shop.id, customerListQuery.parse({ q: "tester@" }), now)).customers,
    ).toHaveLength(before.listed);
    expect(await segmentCount(db, shop.id, everyone, now)).toBe(before.counted);
  });
});
