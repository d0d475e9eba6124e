// Browse events from the web pixel (extensions/browse-pixel, R-EVT-8): product views, adds to cart
// and checkouts, stored by id only (no names, e-mails or addresses) so browse abandonment can see
// "viewed, then nothing". The same pixel event sent twice is stored once; a guest's events get the
// customer as soon as one event of the same pixel client carries a known customer; events older
// than the retention window are never stored and are pruned by the worker.
import type { Prisma } from "@prisma/client";
import { z } from "zod";
import type { Database } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { encodeValue, type SqlConnection } from "../db/sql";
import type { WorkerSweep } from "../jobs/worker";
import { isShopDomain } from "../shops/registry";

/** The pixel events Stayloop subscribes to, by Shopify's standard event names. */
export const browseEventTypes = [
  "product_viewed",
  "product_added_to_cart",
  "checkout_started",
  "checkout_completed",
] as const;
export type BrowseEventType = (typeof browseEventTypes)[number];

/** Browse events are kept this long after they happened (then the worker deletes them). */
export const browseEventRetentionDays = 30;
/** Events per request: the pixel sends one, or one per checkout line (Shopify caps carts well below). */
export const maxBrowseEventsPerRequest = 100;

const dayMs = 86_400_000;

/** A Shopify resource id, plain ("7421") or as a global id ("gid://shopify/Product/7421"), as "7421". */
const shopifyId = z.union([z.string(), z.number().int().positive()]).transform((value, context) => {
  const match = /^(?:gid:\/\/shopify\/[A-Za-z]+\/)?(\d{1,20})$/.exec(String(value));
  if (!match?.[1]) {
    context.addIssue({ code: "custom", message: "must be a Shopify id (digits or a gid://shopify/… id)" });
    return z.NEVER;
  }
  return match[1];
});

const opaqueId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces");

export const browseEventSchema = z.object({
  shop: z.string().refine(isShopDomain, "must be the shop's *.myshopify.com domain"),
  eventId: opaqueId,
  type: z.enum(browseEventTypes),
  clientId: opaqueId,
  customerId: shopifyId.nullish(),
  productId: shopifyId.nullish(),
  variantId: shopifyId.nullish(),
  occurredAt: z.iso.datetime({ offset: true }).transform((value) => new Date(value)),
});
export type BrowseEventInput = z.infer<typeof browseEventSchema>;

/** One event, or an array of events of one shop. */
export const browseEventRequestSchema = z
  .union([
    browseEventSchema.transform((event) => [event]),
    z.array(browseEventSchema).min(1).max(maxBrowseEventsPerRequest),
  ])
  .refine(
    (events) => events.every((event) => event.shop === events[0]?.shop),
    "all events must be for one shop",
  );

export class MalformedBrowseEvents extends Error {}

/** The events of a request body, or MalformedBrowseEvents saying what is wrong. */
export function parseBrowseEvents(body: string): BrowseEventInput[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new MalformedBrowseEvents("the body is not JSON");
  }
  const parsed = browseEventRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MalformedBrowseEvents(
      issue ? `${issue.path.join(".") || "body"}: ${issue.message}` : "malformed browse events",
    );
  }
  return parsed.data;
}

export type RecordBrowseEventsOutcome =
  | { kind: "unknown-shop" }
  | {
      kind: "recorded";
      /** Newly stored events. */
      stored: number;
      /** Events already stored (same shop and event id). */
      duplicates: number;
      /** Events older than the retention window: not stored. */
      expired: number;
      /** Earlier events of the same pixel clients that now have their customer. */
      linked: number;
    };

/**
 * Stores a request's events (one shop, already parsed): nothing for a shop that does not have
 * Stayloop installed. In one transaction: which of the batch's event ids are stored already, one
 * insert for the rest, and one update per identified client to link its earlier guest events. Two
 * requests racing with the same event run again once, and then see it stored.
 */
