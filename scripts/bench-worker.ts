#!/usr/bin/env tsx
// `npm run bench:worker`: how fast the production worker (build/worker.js) applies what the intake
// stored. Per database and worker count, on a fresh database: an installed shop with the loyalty
// program on (so orders earn points), N distinct signed deliveries of a shop's realistic traffic
// (scripts/bench/store-traffic.ts) sent through the production server over HTTP with 20
// connections while no worker runs (timed, after a warm-up with wrongly signed ones that are
// answered 401: the intake rate of this run), then the worker(s) started
// and timed until every delivery is done or failed (applied/s) and until no job due by then is
// left (including subscriber work/s). Peak RSS per worker from /proc/<pid>/status (VmHWM).
//   --deliveries N (BENCH_DELIVERIES, default 2000), --databases sqlite,postgresql (BENCH_DATABASES,
//   default both when PostgreSQL answers at TEST_POSTGRES_URL), --workers 1,2 (BENCH_WORKERS),
//   --no-append (do not record in docs/benchmarks.md), BENCH_CONNECTIONS (20),
//   BENCH_TIMEOUT_SECONDS (per drain; default 60 + N / 4).
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { systemClock } from "../app/clock";
import { createDatabaseClient } from "../app/db/client";
import { splitSchemaParameter } from "../app/db/adapters";
import { signWebhookBody } from "../app/events/signature";
import { saveProgramSettings } from "../app/loyalty/program";
import { offlineSessionId } from "../app/shops/registry";
import { reinstallShop } from "../app/shops/reinstall";
import { resolveDatabase } from "../prisma/database.mjs";
import type { TestProvider } from "../test/support/database";
import {
  availableProviders,
  commitDescription,
  ensureBuild,
  formatRate,
  machineDescription,
  postgresReachable,
  postgresUrl,
  prepareDatabase,
  productionEnv,
  recordBenchmark,
  startAppServer,
  startProcess,
  stop,
  today,
  type StartedProcess,
} from "./bench/common";
import { storeTraffic, topicMix, type TrafficDelivery } from "./bench/store-traffic";

const shopDomain = "bench-worker.myshopify.com";
const secret = randomBytes(24).toString("hex");
const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);
const pollMs = 200;

const { values: args } = parseArgs({
  options: {
    deliveries: { type: "string" },
    databases: { type: "string" },
    workers: { type: "string" },
    "no-append": { type: "boolean", default: false },
  },
});
const deliveryCount = Number(args.deliveries ?? process.env.BENCH_DELIVERIES ?? 2000);
const workerCounts = (args.workers ?? process.env.BENCH_WORKERS ?? "1,2").split(",").map(Number);
const requestedDatabases = args.databases ?? process.env.BENCH_DATABASES;
const timeoutMs = Number(process.env.BENCH_TIMEOUT_SECONDS ?? 60 + deliveryCount / 4) * 1000;
if (!Number.isInteger(deliveryCount) || deliveryCount < 1)
  throw new Error("--deliveries must be a positive integer");
if (workerCounts.some((count) => !Number.isInteger(count) || count < 1))
  throw new Error("--workers must list positive integers, e.g. 1,2");

interface Run {
  provider: TestProvider;
  workers: number;
  intakePerSecond: number;
  /** Deliveries settled after the clock started (all, but for what a worker took during the others' start-up). */
  measured: number;
  appliedSeconds: number;
  settledSeconds: number;
  peakRssMb: number[];
  failed: number;
  firstError: string | null;
  jobsDone: number;
  counts: { customers: number; orders: number; checkouts: number; refunds: number; ledgerEntries: number };
  /** What the drain left, to compare runs (the same traffic must end in the same state). */
  points: { members: number; balance: number; pending: number; lifetime: number };
}

/** Counts through the script's own connection (not Prisma), so polling costs the worker little. */
interface Probe {
  settledDeliveries(): Promise<number>;
  openJobsDueBy(at: Date): Promise<number>;
  count(sql: string, ...params: unknown[]): Promise<number>;
  firstError(): Promise<string | null>;
  close(): Promise<void>;
}

