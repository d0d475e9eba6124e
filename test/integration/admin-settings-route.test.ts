// The Settings and Home routes through the built server (`npm run build` first): in demo mode a bad
// analytics setting is answered with its field's error and nothing saved, a good one saved for the
// demo shop only; Home's onboarding names the steps left (the theme unread: no Admin API here).
// Outside demo mode an unauthenticated admin is sent to the login page.
import type { Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { startWebServer, type RunningProcess } from "../support/processes";
import { createDemoSession, demoShop, startDemoServer } from "../support/demo-admin";

const browserUserAgent =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";

describe(`admin settings route in demo mode on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let server: RunningProcess & { baseUrl: string };
  let shop: Shop;
  let other: Shop;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    await createDemoSession(db, "read_customers,read_orders,read_themes");
    shop = await db.shop.create({ data: { domain: demoShop } });
    other = await db.shop.create({ data: { domain: "someone-else.myshopify.com" } });
    await db.analyticsSettings.create({ data: { shopId: other.id, activityWindowDays: 90 } });
    server = await startDemoServer(database.url);
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  const post = (form: Record<string, string>) =>
    fetch(`${server.baseUrl}/app/settings?_data=routes%2Fapp.settings`, {
      method: "POST",
      body: new URLSearchParams(form),
    });

  it("loads the shop's settings as the form shows them", async () => {
    const response = await fetch(`${server.baseUrl}/app/settings?_data=routes%2Fapp.settings`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      form: { activityWindowDays: "365", expectedLifespanYears: "3", profitMarginPercent: "30" },
    });
  });

  it("answers a bad form with its fields' errors and saves nothing", async () => {
    const response = await post({
      activityWindowDays: "x",
      expectedLifespanYears: "2",
      profitMarginPercent: "101",
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      saved: false,
      errors: [
        { field: "activityWindowDays", message: "must be a whole number" },
        { field: "profitMarginPercent", message: "must be at most 100" },
      ],
    });
    const missing = await post({ activityWindowDays: "100" });
    expect(await missing.json()).toEqual({
      saved: false,
      errors: [
        { field: "expectedLifespanYears", message: "must be a number with at most two decimals" },
        { field: "profitMarginPercent", message: "must be a number with at most two decimals" },
      ],
    });
    expect(await db.analyticsSettings.findUnique({ where: { shopId: shop.id } })).toBeNull();
  });

  it("saves a good form for the demo shop only", async () => {
    const response = await post({
      activityWindowDays: "180",
      expectedLifespanYears: "2",
      profitMarginPercent: "25",
    });
    expect(await response.json()).toEqual({ saved: true, rebuilding: true, errors: [] });
    expect(await db.analyticsSettings.findUniqueOrThrow({ where: { shopId: shop.id } })).toMatchObject({
      activityWindowDays: 180,
      expectedLifespanMonths: 24,
      profitMarginBasisPoints: 2500,
    });
    expect(await db.analyticsSettings.findUniqueOrThrow({ where: { shopId: other.id } })).toMatchObject({
      activityWindowDays: 90,
    });
  });

  it("shows Home's onboarding with every step left, the theme marked as not read", async () => {
    const response = await fetch(`${server.baseUrl}/app?_data=routes%2Fapp._index`);
    expect(response.status).toBe(200);
    const data = (await response.json()) as {
      onboarding: {
        steps: { step: string; done: boolean }[];
        themeUnknown: boolean;
        complete: boolean;
        themeEditorUrl: string;
      };
    };
    expect(data.onboarding.steps.every((step) => !step.done)).toBe(true);
    expect(data.onboarding).toMatchObject({ themeUnknown: true, complete: false });
    expect(data.onboarding.themeEditorUrl).toMatch(
      /^https:\/\/admin\.shopify\.com\/store\/stayloop-demo\/themes\/current\/editor\?context=apps&activateAppId=.+\/loyalty-launcher$/,
    );
  });
});

describe(`admin settings route outside demo mode on ${testProvider}`, () => {
  let database: TestDatabase;
  let server: RunningProcess & { baseUrl: string };

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startWebServer({ DATABASE_URL: database.url });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("sends an unauthenticated visitor to the login page", async () => {
    const response = await fetch(`${server.baseUrl}/app/settings`, {
      redirect: "manual",
      headers: { "user-agent": browserUserAgent },
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toContain("/auth/login");
  });
});
