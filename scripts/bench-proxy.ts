#!/usr/bin/env tsx
// `npm run bench:proxy`: the storefront widget's App Proxy read — GET /proxy/panel, signed as
// Shopify signs it — at a fixed 200 requests/s over loopback (autocannon, overallRate) against the
// production build, for 500 seeded members (ledger history, pending points, tier rules, issued
// codes, rewards) and guests (10 % of requests, with a product amount). Prints p50 / p99 / max and
// records them in docs/benchmarks.md. Target: p99 < 30 ms at 200 requests/s on SQLite.
//   BENCH_SECONDS (default 15), BENCH_RATE (default 200), BENCH_CONNECTIONS (default 20),
//   BENCH_PROVIDERS ("sqlite" by default; "sqlite,postgresql" adds PostgreSQL when reachable).
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import os from "node:os";
import { pathToFileURL } from "node:url";
import autocannon from "autocannon";
import type { Prisma } from "@prisma/client";
import { createDatabaseClient, type Database } from "../app/db/client";
import { demoLoyaltyProgram } from "../app/demo/loyalty-program";
import { saveProgramSettings } from "../app/loyalty/program";
import { signProxyQuery } from "../app/storefront/proxy-signature";
import { resolveDatabase } from "../prisma/database.mjs";
import {
  availableProviders,
  commitDescription,
  ensureBuild,
  machineDescription,
  prepareDatabase,
  recordBenchmark,
  startAppServer,
  stop,
  today,
} from "./bench/common";

const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const rate = Number(process.env.BENCH_RATE ?? 200);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);
const wanted = (process.env.BENCH_PROVIDERS ?? "sqlite").split(",").map((name) => name.trim());
const secret = randomBytes(24).toString("hex");
const shopDomain = "bench-proxy.myshopify.com";
const members = 500;
const dayMs = 86_400_000;

interface Measurement {
  requestsPerSecond: number;
  /** The server process's CPU time per request (Linux /proc), ms; null elsewhere. */
  cpuMsPerRequest: number | null;
  p50: number;
  p99: number;
  max: number;
  ok: number;
  errors: number;
}

