// The messaging page in a real browser, served by `npm run demo`: a template preview that points
// to the line of a mistake, then renders sample data; a bad settings form refused whole with the
// reason next to each field; a good one saved.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabaseClient } from "../../app/db/client";
import { projectRoot, resolveDatabase } from "../../prisma/database.mjs";
import { startDemoInBrowser, type DemoInBrowser } from "../support/demo-browser";

describe("messaging page in Chromium (demo shop)", () => {
  let session: DemoInBrowser;
  let pageUrl: string;

  beforeAll(async () => {
    session = await startDemoInBrowser("messaging");
    pageUrl = `${session.baseUrl}/app/messaging`;
  });

  afterAll(async () => {
    await session?.close();
  });

  it("previews a template with sample data and points to the line of a mistake", async () => {
    const page = await session.browser.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(pageUrl);
    await page
      .getByLabel("Template", { exact: true })
      .fill("Hi {{ customer.first_name }}\n{% if points.balance > 0 %}\nYou have points");
    await page.getByRole("button", { name: "Preview with sample data" }).click();
    await page.getByText("The template has mistakes").waitFor({ timeout: 20_000 });
    expect(await page.getByText(/^Line 2: tag \{% if/).count()).toBe(1);

    await page
      .getByLabel("Template", { exact: true })
      .fill("Ahoj {{ customer.first_name }}, máte {{ points.balance }} bodů. {{ 123456 | money: 'CZK' }}");
    await page.getByLabel("Language").selectOption("cs");
    await page.getByRole("button", { name: "Preview with sample data" }).click();
    const preview = page.getByTestId("template-preview");
    await preview.waitFor({ timeout: 20_000 });
    expect(await preview.innerText()).toMatch(/^Ahoj \S+, máte 1250 bodů\. 1\s234,56\sKč$/);
    expect(pageErrors).toEqual([]);
  });

  it("refuses a bad settings form whole and saves a good one", async () => {
    const page = await session.browser.newPage();
    await page.goto(pageUrl);
    // No page asks for JSON or a comma-separated list.
    expect(await page.locator("textarea").count()).toBe(1); // the template preview only
    await page.getByLabel("Quiet hours start").fill("25:00");
    for (const channel of ["E-mail", "SMS", "WhatsApp"]) await page.getByLabel(`Use ${channel}`).uncheck();
    await page.getByLabel("Sender e-mail").fill("shop@linen.example");
    // A rate row whose price is not an amount: the whole form is refused, the table named.
    await page.getByRole("button", { name: "Add rate" }).click();
    await page.getByLabel("Country calling code, row 1").fill("420");
    await page.getByLabel("Price (USD), row 1").fill("cheap");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Nothing was saved").waitFor({ timeout: 20_000 });
    expect(
      await page
        .getByText("choose at least one channel, each of e-mail, SMS and WhatsApp at most once")
        .count(),
    ).toBe(1);
    expect(await page.getByText("Rate row 1: the price must be an amount such as 0.0125").count()).toBe(1);
    const db = createDatabaseClient(resolveDatabase(session.databaseUrl));
    const shop = await db.shop.findFirstOrThrow();
    // Nothing of the refused form was saved: the demo's own settings (quiet hours off) stand.
    expect(await db.messagingSettings.findUnique({ where: { shopId: shop.id } })).toMatchObject({
      fromEmail: null,
      quietStart: "00:00",
      channelOrder: "email,sms,whatsapp",
      whatsappRates: null,
    });

    await page.getByLabel("Quiet hours start").fill("22:00");
    await page.getByLabel("Use SMS").check();
    await page.getByLabel("Use E-mail").check();
    await page.getByRole("button", { name: "Move SMS up" }).click();
    expect(await page.getByTestId("channel-sms").innerText()).toMatch(/^1\. SMS/);
    await page.getByRole("button", { name: "Remove row 1" }).click();
    // A complete table: +420 and the fallback (empty calling code), each in every category.
    const categories = [
      "Marketing",
      "Utility",
      "Authentication",
      "Business-initiated conversation",
      "User-initiated conversation",
    ];
    let row = 0;
    for (const code of ["420", ""]) {
      for (const category of categories) {
        row += 1;
        await page.getByRole("button", { name: "Add rate" }).click();
        await page.getByLabel(`Country calling code, row ${row}`).fill(code);
        await page.getByLabel(`Category, row ${row}`).selectOption({ label: category });
        await page.getByLabel(`Price (USD), row ${row}`).fill(code === "" ? "0.05" : "0.0125");
      }
    }
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Messaging settings saved").waitFor({ timeout: 20_000 });
    mkdirSync(path.join(projectRoot, "test-results"), { recursive: true });
    await page.screenshot({ path: path.join(projectRoot, "test-results", "messaging.png"), fullPage: true });
    expect(await db.messagingSettings.findUniqueOrThrow({ where: { shopId: shop.id } })).toMatchObject({
      quietStart: "22:00",
      quietEnd: "00:00", // the demo's, left as it was
      channelOrder: "sms,email",
      fromEmail: "shop@linen.example",
      whatsappRates: {
        currency: "USD",
        rates: [{ callingCode: "420", marketingMicros: 12_500, userInitiatedMicros: 12_500 }],
        fallback: { marketingMicros: 50_000 },
      },
    });
    await db.$disconnect();
  });

  it("renders in Czech with ?locale=cs", async () => {
    const page = await session.browser.newPage();
    await page.goto(`${pageUrl}?locale=cs`);
    await page.getByRole("heading", { name: "Zprávy", level: 1 }).waitFor({ timeout: 20_000 });
    expect(await page.getByText("Pořadí kanálů").count()).toBeGreaterThan(0);
    expect(await page.getByRole("button", { name: "Uložit" }).count()).toBe(1);
    await page.getByLabel("Začátek klidových hodin").fill("7");
    await page.getByRole("button", { name: "Uložit" }).click();
    await page.getByText("Nic se neuložilo").waitFor({ timeout: 20_000 });
    // The domain's validation message, in Czech, next to its field.
    expect(await page.getByText(/musí být čas ve 24hodinovém formátu/).count()).toBe(1);
  });
});
