// Hands a recorded domain event to the subscriber its delivery job names (see domain-events.ts) —
// one job at a time, or a claimed batch at once to the subscribers that take batches.
import type { DomainEvent, Job } from "@prisma/client";
import { z } from "zod";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import { selectWhereIn, type SqlTx } from "../db/sql";
import { markJobsDone } from "../jobs/claims";
import type { BatchJobContext, BatchJobOutcome, JobHandler } from "../jobs/worker";

export type DomainEventHandler = (db: Database, event: DomainEvent, now: Date) => Promise<void>;

/** One claimed delivery job and the event it delivers. */
export interface EventDelivery {
  job: Job;
  event: DomainEvent;
}

/**
 * A subscriber's batch path: applies what it can of the deliveries in its own transaction, marking
 * those jobs done there (markJobsDone); returns the rest as failed or for the one-by-one handler.
 */
export type DomainEventBatchHandler = (
  deliveries: readonly EventDelivery[],
  context: BatchJobContext,
) => Promise<BatchJobOutcome>;

export interface DomainEventSubscription {
  handle: DomainEventHandler;
  handleBatch?: DomainEventBatchHandler;
}

/**
 * The batch path of a subscriber whose work is per shop: each shop's deliveries are applied in one
 * transaction on the batch connection, their jobs marked done in it; a shop whose transaction fails
 * leaves nothing behind and its deliveries go one by one, so the one that cannot be applied is found.
 */
export function perShopBatch(
  apply: (tx: SqlTx, shopId: string, events: DomainEvent[], now: Date) => Promise<void>,
): DomainEventBatchHandler {
  return async (deliveries, context) => {
    const outcome: BatchJobOutcome = { done: [], failed: [], single: [] };
    const byShop = new Map<string, EventDelivery[]>();
    for (const delivery of deliveries) {
      const list = byShop.get(delivery.event.shopId);
      if (list) list.push(delivery);
      else byShop.set(delivery.event.shopId, [delivery]);
    }
    for (const [shopId, shopDeliveries] of byShop) {
      const jobIds = shopDeliveries.map((delivery) => delivery.job.id);
      try {
        await context.sql.transaction(async (tx) => {
          await apply(
            tx,
            shopId,
            shopDeliveries.map((delivery) => delivery.event),
            context.now,
          );
          await markJobsDone(tx, jobIds, context.workerId, context.now);
        });
        outcome.done.push(...jobIds);
      } catch {
        outcome.single.push(...shopDeliveries.map((delivery) => delivery.job));
      }
    }
    return outcome;
  };
}

const deliveryPayload = z.object({ eventId: z.string(), subscriber: z.string() });

/** The worker's handler for "domain-event" jobs, given each subscriber's handlers by name. */
export function deliverDomainEvents(
  subscriptions: Readonly<Record<string, DomainEventSubscription>>,
  clock: Clock,
): JobHandler {
  const handler: JobHandler = async (job, db) => {
    const { eventId, subscriber } = deliveryPayload.parse(job.payload);
    const subscription = subscriptions[subscriber];
    if (!subscription) throw new Error(`no handler for domain-event subscriber "${subscriber}"`);
    const event = await db.domainEvent.findFirst({ where: { id: eventId, shopId: job.shopId } });
    // Gone with its shop (shop/redact): nothing left to do.
    if (!event) return;
    await subscription.handle(db, event, clock.now());
  };
  handler.batch = (jobs, context) => deliverBatch(subscriptions, jobs, context);
  return handler;
}

async function deliverBatch(
  subscriptions: Readonly<Record<string, DomainEventSubscription>>,
  jobs: readonly Job[],
  context: BatchJobContext,
): Promise<BatchJobOutcome> {
  const outcome: BatchJobOutcome = { done: [], failed: [], single: [] };
  const bySubscriber = new Map<string, { job: Job; eventId: string }[]>();
  for (const job of jobs) {
    const payload = deliveryPayload.safeParse(job.payload);
    const handleBatch = payload.success ? subscriptions[payload.data.subscriber]?.handleBatch : undefined;
    if (!payload.success || !handleBatch) {
      // Malformed or not batched: the one-by-one handler deals with it (and reports what is wrong).
      outcome.single.push(job);
      continue;
    }
    const list = bySubscriber.get(payload.data.subscriber) ?? [];
    list.push({ job, eventId: payload.data.eventId });
    bySubscriber.set(payload.data.subscriber, list);
  }
  for (const [subscriber, items] of bySubscriber) {
    const events = await context.sql.transaction((tx) =>
      selectWhereIn<DomainEvent>(
        tx,
        "DomainEvent",
        "id",
        items.map((item) => item.eventId),
      ),
    );
    const byId = new Map(events.map((event) => [event.id, event]));
    const deliveries: EventDelivery[] = [];
    const gone: string[] = [];
    for (const { job, eventId } of items) {
      const event = byId.get(eventId);
      // Gone with its shop (shop/redact), or not this shop's: nothing left to do.
      if (!event || event.shopId !== job.shopId) gone.push(job.id);
      else deliveries.push({ job, event });
    }
    if (gone.length > 0) {
      await context.sql.transaction((tx) => markJobsDone(tx, gone, context.workerId, context.now));
      outcome.done.push(...gone);
    }
    const handleBatch = subscriptions[subscriber]?.handleBatch;
    if (!handleBatch || deliveries.length === 0) continue;
    let result: BatchJobOutcome;
    try {
      result = await handleBatch(deliveries, context);
    } catch {
      // Nothing of this subscriber's batch committed: each delivery on its own finds out why.
      result = { done: [], failed: [], single: deliveries.map((delivery) => delivery.job) };
    }
    outcome.done.push(...result.done);
    outcome.failed.push(...result.failed);
    outcome.single.push(...result.single);
  }
  return outcome;
}
