// The customers admin's routes through the built production server (issue 18): in demo mode (admin
// open on loopback) every loader and action answers for the demo shop only — another shop's
// customer, run or segment is 404 and stays as it was — a bad segment form names its fields and
// saves nothing, the live count counts without saving; outside demo mode a visitor without a
// Shopify session is sent to the login page. Loader data is read with Remix's `_data` requests.
// Needs `npm run build` first.
import type { Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSegment } from "../../app/customers/segments";
import type { Database } from "../../app/db/client";
import { createFlow } from "../../app/flows/flows";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { startWebServer, type RunningProcess } from "../support/processes";
import { createDemoSession, demoShop, startDemoServer } from "../support/demo-admin";

const browser =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";
const day = 86_400_000;

const waitingFlow = {
  trigger: { event: "customer.created" },
  start: "wait",
  steps: [{ id: "wait", type: "wait", minutes: 60 * 24 * 30, next: null }],
};

const routes = {
  list: "routes/app.customers._index",
  customer: "routes/app.customers.$id",
  segments: "routes/app.customers.segments._index",
  newSegment: "routes/app.customers.segments.new",
  segment: "routes/app.customers.segments.$id",
  count: "routes/app.customers.segments.count",
};

describe(`customers admin routes in demo mode on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let server: RunningProcess & { baseUrl: string };
  let shop: Shop;
  let other: Shop;
  const ids: Record<string, string> = {};

  async function run(customerId: string, shopId: string, flowId: string, key: string): Promise<string> {
    const now = new Date();
    return (
      await db.flowRun.create({
        data: {
          shopId,
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
          stepId: null,
          wakeAt: new Date(now.getTime() + 30 * day),
          since: now,
          startedAt: now,
          updatedAt: now,
          steps: 1,
        },
      })
    ).id;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    await createDemoSession(db);
    shop = await db.shop.create({ data: { domain: demoShop, currency: "CZK", timezone: "Europe/Prague" } });
    other = await db.shop.create({ data: { domain: "someone-else.myshopify.com", currency: "EUR" } });
    for (const [key, shopId, stage] of [
      ["alice", shop.id, "repeat"],
      ["bob", shop.id, "lead"],
      ["stranger", other.id, "repeat"],
    ] as const) {
      ids[key] = (
        await db.customer.create({
          data: {
            shopId,
            shopifyId: key,
            firstName: key,
            email: `${key}@example.test`,
            lifecycleStage: stage,
          },
        })
      ).id;
    }
    const flow = await createFlow(db, {
      shopId: shop.id,
      name: "Welcome",
      definition: waitingFlow,
      staff: "owner",
      now: new Date(),
    });
    const otherFlow = await createFlow(db, {
      shopId: other.id,
      name: "Theirs",
      definition: waitingFlow,
      staff: "owner",
      now: new Date(),
    });
    ids.aliceRun = await run(ids.alice!, shop.id, flow.id, "alice");
    ids.bobRun = await run(ids.bob!, shop.id, flow.id, "bob");
    ids.strangerRun = await run(ids.stranger!, other.id, otherFlow.id, "stranger");
    ids.segment = (
      await createSegment(db, shop.id, {
        name: "Repeat buyers",
        definition: {
          match: "all",
          conditions: [{ field: "lifecycleStage", operator: "is", value: "repeat" }],
        },
      })
    ).id;
    ids.otherSegment = (
      await createSegment(db, other.id, {
        name: "Theirs",
        definition: {
          match: "all",
          conditions: [{ field: "lifecycleStage", operator: "is", value: "repeat" }],
        },
      })
    ).id;

    server = await startDemoServer(database.url);
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  function dataUrl(path: string, route: string): string {
    return `${server.baseUrl}${path}${path.includes("?") ? "&" : "?"}_data=${encodeURIComponent(route)}`;
  }

  async function get(path: string, route: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(dataUrl(path, route), { redirect: "manual" });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // an error text
    }
    return { status: response.status, body };
  }

  async function post(
    path: string,
    route: string,
    form: [string, string][],
  ): Promise<{ status: number; body: unknown; location: string | null }> {
    const response = await fetch(dataUrl(path, route), {
      method: "POST",
      redirect: "manual",
      body: new URLSearchParams(form),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // an error text
    }
    return {
      status: response.status,
      body,
      location: response.headers.get("x-remix-redirect") ?? response.headers.get("location"),
    };
  }

  it("lists only the demo shop's customers, filtered; a bad filter is 400", async () => {
    const all = await get("/app/customers", routes.list);
    expect(all.status).toBe(200);
    const customers = (all.body as { page: { customers: { id: string }[] } }).page.customers.map((c) => c.id);
    expect(customers.sort()).toEqual([ids.alice, ids.bob].sort());
    const repeat = await get("/app/customers?lifecycle=repeat&q=ALICE", routes.list);
    expect(
      (repeat.body as { page: { customers: { id: string }[] } }).page.customers.map((c) => c.id),
    ).toEqual([ids.alice]);
    const bySegment = await get(`/app/customers?segment=${ids.segment}`, routes.list);
    expect(
      (bySegment.body as { page: { customers: { id: string }[] } }).page.customers.map((c) => c.id),
    ).toEqual([ids.alice]);
    expect((await get(`/app/customers?segment=${ids.otherSegment}`, routes.list)).status).toBe(404);
    expect((await get("/app/customers?lifecycle=sleeping", routes.list)).status).toBe(400);
    expect((await get("/app/customers?limit=500", routes.list)).status).toBe(400);
  });

  it("shows the shop's customer and answers 404 for another shop's", async () => {
    const mine = await get(`/app/customers/${ids.alice}`, routes.customer);
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({
      detail: {
        profile: { id: ids.alice, firstName: "alice" },
        runs: [{ id: ids.aliceRun, status: "active" }],
      },
      shop: { currency: "CZK", timezone: "Europe/Prague" },
    });
    expect((await get(`/app/customers/${ids.stranger}`, routes.customer)).status).toBe(404);
    expect((await get("/app/customers/no-such-customer", routes.customer)).status).toBe(404);
    // The page itself (a document request) is 404 too, not an error page with 200.
    const page = await fetch(`${server.baseUrl}/app/customers/${ids.stranger}`);
    expect(page.status).toBe(404);
    expect(await page.text()).not.toContain("stranger@example.test");
  });

  it("removes the customer from their run once; another shop's or customer's run is 404 and stays", async () => {
    const removal = (runId: string): [string, string][] => [
      ["intent", "remove"],
      ["runId", runId],
      ["reason", "asked to stop"],
    ];
    const first = await post(`/app/customers/${ids.alice}`, routes.customer, removal(ids.aliceRun!));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ ok: true, removal: { outcome: "removed", runId: ids.aliceRun } });
    const again = await post(`/app/customers/${ids.alice}`, routes.customer, removal(ids.aliceRun!));
    expect(again.body).toMatchObject({ ok: true, removal: { outcome: "already_ended" } });
    const stored = await db.flowRun.findUniqueOrThrow({ where: { id: ids.aliceRun! } });
    expect(stored).toMatchObject({ status: "exited", exitReason: "removed by demo merchant: asked to stop" });
    expect(await db.flowStepLog.count({ where: { runId: ids.aliceRun! } })).toBe(1);

    // Another shop's run, through our customer or theirs; our other customer's run through Alice.
    for (const [customer, runId] of [
      [ids.alice, ids.strangerRun],
      [ids.stranger, ids.strangerRun],
      [ids.alice, ids.bobRun],
    ]) {
      const answer = await post(`/app/customers/${customer}`, routes.customer, removal(runId!));
      expect(answer.status, `${customer} ${runId}`).toBe(404);
    }
    expect((await db.flowRun.findUniqueOrThrow({ where: { id: ids.strangerRun! } })).status).toBe("active");
    expect((await db.flowRun.findUniqueOrThrow({ where: { id: ids.bobRun! } })).status).toBe("active");

    const tooLong = await post(`/app/customers/${ids.bob}`, routes.customer, [
      ["intent", "remove"],
      ["runId", ids.bobRun!],
      ["reason", "x".repeat(301)],
    ]);
    expect(tooLong.body).toMatchObject({ ok: false, errors: [{ field: "reason" }] });
    expect((await db.flowRun.findUniqueOrThrow({ where: { id: ids.bobRun! } })).status).toBe("active");
  });

  it("lists the shop's segments with counts; another shop's segment is 404 and stays", async () => {
    const list = await get("/app/customers/segments", routes.segments);
    expect(list.body).toEqual({
      segments: [{ id: ids.segment, name: "Repeat buyers", count: 1, conditions: 1, match: "all" }],
    });
    expect((await get(`/app/customers/segments/${ids.segment}`, routes.segment)).status).toBe(200);
    expect((await get(`/app/customers/segments/${ids.otherSegment}`, routes.segment)).status).toBe(404);
    const save = await post(`/app/customers/segments/${ids.otherSegment}`, routes.segment, [
      ["name", "Taken over"],
      ["match", "all"],
      ["conditions.0.field", "lifecycleStage"],
      ["conditions.0.operator", "is"],
      ["conditions.0.value", "lead"],
    ]);
    expect(save.status).toBe(404);
    const remove = await post(`/app/customers/segments/${ids.otherSegment}`, routes.segment, [
      ["intent", "delete"],
    ]);
    expect(remove.status).toBe(404);
    expect(await db.segment.findUniqueOrThrow({ where: { id: ids.otherSegment! } })).toMatchObject({
      name: "Theirs",
      shopId: other.id,
    });
  });

  it("counts a builder form live without saving; saves a good form; refuses a bad one naming the fields", async () => {
    const form: [string, string][] = [
      ["match", "any"],
      ["conditions.0.field", "lifecycleStage"],
      ["conditions.0.operator", "is"],
      ["conditions.0.value", "repeat"],
      ["conditions.0.value", "lead"],
    ];
    const count = await get(`/app/customers/segments/count?${new URLSearchParams(form)}`, routes.count);
    expect(count).toEqual({ status: 200, body: { ok: true, count: 2 } });
    const unfinished = await get(
      "/app/customers/segments/count?match=all&conditions.0.field=lifecycleStage&conditions.0.operator=is",
      routes.count,
    );
    expect(unfinished.body).toEqual({
      ok: false,
      errors: [{ field: "conditions.0.value", code: "choicesMissing" }],
    });
    expect(await db.segment.count()).toBe(2);

    const bad = await post("/app/customers/segments/new", routes.newSegment, [
      ["name", ""],
      ["match", "all"],
      ["conditions.0.field", "ordersCount"],
      ["conditions.0.operator", "gte"],
      ["conditions.0.value", "many"],
    ]);
    expect(bad.body).toEqual({
      intent: "save",
      errors: [
        { field: "name", code: "nameMissing" },
        { field: "conditions.0.value", code: "numberInvalid", values: { max: 1_000_000 } },
      ],
    });
    const taken = await post("/app/customers/segments/new", routes.newSegment, [
      ["name", "Repeat buyers"],
      ...form,
    ]);
    expect(taken.body).toEqual({ intent: "save", errors: [{ field: "name", code: "nameTaken" }] });
    expect(await db.segment.count()).toBe(2);

    const good = await post("/app/customers/segments/new", routes.newSegment, [
      ["name", "Everyone so far"],
      ...form,
    ]);
    expect(good.status).toBe(204);
    const created = await db.segment.findFirstOrThrow({
      where: { shopId: shop.id, name: "Everyone so far" },
    });
    expect(good.location).toBe(`/app/customers/segments/${created.id}?saved=1`);
    expect(created.definition).toEqual({
      match: "any",
      conditions: [{ field: "lifecycleStage", operator: "in", value: ["repeat", "lead"] }],
    });
  });
});

describe(`customers admin routes outside demo mode (${testProvider})`, () => {
  let database: TestDatabase;
  let server: RunningProcess & { baseUrl: string };

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startWebServer({ DATABASE_URL: database.url });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("sends a visitor without a Shopify session to the login page", async () => {
    for (const path of [
      "/app/customers",
      "/app/customers/some-customer",
      "/app/customers/segments",
      "/app/customers/segments/new",
      "/app/customers/segments/some-segment",
      "/app/customers/segments/count?match=all",
    ]) {
      const response = await fetch(`${server.baseUrl}${path}`, {
        redirect: "manual",
        headers: { "user-agent": browser },
      });
      expect(response.status, path).toBe(302);
      expect(response.headers.get("location"), path).toContain("/auth/login");
    }
    const removal = await fetch(`${server.baseUrl}/app/customers/some-customer`, {
      method: "POST",
      redirect: "manual",
      headers: { "user-agent": browser },
      body: new URLSearchParams({ intent: "remove", runId: "some-run" }),
    });
    expect(removal.status).toBe(302);
    expect(removal.headers.get("location")).toContain("/auth/login");
  });
});
