// The loyalty widget on the demo storefront (R-WID-1, R-WID-2), in Chromium: the theme app
// extension's real Liquid and assets, talking to the real /proxy routes through the demo's stand-in
// for Shopify's App Proxy. Keyboard only: open the launcher, see balance and tier, redeem, copy the
// code, Escape closes and focus returns; a guest sees how to join; no serious or critical axe-core
// violation in the open panel; no layout shift; screenshots in English and Czech.
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabaseClient } from "../../app/db/client";
import { demoShopper } from "../../app/demo/storefront.server";
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

declare global {
  interface Window {
    stayloopLayoutShift: number;
    axe: { run(context: string, options: object): Promise<{ violations: AxeViolation[] }> };
  }
}

/** Collects every layout shift not caused by input (Chromium's CLS entries) from the first paint on. */
async function watchLayoutShifts(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    window.stayloopLayoutShift = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as (PerformanceEntry & {
        value: number;
        hadRecentInput: boolean;
      })[]) {
        if (!entry.hadRecentInput) window.stayloopLayoutShift += entry.value;
      }
    }).observe({ type: "layout-shift", buffered: true });
  });
}

/**
 * The serious and critical axe-core violations in `selector`. axe itself touches the page while it
 * checks (e.g. for colour contrast), so layout shifts during its run are not the widget's: the
 * measurement is paused around it.
 */
async function seriousViolations(page: Page, selector: string): Promise<string[]> {
  const before = await page.evaluate(() => window.stayloopLayoutShift ?? 0);
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(
    (target) => window.axe.run(target, { resultTypes: ["violations"] }),
    selector,
  );
  await page.waitForTimeout(300);
  await page.evaluate((value) => (window.stayloopLayoutShift = value), before);
  return result.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
    );
}

const launcher = "#stayloop-launcher-embed .sl-launcher";
const panel = "#stayloop-launcher-embed-panel";

/** Tabs forward until the launcher has focus (as a keyboard user would reach it). */
async function tabToLauncher(page: Page): Promise<void> {
  for (let step = 0; step < 40; step += 1) {
    await page.keyboard.press("Tab");
    if (
      await page.evaluate((selector) => document.activeElement === document.querySelector(selector), launcher)
    ) {
      return;
    }
  }
  throw new Error("the launcher could not be reached with Tab");
}

