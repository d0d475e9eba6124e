// The Home dashboard's analytics and the Analytics page in a real browser, on `npm run demo`
// (R-ANA-7, R-ADM-1): KPI cards and charts show the replayed store's figures, the period picker
// changes them, a table downloads as CSV, and the browser reports no errors.
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../prisma/database.mjs";
import { startDemoInBrowser, type DemoInBrowser } from "../support/demo-browser";

describe("analytics in Chromium (demo shop)", () => {
  let session: DemoInBrowser;
  const errors: string[] = [];

  beforeAll(async () => {
    session = await startDemoInBrowser("analytics");
  });

  afterAll(async () => {
    await session?.close();
  });

  function watch(page: Page) {
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      // The app has no favicon (inside Shopify admin the admin's own shows); the browser's own
      // request for one is not an error of these pages.
      if (message.type() === "error" && !message.location().url.endsWith("/favicon.ico"))
        errors.push(`${message.text()} ${message.location().url}`);
    });
  }

  /** Reloads until the worker has applied enough of the replayed history for the charts. */
  async function waitForFigures(page: Page, url: string) {
    await page.goto(url);
    for (let deadline = Date.now() + 90_000; Date.now() < deadline;) {
      if (
        (await page.getByTestId("chart-retention").count()) > 0 &&
        (await page.getByTestId("chart-cohorts").count()) > 0
      )
        return;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await page.goto(url);
    }
    throw new Error("the dashboard never showed its charts");
  }

  it("shows KPI cards and charts with data; the period picker changes them", async () => {
    const page = await session.browser.newPage();
    watch(page);
    await waitForFigures(page, `${session.baseUrl}/app?period=last365`);
    for (const name of [
      "Customer retention rate",
      "Churn rate",
      "Repeat purchase rate",
      "Average order value",
      "Customer lifetime value",
    ]) {
      await expect(page.getByRole("heading", { name, exact: true }).first().isVisible()).resolves.toBe(true);
    }
    const yearRevenue = await page.getByTestId("kpi-revenue").textContent();
    expect(yearRevenue).toMatch(/\d/);
    expect(await page.getByTestId("kpi-averageOrderValue").textContent()).toMatch(/\$\d/);
    expect(await page.locator('[data-testid="chart-retention"] circle').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="chart-cohorts"] tbody tr').count()).toBeGreaterThan(0);
    expect(await page.getByTestId("kpi-revenue-change").textContent()).toMatch(
      /vs previous period|no previous figure/,
    );

    // Last 30 days: fewer orders than the last 12 months, so the revenue card changes.
    await page.locator("#analytics-period").selectOption("last30");
    await page.waitForURL(/period=last30/);
    await page.waitForLoadState("networkidle");
    const monthRevenue = await page.getByTestId("kpi-revenue").textContent();
    expect(monthRevenue).not.toBe(yearRevenue);

    const screenshots = path.join(projectRoot, "test-results");
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: path.join(screenshots, "analytics-home.png"), fullPage: true });
    expect(errors).toEqual([]);
  });

  it("downloads a table of the Analytics page as CSV", async () => {
    const page = await session.browser.newPage();
    watch(page);
    await page.goto(`${session.baseUrl}/app/analytics?period=last365`);
    await expect(page.getByTestId("table-metrics").isVisible()).resolves.toBe(true);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("csv-metrics").click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      /^stayloop-metrics-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/,
    );
    const file = await download.path();
    const csv = readFileSync(file, "utf8");
    expect(csv.split("\r\n")[0]).toBe(
      "Metric,Value,Value (currency),Previous period,Previous period (currency)",
    );
    expect(csv).toMatch(/\r\nRevenue,\d+\.\d{2},USD,/);
    await page.screenshot({
      path: path.join(projectRoot, "test-results", "analytics-page.png"),
      fullPage: true,
    });
    expect(errors).toEqual([]);
  });

  it("renders in Czech with ?locale=cs, and the CSV it links to is in Czech too", async () => {
    const page = await session.browser.newPage();
    watch(page);
    await page.goto(`${session.baseUrl}/app/analytics?period=last365&locale=cs`);
    await page.getByRole("heading", { name: "Analytika", level: 1 }).waitFor({ timeout: 20_000 });
    expect(await page.getByRole("heading", { name: "Udržení zákazníků v kostce" }).isVisible()).toBe(true);
    expect(await page.getByText("Stáhnout CSV").count()).toBeGreaterThan(0);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("csv-metrics").click(),
    ]);
    const csv = readFileSync(await download.path(), "utf8");
    expect(csv.split("\r\n")[0]).toMatch(/^Ukazatel,Hodnota,/);
    expect(errors).toEqual([]);
  });
});
