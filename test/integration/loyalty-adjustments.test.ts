// Manual adjustments with reason and admin user, and the ledger CSV export (R-LOY-9, R-SEC-1).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { AdjustmentError, adjustPoints, ledgerCsv } from "../../app/loyalty/adjustments";
import { InsufficientPointsError, loyaltyMemberFor } from "../../app/loyalty/ledger";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { numbers } from "../support/stored";

const now = new Date("2026-11-23T09:30:00Z");

describe(`loyalty adjustments on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  const shops: Record<"alpha" | "beta", { shopId: string; memberId: string }> = {
    alpha: { shopId: "", memberId: "" },
    beta: { shopId: "", memberId: "" },
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    for (const name of ["alpha", "beta"] as const) {
      const shop = await db.shop.create({ data: { domain: `${name}.myshopify.com` } });
      // The same Shopify customer id in both shops.
      const customer = await db.customer.create({
        data: { shopId: shop.id, shopifyId: "207119551", email: `${name}@example.com` },
      });
      const member = await db.$transaction((tx) => loyaltyMemberFor(tx, shop.id, customer.id));
      shops[name] = { shopId: shop.id, memberId: member.id };
    }
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("records who adjusted and why, once per adjustment id", async () => {
    const { shopId, memberId } = shops.alpha;
    const adjustment = {
      memberId,
      points: 250,
      reason: "Goodwill, delayed parcel",
      actor: "jana@shop.example",
      adjustmentId: "form-1",
    };
    await adjustPoints(db, shopId, adjustment, now);
    await adjustPoints(db, shopId, adjustment, now);
    const entries = numbers(await db.loyaltyLedgerEntry.findMany({ where: { memberId } }));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      kind: "adjust",
      pointsDelta: 250,
      reason: "Goodwill, delayed parcel",
      actor: "jana@shop.example",
    });
    expect(numbers(await db.loyaltyMember.findUniqueOrThrow({ where: { id: memberId } })).pointsBalance).toBe(
      250,
    );
  });

  it("refuses an adjustment without a reason, of zero or fractional points, or below zero, changing nothing", async () => {
    const { shopId, memberId } = shops.alpha;
    await expect(
      adjustPoints(db, shopId, { memberId, points: 10, reason: " ", actor: "a" }, now),
    ).rejects.toBeInstanceOf(AdjustmentError);
    await expect(
      adjustPoints(db, shopId, { memberId, points: 0, reason: "x", actor: "a" }, now),
    ).rejects.toBeInstanceOf(AdjustmentError);
    await expect(
      adjustPoints(db, shopId, { memberId, points: 1.5, reason: "x", actor: "a" }, now),
    ).rejects.toBeInstanceOf(AdjustmentError);
    await expect(
      adjustPoints(db, shopId, { memberId, points: -251, reason: "x", actor: "a" }, now),
    ).rejects.toBeInstanceOf(InsufficientPointsError);
    expect(await db.loyaltyLedgerEntry.count({ where: { memberId } })).toBe(1);
  });

  it("cannot adjust another shop's member", async () => {
    await expect(
      adjustPoints(
        db,
        shops.beta.shopId,
        { memberId: shops.alpha.memberId, points: 5, reason: "x", actor: "a" },
        now,
      ),
    ).rejects.toThrow(/not found in this shop/);
  });

  it("exports only the shop's own ledger as CSV, safely escaped", async () => {
    await adjustPoints(
      db,
      shops.alpha.shopId,
      {
        memberId: shops.alpha.memberId,
        points: -50,
        reason: '=HYPERLINK("x"), "quoted"',
        actor: "jana@shop.example",
      },
      now,
    );
    await adjustPoints(
      db,
      shops.beta.shopId,
      { memberId: shops.beta.memberId, points: 5, reason: "beta only", actor: "b" },
      now,
    );
    const csv = await ledgerCsv(db, shops.alpha.shopId);
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "date,customer_id,email,kind,source,source_id,points,pending_points,balance_after,pending_after,shortfall,reason,actor",
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(
      /^2026-11-23T09:30:00.000Z,207119551,alpha@example.com,adjust,admin,form-1,250,0,250,0,0,"Goodwill, delayed parcel",jana@shop.example$/,
    );
    expect(lines[2]).toContain(`,-50,0,200,0,0,"'=HYPERLINK(""x""), ""quoted""",jana@shop.example`);
    expect(csv).not.toContain("beta");
  });
});
