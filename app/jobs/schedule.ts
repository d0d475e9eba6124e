// Scheduling a job once: (shop, kind, key) names it, so scheduling it again — a retried handler, a
// duplicate event — leaves the first one as it is.
import { randomUUID } from "node:crypto";
import type { Job, Prisma } from "@prisma/client";
import type { Database } from "../db/client";
import { insertRows, type SqlTx } from "../db/sql";
import type { Tx } from "../events/domain-events";

export interface JobRequest {
  shopId: string;
  kind: string;
  key: string;
  payload: Prisma.InputJsonObject;
  runAt: Date;
}

export async function scheduleJobOnce(tx: Tx | Database, job: JobRequest): Promise<void> {
  await tx.job.upsert({
    where: { shopId_kind_key: { shopId: job.shopId, kind: job.kind, key: job.key } },
    create: job,
    update: {},
  });
}

/** scheduleJobOnce for many jobs in one statement, on a batch path's connection (app/db/sql.ts). */
export async function scheduleJobsOnce(tx: SqlTx, jobs: readonly JobRequest[], now: Date): Promise<void> {
  await insertRows<Job>(
    tx,
    "Job",
    jobs.map((job) => ({
      id: randomUUID(),
      shopId: job.shopId,
      kind: job.kind,
      key: job.key,
      payload: job.payload as Job["payload"],
      runAt: job.runAt,
      status: "scheduled",
      attempts: 0,
      maxAttempts: 8,
      claimedBy: null,
      claimedAt: null,
      lastError: null,
      finishedAt: null,
      createdAt: now,
      updatedAt: now,
    })),
    { conflict: ["shopId", "kind", "key"] },
  );
}
