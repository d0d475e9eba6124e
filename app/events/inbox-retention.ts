// How long raw webhook bodies are kept (R-SEC-2, docs/decisions/005-data-retention.md): a body is
// needed until its delivery is applied, and for a retention period after that (to inspect or replay);
// then the "inbox.purge" job erases it. The row itself stays, so a late duplicate of the same
// webhook id is still recognised. The same job deletes data-request exports past their expiry.
import { z } from "zod";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import type { JobHandler } from "../jobs/worker";
import { scheduleJobOnce } from "../jobs/schedule";

export const inboxPurgeJobKind = "inbox.purge";
export const defaultInboxRetentionDays = 7;

const dayMs = 86_400_000;
const processedStatuses = ["done", "failed"];

/** The start of the UTC day after `at`: purge runs are daily, keyed by their day. */
function dayAfter(at: Date): Date {
  return new Date(Math.floor(at.getTime() / dayMs) * dayMs + dayMs);
}

// Shops whose run for a day this process already scheduled: saves a statement per delivery.
// Only an optimisation: the job row is the truth, and scheduling again is harmless.
const scheduledRuns = new Set<string>();

/** Makes sure a purge run for the shop is due on the day after `processedAt` (once per day). */
export async function scheduleInboxPurge(db: Database, shopId: string, processedAt: Date): Promise<void> {
  const runAt = dayAfter(processedAt);
  const key = runAt.toISOString().slice(0, 10);
  const memo = `${shopId}:${key}`;
  if (scheduledRuns.has(memo)) return;
  await scheduleJobOnce(db, { shopId, kind: inboxPurgeJobKind, key, payload: { day: key }, runAt });
  if (scheduledRuns.size > 10_000) scheduledRuns.clear();
  scheduledRuns.add(memo);
}

/**
 * Erases the bodies of the shop's deliveries processed more than `retentionDays` ago and deletes
 * expired exports; schedules the next run for whatever is left. Idempotent.
 */
export async function purgeShopInbox(
  db: Database,
  shopId: string,
  now: Date,
  retentionDays: number,
): Promise<{ purged: number; exportsDeleted: number }> {
  const shop = await db.shop.findUnique({ where: { id: shopId }, select: { domain: true } });
  if (!shop) return { purged: 0, exportsDeleted: 0 };
  const retentionMs = retentionDays * dayMs;
  const unpurged = { shopDomain: shop.domain, status: { in: processedStatuses }, payloadPurgedAt: null };
  const { count: purged } = await db.webhookInbox.updateMany({
    where: { ...unpurged, processedAt: { lte: new Date(now.getTime() - retentionMs) } },
    data: { payload: "", payloadPurgedAt: now },
  });
  const { count: exportsDeleted } = await db.customerDataExport.deleteMany({
    where: { shopId, expiresAt: { lte: now } },
  });
  const [oldestBody, nextExpiry] = await Promise.all([
    db.webhookInbox.findFirst({
      where: unpurged,
      orderBy: { processedAt: "asc" },
      select: { processedAt: true },
    }),
    db.customerDataExport.findFirst({
      where: { shopId },
      orderBy: { expiresAt: "asc" },
      select: { expiresAt: true },
    }),
  ]);
  const due = [
    oldestBody?.processedAt ? oldestBody.processedAt.getTime() + retentionMs : null,
    nextExpiry?.expiresAt.getTime() ?? null,
  ].filter((time): time is number => time !== null);
  if (due.length > 0) {
    const runAt = dayAfter(new Date(Math.max(Math.min(...due), now.getTime())));
    const key = runAt.toISOString().slice(0, 10);
    await scheduleJobOnce(db, { shopId, kind: inboxPurgeJobKind, key, payload: { day: key }, runAt });
  }
  return { purged, exportsDeleted };
}

const purgePayload = z.object({ day: z.string() });

/** The worker's handler for "inbox.purge" jobs. */
export function inboxPurgeJobHandler(options: { clock: Clock; retentionDays: number }): JobHandler {
  return async (job, db) => {
    purgePayload.parse(job.payload);
    await purgeShopInbox(db, job.shopId, options.clock.now(), options.retentionDays);
  };
}
