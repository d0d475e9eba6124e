// The embedded admin home page in a real browser, served by `npm run demo` (R-ADM-1 shell): no
// console error and no failed request on any load, onboarding detected from the demo's state and
// gone once the last step is done, the page in Czech with ?locale=cs.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabaseClient } from "../../app/db/client";
import { projectRoot, resolveDatabase } from "../../prisma/database.mjs";
import { startDemoInBrowser, type DemoInBrowser } from "../support/demo-browser";
import type { Page } from "playwright-core";

/** Everything that went wrong in the page: errors thrown, console errors, failed or refused requests. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error")
      problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  page.on("requestfailed", (request) => {
    // A navigation away aborts the requests still running; that is not a failure of the page.
    if (request.failure()?.errorText !== "net::ERR_ABORTED") {
      problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ""}`);
    }
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return problems;
}

describe("admin home in Chromium (demo shop)", () => {
  let session: DemoInBrowser;
  let adminUrl: string;

  beforeAll(async () => {
    session = await startDemoInBrowser("admin");
    adminUrl = `${session.baseUrl}/app`;
  });

  afterAll(async () => {
    await session?.close();
  });

  it("renders the Polaris page, hydrates without errors and shows the shop's figures", async () => {
    const page = await session.browser.newPage();
    const pageErrors = watchProblems(page);
    const response = await page.goto(adminUrl);
    await page.waitForLoadState("networkidle");
    expect(response?.status()).toBe(200);

    await expect(page.getByRole("heading", { name: "Stayloop", level: 1 }).isVisible()).resolves.toBe(true);
    await expect(page.getByText("Demo shop: stayloop-demo.myshopify.com").isVisible()).resolves.toBe(true);
    for (const label of ["Customers", "Orders", "Products", "Open checkouts", "Store events received"]) {
      await expect(page.getByRole("heading", { name: label }).isVisible()).resolves.toBe(true);
    }
    expect(await page.getByTestId("overview-customers").textContent()).toMatch(/^\d+$/);

    // Client-side navigation works only once React has hydrated.
    await page.getByRole("link", { name: "Home" }).click();
    await page.waitForURL(adminUrl);
    expect(pageErrors).toEqual([]);

    // Once the first import is done, the merchant asks for the store history again: one more
    // backfill job is queued.
    for (let deadline = Date.now() + 30_000; Date.now() < deadline;) {
      if (await page.getByText("Imported", { exact: true }).isVisible()) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
      await page.reload();
    }
    await expect(page.getByText("Imported", { exact: true }).isVisible()).resolves.toBe(true);
    const db = createDatabaseClient(resolveDatabase(session.databaseUrl));
    const jobsBefore = await db.job.count({ where: { kind: "backfill" } });
    await page.getByRole("button", { name: /Import (store history|again)/ }).click();
    await page.waitForLoadState("networkidle");
    for (let deadline = Date.now() + 10_000; Date.now() < deadline;) {
      if ((await db.job.count({ where: { kind: "backfill" } })) > jobsBefore) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await db.job.count({ where: { kind: "backfill" } })).toBe(jobsBefore + 1);
    await db.$disconnect();
    expect(pageErrors).toEqual([]);

    const screenshots = path.join(projectRoot, "test-results");
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: path.join(screenshots, "admin-home.png"), fullPage: true });
  });

  it("shows onboarding detected from the shop's state until the last step is done", async () => {
    const page = await session.browser.newPage();
    const problems = watchProblems(page);
    await page.goto(adminUrl);
    await page.getByRole("heading", { name: "Set up Stayloop" }).waitFor({ timeout: 20_000 });
    // The demo's live theme has the embed on (read through the stand-in Admin API), its flows are
    // live and its loyalty program on; no sender e-mail is set yet.
    const doneOf = async (step: string) => page.getByTestId(`onboarding-${step}`).getAttribute("data-done");
    expect(await doneOf("themeEmbed")).toBe("true");
    expect(await doneOf("firstFlow")).toBe("true");
    expect(await doneOf("loyalty")).toBe("true");
    expect(await doneOf("sender")).toBe("false");
    expect(await page.getByText("3 of 4 steps done").isVisible()).toBe(true);

    await page.getByRole("link", { name: "Set the sender" }).click();
    await page.waitForURL(`${session.baseUrl}/app/messaging`);
    await page.getByLabel("Sender e-mail").fill("hello@stayloop-demo.test");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Messaging settings saved").waitFor({ timeout: 20_000 });
    await page.goto(adminUrl);
    await page.getByRole("heading", { name: "Welcome back" }).waitFor();
    expect(await page.getByTestId("onboarding").count()).toBe(0);
    expect(await page.getByRole("heading", { name: "Set up Stayloop" }).count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it("renders in Czech with ?locale=cs", async () => {
    const page = await session.browser.newPage();
    const problems = watchProblems(page);
    await page.goto(`${adminUrl}?locale=cs`);
    await page.waitForLoadState("networkidle");
    expect(await page.getByRole("heading", { name: "Vítejte zpět" }).isVisible()).toBe(true);
    expect(await page.locator("html").getAttribute("lang")).toBe("cs");
    for (const label of ["Zákazníci", "Objednávky", "Produkty", "Rozpracované pokladny"]) {
      expect(await page.getByRole("heading", { name: label, exact: true }).count()).toBeGreaterThan(0);
    }
    expect(await page.getByRole("heading", { name: "Historie obchodu" }).isVisible()).toBe(true);
    expect(await page.getByRole("heading", { name: "Udržení zákazníků v kostce" }).isVisible()).toBe(true);
    expect(await page.getByText("Ukázkový obchod: stayloop-demo.myshopify.com").isVisible()).toBe(true);
    await page.screenshot({
      path: path.join(projectRoot, "test-results", "admin-home-cs.png"),
      fullPage: true,
    });
    expect(problems).toEqual([]);
  });

  it("renders the Settings page and refuses a bad analytics setting by field, in both languages", async () => {
    const page = await session.browser.newPage();
    const problems = watchProblems(page);
    await page.goto(`${session.baseUrl}/app/settings`);
    await page.getByLabel("Activity window (days)").fill("7");
    await page.getByLabel("Profit margin (%)").fill("35");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Nothing was saved").waitFor({ timeout: 20_000 });
    expect(await page.getByText("must be at least 30").count()).toBe(1);
    const db = createDatabaseClient(resolveDatabase(session.databaseUrl));
    const shop = await db.shop.findFirstOrThrow();
    expect(await db.analyticsSettings.findUnique({ where: { shopId: shop.id } })).toBeNull();
    await page.getByLabel("Activity window (days)").fill("365");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Analytics settings saved").waitFor({ timeout: 20_000 });
    expect(await db.analyticsSettings.findUniqueOrThrow({ where: { shopId: shop.id } })).toMatchObject({
      activityWindowDays: 365,
      profitMarginBasisPoints: 3500,
    });
    await db.$disconnect();
    expect(await page.getByRole("link", { name: "Loyalty program settings" }).getAttribute("href")).toBe(
      "/app/loyalty",
    );
    expect(await page.getByRole("link", { name: "Messaging settings" }).getAttribute("href")).toBe(
      "/app/messaging",
    );

    await page.goto(`${session.baseUrl}/app/settings?locale=cs`);
    await page.getByLabel("Období aktivity (dny)").fill("abc");
    await page.getByRole("button", { name: "Uložit" }).click();
    await page.getByText("Nic se neuložilo").waitFor({ timeout: 20_000 });
    expect(await page.getByText("musí být celé číslo").count()).toBe(1);
    expect(problems).toEqual([]);
  });
});
