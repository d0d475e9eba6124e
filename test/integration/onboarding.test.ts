// Onboarding on Home: each step is detected from the shop's own state — the app embed in the live
// theme's settings (through the Admin API, here the fake one), a sender e-mail, a live flow, the
// loyalty program on — for one shop without touching another's.
import type { Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { onboardingStatus, type OnboardingStatus } from "../../app/shops/onboarding";
import { createAdminClient } from "../../app/shopify/admin-client";
import { embedEnabledIn, themeEmbedDeepLink, themeEmbedEnabled } from "../../app/shopify/theme-embed";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { startFakeAdminApi, type FakeAdminApi } from "../support/fake-admin-api";

const embedType = "shopify://apps/stayloop/blocks/loyalty-launcher/0f1e2d3c-0000-4000-8000-000000000001";
const settingsData = (blocks: Record<string, { type: string; disabled?: boolean }>) =>
  `/*\n * IMPORTANT: The contents of this file are auto-generated.\n */\n${JSON.stringify({ current: { color: "#000", blocks } })}`;

function done(status: OnboardingStatus): Record<string, boolean> {
  return Object.fromEntries(status.steps.map((step) => [step.step, step.done]));
}

describe(`onboarding on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let api: FakeAdminApi;
  let shop: Shop;
  let other: Shop;

  const statusOf = (target: Shop) =>
    onboardingStatus(db, target.id, () =>
      themeEmbedEnabled(
        createAdminClient({
          shopDomain: target.domain,
          accessToken: "t",
          endpoint: api.endpoint(target.domain),
        }),
      ),
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    api = await startFakeAdminApi({ customers: 1, orders: 0, products: 0 });
    shop = await db.shop.create({ data: { domain: "onboarding.myshopify.com" } });
    other = await db.shop.create({ data: { domain: "onboarding-2.myshopify.com" } });
  });

  afterAll(async () => {
    await api?.close();
    await database?.drop();
  });

  it("starts with every step open", async () => {
    const status = await statusOf(shop);
    expect(done(status)).toEqual({ themeEmbed: false, sender: false, firstFlow: false, loyalty: false });
    expect(status).toMatchObject({ complete: false, themeUnknown: false });
  });

  it("detects the app embed only when it is in the live theme and not disabled", async () => {
    api.themeSettings.set(shop.domain, settingsData({ a: { type: embedType, disabled: true } }));
    expect(done(await statusOf(shop)).themeEmbed).toBe(false);
    api.themeSettings.set(
      shop.domain,
      settingsData({ a: { type: "shopify://apps/other-app/blocks/launcher/1", disabled: false } }),
    );
    expect(done(await statusOf(shop)).themeEmbed).toBe(false);
    api.themeSettings.set(shop.domain, settingsData({ a: { type: embedType, disabled: false } }));
    expect(done(await statusOf(shop)).themeEmbed).toBe(true);
    expect(done(await statusOf(other)).themeEmbed).toBe(false);
    // A shop without a main theme, and settings Shopify keeps as a preset name, read as "not on".
    api.themeSettings.set(other.domain, null);
    expect(done(await statusOf(other)).themeEmbed).toBe(false);
    expect(embedEnabledIn(JSON.stringify({ current: "Default" }))).toBe(false);
  });

  it("leaves the theme step open, and says so, when the theme cannot be read", async () => {
    const status = await onboardingStatus(db, shop.id, () => Promise.reject(new Error("no offline session")));
    expect(done(status).themeEmbed).toBe(false);
    expect(status.themeUnknown).toBe(true);
  });

  it("detects the sender, a live flow and the loyalty program, and is complete with all four", async () => {
    await db.messagingSettings.create({ data: { shopId: shop.id, fromEmail: null } });
    expect(done(await statusOf(shop)).sender).toBe(false);
    await db.messagingSettings.update({ where: { shopId: shop.id }, data: { fromEmail: "hi@shop.example" } });
    expect(done(await statusOf(shop)).sender).toBe(true);

    const flow = await db.flow.create({
      data: { shopId: shop.id, name: "Welcome", status: "draft", triggerEvent: "customer.created" },
    });
    expect(done(await statusOf(shop)).firstFlow).toBe(false);
    await db.flow.update({ where: { id: flow.id }, data: { status: "paused" } });
    expect(done(await statusOf(shop)).firstFlow).toBe(false);
    await db.flow.update({ where: { id: flow.id }, data: { status: "live" } });
    expect(done(await statusOf(shop)).firstFlow).toBe(true);

    await db.loyaltyProgram.create({ data: { shopId: shop.id, enabled: false } });
    expect(done(await statusOf(shop)).loyalty).toBe(false);
    await db.loyaltyProgram.update({ where: { shopId: shop.id }, data: { enabled: true } });
    const status = await statusOf(shop);
    expect(done(status)).toEqual({ themeEmbed: true, sender: true, firstFlow: true, loyalty: true });
    expect(status.complete).toBe(true);

    // The other shop's steps are its own.
    expect(done(await statusOf(other))).toEqual({
      themeEmbed: false,
      sender: false,
      firstFlow: false,
      loyalty: false,
    });
  });

  it("links to the theme editor with the app embed to switch on", () => {
    expect(themeEmbedDeepLink("linen-co.myshopify.com", "abc123")).toBe(
      "https://admin.shopify.com/store/linen-co/themes/current/editor?context=apps&activateAppId=abc123/loyalty-launcher",
    );
  });
});
