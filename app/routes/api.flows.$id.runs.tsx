import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requireAdmin } from "../admin.server";
import { apiJson, badRequest, describeQueryError, notFound, pageSchema, queryOf } from "../api.server";
import prisma from "../db.server";
import { FlowReportNotFoundError, listFlowRuns, runStatuses } from "../flows/reports";

const runsQuery = pageSchema(25).extend({ status: z.enum(runStatuses).optional() });

// GET /api/flows/:id/runs?status=&limit=&cursor= — the flow's runs, newest first, each with its
// state and the steps it took; `nextCursor` fetches the next page.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const query = runsQuery.safeParse(queryOf(request));
  if (!query.success) return badRequest(describeQueryError(query.error));
  try {
    return apiJson(await listFlowRuns(prisma, shop.id, params.id ?? "", query.data));
  } catch (error) {
    if (error instanceof FlowReportNotFoundError) return notFound("no such flow in this shop");
    throw error;
  }
};
