// The points ledger (R-LOY-1, R-LOY-6): idempotent entries, balances cached in the same
// transaction, never below zero — also under concurrent redemptions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { isTransientConflict } from "../../app/db/errors";
import {
  InsufficientPointsError,
  loyaltyMemberFor,
  postLedgerEntry,
  type LedgerPosting,
} from "../../app/loyalty/ledger";
import { seededRandom } from "../fixtures/shopify-payloads";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { numbers } from "../support/stored";

const at = new Date("2026-11-23T12:00:00Z");

describe(`loyalty ledger on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let shopId: string;
  let customer = 0;

  const newMember = async () => {
    customer += 1;
    const created = await db.customer.create({ data: { shopId, shopifyId: String(customer) } });
    return db.$transaction((tx) => loyaltyMemberFor(tx, shopId, created.id));
  };
  const post = (posting: Omit<LedgerPosting, "occurredAt">, client: Database = db) =>
    client.$transaction((tx) => postLedgerEntry(tx, shopId, { occurredAt: at, ...posting }));
  const ledgerSum = async (memberId: string) => {
    const { _sum } = numbers(
      await db.loyaltyLedgerEntry.aggregate({
        where: { memberId },
        _sum: { pointsDelta: true, pendingDelta: true },
      }),
    );
    return { points: _sum.pointsDelta ?? 0, pending: _sum.pendingDelta ?? 0 };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    shopId = (await db.shop.create({ data: { domain: "alpha.myshopify.com" } })).id;
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("records the same posting once however often it is repeated", async () => {
    const member = await newMember();
    const earn = {
      memberId: member.id,
      kind: "earn",
      source: "order",
      sourceId: "1001",
      pointsDelta: 120,
    } as const;
    const results = [await post(earn), await post(earn), await post(earn)];
    expect(results.map((result) => result.created)).toEqual([true, false, false]);
    expect(await db.loyaltyLedgerEntry.count({ where: { memberId: member.id } })).toBe(1);
    expect(numbers(await db.loyaltyMember.findUniqueOrThrow({ where: { id: member.id } }))).toMatchObject({
      pointsBalance: 120,
      lifetimePoints: 120,
    });
    expect(results[0]?.entry.balanceAfter).toBe(120);
  });

  it("moves pending points to spendable on release", async () => {
    const member = await newMember();
    await post({
      memberId: member.id,
      kind: "earn",
      source: "order",
      sourceId: "2001",
      pointsDelta: 0,
      pendingDelta: 80,
    });
    await post({
      memberId: member.id,
      kind: "release",
      source: "order",
      sourceId: "2001",
      pointsDelta: 80,
      pendingDelta: -80,
    });
    expect(numbers(await db.loyaltyMember.findUniqueOrThrow({ where: { id: member.id } }))).toMatchObject({
      pointsBalance: 80,
      pendingPoints: 0,
      lifetimePoints: 80,
    });
  });

  it("releases only what is still pending: a release larger than the pending balance mints nothing", async () => {
    const member = await newMember();
    await post({
      memberId: member.id,
      kind: "earn",
      source: "order",
      sourceId: "2101",
      pointsDelta: 0,
      pendingDelta: 75,
    });
    await post({
      memberId: member.id,
      kind: "reversal",
      source: "order",
      sourceId: "2101/refund/1",
      pointsDelta: 0,
      pendingDelta: -25,
      whenShort: "floor",
    });
    // A release computed before the reversal (75) finds only 50 pending: 50 move, nothing more.
    const { entry } = await post({
      memberId: member.id,
      kind: "release",
      source: "order",
      sourceId: "2101",
      pointsDelta: 75,
      pendingDelta: -75,
    });
    expect(entry).toMatchObject({ pointsDelta: 50, pendingDelta: -50, shortfall: 0, balanceAfter: 50 });
    expect(numbers(await db.loyaltyMember.findUniqueOrThrow({ where: { id: member.id } }))).toMatchObject({
      pointsBalance: 50,
      pendingPoints: 0,
    });
    expect(await ledgerSum(member.id)).toEqual({ points: 50, pending: 0 });
  });

  it("refuses a redemption the balance cannot cover and changes nothing", async () => {
    const member = await newMember();
    await post({ memberId: member.id, kind: "earn", source: "order", sourceId: "3001", pointsDelta: 50 });
    await expect(
      post({ memberId: member.id, kind: "redeem", source: "reward", sourceId: "r-1", pointsDelta: -60 }),
    ).rejects.toBeInstanceOf(InsufficientPointsError);
    expect(await db.loyaltyLedgerEntry.count({ where: { memberId: member.id } })).toBe(1);
    expect(
      numbers(await db.loyaltyMember.findUniqueOrThrow({ where: { id: member.id } })).pointsBalance,
    ).toBe(50);
  });

  it("lets a reversal after a redemption take the balance to zero, never below, and records the shortfall", async () => {
    const member = await newMember();
    await post({ memberId: member.id, kind: "earn", source: "order", sourceId: "4001", pointsDelta: 100 });
    await post({ memberId: member.id, kind: "redeem", source: "reward", sourceId: "r-2", pointsDelta: -70 });
    const { entry } = await post({
      memberId: member.id,
      kind: "reversal",
      source: "order",
      sourceId: "4001",
      pointsDelta: -100,
      whenShort: "floor",
    });
    expect(entry).toMatchObject({ pointsDelta: -30, balanceAfter: 0, shortfall: 70 });
    expect(await ledgerSum(member.id)).toEqual({ points: 0, pending: 0 });
  });

  it("lets exactly 10 of 50 concurrent 10-point redemptions through a 100-point balance", async () => {
    const member = await newMember();
    await post({ memberId: member.id, kind: "earn", source: "order", sourceId: "5001", pointsDelta: 100 });
    // PostgreSQL: several clients, so the redemptions really run side by side. SQLite has one
    // writer: one client per process, whose transactions the driver serialises.
    const clients =
      testProvider === "postgresql" ? [database.connect(), database.connect(), database.connect()] : [db];
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, async (_, index) => {
        const client = clients[index % clients.length] as Database;
        for (;;) {
          try {
            await post(
              {
                memberId: member.id,
                kind: "redeem",
                source: "reward",
                sourceId: `c-${index}`,
                pointsDelta: -10,
              },
              client,
            );
            return "redeemed";
          } catch (error) {
            if (error instanceof InsufficientPointsError) return "refused";
            if (isTransientConflict(error)) continue;
            throw error;
          }
        }
      }),
    );
    expect(outcomes.filter((outcome) => outcome === "redeemed")).toHaveLength(10);
    expect(outcomes.filter((outcome) => outcome === "refused")).toHaveLength(40);
    const stored = numbers(await db.loyaltyMember.findUniqueOrThrow({ where: { id: member.id } }));
    expect(stored.pointsBalance).toBe(0);
    const entries = numbers(await db.loyaltyLedgerEntry.findMany({ where: { memberId: member.id } }));
    expect(entries.every((entry) => entry.balanceAfter >= 0)).toBe(true);
    expect((await ledgerSum(member.id)).points).toBe(0);
  });

  it("keeps the ledger sum equal to the cached balance for every member after 500 random postings (the soak project runs 10,000)", async () => {
    const members = await Promise.all(Array.from({ length: 20 }, () => newMember()));
    const random = seededRandom(99);
    const kinds = ["earn", "redeem", "reversal", "adjust", "expire"] as const;
    for (let step = 0; step < 500; step += 1) {
      const member = members[Math.floor(random() * members.length)] as (typeof members)[number];
      const kind = kinds[Math.floor(random() * kinds.length)] as (typeof kinds)[number];
      const amount = 1 + Math.floor(random() * 200);
      const sign = kind === "earn" || (kind === "adjust" && random() < 0.5) ? 1 : -1;
      // Some postings repeat an earlier source id: they must be no-ops.
      const sourceId = String(Math.floor(random() * 800));
      try {
        await post({
          memberId: member.id,
          kind,
          source: kind === "redeem" ? "reward" : "order",
          sourceId,
          pointsDelta: sign * amount,
          whenShort: kind === "redeem" ? "refuse" : "floor",
        });
      } catch (error) {
        if (!(error instanceof InsufficientPointsError)) throw error;
      }
    }
    for (const member of members) {
      const stored = numbers(await db.loyaltyMember.findUniqueOrThrow({ where: { id: member.id } }));
      expect(await ledgerSum(member.id)).toEqual({
        points: stored.pointsBalance,
        pending: stored.pendingPoints,
      });
      expect(stored.pointsBalance).toBeGreaterThanOrEqual(0);
    }
  }, 300_000);
});
