// The flows JSON API through the built production server in demo mode (admin open on loopback):
// GET /api/flows, /api/flows/:id, /api/flows/:id/runs and /api/messages answer JSON that is never
// cached, 404 for another shop's flow, and 400 naming the parameter for a bad query.
// Needs `npm run build` first.
import type { Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { createFlow, saveFlowVersion } from "../../app/flows/flows";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { startWebServer, type RunningProcess } from "../support/processes";
import { createDemoSession, demoShop, startDemoServer } from "../support/demo-admin";

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

const definition = (subject: string) => ({
  trigger: { event: "checkout.updated" },
  templates: { t1: { versions: { en: { email: { subject, html: "<p>h</p>", text: "t" } } } } },
  start: "s1",
  steps: [{ id: "s1", type: "send", template: "t1", next: null }],
});

describe(`flows JSON API on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let server: RunningProcess & { baseUrl: string };
  let shop: Shop;
  let other: Shop;
  let flowId = "";
  let otherFlowId = "";
  const now = Date.now();
  // Inside the default period (the 30 days before now, by the server's clock).
  const sentAt = new Date(now - 3 * day);

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    await createDemoSession(db);
    shop = await db.shop.create({ data: { domain: demoShop, currency: "CZK" } });
    other = await db.shop.create({ data: { domain: "someone-else.myshopify.com" } });

    const created = new Date(now - 10 * day);
    const flow = await createFlow(db, {
      shopId: shop.id,
      name: "Abandoned checkout",
      definition: definition("v1"),
      staff: "owner@demo",
      now: created,
    });
    await saveFlowVersion(db, {
      shopId: shop.id,
      flowId: flow.id,
      definition: definition("v2"),
      staff: "editor@demo",
      now: new Date(now - 9 * day),
    });
    flowId = flow.id;
    otherFlowId = (
      await createFlow(db, {
        shopId: other.id,
        name: "Not yours",
        definition: definition("x"),
        staff: "x",
        now: created,
      })
    ).id;

    // Three runs (one in the control group); one message each for the treatment runs; one order.
    for (const [index, group] of (["treatment", "treatment", "control"] as const).entries()) {
      const customer = await db.customer.create({
        data: { shopId: shop.id, shopifyId: String(100 + index) },
      });
      const startedAt = new Date(sentAt.getTime() - (3 - index) * minute);
      const run = await db.flowRun.create({
        data: {
          shopId: shop.id,
          flowId,
          version: 2,
          customerId: customer.id,
          triggerKey: `checkout-${index}`,
          trigger: { event: "checkout.updated" },
          variants: {},
          runGroup: group,
          status: "completed",
          since: startedAt,
          startedAt,
          updatedAt: startedAt,
          endedAt: sentAt,
          steps: 2,
          checkoutToken: `checkout-${index}`,
        },
      });
      const messageId = `api-msg-${index}`;
      if (group === "treatment") {
        await db.message.create({
          data: {
            id: messageId,
            shopId: shop.id,
            customerId: customer.id,
            idempotencyKey: messageId,
            flowId,
            flowRunId: run.id,
            flowStepId: "s1",
            purpose: "marketing",
            channelOrder: "whatsapp,email",
            content: {},
            status: "delivered",
            channel: "whatsapp",
            scheduledFor: sentAt,
            createdAt: new Date(sentAt.getTime() + index),
            sentAt,
            deliveredAt: sentAt,
            costMicros: 41_200n,
            costCurrency: "EUR",
          },
        });
      }
      await db.flowStepLog.createMany({
        data: [
          group === "treatment"
            ? {
                shopId: shop.id,
                flowId,
                runId: run.id,
                seq: 1,
                stepId: "s1",
                outcome: "sent",
                messageId,
                at: sentAt,
              }
            : {
                shopId: shop.id,
                flowId,
                runId: run.id,
                seq: 1,
                stepId: "s1",
                outcome: "held_out",
                at: sentAt,
              },
          { shopId: shop.id, flowId, runId: run.id, seq: 2, stepId: "s1", outcome: "completed", at: sentAt },
        ],
      });
      if (index === 0) {
        await db.order.create({
          data: {
            shopId: shop.id,
            shopifyId: "9001",
            customerId: customer.id,
            name: "#9001",
            currency: "CZK",
            subtotalMinor: 125_000n,
            totalMinor: 130_000n,
            refundedMinor: 25_000n,
            checkoutToken: "checkout-0",
            processedAt: new Date(sentAt.getTime() + hour),
            shopifyUpdatedAt: new Date(sentAt.getTime() + hour),
          },
        });
      }
    }
    // Another shop's message must not be listed.
    const stranger = await db.customer.create({ data: { shopId: other.id, shopifyId: "1" } });
    await db.message.create({
      data: {
        id: "other-shop-message",
        shopId: other.id,
        customerId: stranger.id,
        idempotencyKey: "other",
        flowId: otherFlowId,
        purpose: "marketing",
        channelOrder: "email",
        content: {},
        scheduledFor: sentAt,
      },
    });

    server = await startDemoServer(database.url);
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  async function get(
    path: string,
  ): Promise<{ status: number; body: Record<string, unknown>; cache: string | null; type: string | null }> {
    const response = await fetch(`${server.baseUrl}${path}`, { redirect: "manual" });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new Error(
        `${path}: ${response.status} is not JSON: ${text.slice(0, 300)}\n${server.output().slice(-2000)}`,
      );
    }
    return {
      status: response.status,
      body,
      cache: response.headers.get("cache-control"),
      type: response.headers.get("content-type"),
    };
  }

  it("GET /api/flows lists the shop's flows with their figures for the last 30 days", async () => {
    const answer = await get("/api/flows");
    expect(answer.status).toBe(200);
    expect(answer.cache).toBe("no-store");
    expect(answer.type).toMatch(/^application\/json/);
    expect(answer.body.currency).toBe("CZK");
    expect(answer.body.attribution).toEqual({ windowMinutes: 7200, basis: "send" });
    const period = answer.body.period as { from: string; to: string };
    expect(Date.parse(period.to) - Date.parse(period.from)).toBe(30 * day);
    expect(answer.body.flows).toEqual([
      expect.objectContaining({
        id: flowId,
        name: "Abandoned checkout",
        status: "draft",
        triggerEvent: "checkout.updated",
        currentVersion: 2,
        recipients: 3,
        sent: 2,
        conversions: 1,
        revenueMinor: 100_000,
      }),
    ]);

    // An explicit period before anything happened: the flow, with nothing in it.
    const empty = await get("/api/flows?from=2020-01-01&to=2020-02-01");
    expect(empty.status).toBe(200);
    expect(empty.body.period).toEqual({ from: "2020-01-01T00:00:00.000Z", to: "2020-02-01T00:00:00.000Z" });
    expect(empty.body.flows).toEqual([
      expect.objectContaining({ id: flowId, recipients: 0, conversions: 0 }),
    ]);
  });

  it("GET /api/flows/:id has the definition, versions, changes, results and control report", async () => {
    const answer = await get(`/api/flows/${flowId}`);
    expect(answer.status).toBe(200);
    expect(answer.cache).toBe("no-store");
    const body = answer.body as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(body.definition.templates.t1.versions.en.email.subject).toBe("v2");
    expect(body.versions).toEqual([
      { version: 2, createdBy: "editor@demo", createdAt: expect.any(String) },
      { version: 1, createdBy: "owner@demo", createdAt: expect.any(String) },
    ]);
    expect(body.changes.map((change: { action: string }) => change.action)).toEqual(["edited", "created"]);
    expect(body.changes[0]).toMatchObject({ staff: "editor@demo", version: 2 });
    expect(body.results.totals).toEqual({
      recipients: 3,
      sent: 2,
      delivered: 2,
      opened: 0,
      clicked: 0,
      converted: 1,
      revenueMinor: 100_000,
      recoveredCheckouts: 1,
    });
    expect(body.results.steps).toEqual([
      expect.objectContaining({
        stepId: "s1",
        type: "send",
        recipients: 3,
        sent: 2,
        converted: 1,
        outcomes: { sent: 2, held_out: 1, completed: 3 },
      }),
    ]);
    expect(body.control).toMatchObject({
      enoughData: false,
      treatment: { recipients: 2, conversions: 1, revenueMinor: 100_000 },
      control: { recipients: 1, conversions: 0, revenueMinor: 0 },
      lift: null,
      liftInterval: null,
      incrementalRevenueMinor: null,
    });
    expect(body.control.reason).toMatch(/^not enough data yet: /);
  });

  it("GET /api/flows/:id/runs pages through the runs, newest first", async () => {
    const first = await get(`/api/flows/${flowId}/runs?limit=2`);
    expect(first.status).toBe(200);
    expect(first.cache).toBe("no-store");
    const runs = first.body.runs as {
      id: string;
      group: string;
      status: string;
      steps: { outcome: string }[];
      stepsTaken: number;
    }[];
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatchObject({
      group: "control",
      status: "completed",
      stepsTaken: 2,
      variants: {},
      wakeAt: null,
    });
    expect(runs[0]!.steps.map((step) => step.outcome)).toEqual(["held_out", "completed"]);
    expect(typeof first.body.nextCursor).toBe("string");
    const rest = await get(`/api/flows/${flowId}/runs?limit=2&cursor=${first.body.nextCursor as string}`);
    expect(rest.status).toBe(200);
    expect((rest.body.runs as unknown[]).length).toBe(1);
    expect(rest.body.nextCursor).toBeNull();
    const active = await get(`/api/flows/${flowId}/runs?status=active`);
    expect(active.body.runs).toEqual([]);
  });

  it("GET /api/messages lists the shop's messages with flow, step, times and cost", async () => {
    const answer = await get("/api/messages?limit=10");
    expect(answer.status).toBe(200);
    expect(answer.cache).toBe("no-store");
    const messages = answer.body.messages as Record<string, unknown>[];
    expect(messages.map((message) => message.id)).toEqual(["api-msg-1", "api-msg-0"]);
    expect(messages[0]).toMatchObject({
      status: "delivered",
      channel: "whatsapp",
      flowId,
      flowName: "Abandoned checkout",
      stepId: "s1",
      costMicros: 41_200,
      costCurrency: "EUR",
      sentAt: sentAt.toISOString(),
    });
    expect(answer.body.nextCursor).toBeNull();
    const paged = await get("/api/messages?limit=1");
    expect((paged.body.messages as unknown[]).length).toBe(1);
    const second = await get(`/api/messages?limit=1&cursor=${paged.body.nextCursor as string}`);
    expect((second.body.messages as { id: string }[])[0]?.id).toBe("api-msg-0");
    expect((await get(`/api/messages?flowId=${otherFlowId}`)).body.messages).toEqual([]);
  });

  it("answers 404 for another shop's flow or one that does not exist", async () => {
    for (const path of [
      `/api/flows/${otherFlowId}`,
      `/api/flows/${otherFlowId}/runs`,
      "/api/flows/no-such-flow",
    ]) {
      const answer = await get(path);
      expect(answer.status, path).toBe(404);
      expect(answer.body.error).toBe("not_found");
      expect(answer.cache).toBe("no-store");
    }
  });

  it("answers 400 naming the parameter for a bad query", async () => {
    const cases: [string, RegExp][] = [
      ["/api/flows?from=yesterday", /^from: must be an ISO 8601 date/],
      ["/api/flows?from=2026-02-30", /^from: must be an ISO 8601 date/],
      ["/api/flows?from=2026-12-01&to=2026-11-01", /from must be before to/],
      ["/api/flows?from=2020-01-01&to=2026-01-01", /at most 731 days/],
      [`/api/flows/${flowId}?to=31.12.2026`, /^to: /],
      [`/api/flows/${flowId}/runs?status=sleeping`, /^status: /],
      [`/api/flows/${flowId}/runs?limit=0`, /^limit: must be a whole number from 1 to 100/],
      [`/api/flows/${flowId}/runs?limit=1000`, /^limit: /],
      [`/api/flows/${flowId}/runs?cursor=bm90LWEtY3Vyc29y`, /^cursor: is not a cursor this API handed out/],
      ["/api/messages?limit=ten", /^limit: /],
      ["/api/messages?status=lost", /^status: /],
    ];
    for (const [path, message] of cases) {
      const answer = await get(path);
      expect(answer.status, path).toBe(400);
      expect(answer.body.error, path).toBe("bad_request");
      expect(answer.body.message, path).toMatch(message);
    }
  });
});

describe(`flows JSON API outside demo mode (${testProvider})`, () => {
  let database: TestDatabase;
  let server: RunningProcess & { baseUrl: string };
  const browser =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startWebServer({ DATABASE_URL: database.url });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("needs the admin session: no data without a valid session token", async () => {
    for (const path of ["/api/flows", "/api/flows/some-flow", "/api/flows/some-flow/runs", "/api/messages"]) {
      // No session token (not from the embedded admin): sent to the login page.
      const anonymous = await fetch(`${server.baseUrl}${path}`, {
        redirect: "manual",
        headers: { "user-agent": browser },
      });
      expect(anonymous.status, path).toBe(302);
      expect(anonymous.headers.get("location"), path).toContain("/auth/login");
      // A session token that does not verify: 401, App Bridge's cue to fetch a fresh one.
      const forged = await fetch(`${server.baseUrl}${path}`, {
        redirect: "manual",
        headers: { "user-agent": browser, authorization: "Bearer not-a-session-token" },
      });
      expect(forged.status, path).toBe(401);
      expect(await forged.text(), path).not.toContain("flows");
    }
  });
});