/** One shop with the program on (tiers, pending days), five rewards and 500 members with history. */
export async function seed(db: Database): Promise<string[]> {
  const now = new Date();
  const shop = await db.shop.create({ data: { domain: shopDomain, currency: "EUR", name: "Bench" } });
  await saveProgramSettings(db, shop.id, demoLoyaltyProgram, now);
  const rewards = await Promise.all(
    [300, 500, 1000, 2500, 5000].map((pointsCost, index) =>
      db.loyaltyReward.create({
        data: {
          shopId: shop.id,
          name: `Reward ${index + 1}`,
          kind: "percentage",
          percentOff: 5 + index * 5,
          pointsCost,
        },
      }),
    ),
  );
  const shopifyIds = Array.from({ length: members }, (_, index) => String(7_000_000_000 + index));
  await db.customer.createMany({
    data: shopifyIds.map((shopifyId, index) => ({
      shopId: shop.id,
      shopifyId,
      firstName: `Member ${index}`,
      email: `member${index}@bench.example`,
      birthday: index % 3 === 0 ? "05-17" : null,
    })),
  });
  const customers = await db.customer.findMany({
    where: { shopId: shop.id },
    select: { id: true, shopifyId: true },
  });
  await db.loyaltyMember.createMany({
    data: customers.map((customer, index) => ({
      shopId: shop.id,
      customerId: customer.id,
      pointsBalance: 400 + (index % 40) * 50,
      pendingPoints: 120,
      lifetimePoints: 2_000,
      tierId: index % 2 === 0 ? "bronze" : "silver",
      referralCode: `BENCH${String(index).padStart(5, "0")}`,
      lastActivityAt: now,
    })),
  });
  const memberRows = await db.loyaltyMember.findMany({ where: { shopId: shop.id }, select: { id: true } });
  const entries: Prisma.LoyaltyLedgerEntryCreateManyInput[] = [];
  const redemptions: Prisma.RedemptionCreateManyInput[] = [];
  memberRows.forEach((member, index) => {
    for (let order = 0; order < 12; order += 1) {
      const occurredAt = new Date(now.getTime() - (order * 20 + 1) * dayMs);
      const pending = order < 2;
      const sourceId = `order-${index}-${order}`;
      entries.push({
        shopId: shop.id,
        memberId: member.id,
        kind: "earn",
        source: "order",
        sourceId,
        pointsDelta: 0,
        pendingDelta: 60,
        balanceAfter: 0,
        pendingAfter: 60,
        basisMinor: 60_00,
        reason: `Order #${order}`,
        occurredAt,
      });
      if (!pending) {
        entries.push({
          shopId: shop.id,
          memberId: member.id,
          kind: "release",
          source: "order",
          sourceId,
          pointsDelta: 60,
          pendingDelta: -60,
          balanceAfter: 60,
          pendingAfter: 0,
          occurredAt: new Date(occurredAt.getTime() + 14 * dayMs),
        });
      }
    }
    for (let code = 0; code < 2; code += 1) {
      redemptions.push({
        shopId: shop.id,
        memberId: member.id,
        rewardId: rewards[code]!.id,
        idempotencyKey: `bench-${index}-${code}`,
        points: rewards[code]!.pointsCost,
        code: `LOYAL-B${index}-${code}`,
        status: "issued",
        issuedAt: now,
      });
    }
  });
  for (let start = 0; start < entries.length; start += 2_000) {
    await db.loyaltyLedgerEntry.createMany({ data: entries.slice(start, start + 2_000) });
  }
  await db.redemption.createMany({ data: redemptions });
  return shopifyIds;
}

/** Signed panel URLs as Shopify forwards them: 9 members for each guest (with a product amount). */
function signedPaths(shopifyIds: string[]): string[] {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return shopifyIds.map((shopifyId, index) => {
    const query = new URLSearchParams();
    if (index % 10 === 0) query.append("amount", "4599");
    query.append("shop", shopDomain);
    query.append("logged_in_customer_id", index % 10 === 0 ? "" : shopifyId);
    query.append("path_prefix", "/apps/stayloop");
    query.append("timestamp", timestamp);
    return `/proxy/panel?${signProxyQuery(query, secret)}`;
  });
}

