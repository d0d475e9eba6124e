// What the admin's analytics pages load (Home dashboard, Analytics page, CSV export): the period
// from the query (?period=<preset> or ?from=&to=, compare on by default), the report, the words.
import type { Shop } from "@prisma/client";
import { z } from "zod";
import { describeQueryError } from "../api.server";
import type { Clock } from "../clock";
import prisma from "../db.server";
import { localDay } from "./calendar";
import { periodPresets, presetPeriod, type PeriodPreset } from "./presets";
import { analyticsQuerySchema, analyticsReport, type AnalyticsReport } from "./report";
import { analyticsSqlConnection } from "./sql.server";

const pageQuerySchema = z.object({
  period: z.enum(periodPresets).optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  compare: z.enum(["previous", "none"]).optional(),
});

export interface AnalyticsPageData {
  report: AnalyticsReport;
  preset: PeriodPreset | null;
  compare: boolean;
}

/** The page's data; a bad query is answered 400 with what is wrong (nothing is read). */
export async function analyticsPageData(
  request: Request,
  shop: Shop,
  clock: Clock,
): Promise<AnalyticsPageData> {
  const raw = pageQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!raw.success) throw new Response(describeQueryError(raw.error), { status: 400 });
  const now = clock.now();
  const preset = raw.data.period ?? (raw.data.from || raw.data.to ? null : "last30");
  const period = preset ? presetPeriod(preset, localDay(now.getTime(), shop.timezone)) : raw.data;
  const compare = raw.data.compare !== "none";
  const query = analyticsQuerySchema.safeParse({
    from: period.from,
    to: period.to,
    compare: compare ? "previous" : "none",
  });
  if (!query.success) throw new Response(describeQueryError(query.error), { status: 400 });
  const report = await analyticsReport(prisma, analyticsSqlConnection(), shop.id, query.data, now);
  return { report, preset, compare };
}