describe("loyalty widget on the demo storefront (Chromium)", () => {
  let session: DemoInBrowser;

  beforeAll(async () => {
    session = await startDemoInBrowser("storefront");
    mkdirSync(screenshots, { recursive: true });
  });

  afterAll(async () => {
    await session?.close();
  });

  it("opens with the keyboard, shows balance and tier, redeems, copies the code, and Escape returns focus", async () => {
    const context = await session.browser.newContext({
      locale: "en-US",
      viewport: { width: 1280, height: 480 },
      reducedMotion: "reduce",
    });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: session.baseUrl });
    await watchLayoutShifts(context);
    const page = await context.newPage();
    const panelRequests: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/apps/stayloop/")) panelRequests.push(request.url());
    });
    await page.goto(`${session.baseUrl}/demo/storefront?shopper=${demoShopper.shopifyId}&locale=en`);
    await page.waitForLoadState("networkidle");

    // The script is deferred, and nothing is fetched before a panel opens (the app block is below the fold).
    expect(await page.getAttribute('script[src$="stayloop-widget.js"]', "defer")).toBe("");
    const blockTop = (await page.locator("[data-stayloop=block]").boundingBox())?.y ?? 0;
    expect(blockTop).toBeGreaterThan(480);
    expect(panelRequests).toEqual([]);
    expect(await page.isHidden(panel)).toBe(true);

    await tabToLauncher(page);
    await page.keyboard.press("Enter");
    await page.waitForSelector(`${panel} .sl-bal`);
    expect(await page.getAttribute(launcher, "aria-expanded")).toBe("true");
    expect(panelRequests).toHaveLength(1);
    expect(panelRequests[0]).toContain("/demo/storefront/apps/stayloop/panel?amount=4500");
    expect(
      await page.evaluate(
        (selector) => document.querySelector(selector)?.contains(document.activeElement),
        panel,
      ),
    ).toBe(true);
    const panelText = await page.textContent(panel);
    expect(panelText).toContain("1,200 points");
    expect(panelText).toContain("Tier: Bronze");
    expect(panelText).toContain("This purchase earns 45 points.");

    // Tab stays inside the open dialog, both ways.
    for (let step = 0; step < 25; step += 1) {
      await page.keyboard.press(step < 15 ? "Tab" : "Shift+Tab");
      expect(
        await page.evaluate(
          (selector) => document.querySelector(selector)?.contains(document.activeElement),
          panel,
        ),
      ).toBe(true);
    }

    expect(await seriousViolations(page, panel)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, "storefront-widget-en.png") });

    // Redeem with the keyboard: the code, a copy button (focused) and the checkout link.
    await page.focus(`${panel} button[aria-label="Redeem $5 off for 750 points"]`);
    await page.keyboard.press("Enter");
    const code = (await page.waitForSelector(`${panel} .sl-code code`)).textContent();
    const codeText = (await code) ?? "";
    expect(codeText).toMatch(/^LOYAL-?[A-Z0-9-]+$/);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Copy code");
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      (selector) => document.querySelector(selector)?.textContent === "Copied",
      `${panel} .sl-code button`,
    );
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(codeText);
    expect(await page.getAttribute(`${panel} .sl-code a`, "href")).toBe(
      `/demo/storefront/discount/${codeText}`,
    );
    expect(await page.textContent(`${panel} .sl-bal`)).toContain("450 points");
    await page.screenshot({ path: path.join(screenshots, "storefront-widget-en-code.png") });

    // One debit, in the demo's database.
    const db = createDatabaseClient(resolveDatabase(session.databaseUrl));
    try {
      const redemptions = await db.redemption.findMany({ where: { code: codeText } });
      expect(redemptions).toHaveLength(1);
      expect(redemptions[0]?.status).toBe("issued");
    } finally {
      await db.$disconnect();
    }

    await page.keyboard.press("Escape");
    expect(await page.isHidden(panel)).toBe(true);
    expect(await page.getAttribute(launcher, "aria-expanded")).toBe("false");
    expect(
      await page.evaluate(
        (selector) => document.activeElement === document.querySelector(selector),
        launcher,
      ),
    ).toBe(true);

    // The inline app block loads once scrolled into view; nothing on the page moved at any point.
    await page.locator("[data-stayloop=block]").scrollIntoViewIfNeeded();
    await page.waitForSelector("[data-stayloop=block] .sl-bal");
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => window.stayloopLayoutShift)).toBe(0);
    await context.close();
  });

  it("speaks Czech, with no serious accessibility violation", async () => {
    const context = await session.browser.newContext({
      locale: "cs-CZ",
      viewport: { width: 1280, height: 800 },
    });
    await watchLayoutShifts(context);
    const page = await context.newPage();
    await page.goto(`${session.baseUrl}/demo/storefront?shopper=${demoShopper.shopifyId}&locale=cs`);
    await page.click(launcher);
    await page.waitForSelector(`${panel} .sl-bal`);
    const text = await page.textContent(panel);
    expect(text).toContain("Body k utracení");
    expect(text).toContain("Úroveň: Bronze");
    expect(await page.getAttribute(launcher, "aria-label")).toBe("Otevřít odměny");
    expect(await seriousViolations(page, panel)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, "storefront-widget-cs.png") });
    expect(await page.evaluate(() => window.stayloopLayoutShift)).toBe(0);
    await context.close();
  });

  it("shows a guest how to join and what this product would earn", async () => {
    const context = await session.browser.newContext({
      locale: "en-US",
      viewport: { width: 1280, height: 800 },
    });
    const page = await context.newPage();
    await page.goto(`${session.baseUrl}/demo/storefront?shopper=guest&locale=en`);
    await page.focus(launcher);
    await page.keyboard.press("Enter");
    await page.waitForSelector(`${panel} .sl-acts`);
    const text = await page.textContent(panel);
    expect(text).toContain("Join our rewards");
    expect(text).toContain("Get 50 points when you create an account.");
    expect(text).toContain("This purchase earns 45 points.");
    expect(await page.getAttribute(`${panel} a:has-text("Create account")`, "href")).toBe(
      "/demo/storefront/account/register",
    );
    expect(await page.getAttribute(`${panel} a:has-text("Sign in")`, "href")).toBe(
      "/demo/storefront/account/login",
    );
    expect(await page.locator(`${panel} button:has-text("Redeem")`).count()).toBe(0);
    expect(await seriousViolations(page, panel)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, "storefront-widget-guest.png") });
    await context.close();
  });
});
