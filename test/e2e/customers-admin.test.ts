// The customers admin in Chromium on `npm run demo` (issue 18): a segment built with form controls
// shows its live count and is saved, and the flow editor makes it a condition step's question; a
// customer's page removes them from a flow run;
// the list and the customer page render in Czech; no console errors; no serious or critical
// axe-core violation on the list or the customer page. Screenshots in test-results/.
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { segmentCount, segmentDefinition, type SegmentDefinition } from "../../app/customers/segments";
import { createDatabaseClient, type Database } from "../../app/db/client";
import { InvalidFlowError } from "../../app/flows/definition";
import { createFlow, setFlowStatus } from "../../app/flows/flows";
import { flowsSubscriber } from "../../app/flows/subscriber";
import { recordDomainEvent } from "../../app/events/domain-events";
import { projectRoot, resolveDatabase } from "../../prisma/database.mjs";
import { startDemoInBrowser, type DemoInBrowser } from "../support/demo-browser";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const screenshots = path.join(projectRoot, "test-results");

interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: { target: string[] }[];
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(() =>
    (
      window as unknown as {
        axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> };
      }
    ).axe.run(document, { resultTypes: ["violations"] }),
  );
  return result.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
    );
}

async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  ms = 60_000,
): Promise<T> {
  for (const deadline = Date.now() + ms; Date.now() < deadline;) {
    const found = await probe();
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("customers admin in Chromium (demo shop)", () => {
  let session: DemoInBrowser;
  let db: Database;
  let shopId = "";
  let segmentId = "";
  const errors: string[] = [];

  beforeAll(async () => {
    session = await startDemoInBrowser("customers-admin");
    db = createDatabaseClient(resolveDatabase(session.databaseUrl));
    shopId = (await db.shop.findFirstOrThrow()).id;
    mkdirSync(screenshots, { recursive: true });
    // The worker imports the store's history: wait until the number of customers stands still.
    let last = -1;
    await until(
      "the demo's customers",
      async () => {
        const count = await db.customer.count({ where: { shopId } });
        const settled = count >= 20 && count === last;
        last = count;
        return settled;
      },
      90_000,
    );
  });

  afterAll(async () => {
    await db?.$disconnect();
    await session?.close();
  });

  function watch(page: Page) {
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error" && !message.location().url.endsWith("/favicon.ico"))
        errors.push(`${message.text()} ${message.location().url}`);
    });
  }

  async function liveCount(page: Page): Promise<number> {
    const status = page.getByTestId("segment-live-count");
    let shown = "";
    const text = await until(`a live count (shows "${shown}")`, async () => {
      shown = (await status.textContent()) ?? "";
      return /\d/.test(shown) && !/Counting/.test(shown) ? shown : null;
    });
    return Number(/([\d,]+)/.exec(text)?.[1]?.replace(/,/g, "") ?? NaN);
  }

  it("builds a segment with a live count, saves it, and uses it in a flow's condition step", async () => {
    const page = await session.browser.newPage();
    watch(page);
    await page.goto(`${session.baseUrl}/app/customers/segments/new`);
    await page.getByLabel("Name", { exact: true }).fill("E-mail subscribers");
    const first = page.getByTestId("condition-1");
    await first.getByLabel("Field").selectOption("emailConsent");
    await first.getByText("Subscribed", { exact: true }).click();
    // The replayed store may still be changing consents: the count shown must be the database's
    // count at some moment; a change of "all"/"any" (the same with one condition) counts again.
    const subscribers: SegmentDefinition = {
      match: "all",
      conditions: [{ field: "emailConsent", operator: "is", value: "subscribed" }],
    };
    const matchMenu = page.getByLabel("Customers must match");
    let expected = -1;
    await until("the live count of e-mail subscribers", async () => {
      const shown = await liveCount(page);
      expected = await segmentCount(db, shopId, subscribers, new Date());
      if (shown === expected) return true;
      await matchMenu.selectOption((await matchMenu.inputValue()) === "all" ? "any" : "all");
      return false;
    });
    await matchMenu.selectOption("all");

    // A second condition no customer meets: the count follows at once, nothing saved meanwhile.
    await page.getByRole("button", { name: "Add condition" }).click();
    const second = page.getByTestId("condition-2");
    await second.getByLabel("Field").selectOption("ordersCount");
    await second.getByLabel("Operator").selectOption("gte");
    await second.getByLabel("Value").fill("100000");
    await until("a count of 0", async () => (await liveCount(page)) === 0);
    expect(await db.segment.count({ where: { shopId } })).toBe(0);
    await page.getByRole("button", { name: "Remove condition 2" }).click();
    await until("a count again", async () => (await liveCount(page)) > 0 || expected === 0);
    await page.screenshot({ path: path.join(screenshots, "customers-segment-builder.png"), fullPage: true });

    await page.getByRole("button", { name: "Save segment" }).click();
    await page.waitForURL(/\/app\/customers\/segments\/[^/?]+\?saved=1/);
    await page.getByText("Segment saved.").waitFor();
    const saved = await db.segment.findFirstOrThrow({ where: { shopId, name: "E-mail subscribers" } });
    segmentId = saved.id;
    expect(segmentDefinition.parse(saved.definition)).toEqual({
      match: "all",
      conditions: [{ field: "emailConsent", operator: "is", value: "subscribed" }],
    });

    // A form without a name is refused, the field named, and nothing saved.
    await page.goto(`${session.baseUrl}/app/customers/segments/new`);
    await page.getByTestId("condition-1").getByText("Repeat buyer", { exact: true }).click();
    await page.getByRole("button", { name: "Save segment" }).click();
    await page.getByText("Give the segment a name.").waitFor();
    expect(await db.segment.count({ where: { shopId } })).toBe(1);

    // The segments list shows it with its count.
    await page.goto(`${session.baseUrl}/app/customers/segments`);
    await page.getByRole("link", { name: "E-mail subscribers" }).waitFor();

    // A flow cannot name a segment the shop does not have.
    const refused = await createFlow(db, {
      shopId,
      name: "Subscriber check-in",
      definition: checkInFlow({ kind: "segment", segmentId: "no-such-segment", member: true }),
      staff: "e2e",
      now: new Date(),
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InvalidFlowError);
    // In the flow editor the saved segment becomes a condition step's question.
    const created = await createFlow(db, {
      shopId,
      name: "Subscriber check-in",
      definition: checkInFlow({ kind: "has_ordered_since_start" }),
      staff: "e2e",
      now: new Date(),
    });
    await page.goto(`${session.baseUrl}/app/flows/${created.id}`);
    await page.getByTestId("step-in-segment").click();
    await page.getByLabel("Condition", { exact: true }).selectOption("segment");
    await page.getByLabel("Segment", { exact: true }).selectOption({ label: "E-mail subscribers" });
    await page.getByLabel("Customers who are").selectOption("in");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText(/Saved as version 2\./).waitFor({ timeout: 20_000 });
    const version = await db.flowVersion.findFirstOrThrow({ where: { flowId: created.id, version: 2 } });
    const steps = (version.definition as { steps: { id: string; condition?: unknown }[] }).steps;
    expect(steps.find((step) => step.id === "in-segment")?.condition).toEqual({
      kind: "segment",
      segmentId,
      member: true,
    });
    await page.screenshot({ path: path.join(screenshots, "customers-segment-in-flow.png"), fullPage: true });
    expect(errors).toEqual([]);
  });

  it("opens a customer and removes them from a flow run", async () => {
    // A run that waits 30 days: the worker enrols a demo customer in the check-in flow above.
    const flow = await db.flow.findFirstOrThrow({ where: { shopId, name: "Subscriber check-in" } });
    await setFlowStatus(db, { shopId, flowId: flow.id, status: "live", staff: "e2e", now: new Date() });
    const customer = await db.customer.findFirstOrThrow({
      where: { shopId, deletedAt: null, email: { not: null }, firstName: { not: null } },
      orderBy: { createdAt: "asc" },
    });
    await db.$transaction((tx) =>
      recordDomainEvent(
        tx,
        shopId,
        {
          type: "loyalty.referral_rewarded",
          subjectId: customer.id,
          dedupeKey: `e2e-referral:${customer.id}`,
          payload: {},
          occurredAt: new Date(),
        },
        [flowsSubscriber],
        new Date(),
      ),
    );
    const run = await until("the customer's run", () =>
      db.flowRun.findFirst({ where: { shopId, flowId: flow.id, customerId: customer.id, status: "active" } }),
    );

    const page = await session.browser.newPage();
    watch(page);
    await page.goto(`${session.baseUrl}/app/customers`);
    await page.getByRole("heading", { name: "Customers", exact: true }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, "customers-list.png"), fullPage: true });
    // A filter applies at once: every customer listed is a lead.
    await page.getByLabel("Lifecycle stage").selectOption("lead");
    await page.waitForURL(/lifecycle=lead/);
    await page.waitForLoadState("networkidle");
    const stages = await page.locator("tbody tr td:nth-child(3)").allTextContents();
    expect(stages.length).toBeGreaterThan(0);
    expect(new Set(stages)).toEqual(new Set(["Lead"]));
    await page.getByRole("link", { name: "Clear filters" }).click();
    await page.waitForURL(/\/app\/customers$/);
    await page.getByLabel("Search by name, e-mail or phone").fill(customer.email ?? "");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.waitForURL(/q=/);
    await page
      .getByRole("link", { name: `${customer.firstName}` })
      .first()
      .click();
    await page.waitForURL(new RegExp(`/app/customers/${customer.id}$`));
    await page.getByRole("heading", { name: "Subscriber check-in" }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole("button", { name: "Remove from flow: Subscriber check-in" }).click();
    await page.getByLabel("Reason (optional)").fill("asked us by phone");
    await page.getByRole("button", { name: "Remove from flow", exact: true }).click();
    await page.getByText("Removed from “Subscriber check-in”.").waitFor();
    const ended = await db.flowRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(ended).toMatchObject({
      status: "exited",
      exitReason: "removed by demo merchant: asked us by phone",
    });
    expect(
      await db.flowStepLog.findFirst({
        where: { runId: run.id, outcome: "exited" },
        select: { detail: true },
      }),
    ).toEqual({ detail: "removed by demo merchant: asked us by phone" });
    await page.getByText("Left the flow").first().waitFor();
    await page.screenshot({ path: path.join(screenshots, "customers-detail.png"), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("renders the customers pages in Czech", async () => {
    const page = await session.browser.newPage();
    watch(page);
    await page.goto(`${session.baseUrl}/app/customers?locale=cs`);
    await page.getByRole("heading", { name: "Zákazníci", exact: true }).waitFor();
    expect(await page.getByLabel("Hledat podle jména, e-mailu nebo telefonu").count()).toBe(1);
    expect(await page.getByLabel("Fáze zákazníka").count()).toBe(1);
    const customer = await db.customer.findFirstOrThrow({
      where: { shopId, deletedAt: null },
      orderBy: { createdAt: "asc" },
    });
    await page.goto(`${session.baseUrl}/app/customers/${customer.id}?locale=cs`);
    await page.getByRole("heading", { name: "Přehled o zákazníkovi" }).waitFor();
    expect(await page.getByRole("heading", { name: "Věrnostní program" }).count()).toBe(1);
    await page.screenshot({ path: path.join(screenshots, "customers-detail-cs.png"), fullPage: true });
    await page.goto(`${session.baseUrl}/app/customers/segments/new?locale=cs`);
    await page.getByRole("heading", { name: "Nový segment" }).waitFor();
    await page.getByTestId("segment-live-count").getByText("Dokončete podmínky").waitFor();
    await page.getByTestId("condition-1").getByText("Opakovaný zákazník", { exact: true }).click();
    await page
      .getByTestId("segment-live-count")
      .getByText(/Odpovídajících zákazníků teď: \d+|Odpovídá teď 1/)
      .waitFor();
    await page.screenshot({ path: path.join(screenshots, "customers-segment-cs.png"), fullPage: true });
    expect(errors).toEqual([]);
  });
});

/** A flow that waits 30 days, then asks whether the customer is in the segment. */
function checkInFlow(condition: Record<string, unknown>) {
  return {
    trigger: { event: "loyalty.referral_rewarded" },
    start: "wait",
    steps: [
      { id: "wait", type: "wait", minutes: 30 * 24 * 60, next: "in-segment" },
      { id: "in-segment", type: "condition", condition, yes: null, no: null },
    ],
  };
}
