// /app/flows/:id/results — per step and per variant the funnel and revenue, and the control group's
// incremental revenue and lift with its interval, or "not enough data yet" (R-ADM-2, R-FLOW-6/8).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireAdmin } from "../admin.server";
import { FlowResultsPage } from "../components/flows/FlowResults";
import prisma from "../db.server";
import { flowPeriodOf, flowResultsData, FlowReportNotFoundError, periodOfDays } from "../flows/flow-admin";

export const loader = async ({ request, params, context }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const days = flowPeriodOf(new URL(request.url).searchParams.get("period"));
  if (!days) throw new Response("period must be 7, 30, 90 or 365", { status: 400 });
  try {
    const report = await flowResultsData(
      prisma,
      shop.id,
      params.id ?? "",
      periodOfDays(days, context.clock.now()),
    );
    return {
      days,
      flow: { id: report.id, name: report.name, status: report.status },
      currency: report.results.currency,
      results: report.results,
      control: report.control,
    };
  } catch (error) {
    if (error instanceof FlowReportNotFoundError)
      throw new Response("No such flow in this shop", { status: 404 });
    throw error;
  }
};

export default function FlowResultsRoute() {
  const data = useLoaderData<typeof loader>();
  return <FlowResultsPage {...data} />;
}
