// Claiming work rows for one worker: one statement that marks a batch of due rows as claimed and
// returns them whole, on the worker's driver connection (app/db/sql.ts). PostgreSQL picks the rows
// with `FOR UPDATE SKIP LOCKED`, so concurrent workers never take the same row; SQLite has a single
// writer, whose transaction makes the pick and the claim one step.
import type { Job, WebhookInbox } from "@prisma/client";
import type { Database } from "../db/client";
import { decodeRow, encodeValue, inList, type SqlConnection, type SqlTx } from "../db/sql";

export interface ClaimRequest {
  workerId: string;
  now: Date;
  limit: number;
}

interface ClaimableTable {
  table: "WebhookInbox" | "Job";
  readyStatus: string;
  claimedStatus: string;
  dueColumn: string;
  /** Claims go oldest first. */
  orderColumn: "receivedAt" | "runAt";
}

const inboxTable: ClaimableTable = {
  table: "WebhookInbox",
  readyStatus: "pending",
  claimedStatus: "processing",
  dueColumn: "availableAt",
  orderColumn: "receivedAt",
};
const jobTable: ClaimableTable = {
  table: "Job",
  readyStatus: "scheduled",
  claimedStatus: "claimed",
  dueColumn: "runAt",
  orderColumn: "runAt",
};

async function claim<T extends { id: string }>(
  sql: SqlConnection,
  spec: ClaimableTable,
  request: ClaimRequest,
): Promise<T[]> {
  const rows = await sql.transaction(async (tx: SqlTx) => {
    const now = encodeValue(tx.provider, "DateTime", request.now);
    const skipLocked = tx.provider === "postgresql" ? " FOR UPDATE SKIP LOCKED" : "";
    const updatedAt = spec.table === "Job" ? `, "updatedAt" = ?` : "";
    return tx.query<Record<string, unknown>>(
      `UPDATE "${spec.table}" SET status = '${spec.claimedStatus}', "claimedBy" = ?, "claimedAt" = ?,
              attempts = attempts + 1${updatedAt}
        WHERE id IN (SELECT id FROM "${spec.table}"
                      WHERE status = '${spec.readyStatus}' AND "${spec.dueColumn}" <= ?
                      ORDER BY "${spec.orderColumn}", id LIMIT ?${skipLocked})
        RETURNING *`,
      [request.workerId, now, ...(updatedAt ? [now] : []), now, request.limit],
    );
  });
  const claimed = rows.map((row) => decodeRow<T>(spec.table, row));
  const time = (row: T) => (row as { receivedAt?: Date; runAt?: Date })[spec.orderColumn]?.getTime() ?? 0;
  // RETURNING has no order of its own: the batch goes back into arrival (or due) order.
  return claimed.sort((a, b) => time(a) - time(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Claims up to `limit` due deliveries for the worker; returns them in arrival order. */
export function claimDeliveries(sql: SqlConnection, request: ClaimRequest): Promise<WebhookInbox[]> {
  return claim<WebhookInbox>(sql, inboxTable, request);
}

/** Claims up to `limit` due jobs for the worker; returns them in due order. */
export function claimJobs(sql: SqlConnection, request: ClaimRequest): Promise<Job[]> {
  return claim<Job>(sql, jobTable, request);
}

/**
 * Gives back the claims of workers whose heartbeat went stale (crashed, killed, cut off), so their
 * rows are processed again. Processing is transactional, so nothing they did half-way remains.
 */
export async function releaseDeadClaims(db: Database, now: Date, staleAfterMs: number): Promise<number> {
  const alive = await db.workerHeartbeat.findMany({
    where: { lastBeatAt: { gte: new Date(now.getTime() - staleAfterMs) } },
    select: { id: true },
  });
  const aliveIds = alive.map((worker) => worker.id);
  const deliveries = await db.webhookInbox.updateMany({
    where: { status: "processing", claimedBy: { notIn: aliveIds } },
    data: { status: "pending", claimedBy: null, claimedAt: null },
  });
  const jobs = await db.job.updateMany({
    where: { status: "claimed", claimedBy: { notIn: aliveIds } },
    data: { status: "scheduled", claimedBy: null, claimedAt: null },
  });
  await db.workerHeartbeat.deleteMany({ where: { id: { notIn: aliveIds } } });
  return deliveries.count + jobs.count;
}

/**
 * Marks claimed jobs done inside a batch handler's transaction (app/db/sql.ts), only while this
 * worker still holds them: a claim released to another worker meanwhile fails the whole batch
 * instead of letting its work count twice.
 */
export async function markJobsDone(
  tx: SqlTx,
  ids: readonly string[],
  workerId: string,
  now: Date,
): Promise<void> {
  if (ids.length === 0) return;
  const list = inList(tx, "id", "String", [...new Set(ids)]);
  const changed = await tx.execute(
    `UPDATE "Job" SET status = 'done', "finishedAt" = ?, "updatedAt" = ?, "claimedBy" = NULL, "lastError" = NULL
      WHERE status = 'claimed' AND "claimedBy" = ? AND ${list.sql}`,
    [
      encodeValue(tx.provider, "DateTime", now),
      encodeValue(tx.provider, "DateTime", now),
      workerId,
      ...list.parameters,
    ],
  );
  if (changed !== new Set(ids).size)
    throw new Error("job claim lost before commit; another worker owns it now");
}