export async function recordBrowseEvents(
  db: Database,
  events: readonly BrowseEventInput[],
  now: Date,
): Promise<RecordBrowseEventsOutcome> {
  const first = events[0];
  if (!first) return { kind: "recorded", stored: 0, duplicates: 0, expired: 0, linked: 0 };
  const shop = await db.shop.findUnique({
    where: { domain: first.shop },
    select: { id: true, uninstalledAt: true },
  });
  if (!shop || shop.uninstalledAt) return { kind: "unknown-shop" };

  const shopifyCustomerIds = [
    ...new Set(events.map((event) => event.customerId).filter((id): id is string => Boolean(id))),
  ];
  const customers =
    shopifyCustomerIds.length === 0
      ? []
      : await db.customer.findMany({
          where: {
            shopId: shop.id,
            shopifyId: { in: shopifyCustomerIds },
            deletedAt: null,
            redactedAt: null,
          },
          select: { id: true, shopifyId: true },
        });
  const customerIdOf = new Map(customers.map((customer) => [customer.shopifyId, customer.id]));

  const oldest = now.getTime() - browseEventRetentionDays * dayMs;
  const fresh = events.filter((event) => event.occurredAt.getTime() >= oldest);
  // One row per event id: a batch that repeats an event stores it once.
  const rows = new Map<string, Prisma.BrowseEventCreateManyInput>();
  for (const event of fresh) {
    if (rows.has(event.eventId)) continue;
    rows.set(event.eventId, {
      shopId: shop.id,
      eventId: event.eventId,
      type: event.type,
      clientId: event.clientId,
      customerId: (event.customerId && customerIdOf.get(event.customerId)) ?? null,
      productShopifyId: event.productId ?? null,
      variantShopifyId: event.variantId ?? null,
      // A browser clock ahead of ours does not put events in the future.
      occurredAt: event.occurredAt.getTime() > now.getTime() ? now : event.occurredAt,
      receivedAt: now,
    });
  }
  // The customer each identified client turned out to be (the last one, if a device changed hands).
  const identified = new Map<string, string>();
  for (const row of rows.values()) if (row.customerId) identified.set(row.clientId, row.customerId);

  const store = () =>
    db.$transaction(async (tx) => {
      const known = await tx.browseEvent.findMany({
        where: { shopId: shop.id, eventId: { in: [...rows.keys()] } },
        select: { eventId: true },
      });
      const already = new Set(known.map((row) => row.eventId));
      const { count: stored } = await tx.browseEvent.createMany({
        data: [...rows.values()].filter((row) => !already.has(row.eventId)),
      });
      let linked = 0;
      for (const [clientId, customerId] of identified) {
        const { count } = await tx.browseEvent.updateMany({
          where: { shopId: shop.id, clientId, customerId: null },
          data: { customerId },
        });
        linked += count;
      }
      return { stored, linked };
    });
  let outcome: { stored: number; linked: number };
  try {
    outcome = rows.size === 0 ? { stored: 0, linked: 0 } : await store();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    outcome = await store();
  }
  const expired = events.length - fresh.length;
  return {
    kind: "recorded",
    stored: outcome.stored,
    duplicates: events.length - expired - outcome.stored,
    expired,
    linked: outcome.linked,
  };
}

/**
 * Deletes up to `limit` events that happened more than the retention window before `now`, oldest
 * first, in one statement (PostgreSQL: rows another worker is deleting are skipped); returns how
 * many it deleted.
 */
export async function pruneBrowseEvents(sql: SqlConnection, now: Date, limit: number): Promise<number> {
  const cutoff = new Date(now.getTime() - browseEventRetentionDays * dayMs);
  return sql.transaction((tx) => {
    const lock = tx.provider === "postgresql" ? " FOR UPDATE SKIP LOCKED" : "";
    return tx.execute(
      `DELETE FROM "BrowseEvent" WHERE id IN ` +
        `(SELECT id FROM "BrowseEvent" WHERE "occurredAt" < ? ORDER BY "occurredAt" LIMIT ?${lock})`,
      [encodeValue(tx.provider, "DateTime", cutoff), limit],
    );
  });
}

/**
 * The worker's sweep that prunes old browse events. It looks at most once a minute (by the
 * worker's clock) unless its last batch was full, so an idle worker does not query every tick.
 */
export function browseEventPruneSweep(options: { intervalMs?: number } = {}): WorkerSweep {
  const intervalMs = options.intervalMs ?? 60_000;
  let nextLookAt = Number.NEGATIVE_INFINITY;
  return async ({ sql, now, limit }) => {
    if (now.getTime() < nextLookAt) return 0;
    const deleted = await pruneBrowseEvents(sql, now, limit);
    nextLookAt = deleted >= limit ? Number.NEGATIVE_INFINITY : now.getTime() + intervalMs;
    return deleted;
  };
}
