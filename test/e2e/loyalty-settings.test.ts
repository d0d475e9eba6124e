// The loyalty settings page in a real browser, served by `npm run demo`: the program's figures from
// the replayed store events, a bad form refused with the reason next to the field (nothing saved),
// then a corrected form saved.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabaseClient } from "../../app/db/client";
import { tierRulesOf } from "../../app/loyalty/program";
import { projectRoot, resolveDatabase } from "../../prisma/database.mjs";
import { startDemoInBrowser, type DemoInBrowser } from "../support/demo-browser";
import { numbers } from "../support/stored";

/**
 * Watches a page for what a bare `waitFor` timeout would hide: uncaught errors and failed requests
 * (an action that threw answers 500 and the app shows its error boundary instead of a banner).
 */
function watchPage(page: Page) {
  const errors: string[] = [];
  const failedRequests: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("response", (response) => {
    if (response.status() >= 400) {
      failedRequests.push(`${response.request().method()} ${response.url()} → HTTP ${response.status()}`);
    }
  });
  return { errors, failedRequests };
}

describe("loyalty settings in Chromium (demo shop)", () => {
  let session: DemoInBrowser;
  let pageUrl: string;

  beforeAll(async () => {
    session = await startDemoInBrowser("loyalty");
    pageUrl = `${session.baseUrl}/app/loyalty`;
  });

  /**
   * Waits for `text` on the page; on a timeout, fails with what the page shows instead, the failed
   * requests and the demo's recent log (the web and worker processes log there).
   */
  async function waitForText(
    page: Page,
    text: string | RegExp,
    watched: ReturnType<typeof watchPage>,
    timeout = 30_000,
  ): Promise<void> {
    try {
      await page.getByText(text).first().waitFor({ timeout });
    } catch (error) {
      const shown = await page
        .locator("body")
        .innerText({ timeout: 1_000 })
        .catch((reason: unknown) => `(page text unavailable: ${String(reason)})`);
      const log = session.demo.output().split("\n").slice(-60).join("\n");
      throw new Error(
        [
          `"${String(text)}" did not appear within ${timeout / 1000} s (${(error as Error).message.split("\n")[0]})`,
          `page ${page.url()} shows:\n${shown.slice(0, 3_000)}`,
          `failed requests: ${watched.failedRequests.join("; ") || "none"}`,
          `page errors: ${watched.errors.join("; ") || "none"}`,
          `demo log (last 60 lines):\n${log}`,
        ].join("\n\n"),
        { cause: error },
      );
    }
  }

  afterAll(async () => {
    await session?.close();
  });

  it("shows the program, refuses a bad form whole, and saves a good one", async () => {
    const page = await session.browser.newPage();
    const watched = watchPage(page);
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
    await waitForText(page, "Nothing was saved: please correct the fields below", watched);
    expect(await page.getByText("must be higher than Silver's threshold").count()).toBeGreaterThan(0);
    expect(await page.getByText("must be at least 0").count()).toBeGreaterThan(0);
    const db = createDatabaseClient(resolveDatabase(session.databaseUrl));
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: "stayloop-demo.myshopify.com" } });
    const before = await db.loyaltyProgram.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(before.pendingDays).toBe(14);
    expect(tierRulesOf(before)?.tiers[2]?.threshold).toBe(750_00);

    // Corrected: saved, in minor units, with a new perk for Gold.
    await page.getByLabel("From (USD)").nth(2).fill("1000.50");
    await page.getByLabel("Days points stay pending").fill("30");
    await page.getByLabel("Perks (one per line)").nth(2).fill("Free shipping\nBirthday gift");
    await page.getByRole("button", { name: "Save" }).first().click();
    await waitForText(page, "Loyalty settings saved", watched);
    const after = await db.loyaltyProgram.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(after.pendingDays).toBe(30);
    expect(tierRulesOf(after)?.tiers[2]).toMatchObject({
      id: "gold",
      threshold: 1000_50,
      perks: ["Free shipping", "Birthday gift"],
    });
    await db.$disconnect();
    expect(watched.errors).toEqual([]);

    const screenshots = path.join(projectRoot, "test-results");
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: path.join(screenshots, "loyalty-settings.png"), fullPage: true });
  });

  it("adjusts a member's points with a reason, recorded with who did it; a bad amount changes nothing", async () => {
    const page = await session.browser.newPage();
    const watched = watchPage(page);
    await page.goto(pageUrl);
    await page.getByRole("link", { name: "Members" }).first().click();
    await page.waitForURL(/\/app\/loyalty\/members/);
    await page.getByRole("heading", { name: "Loyalty members", level: 1 }).waitFor();
    const db = createDatabaseClient(resolveDatabase(session.databaseUrl));
    // Looked up after the page loaded: while the worker still applies store events the order of the
    // list changes, so the member searched for need not be the one the page first showed.
    const top = numbers(
      await db.loyaltyMember.findFirstOrThrow({
        orderBy: [{ pointsBalance: "desc" }, { id: "asc" }],
        include: { customer: true },
      }),
    );
    await page.getByLabel("Find by e-mail or name").fill(top.customer.email ?? "");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/q=/);
    expect(
      await page
        .locator("table")
        .getByText(top.customer.email ?? "", { exact: true })
        .count(),
    ).toBe(1);
    // The form is for the member found, whoever the page showed first.
    expect(await page.getByLabel("Member", { exact: true }).inputValue()).toBe(top.id);

    await page.getByLabel("Points (negative to take away)").fill("12.5");
    await page.getByLabel("Reason").fill("Typo");
    await page.getByRole("button", { name: "Adjust points" }).click();
    await waitForText(page, "points must be a whole number", watched);
    expect(await db.loyaltyLedgerEntry.count({ where: { kind: "adjust" } })).toBe(0);

    await page.getByLabel("Points (negative to take away)").fill("75");
    await page.getByLabel("Reason").fill("Parcel arrived late");
    await page.getByRole("button", { name: "Adjust points" }).click();
    // The demo's worker may still be applying store events (writing to the same SQLite file): the
    // adjustment must wait for it rather than fail, and the balance is checked in the ledger.
    await waitForText(page, "Adjusted by 75 points", watched);
    const adjustment = numbers(await db.loyaltyLedgerEntry.findFirstOrThrow({ where: { kind: "adjust" } }));
    expect(adjustment).toMatchObject({
      memberId: top.id,
      pointsDelta: 75,
      reason: "Parcel arrived late",
      actor: "demo merchant",
    });
    expect(await db.loyaltyLedgerEntry.count({ where: { kind: "adjust" } })).toBe(1);
    const after = numbers(await db.loyaltyMember.findUniqueOrThrow({ where: { id: top.id } }));
    expect(await page.getByText(`balance now ${adjustment.balanceAfter}`).count()).toBe(1);
    expect(after.pointsBalance).toBeGreaterThanOrEqual(adjustment.balanceAfter);
    // A saved adjustment clears the form.
    expect(await page.getByLabel("Points (negative to take away)").inputValue()).toBe("");
    await db.$disconnect();
    expect(watched.errors).toEqual([]);
    expect(watched.failedRequests).toEqual([]);
    await page.screenshot({
      path: path.join(projectRoot, "test-results", "loyalty-members.png"),
      fullPage: true,
    });
  });

  it("adds rewards to the catalogue, refusing a bad one whole, and withdraws one", async () => {
    const page = await session.browser.newPage();
    const watched = watchPage(page);
    await page.goto(`${session.baseUrl}/app/loyalty/rewards`);
    const db = createDatabaseClient(resolveDatabase(session.databaseUrl));
    const before = await db.loyaltyReward.count();

    await page.getByLabel("Points it costs").fill("0");
    await page.getByLabel("Amount off (USD)").fill("5.001");
    await page.getByRole("button", { name: "Add reward" }).click();
    await waitForText(page, "The reward was not added", watched);
    expect(await page.getByText(/more decimals than USD allows/).count()).toBe(1);
    expect(await db.loyaltyReward.count()).toBe(before);

    await page.getByLabel("Name shoppers see").fill("$5 off your next order");
    await page.getByLabel("Points it costs").fill("500");
    await page.getByLabel("Amount off (USD)").fill("5.00");
    await page.getByLabel("Minimum order (USD, optional)").fill("25");
    await page.getByRole("button", { name: "Add reward" }).click();
    await waitForText(page, "Added “$5 off your next order” for 500 points.", watched);
    const reward = numbers(
      await db.loyaltyReward.findFirstOrThrow({ where: { name: "$5 off your next order" } }),
    );
    expect(reward).toMatchObject({
      kind: "fixed_amount",
      pointsCost: 500,
      amountMinor: 500,
      currency: "USD",
      minimumSubtotalMinor: 2500,
      active: true,
    });
    await waitForText(page, "$5.00 off", watched);

    await page
      .getByRole("row")
      .filter({ hasText: "$5 off your next order" })
      .getByRole("button", { name: "Withdraw" })
      .click();
    await waitForText(page, "Reward withdrawn.", watched);
    expect(numbers(await db.loyaltyReward.findUniqueOrThrow({ where: { id: reward.id } })).active).toBe(
      false,
    );
    await db.$disconnect();
    expect(watched.errors).toEqual([]);
  });

  it("renders the loyalty pages in Czech with ?locale=cs, the domain's errors included", async () => {
    const page = await session.browser.newPage();
    const watched = watchPage(page);
    await page.goto(`${pageUrl}?locale=cs`);
    await page.getByRole("heading", { name: "Věrnostní program", level: 1 }).waitFor({ timeout: 20_000 });
    expect(await page.getByText("Získávání bodů").count()).toBe(1);
    await page.getByLabel("Kolik dní body čekají na připsání").fill("-1");
    await page.getByRole("button", { name: "Uložit" }).first().click();
    await waitForText(page, "Nic se neuložilo: opravte prosím označená pole", watched);
    expect(await page.getByText("musí být alespoň 0").count()).toBeGreaterThan(0);
    // The layout keeps the language for the other loyalty pages.
    await page.getByRole("link", { name: "Členové" }).first().click();
    await page.getByRole("heading", { name: "Členové věrnostního programu", level: 1 }).waitFor();
    await page.getByRole("link", { name: "Věrnostní program" }).first().click();
    await page.getByRole("link", { name: "Odměny" }).first().click();
    await page.getByRole("heading", { name: "Odměny", level: 1 }).waitFor();
    expect(await page.getByRole("button", { name: "Přidat odměnu" }).count()).toBe(1);
    expect(watched.errors).toEqual([]);
  });
});
