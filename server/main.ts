// Starts the web process: `npm start` (built app) or `npm run dev:server` (Vite, for `shopify app dev`).
import path from "node:path";
import type { ServerBuild } from "@remix-run/node";
import { projectRoot } from "../prisma/database.mjs";
import { systemClock, type Clock } from "../app/clock";
import prisma from "../app/db.server";
import { prepareDatabase } from "../app/db/client";
import { SharedDemoClock } from "../app/demo/demo-clock";
import { assertDemoMayRun } from "../app/demo/guard";
import { env } from "../app/env.server";
import { createLogger } from "../app/observability/logger";
import { createAppServer } from "./app-server";

const logger = createLogger(env.logLevel, "web");

async function main(): Promise<void> {
  if (env.demo.enabled) assertDemoMayRun(env);
  // Not fatal: the database may come up later; /healthz reports it meanwhile.
  await prepareDatabase(prisma, env.database).catch((error: unknown) =>
    logger.warn({ err: error }, "database not ready at start"),
  );
  // Demo mode: the clock shared with the worker through the database (it needs it at start).
  const demoClock = env.demo.enabled
    ? await SharedDemoClock.open(prisma, {
        speed: env.demo.speed,
        onRefreshError: (error) => logger.warn({ err: error }, "demo clock: reload failed"),
      })
    : undefined;
  const clock: Clock = demoClock ?? systemClock;
  if (demoClock) {
    logger.info({ now: demoClock.now().toISOString(), speed: demoClock.speed }, "demo clock");
  }
  const development = process.argv.includes("--dev");
  const buildDir = path.join(projectRoot, "build");

  let build: ServerBuild | (() => Promise<ServerBuild>);
  let viteDevServer;
  if (development) {
    const vite = await import("vite");
    viteDevServer = await vite.createServer({ server: { middlewareMode: true } });
    const devServer = viteDevServer;
    build = () => devServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>;
  } else {
    build = (await import(path.join(buildDir, "server", "index.js"))) as ServerBuild;
  }

  const server = createAppServer({
    db: prisma,
    database: env.database,
    logger,
    clock,
    demoClock,
    webhookSecret: env.shopify.apiSecret,
    build,
    clientAssetsDir: development ? undefined : path.join(buildDir, "client"),
    viteDevServer,
    bodyTimeoutMs: env.bodyTimeoutMs,
  });

  server.listen(env.port, env.host, () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : env.port;
    const shownHost = env.host.includes(":") ? `[${env.host}]` : env.host;
    logger.info(
      { url: `http://${shownHost}:${port}`, database: env.database.provider },
      "Stayloop web listening",
    );
  });

  const shutdown = (signal: string) => {
    logger.info({ signal }, "shutting down");
    server.close(() => {
      // The demo clock stands still while the demo is stopped: write down where it got to.
      void (demoClock?.checkpoint() ?? Promise.resolve())
        .catch((error: unknown) => logger.warn({ err: error }, "demo clock: checkpoint failed"))
        .finally(() => prisma.$disconnect())
        .finally(() => process.exit(0));
    });
    server.closeAllConnections();
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, error instanceof Error ? error.message : "failed to start");
  process.exit(1);
});
