// The Flows admin in a real browser on `npm run demo` (R-ADM-2, R-ADM-7): turn on the abandoned-cart
// preset from the list (the demo's own copy is archived first, as a merchant who had switched it off
// for good would have it), change a wait and a Czech template, preview it in Czech, save (a new
// version appears in the history), pause and activate; an invalid edit is refused and saves nothing;
// leaving with unsaved changes asks first; the list renders in Czech; steps are added (a wait and a
// send in a condition's branch), moved and removed (a condition keeping one branch) with the "+",
// Move and Remove buttons and the saved version has that sequence; no console errors; no serious or
// critical axe-core violation on the list and the editor. Screenshots in test-results/.
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabaseClient, type Database } from "../../app/db/client";
import { parseFlowDefinition } from "../../app/flows/definition";
import { setFlowStatus } from "../../app/flows/flows";
import { projectRoot, resolveDatabase } from "../../prisma/database.mjs";
import { startDemoInBrowser, type DemoInBrowser } from "../support/demo-browser";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");

interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: { target: string[] }[];
}
declare global {
  interface Window {
    axe: { run(context: string, options: object): Promise<{ violations: AxeViolation[] }> };
  }
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(() => window.axe.run("body", { resultTypes: ["violations"] }));
  return result.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
    );
}

