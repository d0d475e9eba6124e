// Taking a customer out of a flow by hand (issue 18, the customer page): an open run (active, or
// held by a paused flow) ends as "exited" with the staff member's reason, the way the engine ends a
// run — the run row, one "exited" line in its step log, its queued messages skipped — in one
// transaction. The run is locked first and ended with a compare-and-set on the status and step
// count read under the lock, so a run the scheduler or a purchase moved on meanwhile is left as it
// is; removing twice changes it once.
import type { FlowRun } from "@prisma/client";
import { randomUUID } from "node:crypto";
import { sqlConnectionOf, type Database } from "../db/client";
import { decodeRow, encodeValue } from "../db/sql";
import type { FromStored } from "../money/stored";

export class FlowRunNotFoundError extends Error {}

export const maxRemovalReasonLength = 300;

export type RunRemoval =
  | { outcome: "removed"; runId: string; exitReason: string }
  /** Nothing changed: the run had already ended (completed, exited, ended) before. */
  | { outcome: "already_ended"; runId: string; status: string; exitReason: string | null };

export interface RemoveFromRunInput {
  shopId: string;
  customerId: string;
  runId: string;
  /** The staff member who removed them (the audit trail). */
  staff: string;
  /** Why, in the merchant's words; may be empty. */
  reason: string;
  now: Date;
}

const openStatuses = ["active", "held"];

/** What the run's exit reason says: who removed them, and why when they said. */
export function removalReason(staff: string, reason: string): string {
  const why = reason.trim().slice(0, maxRemovalReasonLength);
  return `removed by ${staff}${why ? `: ${why}` : ""}`.slice(0, 500);
}

/**
 * Ends the customer's open run. FlowRunNotFoundError when the run is not this shop's or not this
 * customer's; "already_ended" (nothing written) when it is no longer open.
 */
export async function removeCustomerFromRun(db: Database, input: RemoveFromRunInput): Promise<RunRemoval> {
  return sqlConnectionOf(db).transaction(async (tx) => {
    // The row lock first (SQLite's transaction holds the write lock already): the scheduler skips a
    // locked run, a purchase or the send guard waits for this decision.
    const lock = tx.provider === "postgresql" ? " FOR NO KEY UPDATE" : "";
    const [raw] = await tx.query<Record<string, unknown>>(
      `SELECT * FROM "FlowRun" WHERE id = ? AND "shopId" = ? AND "customerId" = ?${lock}`,
      [input.runId, input.shopId, input.customerId],
    );
    if (!raw) throw new FlowRunNotFoundError(`no flow run ${input.runId} of this customer in this shop`);
    const run = decodeRow<FromStored<FlowRun>>("FlowRun", raw);
    if (!openStatuses.includes(run.status))
      return { outcome: "already_ended", runId: run.id, status: run.status, exitReason: run.exitReason };

    const exitReason = removalReason(input.staff, input.reason);
    const now = encodeValue(tx.provider, "DateTime", input.now);
    const steps = run.steps + 1;
    const changed = await tx.execute(
      `UPDATE "FlowRun" SET status = 'exited', "exitReason" = ?, "wakeAt" = NULL, "endedAt" = ?, steps = ?,
              "updatedAt" = ?
        WHERE id = ? AND "shopId" = ? AND status = ? AND steps = ?`,
      [exitReason, now, steps, now, run.id, input.shopId, run.status, run.steps],
    );
    if (changed !== 1) {
      // Moved on between the read and the write (not possible under the lock; kept as the guard).
      const [current] = await tx.query<{ status: string; exitReason: string | null }>(
        `SELECT status, "exitReason" FROM "FlowRun" WHERE id = ?`,
        [run.id],
      );
      return {
        outcome: "already_ended",
        runId: run.id,
        status: current?.status ?? run.status,
        exitReason: current?.exitReason ?? null,
      };
    }
    await tx.execute(
      `INSERT INTO "FlowStepLog" (id, "shopId", "flowId", "runId", seq, "stepId", outcome, detail, "messageId", variant, at)
       VALUES (?, ?, ?, ?, ?, ?, 'exited', ?, NULL, NULL, ?)`,
      [randomUUID(), run.shopId, run.flowId, run.id, steps, run.stepId ?? "", exitReason, now],
    );
    await tx.execute(
      `UPDATE "Message" SET status = 'skipped', "lastError" = ?, "updatedAt" = ?
        WHERE "shopId" = ? AND "flowRunId" = ? AND status = 'queued'`,
      [`not sent: ${exitReason}`.slice(0, 500), now, run.shopId, run.id],
    );
    return { outcome: "removed", runId: run.id, exitReason };
  });
}
