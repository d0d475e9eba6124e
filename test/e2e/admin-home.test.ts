// The embedded admin home page in a real browser, served by `npm run demo` (R-ADM-1 shell).
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../prisma/database.mjs";
import { launchBrowser } from "../support/browser";
import { runProcess, waitForOutput, type RunningProcess } from "../support/processes";

describe("admin home in Chromium (demo shop)", () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "stayloop-e2e-"));
  let demo: RunningProcess;
  let adminUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    demo = runProcess(path.join("node_modules", ".bin", "tsx"), ["scripts/demo.ts", "--skip-build"], {
      PORT: "0",
      DEMO_DATABASE_URL: `file:${path.join(scratch, "demo.sqlite")}`,
    });
    const [, url] = await waitForOutput(demo, /"url":"(http:\/\/127\.0\.0\.1:\d+)"/, 60_000);
    adminUrl = `${url}/app`;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("renders the Polaris page, hydrates without errors and shows the shop's figures", async () => {
    const page = await browser.newPage();
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

    const screenshots = path.join(projectRoot, "test-results");
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: path.join(screenshots, "admin-home.png"), fullPage: true });
  });
});
