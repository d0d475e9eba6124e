// Flow timers at scale (issue 14): 10,000 runs waiting on a timer all advance when the clock jumps
// 30 days — no step lost, none taken twice (the step log and the outbox are counted) — and on
// PostgreSQL two schedulers on their own connections advance 10,000 due runs together, each step
// once, both taking part.
import { randomUUID } from "node:crypto";
import type { Flow, Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { openSqlConnection } from "../../app/db/sql";
import { createFlow, setFlowStatus } from "../../app/flows/flows";
import { advanceDueRuns } from "../../app/flows/scheduler";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { threeStepFlow } from "../support/flows";

const count = 10_000;
const dayMs = 86_400_000;

async function seedWaitingRuns(db: Database, shop: Shop, flow: Flow, wakeAt: Date, now: Date): Promise<void> {
  const customers = Array.from({ length: count }, (_, index) => ({
    id: randomUUID(),
    shopId: shop.id,
    shopifyId: String(100_000 + index),
    email: `s${index}@example.com`,
    firstName: `S${index}`,
    emailConsent: "subscribed",
  }));
  for (let start = 0; start < count; start += 1_000) {
    await db.customer.createMany({ data: customers.slice(start, start + 1_000) });
  }
  const runs = customers.map((customer) => ({
    shopId: shop.id,
    flowId: flow.id,
    version: 1,
    customerId: customer.id,
    triggerKey: `event:${customer.id}`,
    status: "active",
    // Sent the first message and waits an hour for the second.
    stepId: "send-2",
    wakeAt,
    variants: {},
    trigger: {
      event: "checkout.updated",
      subjectId: customer.id,
      occurredAt: now.toISOString(),
      orderId: null,
      checkoutId: null,
      payload: {},
    },
    email: customer.email,
    since: now,
    steps: 2,
    startedAt: now,
    updatedAt: now,
  }));
  for (let start = 0; start < count; start += 1_000) {
    await db.flowRun.createMany({ data: runs.slice(start, start + 1_000) });
  }
}

describe(`flow scheduling at scale on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let shop: Shop;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    shop = await db.shop.create({ data: { domain: "scale.myshopify.com", name: "Scale", timezone: "UTC" } });
  });
  afterAll(async () => {
    await database?.drop();
  });

  it(
    "advances 10,000 runs waiting on a timer when the clock jumps 30 days: every step once",
    { timeout: 240_000 },
    async () => {
      const now = new Date("2026-11-02T10:00:00Z");
      const flow = await createFlow(db, {
        shopId: shop.id,
        name: "Scale",
        definition: threeStepFlow(),
        staff: "t",
        now,
      });
      await setFlowStatus(db, { shopId: shop.id, flowId: flow.id, status: "live", staff: "t", now });
      await seedWaitingRuns(db, shop, flow, new Date(now.getTime() + 3_600_000), now);
      const sql = openSqlConnection(database.database);
      try {
        // Before the timer: nothing is due.
        expect(await advanceDueRuns(sql, { now, limit: 400, links: null })).toBe(0);
        const later = new Date(now.getTime() + 30 * dayMs);
        let claimed = 0;
        for (let taken = -1; taken !== 0;) {
          taken = await advanceDueRuns(sql, { now: later, limit: 400, links: null });
          claimed += taken;
        }
        expect(claimed).toBe(count);
        // A second pass finds nothing: each run now waits a day from the jump.
        expect(await advanceDueRuns(sql, { now: later, limit: 400, links: null })).toBe(0);
      } finally {
        await sql.close();
      }
      const outcomes = await db.flowStepLog.groupBy({
        by: ["stepId", "outcome"],
        _count: true,
        orderBy: { stepId: "asc" },
      });
      expect(outcomes).toEqual([
        { stepId: "send-2", outcome: "sent", _count: count },
        { stepId: "wait-2", outcome: "waiting", _count: count },
      ]);
      expect(
        await db.message.count({ where: { flowId: flow.id, flowStepId: "send-2", status: "queued" } }),
      ).toBe(count);
      expect(await db.job.count({ where: { kind: "message.send" } })).toBe(count);
      const runs = await db.flowRun.groupBy({ by: ["status", "stepId", "steps"], _count: true });
      expect(runs).toEqual([{ status: "active", stepId: "send-3", steps: 4, _count: count }]);
      const waking = await db.flowRun.findFirstOrThrow({ where: { flowId: flow.id } });
      expect(waking.wakeAt?.toISOString()).toBe(new Date(now.getTime() + 31 * dayMs).toISOString());
    },
  );
});

describe.runIf(testProvider === "postgresql")("two schedulers on PostgreSQL", () => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("advance 10,000 due runs together: each step once, both take part", { timeout: 240_000 }, async () => {
    const now = new Date("2026-11-02T10:00:00Z");
    const shop = await db.shop.create({
      data: { domain: "pair.myshopify.com", name: "Pair", timezone: "UTC" },
    });
    const flow = await createFlow(db, {
      shopId: shop.id,
      name: "Pair",
      definition: threeStepFlow(),
      staff: "t",
      now,
    });
    await setFlowStatus(db, { shopId: shop.id, flowId: flow.id, status: "live", staff: "t", now });
    await seedWaitingRuns(db, shop, flow, now, now);
    const connections = [openSqlConnection(database.database), openSqlConnection(database.database)];
    const taken = [0, 0];
    try {
      await Promise.all(
        connections.map(async (sql, index) => {
          for (let batch = -1; batch !== 0;) {
            batch = await advanceDueRuns(sql, { now, limit: 200, links: null });
            taken[index] = (taken[index] ?? 0) + batch;
          }
        }),
      );
    } finally {
      await Promise.all(connections.map((sql) => sql.close()));
    }
    expect((taken[0] ?? 0) + (taken[1] ?? 0)).toBe(count);
    expect(taken[0]).toBeGreaterThan(0);
    expect(taken[1]).toBeGreaterThan(0);
    expect(await db.flowStepLog.count({ where: { outcome: "sent" } })).toBe(count);
    expect(await db.flowStepLog.count({ where: { outcome: "waiting" } })).toBe(count);
    expect(await db.message.count({ where: { flowId: flow.id } })).toBe(count);
    const perRun = await db.flowStepLog.groupBy({
      by: ["runId"],
      _count: true,
      having: { runId: { _count: { not: 2 } } },
    });
    expect(perRun).toEqual([]);
  });
});
