import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "../admin.server";
import { analyticsPageData } from "../analytics/page-data.server";
import { analyticsLocaleOf, analyticsStrings } from "../components/analytics/strings";
import { analyticsTables, tableCsv, tableIds, type TableId } from "../components/analytics/tables";

// GET /app/analytics/export.csv?table=metrics|retention|cohorts|customers|loyalty|tiers|flows|channels
// &period=…|from=&to=[&compare=] — one table of the Analytics page as CSV.
export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const id = new URL(request.url).searchParams.get("table");
  if (!tableIds.includes(id as TableId)) {
    throw new Response(`table must be one of ${tableIds.join(", ")}`, { status: 400 });
  }
  const { report, locale } = await analyticsPageData(request, shop, context.clock);
  const table = analyticsTables(report, analyticsStrings[analyticsLocaleOf(locale)]).find(
    (candidate) => candidate.id === id,
  );
  if (!table) throw new Response("no such table", { status: 404 });
  return new Response(tableCsv(table), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="stayloop-${table.id}-${report.period.from}-${report.period.to}.csv"`,
      "cache-control": "no-store",
    },
  });
};
