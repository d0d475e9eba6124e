// Moments no webhook announces, found by the worker's sweep and announced as domain events so flows
// enrol on them like on any other (R-BROWSE, R-OCCASION, R-LOYAL):
// - browse.abandoned: a known shopper viewed a product and, 30 minutes on, has neither added it to
//   the cart, started a checkout nor ordered (views older than a day are left alone);
// - customer.birthday / customer.purchase_anniversary: today, in the customer's time zone (the
//   shop's when unknown); a 29 February birthday is celebrated on 28 February in other years;
// - loyalty.reward_affordable: a member's spendable points now cover an active reward.
// Each event's dedupe key names the fact (the view; the customer and year; the member and reward),
// so a sweep that runs twice, or on two workers at once, announces it once. Only shops with a live
// flow on the event are looked at: a shop without such flows costs one statement per sweep.
import type { BrowseEvent, Customer, LoyaltyReward } from "@prisma/client";
import { encodeValue, inList, selectWhereIn, updateRows, type SqlConnection, type SqlTx } from "../db/sql";
import {
  recordDomainEvents,
  type DomainEventInput,
  type DomainEventSubscriber,
  type DomainEventType,
} from "../events/domain-events";
import type { WorkerSweep } from "../jobs/worker";
import type { FromStored } from "../money/stored";

/** How long a view must stay without a cart, checkout or order before it counts as abandoned. */
export const browseQuietMinutes = 30;
/** Views older than this are not announced any more (the moment has passed). */
export const browseHorizonHours = 24;
/** Occasions and affordable rewards are looked for at most this often (per process). */
const occasionIntervalMs = 15 * 60_000;

const minute = 60_000;

async function shopsListeningTo(
  tx: SqlTx,
  events: readonly DomainEventType[],
): Promise<Map<string, Set<string>>> {
  const list = inList(tx, "triggerEvent", "String", events);
  const rows = await tx.query<{ shopId: string; triggerEvent: string }>(
    `SELECT DISTINCT "shopId", "triggerEvent" FROM "Flow" WHERE status = 'live' AND ${list.sql}`,
    list.parameters,
  );
  const shops = new Map<string, Set<string>>();
  for (const row of rows) shops.set(row.shopId, (shops.get(row.shopId) ?? new Set()).add(row.triggerEvent));
  return shops;
}

/** The views a browse-abandonment announcement looks at, of one shop, oldest first. */
async function claimViews(
  tx: SqlTx,
  shopId: string,
  now: Date,
  limit: number,
): Promise<FromStored<BrowseEvent>[]> {
  const lock = tx.provider === "postgresql" ? " FOR UPDATE SKIP LOCKED" : "";
  const rows = await tx.query<Record<string, unknown>>(
    `SELECT id FROM "BrowseEvent" WHERE "shopId" = ? AND type = 'product_viewed' AND "evaluatedAt" IS NULL
       AND "occurredAt" <= ? AND "occurredAt" > ? ORDER BY "occurredAt", id LIMIT ?${lock}`,
    [
      shopId,
      encodeValue(tx.provider, "DateTime", new Date(now.getTime() - browseQuietMinutes * minute)),
      encodeValue(tx.provider, "DateTime", new Date(now.getTime() - browseHorizonHours * 60 * minute)),
      limit,
    ],
  );
  return selectWhereIn<BrowseEvent>(
    tx,
    "BrowseEvent",
    "id",
    rows.map((row) => String(row.id)),
  );
}

