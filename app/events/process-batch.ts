// Applies a batch of stored store-event deliveries (customers, orders, refunds, checkouts) in one
// transaction on the worker's SQL connection: the rows they refer to are locked and loaded once per
// shop, the ingest rules run in memory, and every table is written with one multi-row statement
// (docs/decisions/007-batch-data-access.md). The guarantees of processDelivery hold per delivery:
// a delivery that cannot be applied fails alone with its error while the rest commit; the batch
// is marked done in the same transaction that applies it, only while the claims are still ours.
import type { Shop, WebhookInbox } from "@prisma/client";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import { isTransientConflict } from "../db/errors";
import { encodeValue, inList, selectWhereIn, type SqlConnection, type SqlTx } from "../db/sql";
import { shopForDelivery } from "../shops/registry";
import {
  applyPrepared,
  collectKeys,
  prepareCheckout,
  prepareCustomerDelivery,
  prepareOrder,
  prepareRefund,
  type BatchTopic,
  type PreparedDelivery,
} from "./batch/rules";
import { BatchStore, emptyKeys } from "./batch/store";
import type { DomainEventSubscriber } from "./domain-events";
import { scheduleInboxPurge } from "./inbox-retention";
import { checkoutPayload, customerPayload, orderPayload, parsePayload, refundPayload } from "./payloads";
import { deliveryBody, deliveryFailure } from "./process-delivery";

const preparers: Record<BatchTopic, (payload: unknown, now: Date) => PreparedDelivery> = {
  "customers/create": (payload, now) => prepareCustomerDelivery(parsePayload(customerPayload, payload, now)),
  "customers/update": (payload, now) => prepareCustomerDelivery(parsePayload(customerPayload, payload, now)),
  "orders/create": (payload, now) => prepareOrder(parsePayload(orderPayload, payload, now)),
  "orders/paid": (payload, now) => prepareOrder(parsePayload(orderPayload, payload, now)),
  "orders/updated": (payload, now) => prepareOrder(parsePayload(orderPayload, payload, now)),
  "orders/fulfilled": (payload, now) => prepareOrder(parsePayload(orderPayload, payload, now)),
  "orders/cancelled": (payload, now) => prepareOrder(parsePayload(orderPayload, payload, now)),
  "refunds/create": (payload, now) => prepareRefund(parsePayload(refundPayload, payload, now)),
  "checkouts/create": (payload, now) => prepareCheckout(parsePayload(checkoutPayload, payload, now)),
  "checkouts/update": (payload, now) => prepareCheckout(parsePayload(checkoutPayload, payload, now)),
};

/** Topics applied in batches; the others (deletions, privacy, uninstall) go one by one. */
export function isBatchTopic(topic: string): topic is BatchTopic {
  return Object.hasOwn(preparers, topic);
}

export interface BatchProcessingOptions {
  db: Database;
  sql: SqlConnection;
  clock: Clock;
  subscribers: readonly DomainEventSubscriber[];
  workerId: string;
}

export interface BatchOutcome {
  /** Applied and marked done. */
  done: WebhookInbox[];
  /** Not applied, with the reason: the worker records each (retry, or failed when permanent). */
  failed: { delivery: WebhookInbox; error: unknown }[];
  /** Left for the one-by-one path (the shop is not known yet: it creates it, or finds it erased). */
  deferred: WebhookInbox[];
}

interface Prepared {
  delivery: WebhookInbox;
  prepared: PreparedDelivery;
}

function prepare(delivery: WebhookInbox, now: Date): PreparedDelivery {
  const payload = deliveryBody(delivery);
  try {
    return preparers[delivery.topic as BatchTopic](payload, now);
  } catch (error) {
    throw deliveryFailure(error);
  }
}

class ClaimLostError extends Error {
  constructor() {
    super("claim lost before commit; another worker owns this delivery now");
  }
}

/** Applies the deliveries (all of batch topics, claimed by this worker) and marks them done. */
export async function processDeliveryBatch(
  deliveries: readonly WebhookInbox[],
  options: BatchProcessingOptions,
): Promise<BatchOutcome> {
  const now = options.clock.now();
  const outcome: BatchOutcome = { done: [], failed: [], deferred: [] };
  const ready: Prepared[] = [];
  for (const delivery of deliveries) {
    try {
      ready.push({ delivery, prepared: prepare(delivery, now) });
    } catch (error) {
      outcome.failed.push({ delivery, error });
    }
  }
  if (ready.length === 0) return outcome;
  try {
    await createShopsFirstSeen(options.db, ready);
  } catch (error) {
    outcome.failed.push(...ready.map(({ delivery }) => ({ delivery, error })));
    return outcome;
  }

  for (let attempt = 1; ; attempt += 1) {
    try {
      const applied = await options.sql.transaction((tx) => applyBatch(tx, ready, now, options));
      outcome.done.push(...applied.done);
      outcome.failed.push(...applied.failed);
      outcome.deferred.push(...applied.deferred);
      for (const shopId of applied.shopIds) await scheduleInboxPurge(options.db, shopId, now);
      return outcome;
    } catch (error) {
      // Another worker raced for the same rows: running again sees its result.
      if (attempt < 4 && isTransientConflict(error)) continue;
      const [only] = ready;
      if (only && ready.length === 1) {
        outcome.failed.push({ delivery: only.delivery, error: deliveryFailure(error) });
        return outcome;
      }
      // Something in the batch cannot be written (or a claim was lost): each delivery alone finds
      // out which, and the others still go through.
      for (const { delivery } of ready) {
        const alone = await processDeliveryBatch([delivery], options);
        outcome.done.push(...alone.done);
        outcome.failed.push(...alone.failed);
        outcome.deferred.push(...alone.deferred);
      }
      return outcome;
    }
  }
}

