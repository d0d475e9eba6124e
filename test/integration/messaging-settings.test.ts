// A shop's messaging settings are saved whole or not at all, with each problem named by its field,
// and one shop's settings never touch another's.
import type { Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import {
  defaultMessagingSettings,
  MessagingSettingsError,
  messagingSettingsFor,
  saveMessagingSettings,
} from "../../app/messaging/settings";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";

const form = {
  fromName: "Linen & Co",
  fromEmail: "hello@linen.example",
  replyTo: "",
  quietStart: "22:00",
  quietEnd: "07:30",
  capMessages: "2",
  capHours: "24",
  channelOrder: "whatsapp, email",
  fallbackAfterMinutes: "60",
  whatsappPricing: "conversation",
  whatsappRates: JSON.stringify({
    currency: "EUR",
    rates: [],
    fallback: {
      businessInitiatedMicros: 50_000,
      userInitiatedMicros: 20_000,
      marketingMicros: 50_000,
      utilityMicros: 20_000,
      authenticationMicros: 30_000,
    },
  }),
};

describe(`messaging settings on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let shop: Shop;
  let other: Shop;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    shop = await db.shop.create({ data: { domain: "settings.myshopify.com" } });
    other = await db.shop.create({ data: { domain: "settings-2.myshopify.com" } });
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("starts from the defaults: 21:00–08:00 quiet hours, 1 marketing message per 16 h", async () => {
    expect(await messagingSettingsFor(db, shop.id)).toEqual(defaultMessagingSettings);
  });

  it("refuses a bad form whole, naming every field at fault", async () => {
    const error = (await saveMessagingSettings(db, shop.id, {
      ...form,
      quietStart: "25:00",
      channelOrder: "email,email,fax",
      whatsappRates: "{ not json",
      fromEmail: "not-an-address",
      capMessages: "many",
    }).catch((caught: unknown) => caught)) as MessagingSettingsError;
    expect(error).toBeInstanceOf(MessagingSettingsError);
    expect(error.issues.map((issue) => issue.field).sort()).toEqual([
      "capMessages",
      "channelOrder",
      "fromEmail",
      "quietStart",
      "whatsappRates",
    ]);
    expect(error.issues.find((issue) => issue.field === "whatsappRates")?.message).toMatch(/not valid JSON/);
    expect(await db.messagingSettings.count()).toBe(0);
  });

  it("saves a good form for its shop only, and keeps the rate table when the field is left empty", async () => {
    await saveMessagingSettings(db, shop.id, form);
    expect(await messagingSettingsFor(db, shop.id)).toMatchObject({
      fromName: "Linen & Co",
      fromEmail: "hello@linen.example",
      replyTo: null,
      quietStart: "22:00",
      quietEnd: "07:30",
      capMessages: 2,
      capHours: 24,
      channelOrder: "whatsapp,email",
      fallbackAfterMinutes: 60,
      whatsappPricing: "conversation",
      whatsappRates: { currency: "EUR" },
    });
    expect(await messagingSettingsFor(db, other.id)).toEqual(defaultMessagingSettings);
    await saveMessagingSettings(db, shop.id, { ...form, whatsappRates: "", capMessages: "3" });
    expect(await messagingSettingsFor(db, shop.id)).toMatchObject({
      capMessages: 3,
      whatsappRates: { currency: "EUR" },
    });
  });

  it("takes the rate table as the page's rows: a bad row refuses the whole form by field, a good table is stored", async () => {
    const before = await messagingSettingsFor(db, shop.id);
    const rows = (code: string, price: string) =>
      ["marketing", "utility", "authentication", "business_initiated", "user_initiated"].map((category) => ({
        callingCode: code,
        category,
        price,
      }));
    const refused = (await saveMessagingSettings(db, shop.id, {
      ...form,
      capMessages: "9",
      whatsappRates: {
        currency: "EUR",
        rows: [...rows("44", "0.05"), { callingCode: "420", category: "marketing", price: "abc" }],
      },
    }).catch((caught: unknown) => caught)) as MessagingSettingsError;
    expect(refused).toBeInstanceOf(MessagingSettingsError);
    expect(refused.issues.map((issue) => issue.field)).toEqual(["whatsappRates"]);
    expect(refused.issues[0]?.message).toMatch(/Rate row 6: the price must be an amount/);
    // A code without every category, and no fallback: the same validation as a table given whole.
    const incomplete = (await saveMessagingSettings(db, shop.id, {
      ...form,
      whatsappRates: { currency: "EUR", rows: rows("44", "0.05").slice(0, 4) },
    }).catch((caught: unknown) => caught)) as MessagingSettingsError;
    expect(incomplete.issues[0]?.message).toMatch(/\+44 has no user_initiated price/);
    const noFallback = (await saveMessagingSettings(db, shop.id, {
      ...form,
      whatsappRates: { currency: "EUR", rows: rows("44", "0.05") },
    }).catch((caught: unknown) => caught)) as MessagingSettingsError;
    expect(noFallback.issues[0]?.message).toMatch(/the fallback rate is missing/);
    expect(await messagingSettingsFor(db, shop.id)).toEqual(before);

    await saveMessagingSettings(db, shop.id, {
      ...form,
      whatsappRates: { currency: "usd", rows: [...rows("+44", "0.0125"), ...rows("", "0.05")] },
    });
    const saved = await messagingSettingsFor(db, shop.id);
    expect(saved.whatsappRates).toMatchObject({
      currency: "USD",
      rates: [{ callingCode: "44", marketingMicros: 12_500, userInitiatedMicros: 12_500 }],
      fallback: { marketingMicros: 50_000 },
    });
    // No rows keeps the current table.
    await saveMessagingSettings(db, shop.id, { ...form, whatsappRates: { currency: "USD", rows: [] } });
    expect((await messagingSettingsFor(db, shop.id)).whatsappRates).toEqual(saved.whatsappRates);
  });
});
