#!/usr/bin/env tsx
// `npm run bench:webhooks`: signed webhook deliveries over loopback (autocannon, 20 connections)
// against the production build's POST /webhooks — every delivery persisted — and, in the same
// run, against a bare node:http server that only verifies the HMAC. Prints deliveries/s, p50, p99
// and the ratio, for SQLite and (when reachable) PostgreSQL; records them in docs/benchmarks.md.
//   BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 20), TEST_POSTGRES_URL.
import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import { createDatabaseClient } from "../app/db/client";
import { signWebhookBody } from "../app/events/signature";
import { resolveDatabase } from "../prisma/database.mjs";
import { orderPayload } from "../test/fixtures/shopify-payloads";
import {
  availableProviders,
  ensureBuild,
  formatRate as format,
  machineDescription,
  prepareDatabase,
  recordBenchmark,
  startAppServer,
  startProcess,
  stop,
  today,
} from "./bench/common";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);
const secret = randomBytes(24).toString("hex");

interface Measurement {
  target: string;
  deliveriesPerSecond: number;
  p50: number;
  p99: number;
  ok: number;
  errors: number;
  persisted?: number;
}

const body = JSON.stringify(
  orderPayload({
    id: 450789469,
    number: 1001,
    customer: {
      id: 207119551,
      email: "bob.norman@example.com",
      firstName: "Bob",
      lastName: "Norman",
      updatedAt: "2026-11-01T10:00:00Z",
    },
    lines: [
      {
        id: 466157049,
        productId: 632910392,
        variantId: 39072856,
        title: "IPod Nano - 8gb",
        price: "199.00",
        quantity: 1,
      },
      {
        id: 466157050,
        productId: 632910393,
        variantId: 39072857,
        title: "Ceramic Mug",
        price: "14.50",
        quantity: 2,
      },
    ],
    createdAt: "2026-11-01T10:00:00Z",
    updatedAt: "2026-11-01T10:01:00Z",
  }),
);
const signature = signWebhookBody(body, secret);

async function load(url: string, target: string): Promise<Measurement> {
  let sequence = 0;
  const runId = randomBytes(4).toString("hex");
  const result = await autocannon({
    url: `${url}/webhooks`,
    connections,
    duration: seconds,
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "x-shopify-topic": "orders/paid",
      "x-shopify-shop-domain": "bench.myshopify.com",
      "x-shopify-api-version": "2026-10",
      "x-shopify-hmac-sha256": signature,
    },
    requests: [
      {
        // Every delivery is a new one (unique webhook and event ids), so every one is persisted.
        setupRequest: (request) => {
          sequence += 1;
          request.headers = {
            ...request.headers,
            "x-shopify-webhook-id": `bench-${runId}-${sequence}`,
            "x-shopify-event-id": `bench-event-${runId}-${sequence}`,
          };
          return request;
        },
      },
    ],
  });
  return {
    target,
    deliveriesPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result["2xx"],
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

async function main(): Promise<void> {
  ensureBuild();
  const providers = await availableProviders();

  const bareServer = await startProcess(
    ["scripts/bench/bare-hmac-server.mjs"],
    { SHOPIFY_API_SECRET: secret },
    /listening (http:\S+)/,
  );
  const bare = { child: bareServer.child, url: bareServer.ready };
  const rows: { provider: string; app: Measurement; bare: Measurement }[] = [];
  try {
    for (const provider of providers) {
      console.log(`${provider}: preparing a fresh database`);
      const database = await prepareDatabase(provider);
      const server = await startAppServer(database.url, secret);
      const app = { child: server.child, url: server.ready };
      try {
        console.log(`${provider}: warming up, then ${seconds} s against each server`);
        // Warm both up, then measure them back to back.
        await load(app.url, "warm-up");
        await load(bare.url, "warm-up");
        const bareResult = await load(bare.url, "bare node:http + HMAC");
        const appResult = await load(app.url, `Stayloop /webhooks (${provider})`);
        const db = createDatabaseClient(resolveDatabase(database.url));
        appResult.persisted = await db.webhookInbox.count();
        await db.$disconnect();
        rows.push({ provider, app: appResult, bare: bareResult });
      } finally {
        await stop(app.child);
        await database.cleanup();
      }
    }
  } finally {
    await stop(bare.child);
  }

  const machine = machineDescription();
  const date = today();
  const lines = [
    `### Webhook intake — ${date}`,
    "",
    `Machine: ${machine}. Load: autocannon, ${connections} connections, ${seconds} s per target, loopback, signed \`orders/paid\` deliveries (${Buffer.byteLength(body)} bytes) with unique webhook ids.`,
    "",
    "| Database | Stayloop deliveries/s | p50 ms | p99 ms | bare HMAC server deliveries/s | ratio | persisted / 2xx | errors |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map(
      ({ provider, app, bare: baseline }) =>
        `| ${provider} | ${format(app.deliveriesPerSecond)} | ${app.p50} | ${app.p99} | ${format(baseline.deliveriesPerSecond)} | ${(app.deliveriesPerSecond / baseline.deliveriesPerSecond).toFixed(2)} | ${app.persisted} / ${app.ok} | ${app.errors} |`,
    ),
    "",
    "Target: ratio ≥ 0.35 with every delivery persisted, p99 < 50 ms at 20 connections.",
    "",
  ];
  console.log(lines.join("\n"));
  for (const { app } of rows) {
    // Only count what was also stored (warm-up rows included in the table count, so ≥).
    if ((app.persisted ?? 0) < app.ok)
      throw new Error(`${app.target}: ${app.ok} answered 2xx but only ${app.persisted} stored`);
  }

  recordBenchmark(lines);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
