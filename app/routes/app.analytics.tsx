import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireAdmin } from "../admin.server";
import { analyticsPageData } from "../analytics/page-data.server";
import { AnalyticsPage } from "../components/analytics/AnalyticsPage";

// /app/analytics?period=last90|…&compare=previous|none (or from=&to=) — every table, with CSV.
export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  return analyticsPageData(request, shop, context.clock);
};

export default function Analytics() {
  return <AnalyticsPage {...useLoaderData<typeof loader>()} />;
}
