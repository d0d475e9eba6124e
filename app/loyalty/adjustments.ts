// Manual point adjustments and the ledger export (R-LOY-9). An adjustment is a ledger entry like
// any other, with the merchant's reason and the admin user who made it.
import { randomUUID } from "node:crypto";
import type { Database } from "../db/client";
import { isLockTimeout, isTransientConflict } from "../db/errors";
import { fromStoredInteger } from "../money/stored";
import { ledgerTransactionOptions, postLedgerEntry, type PostedEntry } from "./ledger";

export interface PointsAdjustment {
  memberId: string;
  points: number;
  reason: string;
  actor: string;
  /** Lets a resubmitted form be one adjustment; a fresh id otherwise. */
  adjustmentId?: string;
}

export class AdjustmentError extends Error {}

export async function adjustPoints(
  db: Database,
  shopId: string,
  adjustment: PointsAdjustment,
  now: Date,
): Promise<PostedEntry> {
  if (!Number.isInteger(adjustment.points) || adjustment.points === 0) {
    throw new AdjustmentError("points must be a whole number other than 0");
  }
  if (adjustment.reason.trim() === "") throw new AdjustmentError("a reason is required");
  // One id for every attempt: a retry after a raced or rolled-back attempt stays one adjustment.
  const sourceId = adjustment.adjustmentId ?? randomUUID();
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction(
        (tx) =>
          postLedgerEntry(tx, shopId, {
            memberId: adjustment.memberId,
            kind: "adjust",
            source: "admin",
            sourceId,
            pointsDelta: adjustment.points,
            reason: adjustment.reason.trim(),
            actor: adjustment.actor,
            occurredAt: now,
          }),
        ledgerTransactionOptions,
      );
    } catch (error) {
      if (isTransientConflict(error) && attempt < maxAttempts) continue;
      // The merchant is told, rather than shown an error page; nothing was written.
      if (isTransientConflict(error) || isLockTimeout(error)) {
        throw new AdjustmentError(
          "the shop's data is busy being updated, so nothing was changed; please try again in a moment",
        );
      }
      throw error;
    }
  }
}

const maxAttempts = 3;

const csvColumns = [
  "date",
  "customer_id",
  "email",
  "kind",
  "source",
  "source_id",
  "points",
  "pending_points",
  "balance_after",
  "pending_after",
  "shortfall",
  "reason",
  "actor",
] as const;

/** RFC 4180 field: quoted when needed; a leading = + - @ is neutralised so spreadsheets do not run it. */
function csvField(value: string | number | null): string {
  if (value === null) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Ledger rows read per query by the CSV export: the export never holds the whole ledger. */
export const ledgerCsvPageSize = 500;

/** One page of the shop's ledger, oldest first, after the keyset cursor (occurredAt, createdAt, id). */
async function ledgerPage(
  db: Database,
  shopId: string,
  after: { occurredAt: Date; createdAt: Date; id: string } | null,
  pageSize: number,
) {
  return db.loyaltyLedgerEntry.findMany({
    where: {
      shopId,
      ...(after
        ? {
            OR: [
              { occurredAt: { gt: after.occurredAt } },
              { occurredAt: after.occurredAt, createdAt: { gt: after.createdAt } },
              { occurredAt: after.occurredAt, createdAt: after.createdAt, id: { gt: after.id } },
            ],
          }
        : {}),
    },
    orderBy: [{ occurredAt: "asc" }, { createdAt: "asc" }, { id: "asc" }],
    take: pageSize,
    include: { member: { include: { customer: { select: { shopifyId: true, email: true } } } } },
  });
}

/**
 * The shop's whole ledger as a CSV stream, oldest first, read page by page (keyset pagination), so a
 * big shop's export costs one page of memory and bounded queries, however long its ledger is.
 */
export function ledgerCsvStream(
  db: Database,
  shopId: string,
  pageSize: number = ledgerCsvPageSize,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: { occurredAt: Date; createdAt: Date; id: string } | null = null;
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvColumns.join(",") + "\r\n"));
    },
    async pull(controller) {
      if (done) return;
      const entries = await ledgerPage(db, shopId, after, pageSize);
      const rows = entries.map(
        (entry) =>
          [
            entry.occurredAt.toISOString(),
            entry.member.customer.shopifyId,
            entry.member.customer.email,
            entry.kind,
            entry.source,
            entry.sourceId,
            fromStoredInteger(entry.pointsDelta),
            fromStoredInteger(entry.pendingDelta),
            fromStoredInteger(entry.balanceAfter),
            fromStoredInteger(entry.pendingAfter),
            fromStoredInteger(entry.shortfall),
            entry.reason,
            entry.actor,
          ]
            .map(csvField)
            .join(",") + "\r\n",
      );
      if (rows.length > 0) controller.enqueue(encoder.encode(rows.join("")));
      const last = entries.at(-1);
      if (!last || entries.length < pageSize) {
        done = true;
        controller.close();
        return;
      }
      after = { occurredAt: last.occurredAt, createdAt: last.createdAt, id: last.id };
    },
  });
}

/** The shop's whole ledger as CSV text, oldest first (the stream, collected). */
export async function ledgerCsv(
  db: Database,
  shopId: string,
  pageSize: number = ledgerCsvPageSize,
): Promise<string> {
  return new Response(ledgerCsvStream(db, shopId, pageSize)).text();
}
