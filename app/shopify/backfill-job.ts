// The backfill as a worker job (R-EVT-7): requested once per install (or by the merchant), run by
// the one job loop with its retries; a retried backfill starts over, which ingest makes harmless.
import type { Job } from "@prisma/client";
import { z } from "zod";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import type { DomainEventSubscriber } from "../events/domain-events";
import type { JobHandler } from "../jobs/worker";
import { shopAdminClient, type AdminClientFactory } from "./shop-admin";
import { runBackfill, type BackfillOptions } from "./backfill";

export const backfillJobKind = "backfill";

const backfillJobPayload = z.object({ requestedAt: z.string() });

/** Schedules a backfill of the shop to run now; each request is its own job. */
export function requestBackfill(db: Database, shopId: string, clock: Clock): Promise<Job> {
  const now = clock.now();
  return db.job.create({
    data: {
      shopId,
      kind: backfillJobKind,
      key: `${shopId}:${now.toISOString()}`,
      payload: { requestedAt: now.toISOString() },
      runAt: now,
      // A backfill is long; after a few failures the merchant should see it, not wait for hours.
      maxAttempts: 3,
    },
  });
}

export interface BackfillJobOptions extends Pick<
  BackfillOptions,
  "batchSize" | "pollIntervalMs" | "sleep" | "fetch" | "onProgress"
> {
  adminClientFor: AdminClientFactory;
  clock: Clock;
  subscribers?: readonly DomainEventSubscriber[];
}

/** The worker's handler for "backfill" jobs. */
export function backfillJobHandler(options: BackfillJobOptions): JobHandler {
  return async (job, db) => {
    backfillJobPayload.parse(job.payload);
    const { shop, adminClient } = await shopAdminClient(db, job.shopId, options.adminClientFor).catch(
      (error: unknown) => {
        throw new Error(`backfill: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
    await runBackfill({
      db,
      shop,
      adminClient,
      clock: options.clock,
      subscribers: options.subscribers,
      batchSize: options.batchSize,
      pollIntervalMs: options.pollIntervalMs,
      sleep: options.sleep,
      fetch: options.fetch,
      onProgress: options.onProgress,
    });
  };
}
