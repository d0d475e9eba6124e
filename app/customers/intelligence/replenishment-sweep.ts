// The worker's sweep over replenishment timers (R-REPL): each tick claims a batch of due reminders
// (`remindAt` passed, still scheduled) — FOR UPDATE SKIP LOCKED on PostgreSQL, so two workers never
// take the same one; SQLite's single writer does the same — announces each as `replenishment.due`
// and marks it announced, in one transaction: a crash before the commit leaves the batch to be
// claimed again, the event's dedupe key (row and reminder time) makes a second announcement a no-op.
import type { OrderLine, Replenishment } from "@prisma/client";
import { decodeRow, encodeValue, selectWhereIn, updateRows, type SqlConnection } from "../../db/sql";
import {
  recordDomainEvents,
  type DomainEventInput,
  type DomainEventSubscriber,
} from "../../events/domain-events";
import type { WorkerSweep } from "../../jobs/worker";
import type { FromStored } from "../../money/stored";

type ReplenishmentRow = FromStored<Replenishment>;

export function replenishmentDueEvent(
  row: ReplenishmentRow,
  variantShopifyId: string | null,
): DomainEventInput {
  return {
    type: "replenishment.due",
    subjectId: row.customerId,
    dedupeKey: `replenishment.due:${row.id}:${row.remindAt.toISOString()}`,
    payload: {
      customerId: row.customerId,
      productShopifyId: row.productShopifyId,
      variantShopifyId,
      quantity: row.quantity,
      dueAt: row.dueAt.toISOString(),
      remindAt: row.remindAt.toISOString(),
      lastOrderId: row.lastOrderId,
      // A flow runs once per product at a time (a second product is a second run).
      reentryKey: `product:${row.productShopifyId}`,
    },
    occurredAt: row.remindAt,
  };
}

/** Announces up to `limit` due reminders; returns how many it took. */
export async function announceDueReplenishments(
  sql: SqlConnection,
  options: { now: Date; limit: number; subscribers: readonly DomainEventSubscriber[] },
): Promise<number> {
  const { now } = options;
  return sql.transaction(async (tx) => {
    const lock = tx.provider === "postgresql" ? " FOR UPDATE SKIP LOCKED" : "";
    const found = await tx.query<Record<string, unknown>>(
      `SELECT * FROM "Replenishment" WHERE status = 'scheduled' AND "remindAt" <= ? ORDER BY "remindAt", id LIMIT ?${lock}`,
      [encodeValue(tx.provider, "DateTime", now), options.limit],
    );
    if (found.length === 0) return 0;
    const due = found.map((row) => decodeRow<ReplenishmentRow>("Replenishment", row));
    // The variant they bought last time, for a one-click reorder.
    const lines = await selectWhereIn<OrderLine>(
      tx,
      "OrderLine",
      "orderId",
      due.map((row) => row.lastOrderId),
    );
    const variantOf = new Map<string, string>();
    for (const line of lines) {
      const key = `${line.orderId}\u0000${line.productShopifyId ?? ""}`;
      if (line.variantShopifyId && !variantOf.has(key)) variantOf.set(key, line.variantShopifyId);
    }
    const byShop = new Map<string, DomainEventInput[]>();
    for (const row of due) {
      const events = byShop.get(row.shopId) ?? [];
      events.push(
        replenishmentDueEvent(row, variantOf.get(`${row.lastOrderId}\u0000${row.productShopifyId}`) ?? null),
      );
      byShop.set(row.shopId, events);
    }
    for (const [shopId, events] of byShop)
      await recordDomainEvents(tx, shopId, events, options.subscribers, now);
    await updateRows<ReplenishmentRow>(
      tx,
      "Replenishment",
      due.map((row) => ({ ...row, status: "announced", announcedAt: now, updatedAt: now })),
      ["status", "announcedAt", "updatedAt"],
    );
    return due.length;
  });
}

/** The worker's sweep announcing due replenishment reminders each tick (see Worker's `sweeps`). */
export function replenishmentSweep(subscribers: readonly DomainEventSubscriber[]): WorkerSweep {
  return ({ sql, now, limit }) => announceDueReplenishments(sql, { now, limit, subscribers });
}
