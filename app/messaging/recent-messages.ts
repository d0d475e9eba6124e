// The shop's recent messages for the merchant (GET /api/messages): newest first, page by page, with
// status, channel, the flow and step that sent it, its times and its cost. Addresses and content
// stay out of the list.
import type { Database } from "../db/client";
import { encodePageCursor, type PageCursor } from "../db/page-cursor";
import { fromStoredIntegerOrNull } from "../money/stored";

export const messageStatuses = [
  "queued",
  "sending",
  "sent",
  "delivered",
  "failed",
  "uncertain",
  "skipped",
] as const;
export type MessageStatus = (typeof messageStatuses)[number];

export interface RecentMessage {
  id: string;
  status: string;
  channel: string | null;
  purpose: string;
  customerId: string;
  flowId: string | null;
  flowName: string | null;
  flowRunId: string | null;
  stepId: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  scheduledFor: Date;
  sentAt: Date | null;
  deliveredAt: Date | null;
  openedAt: Date | null;
  clickedAt: Date | null;
  failedAt: Date | null;
  /** WhatsApp: the actual cost after delivery (micros of costCurrency), else null. */
  costMicros: number | null;
  projectedCostMicros: number | null;
  costCurrency: string | null;
}

export async function listRecentMessages(
  db: Database,
  shopId: string,
  options: { limit: number; cursor?: PageCursor | null; flowId?: string; status?: MessageStatus },
): Promise<{ messages: RecentMessage[]; nextCursor: string | null }> {
  const { cursor } = options;
  const rows = await db.message.findMany({
    where: {
      shopId,
      ...(options.flowId ? { flowId: options.flowId } : {}),
      ...(options.status ? { status: options.status } : {}),
      ...(cursor
        ? { OR: [{ createdAt: { lt: cursor.at } }, { createdAt: cursor.at, id: { lt: cursor.id } }] }
        : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: options.limit + 1,
    select: {
      id: true,
      status: true,
      channel: true,
      purpose: true,
      customerId: true,
      flowId: true,
      flowRunId: true,
      flowStepId: true,
      attempts: true,
      lastError: true,
      createdAt: true,
      scheduledFor: true,
      sentAt: true,
      deliveredAt: true,
      openedAt: true,
      clickedAt: true,
      failedAt: true,
      costMicros: true,
      projectedCostMicros: true,
      costCurrency: true,
    },
  });
  const page = rows.slice(0, options.limit);
  const flowIds = [...new Set(page.flatMap((row) => (row.flowId ? [row.flowId] : [])))];
  const flows =
    flowIds.length === 0
      ? []
      : await db.flow.findMany({ where: { shopId, id: { in: flowIds } }, select: { id: true, name: true } });
  const names = new Map(flows.map((flow) => [flow.id, flow.name]));
  const last = page[page.length - 1];
  return {
    messages: page.map(({ flowStepId, costMicros, projectedCostMicros, ...row }) => ({
      ...row,
      flowName: row.flowId ? (names.get(row.flowId) ?? null) : null,
      stepId: flowStepId,
      costMicros: fromStoredIntegerOrNull(costMicros),
      projectedCostMicros: fromStoredIntegerOrNull(projectedCostMicros),
    })),
    nextCursor:
      rows.length > options.limit && last ? encodePageCursor({ at: last.createdAt, id: last.id }) : null,
  };
}