/** utime + stime of a process in ms (Linux), or null. */
function cpuMs(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

async function load(url: string, paths: string[], duration: number, pid?: number): Promise<Measurement> {
  let next = 0;
  const cpuBefore = cpuMs(pid);
  const result = await autocannon({
    url,
    connections,
    duration,
    overallRate: rate,
    requests: [
      {
        setupRequest: (request) => {
          request.path = paths[next++ % paths.length]!;
          return request;
        },
      },
    ],
  });
  const cpuAfter = cpuMs(pid);
  return {
    cpuMsPerRequest:
      cpuBefore === null || cpuAfter === null || result.requests.total === 0
        ? null
        : (cpuAfter - cpuBefore) / result.requests.total,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    ok: result["2xx"],
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/**
 * The same rate, evenly paced: one request every 1000 / rate ms, sent when its time comes whatever
 * the earlier ones are doing (open loop), each timed from its send to the end of its body.
 * autocannon's fixed rate is a per-second budget per connection — each connection sends its share
 * back to back at the start of every second — so its latencies are those of a burst of `rate`
 * requests each second; shoppers opening panels do not arrive in such bursts.
 */
async function paced(url: string, paths: string[], duration: number, pid?: number): Promise<Measurement> {
  const interval = 1000 / rate;
  const total = Math.round(duration * rate);
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  const cpuBefore = cpuMs(pid);
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let index = 0; index < total; index += 1) {
    const due = started + index * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = performance.now();
    inFlight.push(
      fetch(`${url}${paths[index % paths.length]!}`)
        .then(async (response) => {
          await response.arrayBuffer();
          latencies.push(performance.now() - sent);
          if (response.ok) ok += 1;
          else errors += 1;
        })
        .catch(() => {
          errors += 1;
        }),
    );
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  const cpuAfter = cpuMs(pid);
  const sorted = latencies.sort((a, b) => a - b);
  return {
    cpuMsPerRequest: cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / total,
    requestsPerSecond: total / elapsed,
    p50: Math.round(percentile(sorted, 50)),
    p99: Math.round(percentile(sorted, 99)),
    max: Math.round(sorted[sorted.length - 1] ?? 0),
    ok,
    errors,
  };
}

async function main(): Promise<void> {
  ensureBuild();
  const providers = (await availableProviders()).filter((provider) => wanted.includes(provider));
  const rows: string[] = [];
  for (const provider of providers) {
    console.log(`${provider}: preparing a fresh database with ${members} members`);
    const database = await prepareDatabase(provider);
    const db = createDatabaseClient(resolveDatabase(database.url));
    const shopifyIds = await seed(db);
    await db.$disconnect();
    const server = await startAppServer(database.url, secret);
    try {
      console.log(`${provider}: warming up, then ${seconds} s at ${rate} requests/s`);
      await load(server.ready, signedPaths(shopifyIds), 3);
      // Signed now: Shopify's timestamps are at most 90 s old when they arrive.
      const runs: [string, (pid?: number) => Promise<Measurement>][] = [
        ["evenly paced", (pid) => paced(server.ready, signedPaths(shopifyIds), seconds, pid)],
        [
          "autocannon (per-second bursts)",
          (pid) => load(server.ready, signedPaths(shopifyIds), seconds, pid),
        ],
      ];
      for (const [shape, run] of runs) {
        const loadBefore = os.loadavg()[0] ?? 0;
        const result = await run(server.child.pid);
        const cpu = result.cpuMsPerRequest === null ? "n/a" : result.cpuMsPerRequest.toFixed(2);
        console.log(
          `${provider}, ${shape}: ${result.requestsPerSecond.toFixed(0)} requests/s, p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms, ${cpu} ms CPU per request, ${result.ok} × 2xx, ${result.errors} errors (load average ${loadBefore.toFixed(1)} before)`,
        );
        rows.push(
          `| ${provider} | ${shape} | ${rate} | ${result.requestsPerSecond.toFixed(0)} | ${result.p50} | ${result.p99} | ${result.max} | ${cpu} | ${result.ok} | ${result.errors} | ${loadBefore.toFixed(1)} |`,
        );
      }
    } finally {
      await stop(server.child);
      await database.cleanup();
    }
  }
  recordBenchmark([
    `### Storefront App Proxy (GET /proxy/panel) — ${today()}`,
    "",
    `Machine: ${machineDescription()}. Commit: ${commitDescription()}. Load: ${rate} requests/s for ${seconds} s after a 3 s warm-up, loopback, production build, in two shapes — evenly paced (one request every ${(1000 / rate).toFixed(0)} ms, open loop, Node's fetch with keep-alive) and autocannon's fixed rate with ${connections} connections (a per-second budget per connection, so each second's requests arrive as one burst); requests signed as Shopify's App Proxy signs them; ${members} members (12 orders each, 2 still pending, 2 issued codes, tier rules) and every tenth request a guest with a product amount.`,
    "",
    "| Database | Arrivals | Target requests/s | Served requests/s | p50 ms | p99 ms | max ms | server CPU ms / request | 2xx | errors | 1-min load average before |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
    "Target: p99 < 30 ms at 200 requests/s on SQLite, no errors — judged on the evenly paced arrivals; the burst row shows what a second's worth of panels opened at once costs.",
    "",
  ]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
