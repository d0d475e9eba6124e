// Stayloop's HTTP server. A few hot, framework-free routes (webhook intake, health, metrics) are
// answered straight from node:http; everything else goes to Remix through Express.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import type { ViteDevServer } from "vite";
import type { ResolvedDatabase } from "../prisma/database.mjs";
import type { Clock } from "../app/clock";
import { pingDatabase, type Database } from "../app/db/client";
import { openInboxConnection } from "../app/events/inbox-connection";
import { registerInboxMetrics } from "../app/events/inbox-metrics";
import { createWebhookIntake } from "../app/events/webhook-intake";
import type { Logger } from "../app/observability/logger";
import { collectProcessMetrics, httpRequestDuration, registry } from "../app/observability/metrics";

export interface AppServerOptions {
  db: Database;
  database: ResolvedDatabase;
  logger: Logger;
  clock: Clock;
  /** The app secret Shopify signs webhooks with. */
  webhookSecret: string;
  /** The Remix server build (production) or a loader for it (development, through Vite). */
  build: ServerBuild | (() => Promise<ServerBuild>);
  /** build/client in production; absent when Vite serves the assets. */
  clientAssetsDir?: string;
  viteDevServer?: ViteDevServer;
}

type FastRoute = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

export function createAppServer(options: AppServerOptions): http.Server {
  collectProcessMetrics();
  registerInboxMetrics(options.db, options.clock);
  const fastRoutes = new Map<string, FastRoute>([
    ["GET /healthz", (_request, response) => healthz(options, response)],
    ["GET /metrics", (_request, response) => metrics(response)],
    [
      "POST /webhooks",
      createWebhookIntake({
        inbox: openInboxConnection(options.database),
        provider: options.database.provider,
        secret: options.webhookSecret,
        logger: options.logger,
        clock: options.clock,
      }),
    ],
  ]);
  const remixApp = createRemixApp(options);

  return http.createServer((request, response) => {
    const started = process.hrtime.bigint();
    const pathname = (request.url ?? "/").split("?", 1)[0] ?? "/";
    const key = `${request.method} ${pathname}`;
    const fastRoute = fastRoutes.get(key);
    response.on("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = fastRoute ? pathname : "remix";
      httpRequestDuration.observe(
        { route, method: request.method ?? "GET", status: String(response.statusCode) },
        seconds,
      );
    });
    if (fastRoute) {
      fastRoute(request, response).catch((error: unknown) => {
        options.logger.error({ err: error, route: key }, "request failed");
        if (!response.headersSent) respond(response, 500, "text/plain", "Internal Server Error");
        else response.destroy();
      });
      return;
    }
    remixApp(request, response);
  });
}

function createRemixApp(options: AppServerOptions): express.Express {
  const app = express();
  app.disable("x-powered-by");
  if (options.viteDevServer) {
    app.use(options.viteDevServer.middlewares);
  } else if (options.clientAssetsDir) {
    // Fingerprinted by Vite: cache for a year.
    app.use(
      "/assets",
      express.static(path.join(options.clientAssetsDir, "assets"), { immutable: true, maxAge: "1y" }),
    );
    app.use(express.static(options.clientAssetsDir, { maxAge: "1h" }));
  }
  app.all(
    "*",
    createRequestHandler({
      build: options.build,
      mode: options.viteDevServer ? "development" : "production",
    }),
  );
  return app;
}

async function healthz(options: AppServerOptions, response: ServerResponse): Promise<void> {
  try {
    await pingDatabase(options.db);
    respond(
      response,
      200,
      "application/json",
      JSON.stringify({ status: "ok", database: options.database.provider }),
    );
  } catch (error) {
    options.logger.warn({ err: error }, "health check: database unreachable");
    respond(
      response,
      503,
      "application/json",
      JSON.stringify({ status: "unavailable", database: options.database.provider }),
    );
  }
}

async function metrics(response: ServerResponse): Promise<void> {
  respond(response, 200, registry.contentType, await registry.metrics());
}

function respond(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  response.end(body);
}
