// Domain events: facts the store-events domain announces, written in the same transaction as the
// change they describe (so a crash can never lose or invent one) and handed to subscribers as
// durable jobs. Other domains subscribe by registering here; intake never changes for them.
import { randomUUID } from "node:crypto";
import type { DomainEvent, Prisma } from "@prisma/client";
import { insertRows, type SqlTx } from "../db/sql";
import { scheduleJobsOnce, type JobRequest } from "../jobs/schedule";

export type Tx = Prisma.TransactionClient;

export type DomainEventType =
  | "customer.created"
  | "customer.updated"
  | "customer.deleted"
  | "customer.redacted"
  | "customer.data_requested"
  | "customer.lifecycle_changed"
  | "customer.consent_changed"
  | "checkout.updated"
  | "checkout.completed"
  | "order.created"
  | "order.paid"
  | "order.cancelled"
  | "order.fulfilled"
  | "order.refunded"
  | "shop.uninstalled"
  | "loyalty.tier_changed"
  | "loyalty.points_expiring"
  | "loyalty.referral_rewarded"
  | "loyalty.reward_affordable"
  // Announced by sweeps over durable timers (app/flows/timers.ts, app/customers/intelligence):
  | "browse.abandoned"
  | "replenishment.due"
  | "customer.birthday"
  | "customer.purchase_anniversary"
  // A post-purchase survey answer (app/customers/nps.ts).
  | "nps.answered";

export interface DomainEventInput {
  type: DomainEventType;
  subjectId: string;
  /** The same fact always has the same key, so it is recorded once however often it is seen. */
  dedupeKey: string;
  payload: Prisma.InputJsonValue;
  occurredAt: Date;
}

export interface DomainEventSubscriber {
  /** Stable name: part of each delivery job's idempotency key. */
  name: string;
  types: readonly DomainEventType[];
  /**
   * Whether the subscriber has anything to do in this shop at all (e.g. flows: none live or paused).
   * Asked once per shop and batch on the batch path, in its transaction: a shop it says no for gets
   * no delivery jobs for it — the hot path stays as cheap as before the subscriber existed.
   */
  activeIn?: (tx: SqlTx, shopId: string) => Promise<boolean>;
}

export const domainEventJobKind = "domain-event";

export interface DomainEventJobPayload {
  eventId: string;
  subscriber: string;
}

/** Records an event once per (shop, dedupeKey) and schedules one delivery job per subscriber. */
export async function recordDomainEvent(
  tx: Tx,
  shopId: string,
  event: DomainEventInput,
  subscribers: readonly DomainEventSubscriber[],
  /** When the event is recorded: its delivery is due now, whenever the fact itself happened. */
  now: Date,
): Promise<boolean> {
  const existing = await tx.domainEvent.findUnique({
    where: { shopId_dedupeKey: { shopId, dedupeKey: event.dedupeKey } },
    select: { id: true },
  });
  if (existing) return false;
  const created = await tx.domainEvent.create({
    data: { shopId, ...event },
    select: { id: true },
  });
  const interested = subscribers.filter((subscriber) => subscriber.types.includes(event.type));
  for (const subscriber of interested) {
    const payload: DomainEventJobPayload = { eventId: created.id, subscriber: subscriber.name };
    await tx.job.create({
      data: {
        shopId,
        kind: domainEventJobKind,
        key: `${subscriber.name}:${created.id}`,
        payload: { ...payload },
        runAt: now,
      },
    });
  }
  return true;
}

/**
 * recordDomainEvent for many events at once, on a batch path's connection (app/db/sql.ts): events
 * already recorded are skipped (first announcement wins), the new ones get their subscriber jobs.
 */
export async function recordDomainEvents(
  tx: SqlTx,
  shopId: string,
  events: readonly DomainEventInput[],
  subscribers: readonly DomainEventSubscriber[],
  now: Date,
): Promise<void> {
  if (events.length === 0) return;
  const seen = new Set<string>();
  const rows = events
    .filter((event) => !seen.has(event.dedupeKey) && seen.add(event.dedupeKey))
    .map((event) => ({
      id: randomUUID(),
      shopId,
      type: event.type,
      subjectId: event.subjectId,
      dedupeKey: event.dedupeKey,
      payload: event.payload as DomainEvent["payload"],
      occurredAt: event.occurredAt,
      createdAt: now,
    }));
  const recorded = await insertRows<DomainEvent>(tx, "DomainEvent", rows, {
    conflict: ["shopId", "dedupeKey"],
    returning: ["id", "type"],
  });
  const jobs: JobRequest[] = [];
  const active = new Map<DomainEventSubscriber, boolean>();
  for (const subscriber of subscribers) {
    if (!recorded.some((event) => subscriber.types.includes(event.type as DomainEventType))) continue;
    active.set(subscriber, subscriber.activeIn ? await subscriber.activeIn(tx, shopId) : true);
  }
  for (const event of recorded) {
    const eventId = String(event.id);
    for (const subscriber of subscribers) {
      if (!active.get(subscriber) || !subscriber.types.includes(event.type as DomainEventType)) continue;
      const payload: DomainEventJobPayload = { eventId, subscriber: subscriber.name };
      jobs.push({
        shopId,
        kind: domainEventJobKind,
        key: `${subscriber.name}:${eventId}`,
        payload: { ...payload },
        runAt: now,
      });
    }
  }
  await scheduleJobsOnce(tx, jobs, now);
}
