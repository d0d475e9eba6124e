// The Flows admin pages (R-ADM-2) through the built production server: the list, the editor and the
// results route, their loaders and actions (Remix `_data` requests). Another shop's flow is a 404
// and changes nothing; an invalid edit is refused with the step and field named and saves nothing;
// a flow reshaped in the editor (steps added and removed) saves as it was built, while one with a
// link to a missing step or a send without its template is refused by name; a test-send goes
// through the outbox without counting for the flow; outside demo mode every page needs the admin
// session. Needs `npm run build` first.
import type { Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { parseFlowDefinition } from "../../app/flows/definition";
import { insertStep, removeStep } from "../../app/flows/definition-edits";
import { createFlow } from "../../app/flows/flows";
import { presetDefinition } from "../../app/flows/presets";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { startWebServer, type RunningProcess } from "../support/processes";
import { createDemoSession, demoShop, startDemoServer } from "../support/demo-admin";

const listRoute = "routes/app.flows._index";
const editorRoute = "routes/app.flows.$id";
const resultsRoute = "routes/app.flows.$id_.results";

describe(`Flows admin pages on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let server: RunningProcess & { baseUrl: string };
  let shop: Shop;
  let flowId = "";
  let otherFlowId = "";

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    await createDemoSession(db);
    shop = await db.shop.create({ data: { domain: demoShop, currency: "CZK", timezone: "Europe/Prague" } });
    const other = await db.shop.create({ data: { domain: "someone-else.myshopify.com" } });
    const now = new Date();
    flowId = (
      await createFlow(db, {
        shopId: shop.id,
        name: "Abandoned checkout",
        definition: presetDefinition("abandoned-checkout"),
        staff: "owner@demo",
        now,
      })
    ).id;
    otherFlowId = (
      await createFlow(db, {
        shopId: other.id,
        name: "Not yours",
        definition: presetDefinition("welcome"),
        staff: "x",
        now,
      })
    ).id;
    await db.customer.create({
      data: {
        shopId: shop.id,
        shopifyId: "501",
        firstName: "Jana",
        lastName: "Dvořáková",
        email: "jana@example.cz",
        locale: "cs",
      },
    });
    server = await startDemoServer(database.url);
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  async function load(path: string, route: string) {
    const response = await fetch(
      `${server.baseUrl}${path}${path.includes("?") ? "&" : "?"}_data=${encodeURIComponent(route)}`,
      {
        redirect: "manual",
      },
    );
    const text = await response.text();
    return { status: response.status, body: (text.startsWith("{") ? JSON.parse(text) : text) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  }

  async function post(path: string, route: string, fields: Record<string, string>) {
    const response = await fetch(`${server.baseUrl}${path}?_data=${encodeURIComponent(route)}`, {
      method: "POST",
      redirect: "manual",
      body: new URLSearchParams(fields),
    });
    const text = await response.text();
    return { status: response.status, body: (text.startsWith("{") ? JSON.parse(text) : text) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  }

  const rows = async () => ({
    flows: await db.flow.count(),
    versions: await db.flowVersion.count(),
    changes: await db.flowChange.count(),
    messages: await db.message.count(),
    customers: await db.customer.count(),
    statuses: (await db.flow.findMany({ orderBy: { id: "asc" }, select: { status: true } })).map(
      (f) => f.status,
    ),
  });

  it("lists every preset (not yet on) and the shop's flows with status and figures", async () => {
    const answer = await load("/app/flows?period=30", listRoute);
    expect(answer.status).toBe(200);
    expect(answer.body.currency).toBe("CZK");
    const names = answer.body.rows.map((row: { name: { en: string } }) => row.name.en);
    expect(names).toContain("Abandoned checkout");
    expect(names).toContain("Welcome");
    expect(names).not.toContain("Not yours");
    const flowRow = answer.body.rows.find((row: { flowId: string }) => row.flowId === flowId);
    expect(flowRow).toMatchObject({
      kind: "flow",
      presetId: "abandoned-checkout",
      status: "off",
      recipients: 0,
    });
    // The preset the flow came from is not offered a second time.
    expect(
      answer.body.rows.filter((row: { presetId: string }) => row.presetId === "abandoned-checkout"),
    ).toHaveLength(1);
    expect((await load("/app/flows?period=12", listRoute)).status).toBe(400);
  });

  it("turns a preset on in one click, and refuses an unknown preset without a trace", async () => {
    const before = await rows();
    const refused = await post("/app/flows", listRoute, { intent: "turnOn", presetId: "no-such-preset" });
    expect(refused.body).toEqual({
      ok: false,
      errors: [{ field: "presetId", message: expect.stringContaining("no-such-preset") }],
    });
    expect(await rows()).toEqual(before);

    const turned = await post("/app/flows", listRoute, { intent: "turnOn", presetId: "welcome" });
    expect(turned.body).toMatchObject({ ok: true, presetId: "welcome" });
    const flow = await db.flow.findUniqueOrThrow({ where: { id: turned.body.flowId } });
    expect(flow).toMatchObject({ shopId: shop.id, status: "live", name: "Welcome" });
    expect(await db.flowChange.findFirst({ where: { flowId: flow.id, action: "went_live" } })).toMatchObject({
      staff: "demo merchant",
    });
  });

  it("answers 404 for another shop's flow on every route and intent, and changes nothing", async () => {
    const before = await rows();
    expect((await load(`/app/flows/${otherFlowId}`, editorRoute)).status).toBe(404);
    expect((await load(`/app/flows/${otherFlowId}/results`, resultsRoute)).status).toBe(404);
    expect((await load(`/app/flows/no-such-flow`, editorRoute)).status).toBe(404);
    const definition = JSON.stringify(presetDefinition("welcome"));
    for (const fields of <Record<string, string>[]>[
      { intent: "save", definition },
      { intent: "status", status: "paused" },
      { intent: "testSend", template: "{}", locale: "en", to: "someone@example.com" },
    ]) {
      expect((await post(`/app/flows/${otherFlowId}`, editorRoute, fields)).status, fields.intent).toBe(404);
    }
    expect(await rows()).toEqual(before);
  });

  it("loads the editor with the definition, versions, changes and the shop's segments", async () => {
    const answer = await load(`/app/flows/${flowId}`, editorRoute);
    expect(answer.status).toBe(200);
    expect(answer.body.flow.definition.start).toBe("wait-first");
    expect(answer.body.flow.versions).toEqual([
      { version: 1, createdBy: "owner@demo", createdAt: expect.any(String) },
    ]);
    expect(answer.body.timeZone).toBe("Europe/Prague");
  });

  it("refuses an invalid edit with the step and field named, and saves nothing", async () => {
    const definition = presetDefinition("abandoned-checkout") as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    definition.steps[2].minutes = null; // what the editor sends for an emptied duration
    definition.templates["first-reminder"].versions.cs.email.subject = "Ahoj {{ customer.first_name ";
    const before = await rows();
    const refused = await post(`/app/flows/${flowId}`, editorRoute, {
      intent: "save",
      definition: JSON.stringify(definition),
    });
    expect(refused.body.ok).toBe(false);
    expect(refused.body.problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ step: "wait-second", path: "steps.2.minutes" })]),
    );
    const unreadable = await post(`/app/flows/${flowId}`, editorRoute, {
      intent: "save",
      definition: "{not json",
    });
    expect(unreadable.body).toMatchObject({ intent: "invalid", errors: [{ field: "definition" }] });
    // A template that does not parse: named by step, language and part.
    definition.steps[2].minutes = 1200;
    const template = await post(`/app/flows/${flowId}`, editorRoute, {
      intent: "save",
      definition: JSON.stringify(definition),
    });
    expect(template.body.problems).toEqual([
      expect.objectContaining({
        step: "first-reminder",
        path: "template first-reminder · cs · e-mail subject",
      }),
    ]);
    expect(await rows()).toEqual(before);
  });

  it("saves a valid edit as a new version with who made it; runs keep theirs", async () => {
    const customer = await db.customer.findFirstOrThrow({ where: { shopId: shop.id, shopifyId: "501" } });
    const startedAt = new Date();
    const run = await db.flowRun.create({
      data: {
        shopId: shop.id,
        flowId,
        version: 1,
        customerId: customer.id,
        triggerKey: "checkout-in-progress",
        trigger: { event: "checkout.updated" },
        variants: {},
        runGroup: "treatment",
        status: "active",
        stepId: "wait-second",
        since: startedAt,
        startedAt,
        updatedAt: startedAt,
      },
    });
    const definition = presetDefinition("abandoned-checkout") as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    definition.steps[2].minutes = 1200;
    definition.controlPercent = 10;
    definition.templates["first-reminder"].versions.cs.email.subject =
      "Zapomněli jste na košík, {{ customer.first_name }}?";
    const saved = await post(`/app/flows/${flowId}`, editorRoute, {
      intent: "save",
      definition: JSON.stringify(definition),
    });
    expect(saved.body).toEqual({ intent: "save", ok: true, version: 2 });
    const version = await db.flowVersion.findUniqueOrThrow({
      where: { flowId_version: { flowId, version: 2 } },
    });
    expect(version.createdBy).toBe("demo merchant");
    expect((version.definition as any).steps[2].minutes).toBe(1200); // eslint-disable-line @typescript-eslint/no-explicit-any
    const editor = await load(`/app/flows/${flowId}`, editorRoute);
    expect(editor.body.flow.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect((await db.flowRun.findUniqueOrThrow({ where: { id: run.id } })).version).toBe(1);
    // With a control group, the list reports incremental revenue — withheld until there is enough data.
    const list = await load("/app/flows?period=30", listRoute);
    expect(list.body.rows.find((row: { flowId: string }) => row.flowId === flowId)).toMatchObject({
      hasControlGroup: true,
      incrementalRevenueMinor: null,
    });
  });

  it("saves a flow reshaped in the editor; refuses a dangling link or a missing template by name", async () => {
    const reshapedId = (
      await createFlow(db, {
        shopId: shop.id,
        name: "Thank-you, reshaped",
        definition: presetDefinition("post-purchase-thank-you"),
        staff: "owner@demo",
        now: new Date(),
      })
    ).id;
    const template = presetDefinition("post-purchase-thank-you").templates["first-order"]!;
    const words = { template, pointsReason: "Flow reward" };
    let definition = presetDefinition("post-purchase-thank-you");
    definition = insertStep(
      definition,
      { from: "thank-first-order", path: "next" },
      "wait",
      words,
    ).definition;
    definition = insertStep(definition, { from: "wait-1", path: "next" }, "send", words).definition;
    definition = removeStep(definition, "first-order-check", "yes")!.definition;

    const before = await rows();
    const dangling = structuredClone(definition) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    dangling.steps.find((step: { id: string }) => step.id === "wait-1").next = "gone";
    const refusedLink = await post(`/app/flows/${reshapedId}`, editorRoute, {
      intent: "save",
      definition: JSON.stringify(dangling),
    });
    expect(refusedLink.body).toEqual({
      intent: "save",
      ok: false,
      problems: [{ step: "wait-1", path: "next", message: 'leads to "gone", which is not a step' }],
    });
    const noTemplate = { ...definition, templates: {} };
    const refusedTemplate = await post(`/app/flows/${reshapedId}`, editorRoute, {
      intent: "save",
      definition: JSON.stringify(noTemplate),
    });
    expect(refusedTemplate.body.problems).toEqual([
      expect.objectContaining({ step: "thank-first-order", path: "template" }),
      expect.objectContaining({ step: "send-1", path: "template" }),
    ]);
    expect(await rows()).toEqual(before);

    const saved = await post(`/app/flows/${reshapedId}`, editorRoute, {
      intent: "save",
      definition: JSON.stringify(definition),
    });
    expect(saved.body).toEqual({ intent: "save", ok: true, version: 2 });
    const stored = parseFlowDefinition(
      (
        await db.flowVersion.findUniqueOrThrow({
          where: { flowId_version: { flowId: reshapedId, version: 2 } },
        })
      ).definition,
    );
    expect(stored.start).toBe("thank-first-order");
    expect(stored.steps.map((step) => [step.id, step.type, "next" in step ? step.next : "-"])).toEqual([
      ["thank-first-order", "send", "wait-1"],
      ["wait-1", "wait", "send-1"],
      ["send-1", "send", null],
    ]);
    // The removed branch's template went with it; the new send's came in.
    expect(Object.keys(stored.templates).sort()).toEqual(["first-order", "message-1"]);
  });

  it("activates and pauses the flow; a change it cannot make is refused", async () => {
    expect(
      (await post(`/app/flows/${flowId}`, editorRoute, { intent: "status", status: "live" })).body,
    ).toEqual({
      intent: "status",
      ok: true,
      status: "live",
    });
    expect(
      (await post(`/app/flows/${flowId}`, editorRoute, { intent: "status", status: "paused" })).body.status,
    ).toBe("paused");
    expect((await db.flow.findUniqueOrThrow({ where: { id: flowId } })).status).toBe("paused");
    const bad = await post(`/app/flows/${flowId}`, editorRoute, { intent: "status", status: "archived" });
    expect(bad.body).toMatchObject({ intent: "invalid", errors: [{ field: "status" }] });
    expect((await db.flow.findUniqueOrThrow({ where: { id: flowId } })).status).toBe("paused");
  });

  it("previews a template in Czech on sample data and on a real customer, naming the line of a mistake", async () => {
    const template = presetDefinition("abandoned-checkout").templates["first-reminder"];
    const sample = await post(`/app/flows/${flowId}`, editorRoute, {
      intent: "preview",
      template: JSON.stringify(template),
      locale: "cs",
    });
    expect(sample.body.ok).toBe(true);
    expect(sample.body.content.email.subject).toBe("Ve vašem košíku na vás něco čeká");
    expect(sample.body.content.email.html).toContain("Stayloop Demo Obchod");
    expect(sample.body.content.email.html).toMatch(/1\s890,00\sKč/);

    const found = await post(`/app/flows/${flowId}`, editorRoute, { intent: "customers", query: "jana@" });
    expect(found.body.customers).toEqual([
      { id: expect.any(String), label: "Jana Dvořáková (jana@example.cz)" },
    ]);
    const greeting = {
      versions: { cs: { sms: { body: "Ahoj {{ customer.first_name }}, máte {{ points.balance }} bodů." } } },
    };
    const onSample = await post(`/app/flows/${flowId}`, editorRoute, {
      intent: "preview",
      template: JSON.stringify(greeting),
      locale: "cs",
    });
    expect(onSample.body.content.sms.body).toBe("Ahoj Tereza, máte 1250 bodů.");
    const real = await post(`/app/flows/${flowId}`, editorRoute, {
      intent: "preview",
      template: JSON.stringify(greeting),
      locale: "cs",
      customerId: found.body.customers[0].id,
    });
    expect(real.body.content.sms.body).toBe("Ahoj Jana, máte 0 bodů.");

    const broken = { versions: { en: { sms: { body: "Hi\n{% if points.balance > 0 %}\nno end" } } } };
    const mistakes = await post(`/app/flows/${flowId}`, editorRoute, {
      intent: "preview",
      template: JSON.stringify(broken),
      locale: "en",
    });
    expect(mistakes.body).toMatchObject({ ok: false, problems: [{ field: "en · SMS", line: 2 }] });
  });

  it("test-sends through the outbox without counting for the flow; a bad address is refused", async () => {
    const template = presetDefinition("abandoned-checkout").templates["first-reminder"];
    const figures = async () => ({
      row: (await load("/app/flows?period=30", listRoute)).body.rows.find(
        (row: { flowId: string }) => row.flowId === flowId,
      ),
      results: (({ totals, steps }) => ({ totals, steps }))(
        (await load(`/app/flows/${flowId}/results`, resultsRoute)).body.results,
      ),
    });
    const figuresBefore = await figures();
    expect(figuresBefore.results.totals).toMatchObject({ recipients: 1, sent: 0 });
    const before = await rows();
    const refused = await post(`/app/flows/${flowId}`, editorRoute, {
      intent: "testSend",
      template: JSON.stringify(template),
      locale: "cs",
      to: "not an address",
    });
    expect(refused.body).toMatchObject({ intent: "testSend", ok: false, errors: [{ field: "to" }] });
    expect(await rows()).toEqual(before);

    const sent = await post(`/app/flows/${flowId}`, editorRoute, {
      intent: "testSend",
      template: JSON.stringify(template),
      locale: "cs",
      to: "merchant@example.cz",
    });
    expect(sent.body).toEqual({ intent: "testSend", ok: true, to: "merchant@example.cz", channel: "email" });
    const message = await db.message.findFirstOrThrow({
      where: { shopId: shop.id },
      orderBy: { createdAt: "desc" },
    });
    expect(message).toMatchObject({
      flowId: null,
      flowRunId: null,
      purpose: "transactional",
      channelOrder: "email",
    });
    expect((message.content as any).email.subject).toBe("Ve vašem košíku na vás něco čeká"); // eslint-disable-line @typescript-eslint/no-explicit-any
    // The test message is in the outbox, but not in the flow's figures.
    expect(await figures()).toEqual(figuresBefore);
    const results = await load(`/app/flows/${flowId}/results`, resultsRoute);
    expect(results.status).toBe(200);
    expect(results.body.control).toMatchObject({ controlPercent: 10, enoughData: false });
  });
});

describe(`Flows admin pages outside demo mode (${testProvider})`, () => {
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

  it("sends a visitor without a Shopify session to the login page, for pages and actions", async () => {
    for (const path of ["/app/flows", "/app/flows/some-flow", "/app/flows/some-flow/results"]) {
      const anonymous = await fetch(`${server.baseUrl}${path}`, {
        redirect: "manual",
        headers: { "user-agent": browser },
      });
      expect(anonymous.status, path).toBe(302);
      expect(anonymous.headers.get("location"), path).toContain("/auth/login");
    }
    const action = await fetch(`${server.baseUrl}/app/flows`, {
      method: "POST",
      redirect: "manual",
      headers: { "user-agent": browser },
      body: new URLSearchParams({ intent: "turnOn", presetId: "welcome" }),
    });
    expect(action.status).toBe(302);
    expect(action.headers.get("location")).toContain("/auth/login");
  });
});
