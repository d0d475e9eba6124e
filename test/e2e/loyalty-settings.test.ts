// The loyalty settings page in a real browser, served by `npm run demo`: the program's figures from
// the replayed store events, a bad form refused with the reason next to the field (nothing saved),
// then a corrected form saved.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabaseClient } from "../../app/db/client";
import { tierRulesOf } from "../../app/loyalty/program";
import { projectRoot, resolveDatabase } from "../../prisma/database.mjs";
import { launchBrowser } from "../support/browser";
import { runProcess, waitForOutput, type RunningProcess } from "../support/processes";

describe("loyalty settings in Chromium (demo shop)", () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "stayloop-e2e-loyalty-"));
  const databaseUrl = `file:${path.join(scratch, "demo.sqlite")}`;
  let demo: RunningProcess;
  let pageUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    demo = runProcess(path.join("node_modules", ".bin", "tsx"), ["scripts/demo.ts", "--skip-build"], {
      PORT: "0",
      DEMO_DATABASE_URL: databaseUrl,
    });
    const [, url] = await waitForOutput(demo, /"url":"(http:\/\/127\.0\.0\.1:\d+)"/, 60_000);
    pageUrl = `${url}/app/loyalty`;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("shows the program, refuses a bad form whole, and saves a good one", async () => {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    // The replayed orders earn points once the worker has applied them.
    for (let deadline = Date.now() + 45_000; Date.now() < deadline;) {
      await page.goto(pageUrl);
      if (Number((await page.getByTestId("loyalty-members").textContent())?.replace(/\D/g, "")) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await expect(page.getByRole("heading", { name: "Loyalty program", level: 1 }).isVisible()).resolves.toBe(
      true,
    );
    expect(
      Number((await page.getByTestId("loyalty-members").textContent())?.replace(/\D/g, "")),
    ).toBeGreaterThan(0);
    expect(await page.getByLabel("Tier name").nth(2).inputValue()).toBe("Gold");

    // Gold below Silver, and a negative pending period: both refused, nothing saved.
    await page.getByLabel("From (USD)").nth(2).fill("100.00");
    await page.getByLabel("Days points stay pending").fill("-1");
    await page.getByRole("button", { name: "Save" }).first().click();
    await expect(
      page.getByText("Nothing was saved: please correct the fields below").waitFor(),
    ).resolves.toBeUndefined();
    expect(await page.getByText("must be higher than Silver's threshold").count()).toBeGreaterThan(0);
    expect(await page.getByText("must be at least 0").count()).toBeGreaterThan(0);
    const db = createDatabaseClient(resolveDatabase(databaseUrl));
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: "stayloop-demo.myshopify.com" } });
    const before = await db.loyaltyProgram.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(before.pendingDays).toBe(14);
    expect(tierRulesOf(before)?.tiers[2]?.threshold).toBe(750_00);

    // Corrected: saved, in minor units, with a new perk for Gold.
    await page.getByLabel("From (USD)").nth(2).fill("1000.50");
    await page.getByLabel("Days points stay pending").fill("30");
    await page.getByLabel("Perks (one per line)").nth(2).fill("Free shipping\nBirthday gift");
    await page.getByRole("button", { name: "Save" }).first().click();
    await expect(page.getByText("Loyalty settings saved").waitFor()).resolves.toBeUndefined();
    const after = await db.loyaltyProgram.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(after.pendingDays).toBe(30);
    expect(tierRulesOf(after)?.tiers[2]).toMatchObject({
      id: "gold",
      threshold: 1000_50,
      perks: ["Free shipping", "Birthday gift"],
    });
    await db.$disconnect();
    expect(pageErrors).toEqual([]);

    const screenshots = path.join(projectRoot, "test-results");
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: path.join(screenshots, "loyalty-settings.png"), fullPage: true });
  });

  it("adjusts a member's points with a reason, recorded with who did it; a bad amount changes nothing", async () => {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(pageUrl);
    await page.getByRole("link", { name: "Members" }).first().click();
    await page.waitForURL(/\/app\/loyalty\/members/);
    const db = createDatabaseClient(resolveDatabase(databaseUrl));
    const top = await db.loyaltyMember.findFirstOrThrow({
      orderBy: [{ pointsBalance: "desc" }, { id: "asc" }],
      include: { customer: true },
    });
    await page.getByLabel("Find by e-mail or name").fill(top.customer.email ?? "");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/q=/);
    expect(
      await page
        .locator("table")
        .getByText(top.customer.email ?? "", { exact: true })
        .count(),
    ).toBe(1);

    await page.getByLabel("Points (negative to take away)").fill("12.5");
    await page.getByLabel("Reason").fill("Typo");
    await page.getByRole("button", { name: "Adjust points" }).click();
    await expect(page.getByText("points must be a whole number").waitFor()).resolves.toBeUndefined();
    expect(await db.loyaltyLedgerEntry.count({ where: { kind: "adjust" } })).toBe(0);

    await page.getByLabel("Points (negative to take away)").fill("75");
    await page.getByLabel("Reason").fill("Parcel arrived late");
    await page.getByRole("button", { name: "Adjust points" }).click();
    // (The demo's worker may still be applying store events, so the balance is checked in the ledger.)
    await expect(page.getByText("Adjusted by 75 points").waitFor()).resolves.toBeUndefined();
    const adjustment = await db.loyaltyLedgerEntry.findFirstOrThrow({ where: { kind: "adjust" } });
    expect(adjustment).toMatchObject({
      memberId: top.id,
      pointsDelta: 75,
      reason: "Parcel arrived late",
      actor: "demo merchant",
    });
    const after = await db.loyaltyMember.findUniqueOrThrow({ where: { id: top.id } });
    expect(await page.getByText(`balance now ${adjustment.balanceAfter}`).count()).toBe(1);
    expect(after.pointsBalance).toBeGreaterThanOrEqual(adjustment.balanceAfter);
    await db.$disconnect();
    expect(pageErrors).toEqual([]);
    await page.screenshot({
      path: path.join(projectRoot, "test-results", "loyalty-members.png"),
      fullPage: true,
    });
  });
});