describe("Flows admin in Chromium (demo shop)", () => {
  let session: DemoInBrowser;
  let db: Database;
  const errors: string[] = [];
  const screenshots = path.join(projectRoot, "test-results");

  beforeAll(async () => {
    session = await startDemoInBrowser("flows-admin");
    db = createDatabaseClient(resolveDatabase(session.databaseUrl));
    mkdirSync(screenshots, { recursive: true });
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

  it("turns on the abandoned-cart preset, edits a wait and a template, previews in Czech, saves and activates", async () => {
    const shop = await db.shop.findFirstOrThrow();
    const demoFlow = await db.flow.findFirstOrThrow({
      where: { shopId: shop.id, name: "Abandoned checkout" },
    });
    await setFlowStatus(db, {
      shopId: shop.id,
      flowId: demoFlow.id,
      status: "archived",
      staff: "e2e",
      now: new Date(),
    });

    const page = await session.browser.newPage();
    watch(page);
    await page.goto(`${session.baseUrl}/app/flows`);
    await page.getByRole("heading", { name: "Flows", exact: true }).waitFor();
    // The preset is offered with what it does in one sentence.
    await page
      .getByText(/^Sends up to three reminders/)
      .first()
      .waitFor();
    await page.getByRole("button", { name: "Turn on Abandoned checkout" }).click();
    await page.getByText("Abandoned checkout is live.").waitFor({ timeout: 20_000 });
    const flow = await db.flow.findFirstOrThrow({
      where: { shopId: shop.id, name: "Abandoned checkout", status: { not: "archived" } },
    });
    expect(flow.id).not.toBe(demoFlow.id);
    expect(flow.status).toBe("live");
    await page.getByRole("link", { name: "Edit Abandoned checkout" }).waitFor();
    expect(await page.getByRole("button", { name: "Turn on Abandoned checkout" }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, "flows-list.png"), fullPage: true });

    await page.getByRole("link", { name: "Edit Abandoned checkout" }).click();
    await page.waitForURL(new RegExp(`/app/flows/${flow.id}$`));
    await page.getByTestId("step-wait-second").waitFor();

    // A wait: 23 hours → 20 hours.
    await page.getByTestId("step-wait-second").click();
    await page.getByLabel("Duration", { exact: true }).fill("20");
    expect(await page.getByTestId("step-wait-second").innerText()).toContain("Wait 20 h");

    // An invalid edit is refused with the step and field named, and nothing is saved.
    await page.getByLabel("Duration", { exact: true }).fill("");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Nothing was saved. Fix these fields:").waitFor({ timeout: 20_000 });
    expect(await page.getByTestId("save-problems").innerText()).toContain(
      "Step wait-second · Duration: needs a number",
    );
    expect(await db.flowVersion.count({ where: { flowId: flow.id } })).toBe(1);
    await page.getByLabel("Duration", { exact: true }).fill("20");

    // A template: the Czech subject of the first reminder, previewed in Czech.
    await page.getByTestId("step-first-reminder").click();
    await page.locator("#template-first-reminder-language").selectOption("cs");
    await page
      .getByLabel("E-mail subject", { exact: true })
      .fill("{{ customer.first_name }}, košík na vás čeká");
    await page.locator("#template-first-reminder-preview-language").selectOption("cs");
    await page.getByRole("button", { name: "Preview on sample data" }).click();
    await page.getByTestId("preview-subject").waitFor({ timeout: 20_000 });
    await expect
      .poll(() => page.getByTestId("preview-subject").innerText(), { timeout: 20_000 })
      .toContain("Tereza, košík na vás čeká");
    const frame = page.frameLocator('[data-testid="preview-email"]');
    expect(await frame.locator("body").innerText()).toContain("Dokončit objednávku");
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, "flows-editor-preview.png"), fullPage: true });

    // The same message on a real customer of the shop, found by search.
    const customer = await db.customer.findFirstOrThrow({
      where: { shopId: shop.id, email: { not: null }, firstName: { not: null } },
      orderBy: { createdAt: "asc" },
    });
    await page.getByLabel("Find a customer").fill(customer.email ?? "");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page
      .getByRole("button", { name: new RegExp(`^Preview on ${customer.firstName}`) })
      .first()
      .click();
    await expect
      .poll(() => page.getByTestId("preview-subject").innerText(), { timeout: 20_000 })
      .toContain(`${customer.firstName}, košík na vás čeká`);

    // A test-send to an address the merchant types: through the outbox, not counted for the flow.
    await page.getByLabel("E-mail address or phone number").fill("owner@shop.example");
    await page.getByRole("button", { name: "Send test" }).click();
    await page
      .getByText("Test message queued for owner@shop.example by E-mail.")
      .waitFor({ timeout: 20_000 });
    const test = await db.message.findFirstOrThrow({
      where: { shopId: shop.id, idempotencyKey: { startsWith: "test-send:" } },
    });
    expect(test).toMatchObject({ flowId: null, flowRunId: null, purpose: "transactional" });

    // A control group of 10 %: the results then compare it with those who got the flow.
    await page.getByLabel("Control group (% of customers who get nothing)").fill("10");

    // Leaving with unsaved changes asks first.
    await page.getByRole("link", { name: "Flows" }).first().click();
    await page.getByText("Leave without saving?").waitFor();
    await page.getByRole("button", { name: "Stay on this page" }).click();

    // Save: a new version, by the demo merchant, in the history.
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText(/Saved as version 2\./).waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByTestId("version-history").innerText()).toContain("2 (current)");
    expect(await page.getByTestId("version-history").innerText()).toContain("demo merchant");
    const saved = await db.flowVersion.findUniqueOrThrow({
      where: { flowId_version: { flowId: flow.id, version: 2 } },
    });
    const definition = saved.definition as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(definition.steps.find((step: { id: string }) => step.id === "wait-second").minutes).toBe(1200);
    expect(definition.templates["first-reminder"].versions.cs.email.subject).toBe(
      "{{ customer.first_name }}, košík na vás čeká",
    );
    expect(definition.controlPercent).toBe(10);

    // Pause, then activate again.
    await page.getByRole("button", { name: "Pause" }).click();
    await page.getByText("The flow is now Paused.").waitFor({ timeout: 20_000 });
    expect((await db.flow.findUniqueOrThrow({ where: { id: flow.id } })).status).toBe("paused");
    await page.getByRole("button", { name: "Resume" }).click();
    await page.getByText("The flow is now Live.").waitFor({ timeout: 20_000 });
    expect((await db.flow.findUniqueOrThrow({ where: { id: flow.id } })).status).toBe("live");
    await page.screenshot({ path: path.join(screenshots, "flows-editor-saved.png"), fullPage: true });

    await page.goto(`${session.baseUrl}/app/flows/${flow.id}/results`);
    await page.getByTestId("results-totals").waitFor();
    await page.getByText(/^Not enough data yet: /).waitFor();
    await page.screenshot({ path: path.join(screenshots, "flows-results.png"), fullPage: true });
    expect(errors).toEqual([]);
  });

  it("renders the Flows list in Czech", async () => {
    const page = await session.browser.newPage();
    watch(page);
    await page.goto(`${session.baseUrl}/app/flows?locale=cs`);
    await page.getByRole("heading", { name: "Automatizace", exact: true }).waitFor();
    expect(await page.getByRole("columnheader", { name: "Připsané tržby" }).count()).toBe(1);
    expect(await page.getByText("Spuštěno").count()).toBeGreaterThan(0);
    expect(await page.getByRole("button", { name: /^Zapnout / }).count()).toBeGreaterThan(0);
    expect(await page.getByText("Opuštěný košík").count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(screenshots, "flows-list-cs.png"), fullPage: true });

    // The editor in Czech too: the sequence and the panel speak the merchant's language.
    await page.getByRole("link", { name: "Upravit Uvítání" }).click();
    await page.getByRole("heading", { name: "Kroky", exact: true }).waitFor();
    expect(await page.getByText(/^Začíná, když: se zaregistruje zákazník/).count()).toBe(1);
    expect(await page.getByRole("heading", { name: "Historie verzí" }).count()).toBe(1);
    // Adding a step asks for its type in Czech; cancelling changes nothing.
    await page.getByRole("button", { name: "Přidat krok na začátek", exact: true }).click();
    await page.getByRole("dialog").getByLabel("Typ kroku").waitFor();
    expect(await page.getByRole("dialog").getByRole("option", { name: "Odeslat zprávu" }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Zrušit", exact: true }).click();
    await page.getByRole("dialog").waitFor({ state: "detached" });
    expect(await page.getByRole("button", { name: "Zahodit změny" }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, "flows-editor-cs.png"), fullPage: true });
    expect(errors).toEqual([]);
  });
  it("adds a wait and a send to a branch, removes a step, and saves that sequence", async () => {
    const shop = await db.shop.findFirstOrThrow();
    const flow = await db.flow.findFirstOrThrow({
      where: { shopId: shop.id, name: "Post-purchase thank-you" },
    });
    const versionsBefore = await db.flowVersion.count({ where: { flowId: flow.id } });
    const page = await session.browser.newPage();
    watch(page);
    await page.goto(`${session.baseUrl}/app/flows/${flow.id}`);
    await page.getByTestId("step-thank-first-order").waitFor();

    const addStep = async (where: string, type: string) => {
      await page.getByRole("button", { name: where, exact: true }).click();
      await page.getByRole("dialog").getByText(where).waitFor();
      await page.getByLabel("Step type").selectOption(type);
      await page.getByRole("button", { name: "Add step", exact: true }).click();
      await page.getByRole("dialog").waitFor({ state: "detached" });
    };

    // A wait after the first-order thank-you: 1 day by default, opened in the panel, set to 2 days.
    await addStep("Add a step after thank-first-order", "wait");
    await page.getByRole("heading", { name: "Step wait-1" }).waitFor();
    expect(await page.getByTestId("step-wait-1").innerText()).toContain("Wait 1 day");
    await page.getByLabel("Duration", { exact: true }).fill("2");
    expect(await page.getByTestId("step-wait-1").innerText()).toContain("Wait 2 days");

    // Then a send: a new message with an English e-mail, edited in the panel.
    await addStep("Add a step after wait-1", "send");
    await page.getByRole("heading", { name: "Step send-1" }).waitFor();
    const subject = page.getByLabel("E-mail subject", { exact: true });
    expect(await subject.inputValue()).toBe("News from {{ shop.name }}");
    await subject.fill("One more thing from {{ shop.name }}");

    // A condition after it, removed again keeping its No branch (the dialog asks which).
    await addStep("Add a step after send-1", "condition");
    await page.getByRole("heading", { name: "Step condition-1" }).waitFor();
    expect(await page.getByTestId("step-condition-1").innerText()).toContain(
      "Has ordered since the flow started?",
    );
    await page.getByRole("button", { name: "Remove step" }).click();
    await page.getByText("Remove step condition-1?").waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByText("The No branch").click();
    await page.getByRole("button", { name: "Remove", exact: true }).click();
    await page.getByTestId("step-condition-1").waitFor({ state: "detached" });

    // The wait moves up before the thank-you (first in its branch, so it cannot go higher), and back.
    await page.getByTestId("step-wait-1").click();
    await page.getByRole("button", { name: "Move step up" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Move step up" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Move step down" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Move step up" }).isDisabled()).toBe(false);

    // A points step at the top of the No branch, then removed again: the branch is as it was.
    await addStep("Add a step to the No branch of first-order-check", "points");
    await page.getByRole("heading", { name: "Step points-1" }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, "flows-editor-steps-added.png"), fullPage: true });
    await page.getByRole("button", { name: "Remove step" }).click();
    await page.getByText("Remove step points-1?").waitFor();
    await page.getByRole("button", { name: "Remove", exact: true }).click();
    await page.getByTestId("step-points-1").waitFor({ state: "detached" });
    await page.getByRole("heading", { name: "Step thank-repeat-order" }).waitFor();
    // A removed step's "+" is gone too.
    expect(await page.getByRole("button", { name: "Add a step after points-1" }).count()).toBe(0);

    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page
      .getByText(`Saved as version ${versionsBefore + 1}.`, { exact: false })
      .waitFor({ timeout: 20_000 });
    const saved = await db.flowVersion.findUniqueOrThrow({
      where: { flowId_version: { flowId: flow.id, version: versionsBefore + 1 } },
    });
    const definition = parseFlowDefinition(saved.definition);
    const ids = (from: string | null) => {
      const sequence: string[] = [];
      while (from !== null) {
        const step = definition.steps.find((candidate) => candidate.id === from);
        if (!step) throw new Error(`dangling link to ${from}`);
        sequence.push(step.id);
        from = "next" in step ? step.next : null;
      }
      return sequence;
    };
    const check = definition.steps.find((step) => step.id === "first-order-check");
    expect(check).toMatchObject({ type: "condition", yes: "thank-first-order", no: "thank-repeat-order" });
    expect(ids("thank-first-order")).toEqual(["thank-first-order", "wait-1", "send-1"]);
    expect(ids("thank-repeat-order")).toEqual(["thank-repeat-order"]);
    expect(definition.steps.map((step) => step.id).sort()).toEqual([
      "first-order-check",
      "send-1",
      "thank-first-order",
      "thank-repeat-order",
      "wait-1",
    ]);
    expect(definition.steps.find((step) => step.id === "wait-1")).toMatchObject({ minutes: 2 * 1440 });
    const send = definition.steps.find((step) => step.id === "send-1");
    expect(send?.type === "send" && definition.templates[send.template]?.versions.en?.email?.subject).toBe(
      "One more thing from {{ shop.name }}",
    );
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, "flows-editor-steps-saved.png"), fullPage: true });
    expect(errors).toEqual([]);
  });
});