/** Whether something after the view shows interest: a cart, a checkout, or an order since. */
function followedUp(
  view: FromStored<BrowseEvent>,
  later: readonly FromStored<BrowseEvent>[],
  orderedSince: ReadonlyMap<string, Date>,
): boolean {
  const lastOrder = view.customerId ? orderedSince.get(view.customerId) : undefined;
  if (lastOrder && lastOrder.getTime() >= view.occurredAt.getTime()) return true;
  return later.some(
    (event) =>
      event.occurredAt.getTime() >= view.occurredAt.getTime() &&
      (event.clientId === view.clientId ||
        (view.customerId !== null && event.customerId === view.customerId)) &&
      (event.type === "checkout_started" ||
        event.type === "checkout_completed" ||
        (event.type === "product_added_to_cart" && event.productShopifyId === view.productShopifyId)),
  );
}

async function announceBrowseAbandonment(
  tx: SqlTx,
  shopId: string,
  now: Date,
  limit: number,
  subscribers: readonly DomainEventSubscriber[],
): Promise<number> {
  const views = await claimViews(tx, shopId, now, limit);
  if (views.length === 0) return 0;
  const customerIds = [...new Set(views.flatMap((view) => (view.customerId ? [view.customerId] : [])))];
  const clientIds = [...new Set(views.map((view) => view.clientId))];
  const since = new Date(Math.min(...views.map((view) => view.occurredAt.getTime())));
  const interest = { where: `"shopId" = ? AND type <> 'product_viewed' AND "occurredAt" >= ?` };
  const parameters = [shopId, encodeValue(tx.provider, "DateTime", since)];
  const later = [
    ...(await selectWhereIn<BrowseEvent>(tx, "BrowseEvent", "clientId", clientIds, {
      ...interest,
      parameters,
    })),
    ...(await selectWhereIn<BrowseEvent>(tx, "BrowseEvent", "customerId", customerIds, {
      ...interest,
      parameters,
    })),
  ];
  const customerList = inList(tx, "customerId", "String", customerIds);
  const orders =
    customerIds.length === 0
      ? []
      : await tx.query<{ customerId: string; at: unknown }>(
          `SELECT "customerId", MAX("processedAt") AS at FROM "Order" WHERE "shopId" = ? AND ${customerList.sql}
           GROUP BY "customerId"`,
          [shopId, ...customerList.parameters],
        );
  const orderedSince = new Map(orders.map((row) => [row.customerId, decodeDate(row.at)]));
  // One announcement per shopper and product: the latest view of it stands for the others.
  const latest = new Map<string, FromStored<BrowseEvent>>();
  for (const view of views) {
    if (!view.customerId || !view.productShopifyId) continue;
    if (followedUp(view, later, orderedSince)) continue;
    const key = `${view.customerId}:${view.productShopifyId}`;
    const known = latest.get(key);
    if (!known || known.occurredAt < view.occurredAt) latest.set(key, view);
  }
  const events: DomainEventInput[] = [...latest.values()].map((view) => ({
    type: "browse.abandoned",
    subjectId: view.customerId as string,
    dedupeKey: `browse.abandoned:${view.id}`,
    payload: {
      customerId: view.customerId,
      productShopifyId: view.productShopifyId,
      variantShopifyId: view.variantShopifyId,
      viewedAt: view.occurredAt.toISOString(),
      reentryKey: `product:${view.productShopifyId}`,
    },
    occurredAt: new Date(view.occurredAt.getTime() + browseQuietMinutes * minute),
  }));
  await recordDomainEvents(tx, shopId, events, subscribers, now);
  // Later views of an announced product are part of the same moment: they are not announced again.
  const announced = new Set(latest.keys());
  const pending = await selectWhereIn<BrowseEvent>(
    tx,
    "BrowseEvent",
    "customerId",
    [...latest.values()].map((view) => view.customerId),
    {
      where: `"shopId" = ? AND type = 'product_viewed' AND "evaluatedAt" IS NULL`,
      parameters: [shopId],
    },
  );
  const absorbed = pending.filter((view) => announced.has(`${view.customerId}:${view.productShopifyId}`));
  const evaluated = new Map([...views, ...absorbed].map((view) => [view.id, { ...view, evaluatedAt: now }]));
  await updateRows<BrowseEvent>(tx, "BrowseEvent", [...evaluated.values()], ["evaluatedAt"]);
  return views.length;
}

