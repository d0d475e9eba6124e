// Scheduling a job once: (shop, kind, key) names it, so scheduling it again — a retried handler, a
// duplicate event — leaves the first one as it is.
import type { Prisma } from "@prisma/client";
import type { Database } from "../db/client";
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
