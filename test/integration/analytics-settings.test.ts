// The Settings page's analytics settings: refused whole with every bad field named and nothing
// saved; saved for one shop only; a changed activity window rebuilds the shop's analytics.
import type { Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyticsRebuildJobKind, rebuildShopAnalytics } from "../../app/analytics/rebuild";
import { defaultAnalyticsSettings } from "../../app/analytics/rollups";
import {
  AnalyticsSettingsError,
  analyticsSettingsFor,
  analyticsSettingsFormOf,
  saveAnalyticsSettings,
} from "../../app/analytics/settings";
import { sqlConnectionOf, type Database } from "../../app/db/client";
import { workerSetup } from "../../app/worker-setup";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { noAdminApi } from "../support/flows";
import { drain, testWorker } from "../support/inbox";

const now = new Date("2026-12-01T12:00:00Z");

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
    const error = (await saveAnalyticsSettings(
      db,
      shop.id,
      {
        activityWindowDays: "12.5",
        expectedLifespanYears: "0",
        profitMarginPercent: "120",
      },
      now,
    ).catch((caught: unknown) => caught)) as AnalyticsSettingsError;
    expect(error).toBeInstanceOf(AnalyticsSettingsError);
    expect(error.issues).toEqual([
      { field: "activityWindowDays", message: "must be a whole number" },
      { field: "expectedLifespanYears", message: "must be at least 0.1" },
      { field: "profitMarginPercent", message: "must be at most 100" },
    ]);
    const tooShort = (await saveAnalyticsSettings(
      db,
      shop.id,
      {
        activityWindowDays: "7",
        expectedLifespanYears: "2",
        profitMarginPercent: "abc",
      },
      now,
    ).catch((caught: unknown) => caught)) as AnalyticsSettingsError;
    expect(tooShort.issues.map((issue) => issue.field)).toEqual([
      "activityWindowDays",
      "profitMarginPercent",
    ]);
    expect(await db.analyticsSettings.count()).toBe(0);
  });

  it("saves for its shop only, and has the worker rebuild the analytics when the activity window changes", async () => {
    // A customer with one order: their activity spell lasts the window, 365 days, then 180.
    const customer = await db.customer.create({
      data: { shopId: shop.id, shopifyId: "1", email: "a@example.com" },
    });
    await db.order.create({
      data: {
        shopId: shop.id,
        shopifyId: "10",
        name: "#1001",
        customerId: customer.id,
        currency: "EUR",
        subtotalMinor: 5_000n,
        totalMinor: 5_000n,
        processedAt: new Date("2026-10-01T10:00:00Z"),
        shopifyUpdatedAt: new Date("2026-10-01T10:00:00Z"),
      },
    });
    await rebuildShopAnalytics(sqlConnectionOf(db), shop.id);
    const spellLength = async () => {
      const spell = await db.analyticsSpell.findFirstOrThrow({ where: { shopId: shop.id } });
      return spell.activeUntil - spell.activeFrom + 1;
    };
    expect(await spellLength()).toBe(365);

    const first = await saveAnalyticsSettings(
      db,
      shop.id,
      {
        activityWindowDays: "180",
        expectedLifespanYears: "2,5",
        profitMarginPercent: "42.5",
      },
      now,
    );
    expect(first).toEqual({
      settings: { activityWindowDays: 180, expectedLifespanMonths: 30, profitMarginBasisPoints: 4250 },
      rebuilding: true,
    });
    expect(await analyticsSettingsFor(db, shop.id)).toEqual(first.settings);
    expect(await analyticsSettingsFor(db, other.id)).toEqual(defaultAnalyticsSettings);
    const jobs = await db.job.findMany({ where: { kind: analyticsRebuildJobKind } });
    expect(jobs.map((job) => job.shopId)).toEqual([shop.id]);
    // The worker runs the job: the spell now lasts the new window.
    await drain(
      testWorker(
        db,
        new ManualClock(now),
        workerSetup({ clock: new ManualClock(now), adminClientFor: noAdminApi }),
      ),
    );
    expect(await db.job.findFirstOrThrow({ where: { kind: analyticsRebuildJobKind } })).toMatchObject({
      status: "done",
    });
    expect(await spellLength()).toBe(180);

    const second = await saveAnalyticsSettings(
      db,
      shop.id,
      {
        activityWindowDays: "180",
        expectedLifespanYears: "3",
        profitMarginPercent: "40",
      },
      now,
    );
    expect(second.rebuilding).toBe(false);
    expect(await db.job.count({ where: { kind: analyticsRebuildJobKind } })).toBe(1);
    expect(analyticsSettingsFormOf(second.settings)).toEqual({
      activityWindowDays: "180",
      expectedLifespanYears: "3",
      profitMarginPercent: "40",
    });
  });
});
