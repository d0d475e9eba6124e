// Hands a recorded domain event to the subscriber its delivery job names (see domain-events.ts).
import type { DomainEvent } from "@prisma/client";
import { z } from "zod";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import type { JobHandler } from "../jobs/worker";

export type DomainEventHandler = (db: Database, event: DomainEvent, now: Date) => Promise<void>;

const deliveryPayload = z.object({ eventId: z.string(), subscriber: z.string() });

/** The worker's handler for "domain-event" jobs, given each subscriber's handler by name. */
export function deliverDomainEvents(
  handlers: Readonly<Record<string, DomainEventHandler>>,
  clock: Clock,
): JobHandler {
  return async (job, db) => {
    const { eventId, subscriber } = deliveryPayload.parse(job.payload);
    const handler = handlers[subscriber];
    if (!handler) throw new Error(`no handler for domain-event subscriber "${subscriber}"`);
    const event = await db.domainEvent.findFirst({ where: { id: eventId, shopId: job.shopId } });
    // Gone with its shop (shop/redact): nothing left to do.
    if (!event) return;
    await handler(db, event, clock.now());
  };
}
