import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requireAdmin } from "../admin.server";
import { apiJson, badRequest, describeQueryError, pageSchema, queryOf } from "../api.server";
import prisma from "../db.server";
import { listRecentMessages, messageStatuses } from "../messaging/recent-messages";

const messagesQuery = pageSchema(50).extend({
  status: z.enum(messageStatuses).optional(),
  flowId: z.string().min(1).max(100).optional(),
});

// GET /api/messages?status=&flowId=&limit=&cursor= — the shop's messages, newest first, with
// status, channel, flow and step, times and cost; `nextCursor` fetches the next page.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const query = messagesQuery.safeParse(queryOf(request));
  if (!query.success) return badRequest(describeQueryError(query.error));
  return apiJson(await listRecentMessages(prisma, shop.id, query.data));
};
