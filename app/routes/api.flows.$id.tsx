import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "../admin.server";
import { apiJson, badRequest, describeQueryError, notFound, periodSchema, queryOf } from "../api.server";
import prisma from "../db.server";
import { FlowReportNotFoundError, flowReport } from "../flows/reports";

// GET /api/flows/:id?from=&to= — the flow's current definition, versions and changes, its results
// per step and per variant, and its control-group report for the period (default: last 30 days).
export const loader = async ({ request, params, context }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const period = periodSchema(context.clock.now()).safeParse(queryOf(request));
  if (!period.success) return badRequest(describeQueryError(period.error));
  try {
    return apiJson(await flowReport(prisma, shop.id, params.id ?? "", period.data));
  } catch (error) {
    if (error instanceof FlowReportNotFoundError) return notFound("no such flow in this shop");
    throw error;
  }
};
