// What every ingest function works with: the open transaction, the shop, the clock and a way to
// announce domain events.
import type { Shop } from "@prisma/client";
import type { Clock } from "../../clock";
import {
  recordDomainEvent,
  type DomainEventInput,
  type DomainEventSubscriber,
  type Tx,
} from "../domain-events";

export interface IngestContext {
  tx: Tx;
  shop: Shop;
  clock: Clock;
  emit(event: DomainEventInput): Promise<boolean>;
}

export function ingestContext(
  tx: Tx,
  shop: Shop,
  clock: Clock,
  subscribers: readonly DomainEventSubscriber[],
): IngestContext {
  return {
    tx,
    shop,
    clock,
    emit: (event) => recordDomainEvent(tx, shop.id, event, subscribers, clock.now()),
  };
}
