// The shop's analytics settings as the merchant edits them on the Settings page (ADR 013): the
// activity window in days, the expected customer lifespan in years (stored in months) and the profit
// margin in percent (stored in basis points). Saved whole or not at all, every bad field named. A
// changed activity window changes every customer's rollup rows, so the shop's analytics are rebuilt
// (ADR 013, "Consequences").
import { z } from "zod";
import { sqlConnectionOf, type Database } from "../db/client";
import { scheduleJobOnce } from "../jobs/schedule";
import { analyticsRebuildJobKind } from "./rebuild";
import { analyticsSettingsOf, defaultAnalyticsSettings, type AnalyticsSettingsValues } from "./rollups";

export interface AnalyticsSettingsForm {
  activityWindowDays: string;
  expectedLifespanYears: string;
  profitMarginPercent: string;
}

/** The form as posted; a missing field reads as empty, so the checks below name it. */
export const analyticsSettingsFormSchema = z.object({
  activityWindowDays: z.string().catch(""),
  expectedLifespanYears: z.string().catch(""),
  profitMarginPercent: z.string().catch(""),
});

export type AnalyticsSettingsIssue = { field: keyof AnalyticsSettingsForm; message: string };

export class AnalyticsSettingsError extends Error {
  constructor(readonly issues: AnalyticsSettingsIssue[]) {
    super(
      `invalid analytics settings: ${issues.map((issue) => `${issue.field}: ${issue.message}`).join("; ")}`,
    );
  }
}

/** The shop's settings as the reports read them (analyticsSettingsOf), for the Settings page. */
export function analyticsSettingsFor(db: Database, shopId: string): Promise<AnalyticsSettingsValues> {
  return sqlConnectionOf(db).read((tx) => analyticsSettingsOf(tx, shopId));
}

/** The settings as the form shows them. */
export function analyticsSettingsFormOf(settings: AnalyticsSettingsValues): AnalyticsSettingsForm {
  return {
    activityWindowDays: String(settings.activityWindowDays),
    expectedLifespanYears: String(Math.round((settings.expectedLifespanMonths / 12) * 100) / 100),
    profitMarginPercent: String(settings.profitMarginBasisPoints / 100),
  };
}

/** A decimal typed by the merchant ("2.5", "2,5") in hundredths, or null. */
function hundredths(text: string): number | null {
  const match = /^(\d{1,6})(?:[.,](\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}

/** Reads and checks the form; throws AnalyticsSettingsError naming every bad field. */
export function analyticsSettingsFromForm(form: AnalyticsSettingsForm): AnalyticsSettingsValues {
  const issues: AnalyticsSettingsIssue[] = [];
  const window = form.activityWindowDays.trim();
  let activityWindowDays = 0;
  if (!/^\d+$/.test(window)) issues.push({ field: "activityWindowDays", message: "must be a whole number" });
  else {
    activityWindowDays = Number(window);
    if (activityWindowDays < 30) issues.push({ field: "activityWindowDays", message: "must be at least 30" });
    if (activityWindowDays > 1_095)
      issues.push({ field: "activityWindowDays", message: "must be at most 1095" });
  }
  const years = hundredths(form.expectedLifespanYears);
  let expectedLifespanMonths = 0;
  if (years === null) {
    issues.push({ field: "expectedLifespanYears", message: "must be a number with at most two decimals" });
  } else {
    expectedLifespanMonths = Math.round((years * 12) / 100);
    if (years < 10) issues.push({ field: "expectedLifespanYears", message: "must be at least 0.1" });
    if (years > 2_000) issues.push({ field: "expectedLifespanYears", message: "must be at most 20" });
  }
  const margin = hundredths(form.profitMarginPercent);
  if (margin === null) {
    issues.push({ field: "profitMarginPercent", message: "must be a number with at most two decimals" });
  } else if (margin > 10_000) {
    issues.push({ field: "profitMarginPercent", message: "must be at most 100" });
  }
  if (issues.length > 0) throw new AnalyticsSettingsError(issues);
  return { activityWindowDays, expectedLifespanMonths, profitMarginBasisPoints: margin ?? 0 };
}

/**
 * Saves the shop's analytics settings from the form, or throws AnalyticsSettingsError and changes
 * nothing. A changed activity window changes every customer's rollup rows: the worker rebuilds the
 * shop's analytics (an "analytics.rebuild" job, scheduled in the same transaction; a rebuild of a
 * large shop takes minutes, too long for a request). Returns whether a rebuild was scheduled.
 */
export async function saveAnalyticsSettings(
  db: Database,
  shopId: string,
  form: AnalyticsSettingsForm,
  now: Date,
): Promise<{ settings: AnalyticsSettingsValues; rebuilding: boolean }> {
  const settings = analyticsSettingsFromForm(form);
  return db.$transaction(async (tx) => {
    const before = await tx.analyticsSettings.findUnique({ where: { shopId } });
    await tx.analyticsSettings.upsert({
      where: { shopId },
      create: { shopId, ...settings },
      update: settings,
    });
    const window = before?.activityWindowDays ?? defaultAnalyticsSettings.activityWindowDays;
    const rebuilding = window !== settings.activityWindowDays;
    if (rebuilding)
      await scheduleJobOnce(tx, {
        shopId,
        kind: analyticsRebuildJobKind,
        key: `window-${settings.activityWindowDays}-${now.toISOString()}`,
        payload: {},
        runAt: now,
      });
    return { settings, rebuilding };
  });
}
