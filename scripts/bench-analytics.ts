#!/usr/bin/env tsx
// `npm run bench:analytics` (issue 17): a generated shop of 200,000 customers and 1,000,000 orders
// over two years (8 % cancelled, 5 % fully and 7 % partially refunded; customers skewed so some
// order often) on a fresh PostgreSQL schema, written with INSERT … SELECT generate_series; then
//   1. the rollup rebuild (`rebuildShopAnalytics`, what `npm run analytics:rebuild` runs), timed;
//   2. GET /api/analytics through the production build (demo mode on loopback) for three periods
//      with compare=previous: a warm-up, then sequential requests, p50 / p95 / max per period.
// Appends the figures to docs/benchmarks.md unless --no-append.
//   --customers N (200000), --orders N (1000000), --requests N per period (40)
import os from "node:os";
import { parseArgs } from "node:util";
import pg from "pg";
import { rebuildShopAnalytics } from "../app/analytics/rebuild";
import { openSqlConnection } from "../app/db/sql";
import { resolveDatabase } from "../prisma/database.mjs";
import {
  commitDescription,
  ensureBuild,
  machineDescription,
  postgresReachable,
  prepareDatabase,
  productionEnv,
  recordBenchmark,
  startProcess,
  stop,
  today,
} from "./bench/common";

const { values } = parseArgs({
  options: {
    customers: { type: "string", default: "200000" },
    orders: { type: "string", default: "1000000" },
    requests: { type: "string", default: "40" },
    "no-append": { type: "boolean", default: false },
    /** Keep the generated schema and print its URL (for looking into a figure); drop it by hand. */
    keep: { type: "boolean", default: false },
  },
});
const customers = Number(values.customers);
const orders = Number(values.orders);
const requests = Number(values.requests);
const demoShop = "stayloop-demo.myshopify.com";
const shopId = "bench-analytics-shop";

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

