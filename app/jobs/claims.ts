// Claiming work rows for one worker. PostgreSQL: one UPDATE over a `FOR UPDATE SKIP LOCKED`
// subquery, so concurrent workers never take the same row. SQLite has a single writer: a
// conditional UPDATE (still 'pending') is enough, then we read back what we got.
import type { Database } from "../db/client";

export type Provider = "sqlite" | "postgresql";

export interface ClaimRequest {
  workerId: string;
  now: Date;
  limit: number;
}

export async function claimDeliveries(
  db: Database,
  provider: Provider,
  request: ClaimRequest,
): Promise<string[]> {
  if (provider === "postgresql") {
    const rows = await db.$queryRawUnsafe<{ id: string }[]>(
      // RETURNING has no order of its own: the CTE puts the batch back in arrival order.
      `WITH claimed AS (
         UPDATE "WebhookInbox" SET status = 'processing', "claimedBy" = $1,
                "claimedAt" = CAST($2 AS timestamptz) AT TIME ZONE 'UTC', attempts = attempts + 1
          WHERE id IN (SELECT id FROM "WebhookInbox"
                        WHERE status = 'pending' AND "availableAt" <= CAST($2 AS timestamptz) AT TIME ZONE 'UTC'
                        ORDER BY "receivedAt", id LIMIT $3 FOR UPDATE SKIP LOCKED)
          RETURNING id, "receivedAt")
       SELECT id FROM claimed ORDER BY "receivedAt", id`,
      request.workerId,
      request.now.toISOString(),
      request.limit,
    );
    return rows.map((row) => row.id);
  }
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
  if (provider === "postgresql") {
    const rows = await db.$queryRawUnsafe<{ id: string }[]>(
      `WITH claimed AS (
         UPDATE "Job" SET status = 'claimed', "claimedBy" = $1,
                "claimedAt" = CAST($2 AS timestamptz) AT TIME ZONE 'UTC', attempts = attempts + 1
          WHERE id IN (SELECT id FROM "Job"
                        WHERE status = 'scheduled' AND "runAt" <= CAST($2 AS timestamptz) AT TIME ZONE 'UTC'
                        ORDER BY "runAt", id LIMIT $3 FOR UPDATE SKIP LOCKED)
          RETURNING id, "runAt")
       SELECT id FROM claimed ORDER BY "runAt", id`,
      request.workerId,
      request.now.toISOString(),
      request.limit,
    );
    return rows.map((row) => row.id);
  }
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
