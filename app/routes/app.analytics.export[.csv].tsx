import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "../admin.server";
import { analyticsPageData } from "../analytics/page-data.server";
import { messagesFor } from "../i18n/catalogue";
import { resolveAdminLocale } from "../i18n/locale";
import { analyticsMessages } from "../i18n/messages/analytics";
import { analyticsTables, tableCsv, tableIds, type TableId } from "../components/analytics/tables";

// GET /app/analytics/export.csv?table=metrics|retention|cohorts|customers|loyalty|tiers|flows|channels
// &period=…|from=&to=[&compare=] — one table of the Analytics page as CSV.
export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { shop, session } = await requireAdmin(request);
  const id = new URL(request.url).searchParams.get("table");
  if (!tableIds.includes(id as TableId)) {
    throw new Response(`table must be one of ${tableIds.join(", ")}`, { status: 400 });
  }
  const { report } = await analyticsPageData(request, shop, context.clock);
  // The same language as the page the link is on (the layout's rule: ?locale=, staff, shop).
  const locale = resolveAdminLocale({
    url: request.url,
    staffLocale: session.onlineAccessInfo?.associated_user.locale,
    shopLocale: shop.locale,
  });
  const table = analyticsTables(report, messagesFor(analyticsMessages, locale)).find(
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
