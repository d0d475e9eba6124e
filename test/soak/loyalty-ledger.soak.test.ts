// 10,000 random loyalty events through the domain functions (R-LOY-1, issue 6): paid orders (some
// delivered twice), releases after the returns window, partial and full refunds, cancellations,
// redemptions, manual adjustments and expiry, for 30 members in two shops. Afterwards, for every
// member, the ledger sums equal the cached balances, no entry ever left a balance below zero, and
// no order took back more points than it earned. Run on SQLite and PostgreSQL by `npm test`.
import type { LoyaltyMember } from "@prisma/client";
import type { Order } from "../../app/loyalty/earning";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { adjustPoints } from "../../app/loyalty/adjustments";
import {
  awardOrderPoints,
  releaseOrderPoints,
  reverseCancelledOrder,
  reverseRefundedPoints,
} from "../../app/loyalty/earning";
import { InsufficientPointsError, postLedgerEntry } from "../../app/loyalty/ledger";
import { seededRandom } from "../fixtures/shopify-payloads";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { numbers } from "../support/stored";

const events = 10_000;
const start = new Date("2026-01-01T00:00:00Z").getTime();

/** Lets the test worker answer vitest's RPC between bursts of (synchronous) SQLite work. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

describe(`loyalty ledger, ${events.toLocaleString("en")} random events on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("keeps every member's ledger sum equal to the cached balance, never below zero", async () => {
    const random = seededRandom(2026);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const shops = await Promise.all(
      ["soak-a", "soak-b"].map((name) => db.shop.create({ data: { domain: `${name}.myshopify.com` } })),
    );
    for (const shop of shops) {
      await db.loyaltyProgram.create({ data: { shopId: shop.id, enabled: true, pendingDays: 14 } });
    }
    const members: LoyaltyMember[] = [];
    for (let index = 0; index < 30; index += 1) {
      const shop = shops[index % 2] as (typeof shops)[number];
      const customer = await db.customer.create({ data: { shopId: shop.id, shopifyId: String(index) } });
      members.push(await db.loyaltyMember.create({ data: { shopId: shop.id, customerId: customer.id } }));
    }
    const orders: Order[] = [];
    const counts: Record<string, number> = {};
    let orderNumber = 0;
    let refundNumber = 0;

    for (let step = 0; step < events; step += 1) {
      if (step % 25 === 0) await breathe();
      const now = new Date(start + step * 3_600_000);
      const roll = random();
      const kind =
        orders.length === 0 || roll < 0.3
          ? "order"
          : roll < 0.38
            ? "duplicate"
            : roll < 0.5
              ? "release"
              : roll < 0.62
                ? "refund"
                : roll < 0.67
                  ? "cancel"
                  : roll < 0.85
                    ? "redeem"
                    : roll < 0.95
                      ? "adjust"
                      : "expire";
      counts[kind] = (counts[kind] ?? 0) + 1;
      if (kind === "order") {
        const member = pick(members);
        orderNumber += 1;
        const subtotalMinor = 100 + Math.floor(random() * 20_000);
        const order = numbers(
          await db.order.create({
            data: {
              shopId: member.shopId,
              shopifyId: String(orderNumber),
              customerId: member.customerId,
              name: `#${orderNumber}`,
              currency: "USD",
              subtotalMinor,
              totalMinor: subtotalMinor,
              processedAt: now,
              shopifyUpdatedAt: now,
            },
          }),
        );
        orders.push(order);
        await db.$transaction((tx) => awardOrderPoints(tx, order, now));
      } else if (kind === "duplicate") {
        const order = pick(orders);
        await db.$transaction((tx) => awardOrderPoints(tx, order, now));
      } else if (kind === "release") {
        const order = pick(orders);
        await db.$transaction((tx) => releaseOrderPoints(tx, order.shopId, order.id, now));
      } else if (kind === "refund") {
        const order = pick(orders);
        refundNumber += 1;
        const subtotalMinor = 1 + Math.floor(random() * order.subtotalMinor);
        await db.refund.create({
          data: {
            shopId: order.shopId,
            shopifyId: String(refundNumber),
            orderShopifyId: order.shopifyId,
            currency: "USD",
            amountMinor: subtotalMinor,
            lineItems: [{ lineShopifyId: "1", quantity: 1, subtotalMinor, totalTaxMinor: 0 }],
            processedAt: now,
          },
        });
        await db.$transaction((tx) => reverseRefundedPoints(tx, order, String(refundNumber), now));
      } else if (kind === "cancel") {
        const order = pick(orders);
        await db.$transaction((tx) => reverseCancelledOrder(tx, order, now));
      } else if (kind === "redeem") {
        const member = pick(members);
        try {
          await db.$transaction((tx) =>
            postLedgerEntry(tx, member.shopId, {
              memberId: member.id,
              kind: "redeem",
              source: "reward",
              sourceId: `r-${step}`,
              pointsDelta: -(1 + Math.floor(random() * 60)),
              occurredAt: now,
            }),
          );
        } catch (error) {
          if (!(error instanceof InsufficientPointsError)) throw error;
          counts.refused = (counts.refused ?? 0) + 1;
        }
      } else if (kind === "adjust") {
        const member = pick(members);
        const points = (random() < 0.5 ? -1 : 1) * (1 + Math.floor(random() * 100));
        try {
          await adjustPoints(
            db,
            member.shopId,
            { memberId: member.id, points, reason: "soak", actor: "test" },
            now,
          );
        } catch (error) {
          if (!(error instanceof InsufficientPointsError)) throw error;
          counts.refused = (counts.refused ?? 0) + 1;
        }
      } else {
        const member = pick(members);
        const stored = numbers(await db.loyaltyMember.findUniqueOrThrow({ where: { id: member.id } }));
        await db.$transaction((tx) =>
          postLedgerEntry(tx, member.shopId, {
            memberId: member.id,
            kind: "expire",
            source: "expiry",
            sourceId: String(step),
            pointsDelta: -stored.pointsBalance,
            whenShort: "floor",
            occurredAt: now,
          }),
        );
      }
    }

    // Every kind of event happened many times.
    for (const kind of ["order", "duplicate", "release", "refund", "cancel", "redeem", "adjust", "expire"]) {
      expect(counts[kind], kind).toBeGreaterThan(200);
    }
    // Some redemptions and debits were refused for want of points, and many went through.
    expect(counts.refused).toBeGreaterThan(0);
    expect((counts.redeem ?? 0) + (counts.adjust ?? 0) - (counts.refused ?? 0)).toBeGreaterThan(500);
    for (const member of members) {
      const stored = numbers(await db.loyaltyMember.findUniqueOrThrow({ where: { id: member.id } }));
      const { _sum } = numbers(
        await db.loyaltyLedgerEntry.aggregate({
          where: { shopId: member.shopId, memberId: member.id },
          _sum: { pointsDelta: true, pendingDelta: true },
        }),
      );
      expect({ points: _sum.pointsDelta ?? 0, pending: _sum.pendingDelta ?? 0 }).toEqual({
        points: stored.pointsBalance,
        pending: stored.pendingPoints,
      });
      expect(stored.pointsBalance).toBeGreaterThanOrEqual(0);
      expect(stored.pendingPoints).toBeGreaterThanOrEqual(0);
      const last = numbers(
        await db.loyaltyLedgerEntry.findFirst({
          where: { memberId: member.id },
          orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        }),
      );
      if (last) expect(last.balanceAfter).toBe(stored.pointsBalance);
    }
    expect(
      await db.loyaltyLedgerEntry.count({
        where: { OR: [{ balanceAfter: { lt: 0 } }, { pendingAfter: { lt: 0 } }] },
      }),
    ).toBe(0);
    // One earn per order however often it was delivered; no order lost more than it earned.
    const earns = numbers(
      await db.loyaltyLedgerEntry.groupBy({
        by: ["sourceId"],
        where: { kind: "earn" },
        _count: true,
      }),
    );
    expect(earns.every((group) => group._count === 1)).toBe(true);
    for (const order of orders.filter((_, index) => index % 10 === 0)) {
      const entries = numbers(
        await db.loyaltyLedgerEntry.findMany({
          where: {
            shopId: order.shopId,
            source: "order",
            OR: [{ sourceId: order.id }, { sourceId: { startsWith: `${order.id}/` } }],
          },
        }),
      );
      const earned = entries
        .filter((entry) => entry.kind === "earn")
        .reduce((sum, e) => sum + e.pointsDelta + e.pendingDelta, 0);
      const reversed = entries
        .filter((entry) => entry.kind === "reversal")
        .reduce((sum, e) => sum - e.pointsDelta - e.pendingDelta + e.shortfall, 0);
      expect(reversed).toBeLessThanOrEqual(earned);
    }
    console.log(`soak on ${testProvider}: ${JSON.stringify(counts)}`);
  });
});
