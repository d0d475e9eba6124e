// Puts deliveries straight into the inbox (the HTTP intake has its own tests) and runs a worker
// until there is nothing left to do.
import { Writable } from "node:stream";
import pino from "pino";
import type { Clock } from "../../app/clock";
import type { Database } from "../../app/db/client";
import type { Logger } from "../../app/observability/logger";
import { Worker, type WorkerOptions } from "../../app/jobs/worker";
import type { WebhookDelivery } from "../fixtures/store-history";

export async function storeDeliveries(
  db: Database,
  shopDomain: string,
  deliveries: readonly WebhookDelivery[],
  receivedAt: Date,
): Promise<void> {
  const rows = deliveries.map((delivery, index) => ({
    shopDomain,
    topic: delivery.topic,
    webhookId: delivery.webhookId,
    eventId: delivery.eventId,
    payload: delivery.body,
    // Keeps the given order as the arrival order.
    receivedAt: new Date(receivedAt.getTime() + index),
    availableAt: receivedAt,
  }));
  for (let start = 0; start < rows.length; start += 500) {
    await db.webhookInbox.createMany({ data: rows.slice(start, start + 500) });
  }
}

/** A logger whose lines tests can read. */
export function memoryLogger(): { logger: Logger; lines: () => string } {
  let text = "";
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { logger: pino({ level: "debug" }, sink), lines: () => text };
}

export function testWorker(db: Database, clock: Clock, options: Partial<WorkerOptions> = {}): Worker {
  return new Worker({
    db,
    clock,
    logger: options.logger ?? memoryLogger().logger,
    batchSize: 100,
    ...options,
  });
}

/** Ticks until a tick finds nothing to do; returns how many rows were handled. */
export async function drain(worker: Worker): Promise<number> {
  await worker.heartbeat();
  let total = 0;
  for (;;) {
    const handled = await worker.tick();
    total += handled;
    if (handled === 0) return total;
  }
}
