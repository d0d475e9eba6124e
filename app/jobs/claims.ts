// Claiming work rows for one worker. PostgreSQL: one UPDATE over a `FOR UPDATE SKIP LOCKED`
// subquery, so concurrent workers never take the same row. SQLite has a single writer: a
// conditional UPDATE (still 'pending') is enough, then we read back what we got.
import type { Database } from "../db/client";
import { encodeValue, type SqlTx } from "../db/sql";

export type Provider = "sqlite" | "postgresql";

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
  orderColumn: string;
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

async function claimOnPostgres(db: Database, spec: ClaimableTable, request: ClaimRequest): Promise<string[]> {
  const order = `"${spec.orderColumn}", id`;
  const due = `CAST($2 AS timestamptz) AT TIME ZONE 'UTC'`;
  // RETURNING has no order of its own: the CTE puts the batch back in arrival (or due) order.
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(
    `WITH claimed AS (
       UPDATE "${spec.table}" SET status = '${spec.claimedStatus}', "claimedBy" = $1, "claimedAt" = ${due},
              attempts = attempts + 1
        WHERE id IN (SELECT id FROM "${spec.table}"
                      WHERE status = '${spec.readyStatus}' AND "${spec.dueColumn}" <= ${due}
                      ORDER BY ${order} LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING id, "${spec.orderColumn}")
     SELECT id FROM claimed ORDER BY ${order}`,
    request.workerId,
    request.now.toISOString(),
    request.limit,
  );
  return rows.map((row) => row.id);
}

export async function claimDeliveries(
  db: Database,
  provider: Provider,
  request: ClaimRequest,
): Promise<string[]> {
  if (provider === "postgresql") return claimOnPostgres(db, inboxTable, request);
  const candidates = await db.webhookInbox.findMany({
    where: { status: "pending", availableAt: { lte: request.now } },
    orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
    take: request.limit,
    select: { id: true },
  });
  const ids = candidates.map((row) => row.id);
  if (ids.length === 0) return [];
  await db.webhookInbox.updateMany({
    where: { id: { in: ids }, status: "pending" },
    data: {
      status: "processing",
      claimedBy: request.workerId,
      claimedAt: request.now,
      attempts: { increment: 1 },
    },
  });
  const claimed = await db.webhookInbox.findMany({
    where: { id: { in: ids }, status: "processing", claimedBy: request.workerId },
    orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
    select: { id: true },
  });
  return claimed.map((row) => row.id);
}

export async function claimJobs(db: Database, provider: Provider, request: ClaimRequest): Promise<string[]> {
  if (provider === "postgresql") return claimOnPostgres(db, jobTable, request);
  const candidates = await db.job.findMany({
    where: { status: "scheduled", runAt: { lte: request.now } },
    orderBy: [{ runAt: "asc" }, { id: "asc" }],
    take: request.limit,
    select: { id: true },
  });
  const ids = candidates.map((row) => row.id);
  if (ids.length === 0) return [];
  await db.job.updateMany({
    where: { id: { in: ids }, status: "scheduled" },
    data: {
      status: "claimed",
      claimedBy: request.workerId,
      claimedAt: request.now,
      attempts: { increment: 1 },
    },
  });
  const claimed = await db.job.findMany({
    where: { id: { in: ids }, status: "claimed", claimedBy: request.workerId },
    orderBy: [{ runAt: "asc" }, { id: "asc" }],
    select: { id: true },
  });
  return claimed.map((row) => row.id);
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
  const changed = await tx.execute(
    `UPDATE "Job" SET status = 'done', "finishedAt" = ?, "updatedAt" = ?, "claimedBy" = NULL, "lastError" = NULL
      WHERE status = 'claimed' AND "claimedBy" = ? AND id IN (${ids.map(() => "?").join(", ")})`,
    [encodeValue(tx.provider, "DateTime", now), encodeValue(tx.provider, "DateTime", now), workerId, ...ids],
  );
  if (changed !== new Set(ids).size)
    throw new Error("job claim lost before commit; another worker owns it now");
}