/** The calendar date ("MM-DD", year) of an instant in a time zone. */
export function localDate(at: Date, zone: string): { monthDay: string; year: number } {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(at);
  const part = (type: string) => parts.find((item) => item.type === type)?.value ?? "";
  return { monthDay: `${part("month")}-${part("day")}`, year: Number(part("year")) };
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Whether a birthday ("MM-DD" or "YYYY-MM-DD") falls on this local date. */
export function isBirthdayOn(birthday: string, today: { monthDay: string; year: number }): boolean {
  const monthDay = birthday.slice(-5);
  if (monthDay === today.monthDay) return true;
  return monthDay === "02-29" && today.monthDay === "02-28" && !isLeapYear(today.year);
}

/** Month-days within a day of this instant anywhere on Earth: the candidates SQL narrows to. */
function nearbyMonthDays(now: Date): string[] {
  const days = [-1, 0, 1].map(
    (offset) => localDate(new Date(now.getTime() + offset * 86_400_000), "UTC").monthDay,
  );
  if (days.includes("02-28")) days.push("02-29");
  return [...new Set(days)];
}

async function announceOccasions(
  tx: SqlTx,
  shopId: string,
  listening: ReadonlySet<string>,
  now: Date,
  subscribers: readonly DomainEventSubscriber[],
): Promise<number> {
  const shop = (
    await tx.query<{ timezone: string }>(`SELECT timezone FROM "Shop" WHERE id = ?`, [shopId])
  )[0];
  const shopZone = shop?.timezone ?? "UTC";
  const days = nearbyMonthDays(now);
  const events: DomainEventInput[] = [];
  const live = `"shopId" = ? AND "deletedAt" IS NULL AND "redactedAt" IS NULL`;
  if (listening.has("customer.birthday")) {
    const like = days.map(() => `birthday LIKE ?`).join(" OR ");
    const rows = await tx.query<Record<string, unknown>>(
      `SELECT id, birthday, timezone FROM "Customer" WHERE ${live} AND (${like})`,
      [shopId, ...days.map((day) => `%${day}`)],
    );
    for (const row of rows) {
      const today = localDate(now, String(row.timezone ?? shopZone));
      if (!isBirthdayOn(String(row.birthday), today)) continue;
      events.push({
        type: "customer.birthday",
        subjectId: String(row.id),
        dedupeKey: `customer.birthday:${String(row.id)}:${today.year}`,
        payload: { customerId: String(row.id), date: String(row.birthday).slice(-5) },
        occurredAt: now,
      });
    }
  }
  if (listening.has("customer.purchase_anniversary")) {
    const monthDay =
      tx.provider === "postgresql" ? `to_char("firstOrderAt", 'MM-DD')` : `substr("firstOrderAt", 6, 5)`;
    const list = days.map(() => "?").join(", ");
    const rows = await tx.query<Record<string, unknown>>(
      `SELECT * FROM "Customer" WHERE ${live} AND "firstOrderAt" IS NOT NULL AND ${monthDay} IN (${list})`,
      [shopId, ...days],
    );
    for (const row of rows) {
      const customer = row as unknown as Pick<FromStored<Customer>, "id" | "timezone"> & {
        firstOrderAt: unknown;
      };
      const zone = customer.timezone ?? shopZone;
      const first = localDate(decodeDate(customer.firstOrderAt), zone);
      const today = localDate(now, zone);
      const years = today.year - first.year;
      if (years < 1 || !isBirthdayOn(first.monthDay, today)) continue;
      events.push({
        type: "customer.purchase_anniversary",
        subjectId: customer.id,
        dedupeKey: `customer.purchase_anniversary:${customer.id}:${today.year}`,
        payload: {
          customerId: customer.id,
          years,
          firstOrderAt: decodeDate(customer.firstOrderAt).toISOString(),
        },
        occurredAt: now,
      });
    }
  }
  await recordDomainEvents(tx, shopId, events, subscribers, now);
  return events.length;
}

function decodeDate(value: unknown): Date {
  if (value instanceof Date) return value;
  const text = String(value);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(" ", "T")}Z`);
}

async function announceAffordableRewards(
  tx: SqlTx,
  shopId: string,
  now: Date,
  limit: number,
  subscribers: readonly DomainEventSubscriber[],
): Promise<number> {
  const rewards = (
    await selectWhereIn<LoyaltyReward>(tx, "LoyaltyReward", "shopId", [shopId], {
      where: `active = ?`,
      parameters: [encodeValue(tx.provider, "Boolean", true)],
    })
  ).sort((a, b) => a.pointsCost - b.pointsCost);
  let announced = 0;
  for (const reward of rewards) {
    const prefix = `loyalty.reward_affordable:`;
    const members = await tx.query<{ id: string; customerId: string; pointsBalance: unknown }>(
      `SELECT m.id, m."customerId", m."pointsBalance" FROM "LoyaltyMember" m
       WHERE m."shopId" = ? AND m."pointsBalance" >= ?
         AND NOT EXISTS (SELECT 1 FROM "DomainEvent" e WHERE e."shopId" = m."shopId"
           AND e."dedupeKey" = ? || m.id || ? )
       ORDER BY m.id LIMIT ?`,
      [shopId, reward.pointsCost, prefix, `:${reward.id}`, limit],
    );
    const events: DomainEventInput[] = members.map((member) => ({
      type: "loyalty.reward_affordable",
      subjectId: member.customerId,
      dedupeKey: `${prefix}${member.id}:${reward.id}`,
      payload: {
        memberId: member.id,
        customerId: member.customerId,
        rewardId: reward.id,
        rewardName: reward.name,
        pointsCost: reward.pointsCost,
        balance: Number(member.pointsBalance),
      },
      occurredAt: now,
    }));
    await recordDomainEvents(tx, shopId, events, subscribers, now);
    announced += events.length;
  }
  return announced;
}

const lastOccasionSweep = new WeakMap<SqlConnection, number>();

/** One pass: abandoned views of every listening shop, and (every 15 minutes) occasions and rewards. */
export async function announceTimers(
  sql: SqlConnection,
  options: { now: Date; limit: number; subscribers: readonly DomainEventSubscriber[] },
): Promise<number> {
  const { now, limit, subscribers } = options;
  const last = lastOccasionSweep.get(sql);
  const occasionsDue =
    last === undefined || now.getTime() - last >= occasionIntervalMs || now.getTime() < last;
  const listened: DomainEventType[] = ["browse.abandoned"];
  if (occasionsDue)
    listened.push("customer.birthday", "customer.purchase_anniversary", "loyalty.reward_affordable");
  const shops = await sql.transaction((tx) => shopsListeningTo(tx, listened));
  let done = 0;
  for (const [shopId, events] of shops) {
    done += await sql.transaction(async (tx) => {
      let count = 0;
      if (events.has("browse.abandoned"))
        count += await announceBrowseAbandonment(tx, shopId, now, limit, subscribers);
      if (events.has("customer.birthday") || events.has("customer.purchase_anniversary"))
        count += await announceOccasions(tx, shopId, events, now, subscribers);
      if (events.has("loyalty.reward_affordable"))
        count += await announceAffordableRewards(tx, shopId, now, limit, subscribers);
      return count;
    });
  }
  if (occasionsDue) lastOccasionSweep.set(sql, now.getTime());
  return done;
}

/** The worker's sweep (see Worker's `sweeps`). */
export function flowTimersSweep(subscribers: readonly DomainEventSubscriber[]): WorkerSweep {
  return ({ sql, now, limit }) => announceTimers(sql, { now, limit, subscribers });
}
