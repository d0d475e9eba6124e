// The loyalty and messaging admin routes through the built server in demo mode (`npm run build`
// first): another shop's member or reward is 404 and unchanged; a bad messaging form is answered
// with its fields' errors and nothing saved; the rate table's rows are saved as the stored table.
import type { Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import type { RunningProcess } from "../support/processes";
import { createDemoSession, demoShop, startDemoServer } from "../support/demo-admin";

describe(`loyalty and messaging routes in demo mode on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let server: RunningProcess & { baseUrl: string };
  let shop: Shop;
  let otherMemberId = "";
  let otherRewardId = "";

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    await createDemoSession(db, "read_customers");
    shop = await db.shop.create({ data: { domain: demoShop } });
    const other = await db.shop.create({ data: { domain: "someone-else.myshopify.com" } });
    const customer = await db.customer.create({ data: { shopId: other.id, shopifyId: "1" } });
    otherMemberId = (
      await db.loyaltyMember.create({
        data: { shopId: other.id, customerId: customer.id, pointsBalance: 10 },
      })
    ).id;
    otherRewardId = (
      await db.loyaltyReward.create({
        data: { shopId: other.id, name: "Theirs", kind: "free_shipping", pointsCost: 100, active: true },
      })
    ).id;
    server = await startDemoServer(database.url);
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  const post = (path: string, route: string, form: Record<string, string> | URLSearchParams) =>
    fetch(`${server.baseUrl}${path}?_data=${encodeURIComponent(route)}`, {
      method: "POST",
      body: form instanceof URLSearchParams ? form : new URLSearchParams(form),
    });

  it("answers 404 for another shop's member and changes nothing", async () => {
    const response = await post("/app/loyalty/members", "routes/app.loyalty.members", {
      memberId: otherMemberId,
      points: "50",
      reason: "Not mine",
      adjustmentId: "8a6e0f7e-3b1c-4e59-9d3e-0a1b2c3d4e5f",
    });
    expect(response.status).toBe(404);
    expect(
      Number((await db.loyaltyMember.findUniqueOrThrow({ where: { id: otherMemberId } })).pointsBalance),
    ).toBe(10);
    expect(await db.loyaltyLedgerEntry.count()).toBe(0);
  });

  it("answers 404 for another shop's reward and leaves it offered", async () => {
    const response = await post("/app/loyalty/rewards", "routes/app.loyalty.rewards", {
      intent: "toggle",
      rewardId: otherRewardId,
      active: "false",
    });
    expect(response.status).toBe(404);
    expect((await db.loyaltyReward.findUniqueOrThrow({ where: { id: otherRewardId } })).active).toBe(true);
  });

  const settingsForm = (rows: [string, string, string][]) => {
    const form = new URLSearchParams({
      intent: "save",
      fromName: "Linen",
      fromEmail: "hello@linen.example",
      replyTo: "",
      quietStart: "21:00",
      quietEnd: "08:00",
      capMessages: "1",
      capHours: "16",
      channelOrder: "sms,email",
      fallbackAfterMinutes: "240",
      whatsappPricing: "per_message",
      rateCurrency: "EUR",
    });
    for (const [code, category, price] of rows) {
      form.append("rateCallingCode", code);
      form.append("rateCategory", category);
      form.append("ratePrice", price);
    }
    return form;
  };
  const categories = ["marketing", "utility", "authentication", "business_initiated", "user_initiated"];

  it("answers a bad messaging form with its fields' errors and saves nothing", async () => {
    const form = settingsForm([["44", "marketing", "0.05"]]);
    form.set("channelOrder", "");
    form.set("capMessages", "0");
    const response = await post("/app/messaging", "routes/app.messaging", form);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { saved: boolean; errors: { field: string; message: string }[] };
    expect(body.saved).toBe(false);
    expect(body.errors.map((error) => error.field).sort()).toEqual([
      "capMessages",
      "channelOrder",
      "whatsappRates",
    ]);
    expect(body.errors.find((error) => error.field === "whatsappRates")?.message).toMatch(
      /\+44 has no utility price/,
    );
    expect(await db.messagingSettings.count()).toBe(0);
  });

  it("saves the channel order and the rate table's rows", async () => {
    const rows = ["420", ""].flatMap((code) =>
      categories.map((category): [string, string, string] => [code, category, code === "" ? "0.06" : "0.02"]),
    );
    const response = await post("/app/messaging", "routes/app.messaging", settingsForm(rows));
    expect(await response.json()).toEqual({ intent: "save", saved: true });
    expect(await db.messagingSettings.findUniqueOrThrow({ where: { shopId: shop.id } })).toMatchObject({
      channelOrder: "sms,email",
      whatsappRates: {
        currency: "EUR",
        rates: [{ callingCode: "420", marketingMicros: 20_000 }],
        fallback: { authenticationMicros: 60_000 },
      },
    });
    // The page shows the stored table as rows again.
    const page = (await (
      await fetch(`${server.baseUrl}/app/messaging?_data=routes%2Fapp.messaging`)
    ).json()) as {
      settings: {
        whatsappRates: { currency: string; rows: { callingCode: string; category: string; price: string }[] };
      };
    };
    expect(page.settings.whatsappRates.currency).toBe("EUR");
    expect(page.settings.whatsappRates.rows).toHaveLength(10);
    expect(page.settings.whatsappRates.rows[0]).toEqual({
      callingCode: "420",
      category: "marketing",
      price: "0.02",
    });
  });
});