async function openProbe(url: string): Promise<Probe> {
  const database = resolveDatabase(url);
  let query: (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;
  let close: () => Promise<void>;
  // Dates as each adapter stores them: ISO text with "+00:00" on SQLite, timestamps on PostgreSQL.
  let dateParam: (at: Date) => unknown;
  let placeholder: (index: number) => string;
  if (database.provider === "sqlite") {
    const sqlite = new BetterSqlite3(database.filePath ?? "", { readonly: true, timeout: 10_000 });
    query = async (sql, params) => sqlite.prepare(sql).all(...params) as Record<string, unknown>[];
    close = async () => {
      sqlite.close();
    };
    dateParam = (at) => at.toISOString().replace("Z", "+00:00");
    placeholder = () => "?";
  } else {
    const { connectionString, schema } = splitSchemaParameter(url);
    const client = new pg.Client({
      connectionString,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    await client.connect();
    query = async (sql, params) => (await client.query(sql, params)).rows as Record<string, unknown>[];
    close = () => client.end();
    dateParam = (at) => at;
    placeholder = (index) => `$${index}`;
  }
  const count = async (sql: string, ...params: unknown[]) => Number((await query(sql, params))[0]?.n ?? 0);
  return {
    settledDeliveries: () =>
      count(`SELECT COUNT(*) AS n FROM "WebhookInbox" WHERE status IN ('done', 'failed')`),
    openJobsDueBy: (at) =>
      count(
        `SELECT COUNT(*) AS n FROM "Job" WHERE status IN ('scheduled', 'claimed') AND "runAt" <= ${placeholder(1)}`,
        dateParam(at),
      ),
    count,
    async firstError() {
      const rows = await query(
        `SELECT "lastError" AS e FROM "WebhookInbox" WHERE status = 'failed' ORDER BY "receivedAt" LIMIT 1`,
        [],
      );
      return (rows[0]?.e as string | undefined) ?? null;
    },
    close,
  };
}

/** The shop as production has it after install: a shop row, an offline session, the program on. */
async function prepareShop(url: string): Promise<void> {
  const db = createDatabaseClient(resolveDatabase(url));
  try {
    const shop = await reinstallShop(db, shopDomain, systemClock);
    await db.session.create({
      data: {
        id: offlineSessionId(shopDomain),
        shop: shopDomain,
        state: "bench",
        isOnline: false,
        scope: "read_customers,read_orders,read_products",
        accessToken: "shpat_bench",
      },
    });
    // Defaults (1 point per currency unit, 14-day returns window): paid orders earn pending points.
    await saveProgramSettings(db, shop.id, { enabled: true }, systemClock.now());
  } finally {
    await db.$disconnect();
  }
}

/**
 * Sends every delivery once through POST /webhooks; returns deliveries/s. First the server is warmed
 * up (JIT, connections) with wrongly signed deliveries, answered 401 and stored nowhere.
 */
async function fill(serverUrl: string, deliveries: readonly TrafficDelivery[]): Promise<number> {
  const sample = deliveries[0] as TrafficDelivery;
  const warmUp = await autocannon({
    url: `${serverUrl}/webhooks`,
    connections,
    amount: Math.min(2000, deliveries.length),
    method: "POST",
    body: sample.body,
    headers: {
      "content-type": "application/json",
      "x-shopify-topic": sample.topic,
      "x-shopify-shop-domain": shopDomain,
      "x-shopify-webhook-id": "bench-warm-up",
      "x-shopify-hmac-sha256": signWebhookBody(sample.body, "not-the-secret"),
    },
  });
  if (warmUp["2xx"] > 0) throw new Error("warm-up: a wrongly signed delivery was accepted");
  // Timed from the first request sent to the last answer (autocannon itself ends on a 1 s tick).
  let next = 0;
  let firstSentAt = 0;
  let lastAnsweredAt = 0;
  const result = await autocannon({
    url: `${serverUrl}/webhooks`,
    connections,
    amount: deliveries.length,
    method: "POST",
    requests: [
      {
        setupRequest: (request) => {
          const delivery = deliveries[next] as TrafficDelivery;
          if (next === 0) firstSentAt = performance.now();
          next += 1;
          return {
            ...request,
            body: delivery.body,
            headers: {
              "content-type": "application/json",
              "x-shopify-topic": delivery.topic,
              "x-shopify-shop-domain": shopDomain,
              "x-shopify-api-version": "2026-10",
              "x-shopify-webhook-id": delivery.webhookId,
              "x-shopify-event-id": delivery.eventId,
              "x-shopify-triggered-at": delivery.triggeredAt,
              "x-shopify-hmac-sha256": signWebhookBody(delivery.body, secret),
            },
          };
        },
        onResponse: () => {
          lastAnsweredAt = performance.now();
        },
      },
    ],
  });
  const seconds = (lastAnsweredAt - firstSentAt) / 1000;
  const errors = result.non2xx + result.errors + result.timeouts;
  if (result["2xx"] !== deliveries.length || errors > 0 || next !== deliveries.length)
    throw new Error(
      `fill: ${result["2xx"]} of ${deliveries.length} answered 2xx (${errors} errors, ${next} sent)`,
    );
  return deliveries.length / seconds;
}

function memoryKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(
      readFileSync(`/proc/${pid}/status`, "utf8"),
    );
    return Number(match?.[1] ?? 0);
  } catch {
    return 0;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(provider: TestProvider, workerCount: number): Promise<Run> {
  const label = `${provider}, ${workerCount} worker${workerCount > 1 ? "s" : ""}`;
  console.log(`${label}: fresh database, shop, ${deliveryCount} deliveries`);
  const database = await prepareDatabase(provider);
  const workers: StartedProcess[] = [];
  let probe: Probe | undefined;
  try {
    await prepareShop(database.url);
    const deliveries = storeTraffic(deliveryCount, {
      now: new Date(),
      runId: randomBytes(3).toString("hex"),
    });
    const server = await startAppServer(database.url, secret);
    let intakePerSecond: number;
    try {
      intakePerSecond = await fill(server.ready, deliveries);
    } finally {
      await stop(server.child);
    }
    probe = await openProbe(database.url);
    const stored = await probe.count(`SELECT COUNT(*) AS n FROM "WebhookInbox" WHERE status = 'pending'`);
    if (stored !== deliveryCount)
      throw new Error(`${label}: ${stored} pending deliveries stored, ${deliveryCount} sent`);
    console.log(`${label}: intake ${formatRate(intakePerSecond)} deliveries/s; starting the worker(s)`);

    // All workers start together; the clock starts once every one is ready to take rows (start-up
    // is not throughput), counting only what is left then.
    const env = productionEnv(database.url, secret);
    // BENCH_PROFILE_DIR: each worker writes a V8 CPU profile there when it stops (to find bottlenecks).
    const profile = process.env.BENCH_PROFILE_DIR
      ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
      : [];
    const starting = Array.from({ length: workerCount }, () =>
      startProcess([...profile, "build/worker.js"], env, /Stayloop worker started/),
    );
    const results = await Promise.allSettled(starting);
    for (const result of results) if (result.status === "fulfilled") workers.push(result.value);
    const refused = results.find((result) => result.status === "rejected");
    if (refused) throw refused.reason;
    const started = performance.now();
    const alreadySettled = await probe.settledDeliveries();
    const measured = deliveryCount - alreadySettled;
    const rss = workers.map(() => 0);
    let appliedSeconds = 0;
    let settledSeconds = 0;
    for (;;) {
      const now = new Date();
      const settled = await probe.settledDeliveries();
      const elapsed = (performance.now() - started) / 1000;
      if (settled === deliveryCount && appliedSeconds === 0) appliedSeconds = elapsed;
      if (appliedSeconds > 0 && (await probe.openJobsDueBy(now)) === 0) {
        settledSeconds = elapsed;
        break;
      }
      workers.forEach((worker, index) => {
        rss[index] = Math.max(rss[index] ?? 0, memoryKb(worker.child.pid ?? 0, "VmRSS"));
      });
      if (elapsed * 1000 > timeoutMs)
        throw new Error(
          `${label}: ${settled} of ${deliveryCount} deliveries settled after ${elapsed.toFixed(0)} s (BENCH_TIMEOUT_SECONDS)`,
        );
      for (const worker of workers)
        if (worker.child.exitCode !== null) throw new Error(`${label}: a worker exited:\n${worker.output()}`);
      await sleep(pollMs);
    }
    const peakRssMb = workers.map(
      (worker, index) => Math.max(rss[index] ?? 0, memoryKb(worker.child.pid ?? 0, "VmHWM")) / 1024,
    );
    const failed = await probe.count(`SELECT COUNT(*) AS n FROM "WebhookInbox" WHERE status = 'failed'`);
    const table = async (name: string) => probe?.count(`SELECT COUNT(*) AS n FROM "${name}"`) ?? 0;
    const run: Run = {
      provider,
      workers: workerCount,
      intakePerSecond,
      measured,
      appliedSeconds,
      settledSeconds,
      peakRssMb,
      failed,
      firstError: failed > 0 ? await probe.firstError() : null,
      jobsDone: await probe.count(`SELECT COUNT(*) AS n FROM "Job" WHERE status = 'done'`),
      counts: {
        customers: await table("Customer"),
        orders: await table("Order"),
        checkouts: await table("Checkout"),
        refunds: await table("Refund"),
        ledgerEntries: await table("LoyaltyLedgerEntry"),
      },
      points: {
        members: await table("LoyaltyMember"),
        balance: await probe.count(`SELECT COALESCE(SUM("pointsBalance"), 0) AS n FROM "LoyaltyMember"`),
        pending: await probe.count(`SELECT COALESCE(SUM("pendingPoints"), 0) AS n FROM "LoyaltyMember"`),
        lifetime: await probe.count(`SELECT COALESCE(SUM("lifetimePoints"), 0) AS n FROM "LoyaltyMember"`),
      },
    };
    console.log(
      `${label}: ${measured} applied in ${appliedSeconds.toFixed(1)} s (${formatRate(measured / appliedSeconds)}/s), ` +
        `with subscriber work ${settledSeconds.toFixed(1)} s; peak RSS ${peakRssMb.map((mb) => mb.toFixed(0)).join(" / ")} MB; ` +
        `${failed} failed; ${JSON.stringify(run.counts)}, ${run.jobsDone} jobs done; points ${JSON.stringify(run.points)}`,
    );
    if (run.firstError) console.log(`${label}: first failure: ${run.firstError}`);
    return run;
  } finally {
    await Promise.all(workers.map((worker) => stop(worker.child)));
    await probe?.close();
    await database.cleanup();
  }
}

async function main(): Promise<void> {
  ensureBuild();
  let providers: TestProvider[];
  if (requestedDatabases) {
    providers = requestedDatabases.split(",").map((name) => {
      if (name !== "sqlite" && name !== "postgresql") throw new Error(`--databases: unknown "${name}"`);
      return name;
    });
    if (providers.includes("postgresql") && !(await postgresReachable()))
      throw new Error(`PostgreSQL does not answer at ${postgresUrl}`);
  } else providers = await availableProviders();

  const sample = storeTraffic(deliveryCount, { now: new Date(), runId: "mix" });
  const mix = Object.entries(topicMix(sample))
    .sort(([, a], [, b]) => b - a)
    .map(([topic, count]) => `${topic} ${count}`)
    .join(", ");
  console.log(`traffic: ${mix}`);

  // The machine may be shared: its load when the runs began goes with the figures.
  const loadAtStart = os.loadavg()[0] ?? 0;
  const runs: Run[] = [];
  for (const provider of providers)
    for (const workers of workerCounts) runs.push(await measure(provider, workers));

  const perSecond = (run: Run, seconds: number) => formatRate(run.measured / seconds);
  const lines = [
    `### Worker drain — ${today()}`,
    "",
    `Machine: ${machineDescription()}, 1-min load average ${loadAtStart.toFixed(1)} at the start. Commit: ${commitDescription()}. ${deliveryCount} distinct signed deliveries per run (${mix}), one shop with the loyalty program on (defaults), sent through the production server's POST /webhooks with ${connections} connections while no worker runs (intake; after a warm-up with wrongly signed deliveries, answered 401), then drained by \`node build/worker.js\` (production settings) on a fresh database per row. Applied: every delivery \`done\` or \`failed\`; with subscriber work: also no job due left (domain-event deliveries to subscribers; the future releases and purges excluded).`,
    "",
    "| Database | Workers | Intake deliveries/s | Applied deliveries/s | With subscriber work /s | Applied / intake | Peak RSS per worker MB | Failed | Members, pending, lifetime points |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...runs.map(
      (run) =>
        `| ${run.provider} | ${run.workers} | ${formatRate(run.intakePerSecond)} | ${perSecond(run, run.appliedSeconds)} | ${perSecond(run, run.settledSeconds)} | ${(run.measured / run.appliedSeconds / run.intakePerSecond).toFixed(3)} | ${run.peakRssMb.map((mb) => mb.toFixed(0)).join(" / ")} | ${run.failed} | ${run.points.members}, ${run.points.pending}, ${run.points.lifetime} |`,
    ),
    "",
    "Target: ≥ 1,000 deliveries/s applied with one worker on both databases, two workers on PostgreSQL faster than one, RSS < 300 MB, 0 failed.",
    "",
  ];
  console.log(lines.join("\n"));
  if (!args["no-append"]) recordBenchmark(lines);
  const failures = runs.filter((run) => run.failed > 0);
  if (failures.length > 0)
    throw new Error(
      failures
        .map((run) => `${run.provider} × ${run.workers}: ${run.failed} failed: ${run.firstError}`)
        .join("\n"),
    );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
