// Bounded work for big shops (issue 12, item 6): the ledger CSV and the daily loyalty run read the
// shop's rows in bounded pages, never the whole table in one query.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { adjustPoints, ledgerCsv } from "../../app/loyalty/adjustments";
import { localDate, runDailyLoyalty } from "../../app/loyalty/daily";
import { loyaltyMemberFor } from "../../app/loyalty/ledger";
import { saveProgramSettings } from "../../app/loyalty/program";
import { applyProviderCallback } from "../../app/messaging/provider-callbacks";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { numbers } from "../support/stored";

interface PageRead {
  model: string;
  take: number | undefined;
  rows: number;
}

type FindMany = (args?: { take?: number }) => Promise<unknown[]>;

/** The database, with every `findMany` on the named models recorded (asked-for page size, rows returned). */
function recordingPageReads(db: Database, models: readonly string[], reads: PageRead[]): Database {
  return new Proxy(db, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof property === "string" && models.includes(property)) {
        const delegate = value as Record<string, unknown> & { findMany: FindMany };
        return new Proxy(delegate, {
          get(model, name) {
            if (name === "findMany") {
              return async (args?: { take?: number }) => {
                const rows = await model.findMany(args);
                reads.push({ model: property, take: args?.take, rows: rows.length });
                return rows;
              };
            }
            const member: unknown = Reflect.get(model, name);
            return typeof member === "function" ? (member as () => unknown).bind(model) : member;
          },
        });
      }
      return typeof value === "function" ? (value as () => unknown).bind(target) : value;
    },
  });
}

const day = 86_400_000;

