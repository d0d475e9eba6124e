import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "../admin.server";
import { apiJson, badRequest, describeQueryError, periodSchema, queryOf } from "../api.server";
import prisma from "../db.server";
import { flowSummaries } from "../flows/reports";

// GET /api/flows?from=&to= — every flow of the shop with its recipients, sends, conversions and
// revenue in the period (default: the last 30 days).
export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const period = periodSchema(context.clock.now()).safeParse(queryOf(request));
  if (!period.success) return badRequest(describeQueryError(period.error));
  return apiJson(await flowSummaries(prisma, shop.id, period.data));
};
