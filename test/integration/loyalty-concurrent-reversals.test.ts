// A release racing two refunds of the same order, on separate connections (R-LOY-1, R-LOY-6): the
// order's points end at exactly its unrefunded share — the release never mints refunded points,
// the two refunds never take back more than their share — and its cashback shrinks by the same
// share. PostgreSQL runs the three transactions side by side; SQLite (one writer) one after another.
import type { DomainEvent, Job, Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { isTransientConflict } from "../../app/db/errors";
import { releaseJobKind } from "../../app/loyalty/earning";
import { saveProgramSettings } from "../../app/loyalty/program";
import { loyaltyEventHandler, loyaltySubscriber, releaseJobHandler } from "../../app/loyalty/subscriber";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { numbers } from "../support/stored";

const day = 86_400_000;
const rounds = 200;

describe(`concurrent release and refunds on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let shop: Shop;
  const clock = new ManualClock("2026-11-20T00:05:00Z");

  /** Runs a transaction body again when it lost a race the way the worker would retry it. */
  async function retried(work: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await work();
        return;
      } catch (error) {
        if (!isTransientConflict(error) || attempt >= 10) throw error;
      }
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    shop = await db.shop.create({ data: { domain: "races.myshopify.com" } });
    await saveProgramSettings(
      db,
      shop.id,
      { enabled: true, pendingDays: 14, cashbackBasisPoints: 500 },
      clock.now(),
    );
  });

  afterAll(async () => {
    await database?.drop();
  });

  it(`keeps exactly the unrefunded third of each order's points over ${rounds} rounds of release ∥ refund ∥ refund`, async () => {
    // The returns window is over: each order's release is due while two refunds (lines 2 and 3)
    // are being applied.
    clock.advance(15 * day);
    const now = clock.now();
    const clients =
      testProvider === "postgresql"
        ? [database.connect(), database.connect(), database.connect()]
        : [db, db, db];
    const [releasing, refundingA, refundingB] = clients as [Database, Database, Database];
    const release = releaseJobHandler(clock);
    const onEvent = loyaltyEventHandler([loyaltySubscriber]);
    // Per round a fresh customer's paid order of 3 × 25.00 (75 points pending, 3.75 cashback
    // recorded by the real order.paid handler), and what refunds/create stores and announces for
    // its two refunds (lines 2 and 3, 25.00 each).
    const paidAt = new Date(now.getTime() - 15 * day);
    const rows = Array.from({ length: rounds }, (_, index) => ({
      index,
      orderShopifyId: String(70_000 + index),
      refundShopifyIds: [2, 3].map((line) => `${70_000 + index}-${line}`),
    }));
    await db.customer.createMany({
      data: rows.map(({ index }) => ({ shopId: shop.id, shopifyId: String(5_000 + index) })),
    });
    const customers = new Map(
      numbers(await db.customer.findMany({ where: { shopId: shop.id } })).map((customer) => [
        customer.shopifyId,
        customer.id,
      ]),
    );
    await db.order.createMany({
      data: rows.map(({ index, orderShopifyId }) => ({
        shopId: shop.id,
        shopifyId: orderShopifyId,
        customerId: customers.get(String(5_000 + index)) ?? null,
        name: `#${orderShopifyId}`,
        currency: "USD",
        subtotalMinor: 7500,
        totalMinor: 7500,
        financialStatus: "paid",
        processedAt: paidAt,
        shopifyUpdatedAt: paidAt,
      })),
    });
    const orders = numbers(
      await db.order.findMany({ where: { shopId: shop.id }, orderBy: { shopifyId: "asc" } }),
    );
    expect(orders).toHaveLength(rounds);
    await db.domainEvent.createMany({
      data: orders.map((order) => ({
        shopId: shop.id,
        type: "order.paid",
        subjectId: order.id,
        dedupeKey: `order.paid:${order.shopifyId}`,
        payload: { orderShopifyId: order.shopifyId, customerId: order.customerId },
        occurredAt: paidAt,
      })),
    });
    for (const event of await db.domainEvent.findMany({ where: { shopId: shop.id, type: "order.paid" } })) {
      await onEvent(db, event, paidAt);
    }
    const lineItems = [{ lineShopifyId: "1", quantity: 1, subtotalMinor: 2500, totalTaxMinor: 0 }];
    await db.refund.createMany({
      data: rows.flatMap(({ orderShopifyId, refundShopifyIds }) =>
        refundShopifyIds.map((shopifyId) => ({
          shopId: shop.id,
          shopifyId,
          orderShopifyId,
          currency: "USD",
          amountMinor: 2500,
          lineItems,
          processedAt: now,
        })),
      ),
    });
    await db.domainEvent.createMany({
      data: rows.flatMap(({ orderShopifyId, refundShopifyIds }) =>
        refundShopifyIds.map((refundShopifyId) => ({
          shopId: shop.id,
          type: "order.refunded",
          subjectId: orderShopifyId,
          dedupeKey: `order.refunded:${refundShopifyId}`,
          payload: { refundShopifyId, orderShopifyId, amountMinor: 2500, currency: "USD", lineItems },
          occurredAt: now,
        })),
      ),
    });
    const refundEvents = new Map(
      (await db.domainEvent.findMany({ where: { shopId: shop.id, type: "order.refunded" } })).map((event) => [
        event.dedupeKey,
        event,
      ]),
    );
    const releaseJobs = new Map(
      (await db.job.findMany({ where: { shopId: shop.id, kind: releaseJobKind } })).map((job) => [
        job.key,
        job,
      ]),
    );
    expect(releaseJobs.size).toBe(rounds);

    for (const [index, order] of orders.entries()) {
      const [refundA, refundB] = (rows[index]?.refundShopifyIds ?? []).map(
        (id) => refundEvents.get(`order.refunded:${id}`) as DomainEvent,
      ) as [DomainEvent, DomainEvent];
      const job = releaseJobs.get(`order:${order.id}`) as Job;
      // Three transactions on three connections, started together.
      await Promise.all([
        retried(() => release(job, releasing)),
        retried(() => onEvent(refundingA, refundA, now)),
        retried(() => onEvent(refundingB, refundB, now)),
      ]);
    }

    const members = numbers(await db.loyaltyMember.findMany({ where: { shopId: shop.id } }));
    const entries = numbers(await db.loyaltyLedgerEntry.findMany({ where: { shopId: shop.id } }));
    const credits = numbers(await db.cashbackCredit.findMany({ where: { shopId: shop.id } }));
    const byMember = new Map<string, number>();
    for (const entry of entries) {
      byMember.set(
        entry.memberId,
        (byMember.get(entry.memberId) ?? 0) + entry.pointsDelta + entry.pendingDelta,
      );
    }
    // floor(75 × 2/3) = 50 taken back per order: 25 kept, spendable, nothing pending.
    expect(members).toHaveLength(rounds);
    expect({
      ledgerSum: entries.reduce((sum, entry) => sum + entry.pointsDelta + entry.pendingDelta, 0),
      balances: members.reduce((sum, member) => sum + member.pointsBalance, 0),
      pending: members.reduce((sum, member) => sum + member.pendingPoints, 0),
      mostHeldByOne: Math.max(...members.map((member) => member.pointsBalance + member.pendingPoints)),
      fewestHeldByOne: Math.min(...members.map((member) => member.pointsBalance + member.pendingPoints)),
      shortfalls: entries.reduce((sum, entry) => sum + entry.shortfall, 0),
      releases: entries.filter((entry) => entry.kind === "release").length,
      reversed: -entries
        .filter((entry) => entry.kind === "reversal")
        .reduce((sum, entry) => sum + entry.pointsDelta + entry.pendingDelta, 0),
      cashbackReversedMinor: credits.reduce((sum, credit) => sum + credit.reversedMinor, 0),
    }).toEqual({
      ledgerSum: rounds * 25,
      balances: rounds * 25,
      pending: 0,
      mostHeldByOne: 25,
      fewestHeldByOne: 25,
      shortfalls: 0,
      releases: rounds,
      reversed: rounds * 50,
      // 3.75 cashback per order, floor(375 × 2/3) = 2.50 taken back.
      cashbackReversedMinor: rounds * 250,
    });
    // Each member's cached balances are their ledger's sum.
    for (const member of members) {
      expect(member.pointsBalance + member.pendingPoints).toBe(byMember.get(member.id));
    }
  }, 600_000); // 600 transactions on a busy machine: minutes
});
