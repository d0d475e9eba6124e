// The Settings page's analytics settings: refused whole with every bad field named and nothing
// saved; saved for one shop only; a changed activity window rebuilds the shop's analytics.
import type { Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultAnalyticsSettings } from "../../app/analytics/rollups";
import {
  AnalyticsSettingsError,
  analyticsSettingsFor,
  analyticsSettingsFormOf,
  saveAnalyticsSettings,
} from "../../app/analytics/settings";
import { sqlConnectionOf, type Database } from "../../app/db/client";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";

describe(`analytics settings on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let shop: Shop;
  let other: Shop;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    shop = await db.shop.create({ data: { domain: "analytics-settings.myshopify.com" } });
    other = await db.shop.create({ data: { domain: "analytics-settings-2.myshopify.com" } });
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("shows the defaults as the form: 365 days, 3 years, 30 %", async () => {
    expect(analyticsSettingsFormOf(await analyticsSettingsFor(db, shop.id))).toEqual({
      activityWindowDays: "365",
      expectedLifespanYears: "3",
      profitMarginPercent: "30",
    });
  });

  it("refuses a bad form whole, naming every field, and saves nothing", async () => {
    const error = (await saveAnalyticsSettings(db, sqlConnectionOf(db), shop.id, {
      activityWindowDays: "12.5",
      expectedLifespanYears: "0",
      profitMarginPercent: "120",
    }).catch((caught: unknown) => caught)) as AnalyticsSettingsError;
    expect(error).toBeInstanceOf(AnalyticsSettingsError);
    expect(error.issues).toEqual([
      { field: "activityWindowDays", message: "must be a whole number" },
      { field: "expectedLifespanYears", message: "must be at least 0.1" },
      { field: "profitMarginPercent", message: "must be at most 100" },
    ]);
    const tooShort = (await saveAnalyticsSettings(db, sqlConnectionOf(db), shop.id, {
      activityWindowDays: "7",
      expectedLifespanYears: "2",
      profitMarginPercent: "abc",
    }).catch((caught: unknown) => caught)) as AnalyticsSettingsError;
    expect(tooShort.issues.map((issue) => issue.field)).toEqual([
      "activityWindowDays",
      "profitMarginPercent",
    ]);
    expect(await db.analyticsSettings.count()).toBe(0);
  });

  it("saves for its shop only, and rebuilds the analytics when the activity window changes", async () => {
    const first = await saveAnalyticsSettings(db, sqlConnectionOf(db), shop.id, {
      activityWindowDays: "180",
      expectedLifespanYears: "2,5",
      profitMarginPercent: "42.5",
    });
    expect(first).toEqual({
      settings: { activityWindowDays: 180, expectedLifespanMonths: 30, profitMarginBasisPoints: 4250 },
      rebuilt: true,
    });
    expect(await analyticsSettingsFor(db, shop.id)).toEqual(first.settings);
    expect(await analyticsSettingsFor(db, other.id)).toEqual(defaultAnalyticsSettings);
    const second = await saveAnalyticsSettings(db, sqlConnectionOf(db), shop.id, {
      activityWindowDays: "180",
      expectedLifespanYears: "3",
      profitMarginPercent: "40",
    });
    expect(second.rebuilt).toBe(false);
    expect(analyticsSettingsFormOf(second.settings)).toEqual({
      activityWindowDays: "180",
      expectedLifespanYears: "3",
      profitMarginPercent: "40",
    });
  });
});
