// What the admin shows about a shop's backfill: the latest run, or a request still waiting.
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import { latestBackfillRun } from "./backfill";
import { backfillJobKind, requestBackfill } from "./backfill-job";

export async function storeHistoryImportStatus(db: Database, shopId: string) {
  const [run, waiting] = await Promise.all([
    latestBackfillRun(db, shopId),
    db.job.findFirst({
      where: { shopId, kind: backfillJobKind, status: { in: ["scheduled", "claimed"] } },
      orderBy: { createdAt: "desc" },
      select: { createdAt: true },
    }),
  ]);
  const queued = waiting !== null && (run === null || waiting.createdAt > run.startedAt);
  return {
    status: queued ? "queued" : ((run?.status as "running" | "done" | "failed" | undefined) ?? "not_started"),
    customersImported: run?.customersImported ?? 0,
    ordersImported: run?.ordersImported ?? 0,
    productsImported: run?.productsImported ?? 0,
    finishedAt: run?.finishedAt?.toISOString() ?? null,
    lastError: run?.status === "failed" ? run.lastError : null,
  } as const;
}

/** The merchant asked for an import: one at a time, a request while one is waiting does nothing. */
export async function requestStoreHistoryImport(db: Database, shopId: string, clock: Clock): Promise<void> {
  const waiting = await db.job.count({
    where: { shopId, kind: backfillJobKind, status: { in: ["scheduled", "claimed"] } },
  });
  if (waiting === 0) await requestBackfill(db, shopId, clock);
}