describe(`bounded work on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
  });

  afterAll(async () => {
    await database?.drop();
  });

  async function shopWithMembers(name: string, count: number, birthday?: string) {
    const shop = await db.shop.create({ data: { domain: `${name}.myshopify.com` } });
    const members: { customerId: string; memberId: string }[] = [];
    for (let index = 0; index < count; index++) {
      const customer = await db.customer.create({
        data: {
          shopId: shop.id,
          shopifyId: String(1000 + index),
          email: `${name}-${index}@example.com`,
          ...(birthday ? { birthday } : {}),
        },
      });
      const member = await db.$transaction((tx) => loyaltyMemberFor(tx, shop.id, customer.id));
      members.push({ customerId: customer.id, memberId: member.id });
    }
    return { shop, members };
  }

  it("streams the ledger CSV in bounded pages, in ledger order, the same text as one page", async () => {
    const { shop, members } = await shopWithMembers("csv-alpha", 3);
    const other = await shopWithMembers("csv-beta", 1);
    const start = new Date("2026-11-01T08:00:00Z");
    // 25 entries over 4 distinct times: most pages end inside a run of equal dates.
    for (let index = 0; index < 25; index++) {
      const member = members[index % 3];
      await adjustPoints(
        db,
        shop.id,
        {
          memberId: member?.memberId ?? "",
          points: 10 + index,
          reason: index === 4 ? 'Refund, "late" parcel' : `bonus ${index}`,
          actor: "jana@shop.example",
          adjustmentId: `adj-${String(index).padStart(2, "0")}`,
        },
        new Date(start.getTime() + (index % 4) * day),
      );
    }
    await adjustPoints(
      db,
      other.shop.id,
      { memberId: other.members[0]?.memberId ?? "", points: 5, reason: "beta only", actor: "b" },
      start,
    );

    const reads: PageRead[] = [];
    const paged = await ledgerCsv(recordingPageReads(db, ["loyaltyLedgerEntry"], reads), shop.id, 7);
    // 25 rows, 7 a query: 7 + 7 + 7 + 4, never more than the page size.
    expect(reads.map((read) => read.rows)).toEqual([7, 7, 7, 4]);
    expect(reads.every((read) => read.take === 7)).toBe(true);

    const onePage = await ledgerCsv(db, shop.id, 1000);
    expect(paged).toBe(onePage);
    const lines = paged.split("\r\n");
    expect(lines[0]).toBe(
      "date,customer_id,email,kind,source,source_id,points,pending_points,balance_after,pending_after,shortfall,reason,actor",
    );
    expect(lines.at(-1)).toBe("");
    expect(lines).toHaveLength(1 + 25 + 1);
    const expectedOrder = numbers(
      await db.loyaltyLedgerEntry.findMany({
        where: { shopId: shop.id },
        orderBy: [{ occurredAt: "asc" }, { createdAt: "asc" }, { id: "asc" }],
        select: { sourceId: true },
      }),
    );
    expect(lines.slice(1, -1).map((line) => line.split(",")[5])).toEqual(
      expectedOrder.map((entry) => entry.sourceId),
    );
    expect(new Set(lines.slice(1, -1)).size).toBe(25);
    expect(lines).toContain(
      `2026-11-01T08:00:00.000Z,1001,csv-alpha-1@example.com,adjust,admin,adj-04,14,0,25,0,0,"Refund, ""late"" parcel",jana@shop.example`,
    );
    expect(paged).not.toContain("beta");

    // An empty ledger is the header alone.
    const empty = await shopWithMembers("csv-empty", 0);
    expect(await ledgerCsv(db, empty.shop.id, 7)).toBe(`${lines[0]}\r\n`);
  });

  it("gives birthday points to every member exactly once, reading customers a page at a time", async () => {
    const clock = new ManualClock("2027-03-15T10:00:00Z");
    const birthday = `1990-${localDate(clock.now(), "UTC").slice(5)}`;
    const { shop, members } = await shopWithMembers("bday", 10, birthday);
    await saveProgramSettings(
      db,
      shop.id,
      { enabled: true, pendingDays: 0, signupPoints: 0, birthdayPoints: 100 },
      clock.now(),
    );
    const reads: PageRead[] = [];
    const recorded = recordingPageReads(db, ["customer", "loyaltyMember"], reads);
    await runDailyLoyalty(recorded, shop.id, { clock, subscribers: [], pageSize: 3 });
    // A crashed run is retried whole: a second run changes nothing.
    await runDailyLoyalty(recorded, shop.id, { clock, subscribers: [], pageSize: 3 });

    const entries = numbers(
      await db.loyaltyLedgerEntry.findMany({ where: { shopId: shop.id, source: "birthday" } }),
    );
    expect(entries.map((entry) => entry.memberId).sort()).toEqual(
      members.map((member) => member.memberId).sort(),
    );
    expect(entries.every((entry) => entry.pointsDelta === 100 && entry.sourceId === "2027")).toBe(true);
    const customerReads = reads.filter((read) => read.model === "customer");
    // 10 customers, 3 a query: 3 + 3 + 3 + 1 per run.
    expect(customerReads.map((read) => read.rows)).toEqual([3, 3, 3, 1, 3, 3, 3, 1]);
    expect(reads.every((read) => read.take === 3 && read.rows <= 3)).toBe(true);
  });

  it("warns and expires every inactive member exactly once, reading members a page at a time", async () => {
    const clock = new ManualClock("2027-01-01T10:00:00Z");
    const { shop, members } = await shopWithMembers("expiry", 10);
    await saveProgramSettings(
      db,
      shop.id,
      { enabled: true, pendingDays: 0, signupPoints: 0, expiryMonths: 6, expiryWarningDays: 14 },
      clock.now(),
    );
    for (const [index, member] of members.entries()) {
      await adjustPoints(
        db,
        shop.id,
        { memberId: member.memberId, points: 50 + index, reason: "welcome", actor: "a" },
        clock.now(),
      );
    }
    const reads: PageRead[] = [];
    const recorded = recordingPageReads(db, ["customer", "loyaltyMember"], reads);
    const options = { clock, subscribers: [], pageSize: 3 };

    // 14 days before 2027-07-01: every member is warned, once.
    clock.advance(new Date("2027-06-17T10:00:00Z").getTime() - clock.now().getTime());
    await runDailyLoyalty(recorded, shop.id, options);
    await runDailyLoyalty(recorded, shop.id, options);
    const warnings = await db.domainEvent.findMany({
      where: { shopId: shop.id, type: "loyalty.points_expiring" },
      select: { subjectId: true },
    });
    expect(warnings.map((event) => event.subjectId).sort()).toEqual(
      members.map((member) => member.customerId).sort(),
    );

    // The expiry date: every member's points expire, once.
    clock.advance(14 * day);
    await runDailyLoyalty(recorded, shop.id, options);
    await runDailyLoyalty(recorded, shop.id, options);
    const expiries = numbers(
      await db.loyaltyLedgerEntry.findMany({ where: { shopId: shop.id, kind: "expire" } }),
    );
    expect(expiries.map((entry) => entry.memberId).sort()).toEqual(
      members.map((member) => member.memberId).sort(),
    );
    expect(expiries.map((entry) => entry.pointsDelta).sort((a, b) => a - b)).toEqual(
      members.map((_, index) => -(50 + index)).sort((a, b) => a - b),
    );
    const balances = numbers(await db.loyaltyMember.findMany({ where: { shopId: shop.id } }));
    expect(balances.every((member) => member.pointsBalance === 0)).toBe(true);

    const memberReads = reads.filter((read) => read.model === "loyaltyMember");
    // Runs 1–3 see all 10 members (3 + 3 + 3 + 1); after the expiry none has points left.
    expect(memberReads.map((read) => read.rows)).toEqual([3, 3, 3, 1, 3, 3, 3, 1, 3, 3, 3, 1, 0]);
    expect(reads.every((read) => read.take === 3 && read.rows <= 3)).toBe(true);
  });
  it("a STOP from a number that is a customer of two shops unsubscribes only the shop whose message it answers", async () => {
    const phone = "+420602000222";
    const shops = await Promise.all(
      ["stop-alpha", "stop-beta"].map((name) =>
        db.shop.create({ data: { domain: `${name}.myshopify.com` } }),
      ),
    );
    const customers = await Promise.all(
      shops.map((shop) =>
        db.customer.create({
          data: { shopId: shop.id, shopifyId: "777", phone, smsConsent: "subscribed" },
        }),
      ),
    );
    const sent = async (index: 0 | 1, id: string, at: string) =>
      db.message.create({
        data: {
          id,
          shopId: shops[index]!.id,
          customerId: customers[index]!.id,
          idempotencyKey: id,
          purpose: "marketing",
          channelOrder: "sms",
          content: {},
          status: "delivered",
          channel: "sms",
          toAddress: phone,
          scheduledFor: new Date(at),
          sentAt: new Date(at),
        },
      });
    const stop = (id: string, at: string) =>
      applyProviderCallback(
        db,
        { channel: "sms", from: phone, body: "STOP", at: new Date(at), providerMessageId: id },
        new Date(at),
      );
    const consents = async () =>
      (
        await Promise.all(
          customers.map((customer) => db.customer.findUniqueOrThrow({ where: { id: customer?.id } })),
        )
      ).map((customer) => customer.smsConsent);

    await sent(0, "stop-msg-alpha-1", "2026-11-23T09:00:00Z");
    await sent(1, "stop-msg-beta-1", "2026-11-23T10:00:00Z");
    // The STOP answers beta's message, the last one the number received.
    await stop("SM-stop-1", "2026-11-23T10:05:00Z");
    expect(await consents()).toEqual(["subscribed", "unsubscribed"]);
    expect(
      (
        await db.consentChange.findMany({ where: { customerId: { in: customers.map((c) => c?.id ?? "") } } })
      ).map((change) => [change.shopId, change.messageId]),
    ).toEqual([[shops[1]?.id, "stop-msg-beta-1"]]);

    await sent(0, "stop-msg-alpha-2", "2026-11-24T09:00:00Z");
    await stop("SM-stop-2", "2026-11-24T09:05:00Z");
    expect(await consents()).toEqual(["unsubscribed", "unsubscribed"]);
  });

  it("the STOP / inbound sender lookups and the ledger pages use their indexes", async () => {
    const postgres = testProvider === "postgresql";
    const parameter = (index: number) => (postgres ? `$${index}` : "?");
    const lookups = [
      {
        index: "Message_channel_toAddress_sentAt_idx",
        columns: ["channel", "toAddress", "sentAt"],
        sql: `SELECT "shopId" FROM "Message" WHERE "channel" = ${parameter(1)} AND "toAddress" = ${parameter(2)} AND "sentAt" IS NOT NULL ORDER BY "sentAt" DESC LIMIT 1`,
        values: ["sms", "+420602000222"],
      },
      {
        index: "Customer_phone_idx",
        columns: ["phone"],
        sql: `SELECT "shopId" FROM "Customer" WHERE "phone" = ${parameter(1)} AND "deletedAt" IS NULL AND "redactedAt" IS NULL ORDER BY "updatedAt" DESC LIMIT 1`,
        values: ["+420602000222"],
      },
      {
        index: "LoyaltyLedgerEntry_shopId_occurredAt_createdAt_id_idx",
        columns: ["shopId", "occurredAt", "createdAt", "id"],
        sql: `SELECT "id" FROM "LoyaltyLedgerEntry" WHERE "shopId" = ${parameter(1)} ORDER BY "occurredAt" ASC, "createdAt" ASC, "id" ASC LIMIT 500`,
        values: ["shop-1"],
      },
    ];
    for (const lookup of lookups) {
      const columns = postgres
        ? (
            await db.$queryRawUnsafe<{ indexdef: string }[]>(
              `SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = $1`,
              lookup.index,
            )
          ).map((row) =>
            row.indexdef
              .replace(/^.*\(|\)$/g, "")
              .replace(/"/g, "")
              .split(", "),
          )[0]
        : (
            await db.$queryRawUnsafe<{ name: string }[]>(
              `SELECT name FROM pragma_index_info(?) ORDER BY seqno`,
              lookup.index,
            )
          ).map((row) => row.name);
      expect(columns, lookup.index).toEqual(lookup.columns);
      const plan = postgres
        ? await db.$transaction(async (tx) => {
            // Tiny test tables make a sequential scan cheapest; forbid it to see what the index allows.
            await tx.$executeRawUnsafe("SET LOCAL enable_seqscan = off");
            const rows = await tx.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(
              `EXPLAIN ${lookup.sql}`,
              ...lookup.values,
            );
            return rows.map((row) => row["QUERY PLAN"]).join("\n");
          })
        : (
            await db.$queryRawUnsafe<{ detail: string }[]>(
              `EXPLAIN QUERY PLAN ${lookup.sql}`,
              ...lookup.values,
            )
          )
            .map((row) => row.detail)
            .join("\n");
      expect(plan, lookup.sql).toContain(lookup.index);
    }
  });
});
