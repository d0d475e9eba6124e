// Starts the worker process (`npm run worker`): processes stored webhook deliveries and due jobs
// until SIGTERM/SIGINT, then finishes the row in hand and exits. Several may run on PostgreSQL.
import http from "node:http";
import { systemClock, type Clock } from "../app/clock";
import prisma from "../app/db.server";
import { prepareDatabase } from "../app/db/client";
import { SharedDemoClock } from "../app/demo/demo-clock";
import { assertDemoMayRun } from "../app/demo/guard";
import { env } from "../app/env.server";
import { Worker } from "../app/jobs/worker";
import { processAdminClientFactory } from "../app/shopify/process-admin-client";
import { createLogger } from "../app/observability/logger";
import { outboxDependencies } from "../app/messaging/setup";
import { workerSetup } from "../app/worker-setup";
import { collectProcessMetrics, registry } from "../app/observability/metrics";

const logger = createLogger(env.logLevel, "worker");

const adminClientFor = processAdminClientFactory(env);

async function main(): Promise<void> {
  // Demo mode talks to a stand-in Admin API; as for the web process, never in production.
  if (env.demo.enabled) assertDemoMayRun(env);
  // Not fatal: the database may come up later; /healthz reports it meanwhile.
  await prepareDatabase(prisma, env.database).catch((error: unknown) =>
    logger.warn({ err: error }, "database not ready at start"),
  );
  // Demo mode: due jobs, waits and timestamps follow the clock shared with the web process.
  const demoClock = env.demo.enabled
    ? await SharedDemoClock.open(prisma, {
        speed: env.demo.speed,
        onRefreshError: (error) => logger.warn({ err: error }, "demo clock: reload failed"),
      })
    : undefined;
  const clock: Clock = demoClock ?? systemClock;
  const worker = new Worker({
    db: prisma,
    clock,
    logger,
    batchSize: env.worker.batchSize,
    staleAfterMs: env.worker.staleAfterMs,
    // Heartbeats in real time: the demo's clock runs faster, and liveness must not.
    livenessClock: systemClock,
    ...workerSetup({
      clock,
      inboxRetentionDays: env.privacy.inboxRetentionDays,
      messaging: outboxDependencies(env.messaging, clock),
      adminClientFor,
    }),
  });
  const stop = new AbortController();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      logger.info({ signal }, "stopping after the row in hand");
      stop.abort();
    });
  }

  let metricsServer: http.Server | undefined;
  if (env.worker.metricsPort !== undefined) {
    collectProcessMetrics();
    metricsServer = http.createServer((request, response) => {
      if (request.method === "GET" && request.url === "/metrics") {
        registry.metrics().then(
          (text) => {
            response.writeHead(200, { "content-type": registry.contentType });
            response.end(text);
          },
          () => response.writeHead(500).end(),
        );
        return;
      }
      response.writeHead(404).end();
    });
    metricsServer.listen(env.worker.metricsPort, env.host);
  }

  logger.info({ workerId: worker.id, database: env.database.provider }, "Stayloop worker started");
  await worker.run(stop.signal, env.worker.idleMs, env.worker.heartbeatMs);
  metricsServer?.close();
  demoClock?.close();
  await prisma.$disconnect();
  logger.info({ workerId: worker.id }, "Stayloop worker stopped");
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, error instanceof Error ? error.message : "worker failed");
  process.exit(1);
});