/**
 * A shop seen for the first time is created as the one-by-one path would (shopForDelivery), so its
 * first batch goes through the batch path too; an erased shop stays erased (its deliveries are
 * left for the one-by-one path, which erases them).
 */
// Domains a database was already seen to have a shop for: saves a statement per batch. Only an
// optimisation — a shop erased since is not found by the batch, whose deliveries then take the
// one-by-one path.
const seenShopsOf = new WeakMap<Database, Set<string>>();

async function createShopsFirstSeen(db: Database, ready: readonly Prepared[]): Promise<void> {
  const seenShops = seenShopsOf.get(db) ?? new Set<string>();
  seenShopsOf.set(db, seenShops);
  const domains = [...new Set(ready.map((item) => item.delivery.shopDomain))].filter(
    (domain) => !seenShops.has(domain),
  );
  if (domains.length === 0) return;
  const known = await db.shop.findMany({ where: { domain: { in: domains } }, select: { domain: true } });
  const knownDomains = new Set(known.map((shop) => shop.domain));
  for (const domain of domains.filter((candidate) => !knownDomains.has(candidate))) {
    // Two workers seeing the shop first at once: the second one's insert conflicts, and finds it.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await db.$transaction((tx) => shopForDelivery(tx, domain));
        break;
      } catch (error) {
        if (attempt >= 4 || !isTransientConflict(error)) throw error;
      }
    }
  }
  if (seenShops.size > 10_000) seenShops.clear();
  for (const domain of domains) seenShops.add(domain);
}

async function applyBatch(
  tx: SqlTx,
  ready: readonly Prepared[],
  now: Date,
  options: BatchProcessingOptions,
): Promise<BatchOutcome & { shopIds: string[] }> {
  const result: BatchOutcome & { shopIds: string[] } = { done: [], failed: [], deferred: [], shopIds: [] };
  const shops = new Map(
    (
      await selectWhereIn<Shop>(
        tx,
        "Shop",
        "domain",
        ready.map((item) => item.delivery.shopDomain),
      )
    ).map((shop) => [shop.domain, shop]),
  );
  const byShop = new Map<string, Prepared[]>();
  for (const item of ready) {
    const shop = shops.get(item.delivery.shopDomain);
    if (!shop) {
      result.deferred.push(item.delivery);
      continue;
    }
    const list = byShop.get(shop.id) ?? [];
    list.push(item);
    byShop.set(shop.id, list);
  }
  for (const [shopId, items] of byShop) {
    const keys = emptyKeys();
    for (const item of items) collectKeys(item.prepared, keys);
    // A delivery that fails half-way through may already have changed the store (its customer
    // applied, its order added): the store is built again without it, so nothing of a failed
    // delivery is written. Each round drops at least one delivery, so this ends.
    let applying = items;
    let store: BatchStore;
    for (;;) {
      store = await BatchStore.load(tx, shopId, keys, now);
      const failed: Prepared[] = [];
      for (const item of applying) {
        try {
          applyPrepared(store, item.prepared);
        } catch (error) {
          failed.push(item);
          result.failed.push({ delivery: item.delivery, error: deliveryFailure(error) });
        }
      }
      if (failed.length === 0) break;
      applying = applying.filter((item) => !failed.includes(item));
    }
    for (const item of applying) result.done.push(item.delivery);
    await store.write(tx, options.subscribers);
    result.shopIds.push(shopId);
  }
  await markDone(tx, result.done, now, options.workerId);
  return result;
}

/** Marks the applied deliveries done — only while still claimed by us, or the whole batch fails. */
async function markDone(
  tx: SqlTx,
  deliveries: readonly WebhookInbox[],
  now: Date,
  workerId: string,
): Promise<void> {
  if (deliveries.length === 0) return;
  const ids = deliveries.map((delivery) => delivery.id);
  const list = inList(tx, "id", "String", ids);
  const changed = await tx.execute(
    `UPDATE "WebhookInbox" SET status = 'done', "processedAt" = ?, "lastError" = NULL, "claimedBy" = NULL
      WHERE status = 'processing' AND "claimedBy" = ? AND ${list.sql}`,
    [encodeValue(tx.provider, "DateTime", now), workerId, ...list.parameters],
  );
  if (changed !== ids.length) throw new ClaimLostError();
}
