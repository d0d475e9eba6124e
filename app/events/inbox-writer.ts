// Stores webhook deliveries in the inbox with group commit: deliveries arriving together are
// written by one multi-row INSERT … ON CONFLICT DO NOTHING (one transaction, one fsync), and each
// request is answered once its row is durably stored. Duplicates (same webhook id, or same event
// id for the shop and topic) are not inserted and are reported as such.
import { randomUUID } from "node:crypto";
import type { InboxConnection } from "./inbox-connection";

export interface InboxDelivery {
  shopDomain: string;
  topic: string;
  webhookId: string;
  eventId: string | null;
  apiVersion: string | null;
  triggeredAt: Date | null;
  payload: string;
  receivedAt: Date;
}

export type StoreOutcome = "accepted" | "duplicate";

interface Pending {
  delivery: InboxDelivery;
  resolve(outcome: StoreOutcome): void;
  reject(error: unknown): void;
}

const columns = [
  "id",
  "shopDomain",
  "topic",
  "webhookId",
  "eventId",
  "apiVersion",
  "triggeredAt",
  "payload",
  "status",
  "attempts",
  "availableAt",
  "receivedAt",
];

/** How each provider stores a DateTime column written outside Prisma's query builder. */
function timestampParameter(provider: "sqlite" | "postgresql", date: Date | null): string | null {
  if (date === null) return null;
  const iso = date.toISOString();
  // Prisma's SQLite adapter stores "…+00:00"; PostgreSQL's timestamp(3) takes UTC wall time.
  return provider === "sqlite" ? iso.replace("Z", "+00:00") : iso.replace("T", " ").replace("Z", "");
}

export function insertStatement(provider: "sqlite" | "postgresql", rows: number): string {
  const timestampColumns = new Set([6, 10, 11]);
  const values = Array.from({ length: rows }, (_, row) => {
    const placeholders = columns.map((_, column) => {
      const index = row * columns.length + column + 1;
      if (provider === "sqlite") return "?";
      return timestampColumns.has(column)
        ? `CAST($${index} AS timestamp)`
        : column === 9
          ? `CAST($${index} AS integer)`
          : `$${index}`;
    });
    return `(${placeholders.join(", ")})`;
  });
  const quoted = columns.map((column) => `"${column}"`).join(", ");
  return `INSERT INTO "WebhookInbox" (${quoted}) VALUES ${values.join(", ")} ON CONFLICT DO NOTHING RETURNING "webhookId"`;
}

export function createInboxWriter(
  connection: InboxConnection,
  provider: "sqlite" | "postgresql",
  options: { maxBatch?: number; maxInFlight?: number } = {},
) {
  const maxBatch = options.maxBatch ?? 200;
  // SQLite has one writer; PostgreSQL commits two batches at once.
  const maxInFlight = options.maxInFlight ?? (provider === "postgresql" ? 2 : 1);
  let queue: Pending[] = [];
  let inFlight = 0;
  let scheduled = false;

  async function write(batch: Pending[]): Promise<void> {
    // A webhook id twice in one batch: the first one is the delivery, the rest duplicates.
    const first = new Map<string, Pending>();
    for (const pending of batch)
      if (!first.has(pending.delivery.webhookId)) first.set(pending.delivery.webhookId, pending);
    const unique = [...first.values()];
    const parameters = unique.flatMap(({ delivery }) => [
      randomUUID(),
      delivery.shopDomain,
      delivery.topic,
      delivery.webhookId,
      delivery.eventId,
      delivery.apiVersion,
      timestampParameter(provider, delivery.triggeredAt),
      delivery.payload,
      "pending",
      0,
      timestampParameter(provider, delivery.receivedAt),
      timestampParameter(provider, delivery.receivedAt),
    ]);
    try {
      const stored = new Set(
        await connection.insertReturning(insertStatement(provider, unique.length), parameters),
      );
      for (const pending of batch) {
        const isFirst = first.get(pending.delivery.webhookId) === pending;
        pending.resolve(isFirst && stored.has(pending.delivery.webhookId) ? "accepted" : "duplicate");
      }
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }

  function flush(): void {
    scheduled = false;
    while (queue.length > 0 && inFlight < maxInFlight) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      inFlight += 1;
      void write(batch).finally(() => {
        inFlight -= 1;
        // What arrived while this batch was being written goes next, as one batch.
        flush();
      });
    }
  }

  return {
    /** Resolves once the delivery is durably stored (or known to be a duplicate); rejects if not stored. */
    store(delivery: InboxDelivery): Promise<StoreOutcome> {
      return new Promise<StoreOutcome>((resolve, reject) => {
        queue.push({ delivery, resolve, reject });
        if (inFlight < maxInFlight && !scheduled) {
          // Let the deliveries that arrived in this turn of the event loop join the batch.
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
