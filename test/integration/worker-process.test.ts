// The worker as a real process: killed mid-batch and restarted, every delivery is applied exactly
// once; on PostgreSQL, concurrent workers never take the same row (R-EVT-4, R-FLOW-7 groundwork).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { orderPayload } from "../fixtures/shopify-payloads";
import type { WebhookDelivery } from "../fixtures/store-history";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { storeDeliveries, testWorker } from "../support/inbox";
import { runProcess, testShopifyEnv, waitForOutput, type RunningProcess } from "../support/processes";
import { numbers } from "../support/stored";

const shop = "alpha.myshopify.com";

/** N orders for N/4 customers, each delivered once. */
function orderDeliveries(count: number): WebhookDelivery[] {
  return Array.from({ length: count }, (_, index) => {
    const customer = {
      id: 1000 + (index % (count / 4)),
      email: `c${index % (count / 4)}@example.com`,
      firstName: "C",
      lastName: String(index % (count / 4)),
      updatedAt: "2026-11-01T00:00:00Z",
    };
    const payload = orderPayload({
      id: 500_000 + index,
      number: 1000 + index,
      customer,
      lines: [
        { id: 700_000 + index, productId: 1, variantId: 2, title: "Beans", price: "14.50", quantity: 2 },
      ],
      createdAt: new Date(Date.UTC(2026, 9, 1) + index * 60_000).toISOString(),
      updatedAt: new Date(Date.UTC(2026, 9, 1) + index * 60_000).toISOString(),
    });
    return {
      topic: "orders/paid",
      webhookId: `wh-${index}`,
      eventId: `ev-${index}`,
      triggeredAt: "2026-11-01T00:00:00Z",
      body: JSON.stringify(payload),
    };
  });
}

async function expectAppliedExactlyOnce(db: Database, count: number) {
  expect(await db.webhookInbox.groupBy({ by: ["status"], _count: true })).toEqual([
    { status: "done", _count: count },
  ]);
  expect(await db.order.count()).toBe(count);
  expect(await db.orderLine.count()).toBe(count);
  expect(await db.domainEvent.count({ where: { type: "order.paid" } })).toBe(count);
  const customers = numbers(
    await db.customer.findMany({ select: { ordersCount: true, totalSpentMinor: true } }),
  );
  expect(customers).toHaveLength(count / 4);
  for (const customer of customers) expect(customer).toEqual({ ordersCount: 4, totalSpentMinor: 4 * 3400 });
}

describe(`worker process on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  const workers: RunningProcess[] = [];

  const startWorker = () => {
    const worker = runProcess(process.execPath, ["build/worker.js"], {
      ...testShopifyEnv,
      NODE_ENV: "production",
      DATABASE_URL: database.url,
      LOG_LEVEL: "debug",
      WORKER_BATCH_SIZE: "25",
      WORKER_HEARTBEAT_MS: "200",
      WORKER_STALE_AFTER_MS: "1500",
      WORKER_IDLE_MS: "50",
    });
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await database?.drop();
  });

  it("applies every delivery exactly once when killed mid-batch (SIGKILL) and restarted", async () => {
    const count = 400;
    await storeDeliveries(db, shop, orderDeliveries(count), new Date(Date.now() - 1000));
    // Kill a worker without warning while it holds a claimed batch (claimed, not committed). A batch
    // takes milliseconds, so when the kill lands between two batches a fresh worker goes on and is
    // killed again, until one dies mid-batch.
    let killedMidBatch = false;
    let doneAtKill = 0;
    for (let tries = 0; tries < 30 && !killedMidBatch; tries += 1) {
      const worker = startWorker();
      await waitForOutput(worker, /Stayloop worker started/);
      for (let deadline = Date.now() + 30_000; Date.now() < deadline;) {
        const processing = await db.webhookInbox.count({ where: { status: "processing" } });
        doneAtKill = await db.webhookInbox.count({ where: { status: "done" } });
        if ((processing > 0 && doneAtKill >= 60) || doneAtKill === count) break;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      worker.child.kill("SIGKILL");
      await worker.exited;
      killedMidBatch = (await db.webhookInbox.count({ where: { status: "processing" } })) > 0;
    }
    expect(killedMidBatch).toBe(true);
    expect(doneAtKill).toBeLessThan(count);

    const second = startWorker();
    for (let deadline = Date.now() + 90_000; Date.now() < deadline;) {
      if ((await db.webhookInbox.count({ where: { status: "done" } })) === count) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await expectAppliedExactlyOnce(db, count);
    // The killed worker's batch was taken over: claimed twice, applied once.
    expect(await db.webhookInbox.count({ where: { attempts: { gt: 1 } } })).toBeGreaterThan(0);

    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    expect(second.output()).toContain("Stayloop worker stopped");
  });
});

describe.runIf(testProvider === "postgresql")("two workers on PostgreSQL", () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("never process the same row", async () => {
    const count = 600;
    const clock = new ManualClock();
    const seed = database.connect();
    await storeDeliveries(seed, shop, orderDeliveries(count), clock.now());
    // Separate clients (separate connection pools) race for the same rows.
    const [one, two] = [database.connect(), database.connect()].map((client) =>
      testWorker(client, clock, { batchSize: 10 }),
    ) as [ReturnType<typeof testWorker>, ReturnType<typeof testWorker>];
    await Promise.all([one.heartbeat(), two.heartbeat()]);
    const counts = [0, 0];
    await Promise.all(
      [one, two].map(async (worker, index) => {
        for (;;) {
          const handled = await worker.tick();
          if (handled === 0) return;
          counts[index] = (counts[index] ?? 0) + handled;
        }
      }),
    );
    // Each row was claimed exactly once (a claim increments attempts) and both workers took part.
    expect(await seed.webhookInbox.count({ where: { attempts: { not: 1 } } })).toBe(0);
    expect((counts[0] ?? 0) + (counts[1] ?? 0)).toBe(count);
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBeGreaterThan(0);
    await expectAppliedExactlyOnce(seed, count);
  });
});
