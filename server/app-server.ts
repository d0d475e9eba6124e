// Stayloop's HTTP server. A few hot, framework-free routes (webhook intake, health, metrics) are
// answered straight from node:http; everything else goes to Remix through Express.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";
import { createRequestHandler, writeReadableStreamToWritable, type ServerBuild } from "@remix-run/node";
import express from "express";
import type { ViteDevServer } from "vite";
import type { ResolvedDatabase } from "../prisma/database.mjs";
import type { Clock } from "../app/clock";
import type { SharedDemoClock } from "../app/demo/demo-clock";
import { pingDatabase, type Database } from "../app/db/client";
import { openInboxConnection } from "../app/events/inbox-connection";
import { registerInboxMetrics } from "../app/events/inbox-metrics";
import { createWebhookIntake, webhookDeliveries } from "../app/events/webhook-intake";
import type { Logger } from "../app/observability/logger";
import { collectProcessMetrics, httpRequestDuration, registry } from "../app/observability/metrics";
import { proxyPanel } from "../app/storefront/panel";
import { proxyDependencies } from "../app/storefront/proxy.server";
import { demoClockRoute } from "./demo-clock-route";
import { bodyLimitFor, readRequestBody, refuseBody } from "./request-body";

export interface AppServerOptions {
  db: Database;
  database: ResolvedDatabase;
  logger: Logger;
  /** The process's clock: webhook intake, metrics and every Remix loader and action (load context). */
  clock: Clock;
  /** Demo mode only: the shared demo clock, served at GET / POST /demo/clock (loopback only). */
  demoClock?: SharedDemoClock;
  /** The app secret Shopify signs webhooks with. */
  webhookSecret: string;
  /** The Remix server build (production) or a loader for it (development, through Vite). */
  build: ServerBuild | (() => Promise<ServerBuild>);
  /** build/client in production; absent when Vite serves the assets. */
  clientAssetsDir?: string;
  viteDevServer?: ViteDevServer;
  /** How long a client may take to send its whole request body (then 408). */
  bodyTimeoutMs?: number;
}

type FastRoute = (request: IncomingMessage, response: ServerResponse, body: Buffer) => Promise<void>;

/** The body read by the server before routing (see request-body.ts). */
type ReadRequest = IncomingMessage & { stayloopBody?: Buffer };

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
  // The storefront widget's read (App Proxy), on every opening of a panel.
  fastRoutes.set("GET /proxy/panel", (request, response) => storefrontPanel(options, request, response));
  if (options.demoClock) {
    const route = demoClockRoute(options.demoClock);
    fastRoutes.set("GET /demo/clock", route);
    fastRoutes.set("POST /demo/clock", route);
  }
  const remixApp = createRemixApp(options);
  const bodyTimeoutMs = options.bodyTimeoutMs ?? 30_000;

  const server = http.createServer((request, response) => {
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
    void readRequestBody(request, bodyLimitFor(request.method ?? "GET", pathname), bodyTimeoutMs).then(
      (outcome) => {
        if (outcome.kind !== "read") {
          if (key === "POST /webhooks") webhookDeliveries.inc({ topic: "unknown", outcome: "rejected" });
          options.logger.warn({ route: key, outcome: outcome.kind }, "request body refused");
          refuseBody(request, response, outcome, bodyTimeoutMs);
          return;
        }
        if (fastRoute) {
          fastRoute(request, response, outcome.body).catch((error: unknown) => {
            options.logger.error({ err: error, route: key }, "request failed");
            if (!response.headersSent) respond(response, 500, "text/plain", "Internal Server Error");
            else response.destroy();
          });
          return;
        }
        (request as ReadRequest).stayloopBody = outcome.body;
        remixApp(request, response);
      },
    );
  });
  // Backstops behind the reader's own deadline: stalled headers, or a request never finished.
  server.headersTimeout = Math.min(60_000, bodyTimeoutMs + 5_000);
  server.requestTimeout = bodyTimeoutMs + 10_000;
  return server;
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
  const handleRequest = createRequestHandler(
    options.build,
    options.viteDevServer ? "development" : "production",
  );
  app.all("*", (req, res, next) => {
    const context = { clock: options.clock, clientAddress: req.socket.remoteAddress ?? "" };
    handleRequest(remixRequest(req, res), context)
      .then((answer) => sendRemixResponse(res, answer))
      .catch(next);
  });
  return app;
}

/** A Fetch Request for Remix, with the body the server already read (and capped). */
function remixRequest(req: express.Request, res: express.Response): Request {
  const host = req.get("host") ?? "localhost";
  const url = new URL(`${req.protocol}://${host}${req.originalUrl}`);
  let controller: AbortController | null = new AbortController();
  const signal = controller.signal;
  res.on("finish", () => (controller = null));
  res.on("close", () => controller?.abort());
  const headers = new Headers();
  for (const [name, values] of Object.entries(req.headers)) {
    for (const value of Array.isArray(values) ? values : values === undefined ? [] : [values]) {
      headers.append(name, value);
    }
  }
  const body = (req as ReadRequest).stayloopBody;
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(url.href, {
    method: req.method,
    headers,
    signal,
    ...(hasBody ? { body: new Uint8Array(body ?? Buffer.alloc(0)) } : {}),
  });
}

async function sendRemixResponse(res: express.Response, answer: Response): Promise<void> {
  res.statusMessage = answer.statusText;
  res.status(answer.status);
  for (const [name, value] of answer.headers.entries()) res.append(name, value);
  if (/text\/event-stream/i.test(answer.headers.get("content-type") ?? "")) res.flushHeaders();
  if (answer.body) await writeReadableStreamToWritable(answer.body, res);
  else res.end();
}

async function storefrontPanel(
  options: AppServerOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const forwarded = request.headers["x-forwarded-for"];
  const answer = await proxyPanel(
    new Request(`http://localhost${request.url ?? "/"}`, {
      headers: typeof forwarded === "string" ? { "x-forwarded-for": forwarded } : {},
    }),
    options.clock,
    { ...proxyDependencies(), db: options.db, secret: options.webhookSecret },
  );
  const body = await answer.text();
  response.writeHead(answer.status, Object.fromEntries(answer.headers));
  response.end(body);
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
