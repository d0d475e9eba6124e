// The backfill as a worker job (R-EVT-7): requested once per install (or by the merchant), run by
// the one job loop with its retries; a retried backfill starts over, which ingest makes harmless.
import type { Job, Shop } from "@prisma/client";
import { z } from "zod";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import type { DomainEventSubscriber } from "../events/domain-events";
import type { JobHandler } from "../jobs/worker";
import type { AdminClient } from "./admin-client";
import { offlineSessionId } from "../shops/registry";
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
  /** Builds the Admin client for a shop from its offline access token (tests point it at a fake). */
  adminClientFor(shop: Shop, accessToken: string): AdminClient;
  clock: Clock;
  subscribers?: readonly DomainEventSubscriber[];
}

/** The worker's handler for "backfill" jobs. */
export function backfillJobHandler(options: BackfillJobOptions): JobHandler {
  return async (job, db) => {
    backfillJobPayload.parse(job.payload);
    const shop = await db.shop.findUnique({ where: { id: job.shopId } });
    if (!shop) throw new Error(`backfill: shop ${job.shopId} no longer exists`);
    if (shop.uninstalledAt) throw new Error(`backfill: ${shop.domain} uninstalled Stayloop`);
    const session = await db.session.findUnique({
      where: { id: offlineSessionId(shop.domain) },
      select: { accessToken: true, shop: true },
    });
    if (!session || session.shop !== shop.domain || !session.accessToken) {
      throw new Error(`backfill: no offline session for ${shop.domain}`);
    }
    await runBackfill({
      db,
      shop,
      adminClient: options.adminClientFor(shop, session.accessToken),
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
