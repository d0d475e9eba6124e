import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "../admin.server";
import { analyticsQuerySchema, analyticsReport } from "../analytics/report";
import { analyticsSqlConnection } from "../analytics/sql.server";
import { apiJson, badRequest, describeQueryError, queryOf } from "../api.server";
import prisma from "../db.server";

// GET /api/analytics?from=YYYY-MM-DD&to=YYYY-MM-DD[&compare=previous] — every retention metric of
// the period (to excluded; default the last 30 days), the cohort matrix, loyalty and flows (README).
export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const query = analyticsQuerySchema.safeParse(queryOf(request));
  if (!query.success) return badRequest(describeQueryError(query.error));
  return apiJson(
    await analyticsReport(prisma, analyticsSqlConnection(), shop.id, query.data, context.clock.now()),
  );
};
