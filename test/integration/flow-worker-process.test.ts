// The three-step flow (send, wait 1 h, send, wait 24 h, send) through the production worker process
// and a real SMTP server, killed without warning (SIGKILL) during each batch of sends and between
// every pair of steps (issue 14). Time passes by moving the runs' timers: the worker runs on the
// system clock, and a wait that ran out is exactly a timer in the past.
// Every message arrives at most once; a message whose provider call a kill cut off is "uncertain"
// (the outbox's rule: never a second copy), all others arrive exactly once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { createFlow, setFlowStatus } from "../../app/flows/flows";
import { checkoutPayload } from "../fixtures/shopify-payloads";
import { webhookDelivery } from "../fixtures/store-history";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { threeStepFlow } from "../support/flows";
import { storeDeliveries } from "../support/inbox";
import { runProcess, testShopifyEnv, waitForOutput, type RunningProcess } from "../support/processes";
import { startSmtpCatcher, type SmtpCatcher } from "../support/smtp-catcher";

const shopDomain = "kill.myshopify.com";
const customers = 40;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`flow runs through a killed worker process on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let smtp: SmtpCatcher;
  const workers: RunningProcess[] = [];
  let kills = 0;

  const startWorker = async () => {
    const worker = runProcess(process.execPath, ["build/worker.js"], {
      ...testShopifyEnv,
      NODE_ENV: "production",
      DATABASE_URL: database.url,
      STAYLOOP_SMTP_URL: smtp.url,
      STAYLOOP_PUBLIC_URL: "http://127.0.0.1:3999",
      WORKER_BATCH_SIZE: "8",
      WORKER_HEARTBEAT_MS: "200",
      WORKER_STALE_AFTER_MS: "1000",
      WORKER_IDLE_MS: "20",
    });
    workers.push(worker);
    await waitForOutput(worker, /Stayloop worker started/);
    return worker;
  };
  const kill = async (worker: RunningProcess) => {
    worker.child.kill("SIGKILL");
    await worker.exited;
    kills += 1;
  };
  const sendsSettled = async (step: string) =>
    (await db.message.count({ where: { flowStepId: step, status: { in: ["sent", "uncertain"] } } })) ===
    customers;

  /** Starts a worker and kills it twice while it is sending this step's messages, then lets one finish. */
  async function killDuringSends(step: string): Promise<void> {
    for (const killAfter of [5, 20]) {
      if (await sendsSettled(step)) break;
      const before = smtp.messages.length;
      const worker = await startWorker();
      for (let deadline = Date.now() + 30_000; Date.now() < deadline;) {
        if (smtp.messages.length >= before + killAfter || (await sendsSettled(step))) break;
        await sleep(5);
      }
      await kill(worker);
    }
    // Whatever the kills left (a batch taken over from a dead worker), one worker finishes.
    const worker = await startWorker();
    for (let deadline = Date.now() + 60_000; Date.now() < deadline && !(await sendsSettled(step));) {
      await sleep(50);
    }
    // Between two steps: killed with nothing in hand.
    await kill(worker);
    expect(await sendsSettled(step)).toBe(true);
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    smtp = await startSmtpCatcher();
  });

  afterAll(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill("SIGKILL");
    await Promise.all(workers.map((worker) => worker.exited));
    await smtp?.close();
    await database?.drop();
  });

  it(
    "sends every message of a three-step flow at most once, exactly once unless a kill cut its send off",
    { timeout: 240_000 },
    async () => {
      const now = new Date();
      const shop = await db.shop.create({ data: { domain: shopDomain, name: "Kill", timezone: "UTC" } });
      await db.messagingSettings.create({
        data: { shopId: shop.id, quietStart: "00:00", quietEnd: "00:00", capMessages: 100 },
      });
      const flow = await createFlow(db, {
        shopId: shop.id,
        name: "Reminders",
        definition: threeStepFlow(),
        staff: "t",
        now,
      });
      await setFlowStatus(db, { shopId: shop.id, flowId: flow.id, status: "live", staff: "t", now });
      const deliveries = Array.from({ length: customers }, (_, index) =>
        webhookDelivery(
          "checkouts/update",
          checkoutPayload({
            id: 40_000 + index,
            token: `kill-${index}`,
            customer: {
              id: 41_000 + index,
              email: `k${index}@example.com`,
              firstName: `K${index}`,
              lastName: "Kill",
              emailConsent: "subscribed",
              updatedAt: now.toISOString(),
            },
            lines: [
              { id: 42_000 + index, productId: 1, variantId: 2, title: "Tea", price: "9.00", quantity: 1 },
            ],
            createdAt: now.toISOString(),
            updatedAt: now.toISOString(),
          }),
          now.toISOString(),
        ),
      );
      await storeDeliveries(db, shopDomain, deliveries, new Date(now.getTime() - 1000));

      for (const [step, wait] of [
        ["send-1", "wait-1"],
        ["send-2", "wait-2"],
        ["send-3", null],
      ] as const) {
        await killDuringSends(step);
        if (!wait) break;
        // Every run now sleeps on its wait; the wait runs out.
        expect(
          await db.flowRun.count({ where: { flowId: flow.id, status: "active", stepId: { not: null } } }),
        ).toBe(customers);
        await db.flowRun.updateMany({
          where: { flowId: flow.id, status: "active" },
          data: { wakeAt: new Date(Date.now() - 1000) },
        });
      }

      expect(kills).toBeGreaterThanOrEqual(6);
      const runs = await db.flowRun.findMany({ where: { flowId: flow.id } });
      expect(runs).toHaveLength(customers);
      expect(runs.every((run) => run.status === "completed")).toBe(true);
      // Every step taken once: 3 sends, 2 waits and the end per run.
      expect(await db.flowStepLog.count({ where: { flowId: flow.id } })).toBe(customers * 6);
      expect(await db.flowStepLog.count({ where: { flowId: flow.id, outcome: "sent" } })).toBe(customers * 3);
      const messages = await db.message.findMany({ where: { flowId: flow.id } });
      expect(messages).toHaveLength(customers * 3);

      const arrivals = new Map<string, number>();
      for (const mail of smtp.messages) {
        const id = mail.parsed.messageId ?? "";
        arrivals.set(id, (arrivals.get(id) ?? 0) + 1);
      }
      expect(Math.max(...arrivals.values())).toBe(1);
      const byRecipientAndSubject = new Map<string, number>();
      for (const mail of smtp.messages) {
        const key = `${mail.envelope.to.join(",")}|${mail.parsed.subject ?? ""}`;
        byRecipientAndSubject.set(key, (byRecipientAndSubject.get(key) ?? 0) + 1);
      }
      expect(Math.max(...byRecipientAndSubject.values())).toBe(1);
      const uncertain = messages.filter((message) => message.status === "uncertain");
      expect(messages.filter((message) => message.status === "sent").length + uncertain.length).toBe(
        customers * 3,
      );
      expect(uncertain.length).toBeLessThanOrEqual(kills);
      expect(smtp.messages.length).toBeGreaterThanOrEqual(customers * 3 - uncertain.length);
      expect(smtp.messages.length).toBeLessThanOrEqual(customers * 3);
    },
  );
});
