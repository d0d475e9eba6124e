// The messaging page in a real browser, served by `npm run demo`: a template preview that points
// to the line of a mistake, then renders sample data; a bad settings form refused whole with the
// reason next to each field; a good one saved.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabaseClient } from "../../app/db/client";
import { resolveDatabase } from "../../prisma/database.mjs";
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
    await page.getByLabel("Quiet hours start").fill("25:00");
    await page.getByLabel("Channel order").fill("email,fax");
    await page.getByLabel("Sender e-mail").fill("shop@linen.example");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Nothing was saved").waitFor({ timeout: 20_000 });
    expect(await page.getByText(/must list e-mail, SMS and WhatsApp channels once each/).count()).toBe(1);
    const db = createDatabaseClient(resolveDatabase(session.databaseUrl));
    const shop = await db.shop.findFirstOrThrow();
    // Nothing of the refused form was saved: the demo's own settings (quiet hours off) stand.
    expect(await db.messagingSettings.findUnique({ where: { shopId: shop.id } })).toMatchObject({
      fromEmail: null,
      quietStart: "00:00",
      channelOrder: "email,sms,whatsapp",
    });

    await page.getByLabel("Quiet hours start").fill("22:00");
    await page.getByLabel("Channel order").fill("sms,email");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Messaging settings saved").waitFor({ timeout: 20_000 });
    expect(await db.messagingSettings.findUniqueOrThrow({ where: { shopId: shop.id } })).toMatchObject({
      quietStart: "22:00",
      quietEnd: "00:00", // the demo's, left as it was
      channelOrder: "sms,email",
      fromEmail: "shop@linen.example",
    });
    await db.$disconnect();
  });
});
