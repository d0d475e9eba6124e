// The embedded admin home page in a real browser, served by `npm run demo` (R-ADM-1 shell).
import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabaseClient } from "../../app/db/client";
import { projectRoot, resolveDatabase } from "../../prisma/database.mjs";
import { startDemoInBrowser, type DemoInBrowser } from "../support/demo-browser";

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
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    const response = await page.goto(adminUrl);
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
});