async function generate(url: string): Promise<void> {
  const schema = new URL(url).searchParams.get("schema");
  const client = new pg.Client({ connectionString: url.replace(/[?&]schema=[^&]*/, "") });
  await client.connect();
  try {
    await client.query(`SET search_path TO "${schema}"`);
    await client.query("SELECT setseed(0.17)");
    await client.query(
      `INSERT INTO "Shop" ("id", "domain", "currency", "timezone", "locale", "updatedAt") VALUES ($1, $2, 'EUR', 'Europe/Prague', 'en', now())`,
      [shopId, demoShop],
    );
    await client.query(
      `INSERT INTO "Session" ("id", "shop", "state", "isOnline", "scope", "accessToken") VALUES ($1, $2, 'demo', false, 'read_customers,read_orders', 'demo-offline-token')`,
      [`offline_${demoShop}`, demoShop],
    );
    await client.query(
      `INSERT INTO "Customer" ("id", "shopId", "shopifyId", "email", "firstName", "updatedAt")
       SELECT 'c' || g, $1, g::text, 'c' || g || '@example.com', 'C' || g, now() FROM generate_series(1, $2::int) g`,
      [shopId, customers],
    );
    await client.query(
      `INSERT INTO "Order" ("id", "shopId", "shopifyId", "customerId", "name", "currency", "subtotalMinor", "totalMinor",
         "refundedMinor", "processedAt", "cancelledAt", "shopifyUpdatedAt", "updatedAt")
       SELECT 'o' || s.g, $1, s.g::text, 'c' || (1 + floor(power(random(), 2) * $2::int))::int, '#' || s.g, 'EUR', s.sub, s.sub + 500,
         CASE WHEN s.f >= 0.08 AND s.f < 0.13 THEN s.sub + 500 WHEN s.f >= 0.13 AND s.f < 0.20 THEN floor(s.sub * 0.3) ELSE 0 END,
         s.ts, CASE WHEN s.f < 0.08 THEN s.ts + interval '1 hour' END, s.ts, now()
       FROM (SELECT g, 1000 + floor(random() * 19000)::bigint AS sub, random() AS f,
               timestamp '2024-12-04' + random() * interval '730 days' AS ts
             FROM generate_series(1, $3::int) g) s`,
      [shopId, customers, orders],
    );
    await client.query("ANALYZE");
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  if (!(await postgresReachable())) throw new Error("bench:analytics needs PostgreSQL at TEST_POSTGRES_URL");
  ensureBuild();
  const database = await prepareDatabase("postgresql");
  const load = () => os.loadavg()[0]?.toFixed(1) ?? "?";
  const loadAtStart = load();
  try {
    let started = performance.now();
    await generate(database.url);
    const generateSeconds = (performance.now() - started) / 1000;
    console.log(`generated ${customers} customers and ${orders} orders in ${generateSeconds.toFixed(1)} s`);

    const sql = openSqlConnection(resolveDatabase(database.url));
    started = performance.now();
    const rebuilt = await rebuildShopAnalytics(sql, shopId);
    const rebuildSeconds = (performance.now() - started) / 1000;
    await sql.close();
    console.log(
      `rebuilt: ${rebuilt.customers} customers, ${rebuilt.orders} qualifying orders in ${rebuildSeconds.toFixed(1)} s`,
    );
    const analyzer = new pg.Client({ connectionString: database.url.replace(/[?&]schema=[^&]*/, "") });
    await analyzer.connect();
    await analyzer.query(`SET search_path TO "${new URL(database.url).searchParams.get("schema")}"`);
    await analyzer.query("VACUUM ANALYZE");
    await analyzer.end();

    const server = await startProcess(
      ["build/server.js"],
      {
        ...productionEnv(database.url, "bench-secret"),
        NODE_ENV: "development",
        HOST: "127.0.0.1",
        PORT: "0",
        STAYLOOP_DEMO: "1",
        STAYLOOP_DEMO_SHOP: demoShop,
      },
      /"url":"(http:[^"]+)"/,
    );
    const periods = [
      { label: "a month (2026-11-01 … 2026-12-01)", query: "from=2026-11-01&to=2026-12-01&compare=previous" },
      {
        label: "a quarter (2026-07-01 … 2026-10-01)",
        query: "from=2026-07-01&to=2026-10-01&compare=previous",
      },
      { label: "a year (2025-12-01 … 2026-12-01)", query: "from=2025-12-01&to=2026-12-01&compare=previous" },
    ];
    const rows: string[] = [];
    const all: number[] = [];
    try {
      for (const period of periods) {
        const url = `${server.ready}/api/analytics?${period.query}`;
        for (let warm = 0; warm < 5; warm += 1) {
          const response = await fetch(url);
          if (response.status !== 200) throw new Error(`${url}: ${response.status} ${await response.text()}`);
          await response.arrayBuffer();
        }
        const times: number[] = [];
        for (let index = 0; index < requests; index += 1) {
          const begin = performance.now();
          const response = await fetch(url);
          await response.arrayBuffer();
          times.push(performance.now() - begin);
        }
        times.sort((a, b) => a - b);
        all.push(...times);
        const line = `| ${period.label} | ${requests} | ${percentile(times, 50).toFixed(0)} | ${percentile(times, 95).toFixed(0)} | ${(times[times.length - 1] ?? 0).toFixed(0)} |`;
        console.log(line);
        rows.push(line);
      }
    } finally {
      await stop(server.child);
    }
    all.sort((a, b) => a - b);
    const lines = [
      `### Analytics on PostgreSQL — ${today()}`,
      "",
      `Machine: ${machineDescription()}, 1-min load average ${loadAtStart} at the start and ${load()} at the end. Commit: ${commitDescription()}. A generated shop on a fresh schema: ${customers.toLocaleString("en")} customers, ${orders.toLocaleString("en")} orders over two years (Europe/Prague; 8 % cancelled, 5 % fully and 7 % partially refunded), generated with INSERT … SELECT generate_series in ${generateSeconds.toFixed(0)} s.`,
      "",
      `Rebuild (\`rebuildShopAnalytics\`, as \`npm run analytics:rebuild\`): ${rebuildSeconds.toFixed(1)} s for ${rebuilt.customers.toLocaleString("en")} customers with ${rebuilt.orders.toLocaleString("en")} qualifying orders (one transaction).`,
      "",
      "Dashboard API: `GET /api/analytics?from=&to=&compare=previous` through `node build/server.js` (demo mode on loopback, so no session-token check), sequential requests after 5 warm-up requests per period; ms.",
      "",
      "| Period | Requests | p50 | p95 | max |",
      "| --- | ---: | ---: | ---: | ---: |",
      ...rows,
      `| all | ${all.length} | ${percentile(all, 50).toFixed(0)} | ${percentile(all, 95).toFixed(0)} | ${(all[all.length - 1] ?? 0).toFixed(0)} |`,
      "",
      "Target (issue 17): p95 < 300 ms warm.",
      "",
    ];
    console.log(lines.join("\n"));
    if (!values["no-append"]) recordBenchmark(lines);
  } finally {
    if (values.keep) console.log(`kept ${database.url}`);
    else await database.cleanup();
  }
}

await main();
