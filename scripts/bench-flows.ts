#!/usr/bin/env tsx
// `npm run bench:flows`: how fast due flow runs are advanced (issue 14: 100,000 due steps with fake
// channels on PostgreSQL, steps/s with 1 and 2 workers, worker RSS). Per worker count and phase, on a
// fresh migrated database: one shop (quiet hours off, a cap no run reaches), N subscribed customers,
// a live flow "send an e-mail, then wait 7 days" made with createFlow + setFlowStatus, and N runs of
// it already due on the send step (multi-row inserts). Each due run takes exactly two steps — the
// send (its message composed and queued in the outbox) and the wait — and then sleeps.
//   1. Production worker: `node build/worker.js` (production settings), its e-mail going to a local
//      SMTP server that only counts (scripts/bench/smtp-counter.ts). Sending is not a loop of its
//      own: every message is a "message.send" job of the same worker loop, which claims up to
//      WORKER_BATCH_SIZE (400) due jobs and sends them one by one before each flow sweep. Timed from
//      the moment every worker is ready until no run is due, or until the window (--window) ends:
//      steps/s = 2 × runs stepped / seconds; e-mails sent meanwhile and, when every run stepped in
//      the window, the e-mails/s of the outbox alone for up to --send-seconds afterwards. Each
//      worker's time in sweeps and in job batches and its CPU seconds come from its Prometheus
//      metrics (stayloop_worker_batch_duration_seconds, process_cpu_seconds_total); peak RSS from
//      /proc/<pid>/status (VmHWM).
//   2. Scheduler alone: the same sweep (advanceDueRuns, batches of 400) looped by 1 or 2 processes
//      with nothing else between two sweeps (scripts/bench/flow-sweeper.ts, run with tsx), timed
//      until no run is due (the messages stay queued: nothing sends them).
// Options: --runs N (BENCH_RUNS, default 100000), --workers 1,2 (BENCH_WORKERS), --sqlite (SQLite
// instead of PostgreSQL at TEST_POSTGRES_URL, for a quick run), --window S (BENCH_WINDOW_SECONDS,
// default 300), --send-seconds S (BENCH_SEND_SECONDS, default 20), --phases worker,scheduler
// (BENCH_PHASES), --no-append (do not record in docs/benchmarks.md), BENCH_TIMEOUT_SECONDS (the
// scheduler-alone phase; default 300 + N / 50), BENCH_PROFILE_DIR (each process writes a V8 CPU
// profile there when it stops).
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import { parseArgs } from "node:util";
import type { Customer, FlowRun } from "@prisma/client";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { splitSchemaParameter } from "../app/db/adapters";
import { createDatabaseClient } from "../app/db/client";
import { encodeValue, insertRows, openSqlConnection } from "../app/db/sql";
import { createFlow, setFlowStatus } from "../app/flows/flows";
import type { FromStored } from "../app/money/stored";
import { resolveDatabase } from "../prisma/database.mjs";
import type { TestProvider } from "../test/support/database";
import {
  commitDescription,
  ensureBuild,
  formatRate,
  machineDescription,
  postgresReachable,
  postgresUrl,
  prepareDatabase,
  productionEnv,
  recordBenchmark,
  startProcess,
  today,
  type StartedProcess,
} from "./bench/common";
import { startSmtpCounter, type SmtpCounter } from "./bench/smtp-counter";

const shopDomain = "bench-flows.myshopify.com";
const secret = randomBytes(24).toString("hex");
const pollMs = 500;
const progressEveryMs = 30_000;
const waitMinutes = 7 * 24 * 60;
const phaseNames = ["worker", "scheduler"] as const;
type Phase = (typeof phaseNames)[number];

const { values: args } = parseArgs({
  options: {
    runs: { type: "string" },
    workers: { type: "string" },
    sqlite: { type: "boolean", default: false },
    window: { type: "string" },
    "send-seconds": { type: "string" },
    phases: { type: "string" },
    "no-append": { type: "boolean", default: false },
  },
});
const runCount = Number(args.runs ?? process.env.BENCH_RUNS ?? 100_000);
const workerCounts = (args.workers ?? process.env.BENCH_WORKERS ?? "1,2").split(",").map(Number);
const provider: TestProvider = args.sqlite ? "sqlite" : "postgresql";
const windowSeconds = Number(args.window ?? process.env.BENCH_WINDOW_SECONDS ?? 300);
const sendSeconds = Number(args["send-seconds"] ?? process.env.BENCH_SEND_SECONDS ?? 20);
const phases = (args.phases ?? process.env.BENCH_PHASES ?? phaseNames.join(",")).split(",") as Phase[];
const timeoutMs = Number(process.env.BENCH_TIMEOUT_SECONDS ?? 300 + runCount / 50) * 1000;
if (!Number.isInteger(runCount) || runCount < 1) throw new Error("--runs must be a positive integer");
if (workerCounts.some((count) => !Number.isInteger(count) || count < 1))
  throw new Error("--workers must list positive integers, e.g. 1,2");
if (!(windowSeconds > 0)) throw new Error("--window must be a positive number of seconds");
if (!(sendSeconds >= 0)) throw new Error("--send-seconds must be 0 or more");
if (phases.some((phase) => !phaseNames.includes(phase)))
  throw new Error(`--phases must list ${phaseNames.join(" and/or ")}`);

/** The flow every run is in: one e-mail, then a week's wait (each due run: two steps, then it sleeps). */
const flowDefinition = {
  trigger: { event: "customer.created" },
  templates: {
    welcome: {
      versions: {
        en: {
          email: {
            subject: "Welcome, {{ customer.first_name }}",
            html: "<p>Hi {{ customer.first_name }}, thanks for joining {{ shop.name }}.</p><p>You have {{ points.balance }} points.</p>",
            text: "Hi {{ customer.first_name }}, thanks for joining {{ shop.name }}. {{ unsubscribe_url }}",
          },
        },
      },
    },
  },
  start: "send",
  steps: [
    { id: "send", type: "send", template: "welcome", next: "wait" },
    { id: "wait", type: "wait", minutes: waitMinutes, next: null },
  ],
};

/** What one process reported about itself (worker: its metrics; sweeper: its closing line). */
interface ProcessFigures {
  /** Seconds in flow sweeps that took runs (worker: all sweeps) and in job batches (the sends). */
  sweepSeconds: number;
  jobSeconds: number;
  cpuSeconds: number;
}

interface Measurement {
  phase: Phase;
  processes: number;
  /** Runs still due when every process was ready (what the clock measures). */
  dueAtStart: number;
  /** …of which stepped by the end of the window. */
  stepped: number;
  /** Runs stepped in all, those taken before the clock started too. */
  steppedInAll: number;
  seconds: number;
  /** Every due run stepped (else the window ended first). */
  complete: boolean;
  /** E-mails the SMTP server accepted between the clock start and the end. */
  sent: number;
  /** …and in the window after the last step (the outbox alone), over `sendWindowSeconds`. */
  sentAfter: number;
  sendWindowSeconds: number;
  peakRssMb: number[];
  figures: (ProcessFigures | null)[];
  checks: string;
}

// ---------------------------------------------------------------------------------------------
// Child processes: every one is killed when the benchmark ends, also on an error or Ctrl-C.

const children = new Set<StartedProcess["child"]>();

function stopChild(child: StartedProcess["child"], graceMs = 30_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      children.delete(child);
      return resolve();
    }
    const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(kill);
      children.delete(child);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const child of children) child.kill("SIGKILL");
    process.exit(130);
  });
}
process.once("exit", () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
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

/** A worker's batch timings and CPU time from its GET /metrics; null when it does not answer. */
async function workerFigures(port: number): Promise<ProcessFigures | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    const value = (pattern: string) => Number(new RegExp(`^${pattern} (\\S+)$`, "m").exec(text)?.[1] ?? 0);
    const batch = "stayloop_worker_batch_duration_seconds";
    return {
      sweepSeconds: value(`${batch}_sum\\{kind="sweep"\\}`),
      jobSeconds: value(`${batch}_sum\\{kind="jobs"\\}`),
      cpuSeconds: value("process_cpu_seconds_total"),
    };
  } catch {
    return null;
  }
}

/** The closing line a flow sweeper prints when it stops. */
function sweeperFigures(output: string): ProcessFigures | null {
  const line = output.split("\n").find((text) => text.startsWith('{"runs"'));
  if (!line) return null;
  const parsed = JSON.parse(line) as { sweepSeconds: number; cpuSeconds: number };
  return { sweepSeconds: parsed.sweepSeconds, jobSeconds: 0, cpuSeconds: parsed.cpuSeconds };
}

// ---------------------------------------------------------------------------------------------
// The database: seeding and the probe (counts through the script's own connection, not Prisma).

async function seed(url: string, count: number): Promise<void> {
  const database = resolveDatabase(url);
  const db = createDatabaseClient(database);
  const sql = openSqlConnection(database);
  try {
    const now = new Date();
    const shop = await db.shop.create({
      data: { domain: shopDomain, name: "Bench Flows", timezone: "UTC", currency: "EUR" },
    });
    // Quiet hours off and a cap no run reaches: every message may go out at once.
    await db.messagingSettings.create({
      data: { shopId: shop.id, quietStart: "00:00", quietEnd: "00:00", capMessages: 1000, capHours: 1 },
    });
    const draft = await createFlow(db, {
      shopId: shop.id,
      name: "Welcome e-mail",
      definition: flowDefinition,
      staff: "bench",
      now,
    });
    const flow = await setFlowStatus(db, {
      shopId: shop.id,
      flowId: draft.id,
      status: "live",
      staff: "bench",
      now,
    });
    const started = new Date(now.getTime() - 60_000);
    const due = new Date(now.getTime() - 1_000);
    const chunk = 10_000;
    for (let first = 0; first < count; first += chunk) {
      const indexes = Array.from({ length: Math.min(chunk, count - first) }, (_, offset) => first + offset);
      // Columns not given here (added later, nullable or with a default) are left to the database.
      const customers = indexes.map((index): Partial<FromStored<Customer>> => ({
        id: `bench-customer-${index}`,
        shopId: shop.id,
        shopifyId: String(9_000_000 + index),
        email: `shopper-${index}@bench.example`,
        phone: null,
        firstName: `Shopper${index}`,
        lastName: "Bench",
        locale: null,
        countryCode: "DE",
        timezone: null,
        birthday: null,
        tags: "",
        emailConsent: "subscribed",
        smsConsent: "not_subscribed",
        whatsappConsent: "not_subscribed",
        emailConsentAt: started,
        smsConsentAt: null,
        firstOrderAt: null,
        lastOrderAt: null,
        ordersCount: 0,
        totalSpentMinor: 0,
        averageOrderValueMinor: 0,
        currency: "EUR",
        lifecycleStage: "lead",
        shopifyUpdatedAt: started,
        redactedAt: null,
        deletedAt: null,
        createdAt: started,
        updatedAt: started,
      })) as FromStored<Customer>[];
      const runs = indexes.map((index): Partial<FlowRun> => ({
        id: `bench-run-${index}`,
        shopId: shop.id,
        flowId: flow.id,
        version: flow.currentVersion,
        customerId: `bench-customer-${index}`,
        triggerKey: `customer:${index}`,
        status: "active",
        stepId: "send",
        wakeAt: due,
        runGroup: "treatment",
        variants: {},
        trigger: {
          event: "customer.created",
          subjectId: `bench-customer-${index}`,
          occurredAt: started.toISOString(),
          orderId: null,
          checkoutId: null,
          payload: {},
        },
        checkoutToken: null,
        email: `shopper-${index}@bench.example`,
        since: started,
        steps: 0,
        exitReason: null,
        startedAt: started,
        endedAt: null,
        updatedAt: started,
      })) as FlowRun[];
      await sql.transaction(async (tx) => {
        await insertRows<Customer>(tx, "Customer", customers);
        await insertRows<FlowRun>(tx, "FlowRun", runs);
      });
    }
  } finally {
    await sql.close();
    await db.$disconnect();
  }
}

interface Probe {
  /** Runs still due at `at` (active, timer run out). */
  dueRuns(at: Date): Promise<number>;
  count(sql: string): Promise<number>;
  groups(sql: string): Promise<Record<string, number>>;
  close(): Promise<void>;
}

async function openProbe(url: string): Promise<Probe> {
  const database = resolveDatabase(url);
  let query: (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;
  let close: () => Promise<void>;
  if (database.provider === "sqlite") {
    const sqlite = new BetterSqlite3(database.filePath ?? "", { readonly: true, timeout: 10_000 });
    query = async (sql, params) => sqlite.prepare(sql).all(...params) as Record<string, unknown>[];
    close = async () => {
      sqlite.close();
    };
  } else {
    const { connectionString, schema } = splitSchemaParameter(url);
    const client = new pg.Client({
      connectionString,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    await client.connect();
    query = async (sql, params) => {
      let index = 0;
      const numbered = sql.replace(/\?/g, () => `$${(index += 1)}`);
      return (await client.query(numbered, params)).rows as Record<string, unknown>[];
    };
    close = () => client.end();
  }
  const count = async (sql: string, ...params: unknown[]) => Number((await query(sql, params))[0]?.n ?? 0);
  return {
    dueRuns: (at) =>
      count(
        `SELECT COUNT(*) AS n FROM "FlowRun" WHERE status = 'active' AND "wakeAt" <= ?`,
        encodeValue(database.provider, "DateTime", at),
      ),
    count: (sql) => count(sql),
    async groups(sql) {
      const rows = await query(sql, []);
      return Object.fromEntries(rows.map((row) => [String(row.k), Number(row.n)]));
    },
    close,
  };
}

// ---------------------------------------------------------------------------------------------
// One measurement: fresh data, the processes started together, timed until no run is due.

const phaseTitle: Record<Phase, string> = { worker: "production worker", scheduler: "scheduler alone" };

async function measure(phase: Phase, count: number): Promise<Measurement> {
  const label = `${provider}, ${phaseTitle[phase]} × ${count}`;
  console.log(`${label}: fresh database, seeding ${runCount} customers and due runs`);
  const database = await prepareDatabase(provider);
  const processes: StartedProcess[] = [];
  let smtp: SmtpCounter | undefined;
  let probe: Probe | undefined;
  try {
    const seedStart = performance.now();
    await seed(database.url, runCount);
    console.log(`${label}: seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s; starting`);
    probe = await openProbe(database.url);
    const profile = process.env.BENCH_PROFILE_DIR
      ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
      : [];
    const env = productionEnv(database.url, secret);
    let ports: number[] = [];
    let starting: Promise<StartedProcess>[];
    if (phase === "worker") {
      smtp = await startSmtpCounter();
      const smtpUrl = smtp.url;
      ports = await Promise.all(Array.from({ length: count }, () => freePort()));
      starting = ports.map((port) =>
        startProcess(
          [...profile, "build/worker.js"],
          {
            ...env,
            HOST: "127.0.0.1",
            STAYLOOP_PUBLIC_URL: "http://127.0.0.1:3999",
            STAYLOOP_SMTP_URL: smtpUrl,
            WORKER_METRICS_PORT: String(port),
          },
          /Stayloop worker started/,
        ),
      );
    } else {
      starting = Array.from({ length: count }, () =>
        startProcess(
          [...profile, "--import", "tsx", "scripts/bench/flow-sweeper.ts"],
          { ...env, STAYLOOP_PUBLIC_URL: "http://127.0.0.1:3999" },
          /flow sweeper ready/,
        ),
      );
    }
    // Registered as they come up, so that a failed start of one does not leave the others running.
    for (const promise of starting)
      void promise.then(
        (started) => children.add(started.child),
        () => undefined,
      );
    const results = await Promise.allSettled(starting);
    for (const result of results) if (result.status === "fulfilled") processes.push(result.value);
    const refused = results.find((result) => result.status === "rejected");
    if (refused) throw refused.reason;

    // The clock starts once every process is ready (start-up is not throughput), counting what is due
    // then; the sweepers wait for the signal, so they all start together.
    if (phase === "scheduler") for (const started of processes) started.child.kill("SIGUSR2");
    const started = performance.now();
    const dueAtStart = await probe.dueRuns(new Date());
    const sentAtStart = smtp?.count() ?? 0;
    const rss = processes.map(() => 0);
    const sampleRss = () =>
      processes.forEach((started, index) => {
        rss[index] = Math.max(rss[index] ?? 0, memoryKb(started.child.pid ?? 0, "VmRSS"));
      });
    let lastProgress = started;
    let due = dueAtStart;
    let seconds = 0;
    for (;;) {
      due = await probe.dueRuns(new Date());
      seconds = (performance.now() - started) / 1000;
      sampleRss();
      if (due === 0) break;
      if (phase === "worker" && seconds >= windowSeconds) break;
      if (phase === "scheduler" && seconds * 1000 > timeoutMs)
        throw new Error(
          `${label}: ${dueAtStart - due} of ${dueAtStart} runs stepped after ${seconds.toFixed(0)} s (BENCH_TIMEOUT_SECONDS)`,
        );
      if (performance.now() - lastProgress >= progressEveryMs) {
        lastProgress = performance.now();
        const stepped = dueAtStart - due;
        console.log(
          `${label}: ${seconds.toFixed(0)} s: ${stepped} of ${dueAtStart} runs stepped (${formatRate((2 * stepped) / seconds)} steps/s)` +
            (smtp ? `, ${smtp.count() - sentAtStart} e-mails sent` : "") +
            `, RSS ${rss.map((kb) => (kb / 1024).toFixed(0)).join(" / ")} MB`,
        );
      }
      for (const started of processes)
        if (started.child.exitCode !== null)
          throw new Error(`${label}: a process exited:\n${started.output()}`);
      await sleep(pollMs);
    }
    const complete = due === 0;
    const sent = (smtp?.count() ?? 0) - sentAtStart;
    const workerFiguresAtEnd = await Promise.all(ports.map((port) => workerFigures(port)));

    // The outbox alone: what the workers send in a short window once no run is due.
    let sentAfter = 0;
    let sendWindowSeconds = 0;
    if (smtp && complete && sendSeconds > 0) {
      const sentAtLastStep = smtp.count();
      const windowStart = performance.now();
      while (performance.now() - windowStart < sendSeconds * 1000 && smtp.count() < runCount) {
        sampleRss();
        await sleep(pollMs);
      }
      sendWindowSeconds = (performance.now() - windowStart) / 1000;
      sentAfter = smtp.count() - sentAtLastStep;
    }
    sampleRss();
    const peakRssMb = processes.map(
      (started, index) => Math.max(rss[index] ?? 0, memoryKb(started.child.pid ?? 0, "VmHWM")) / 1024,
    );
    await Promise.all(processes.map((started) => stopChild(started.child)));
    const figures =
      phase === "worker" ? workerFiguresAtEnd : processes.map((started) => sweeperFigures(started.output()));

    // What the runs left, once every process stopped: each stepped run logged both steps and queued one message.
    const stepLogs = await probe.count(`SELECT COUNT(*) AS n FROM "FlowStepLog"`);
    const runs = await probe.groups(
      `SELECT CASE WHEN status = 'active' AND "stepId" IS NULL AND steps = 2 THEN 'waiting' ELSE status END AS k, COUNT(*) AS n FROM "FlowRun" GROUP BY 1`,
    );
    const messages = await probe.groups(`SELECT status AS k, COUNT(*) AS n FROM "Message" GROUP BY status`);
    const failedJobs = await probe.count(`SELECT COUNT(*) AS n FROM "Job" WHERE status = 'failed'`);
    const waiting = runs.waiting ?? 0;
    const messageCount = Object.values(messages).reduce((total, value) => total + value, 0);
    const checks = `runs ${JSON.stringify(runs)}, ${stepLogs} step logs, messages ${JSON.stringify(messages)}, ${failedJobs} failed jobs`;
    const measurement: Measurement = {
      phase,
      processes: count,
      dueAtStart,
      stepped: dueAtStart - due,
      steppedInAll: runCount - due,
      seconds,
      complete,
      sent,
      sentAfter,
      sendWindowSeconds,
      peakRssMb,
      figures,
      checks,
    };
    console.log(
      `${label}: ${measurement.stepped} of ${dueAtStart} runs stepped in ${seconds.toFixed(1)} s = ${formatRate((2 * measurement.stepped) / seconds)} steps/s` +
        (smtp
          ? `; ${sent} e-mails sent meanwhile (${formatRate(sent / seconds)}/s)` +
            (sendWindowSeconds > 0
              ? `, then ${formatRate(sentAfter / sendWindowSeconds)}/s for ${sendWindowSeconds.toFixed(0)} s`
              : "")
          : "") +
        `; peak RSS ${peakRssMb.map((mb) => mb.toFixed(0)).join(" / ")} MB; in sweeps ${perProcess(measurement, (figure) => figure.sweepSeconds)} s` +
        (phase === "worker"
          ? `, in job batches ${perProcess(measurement, (figure) => figure.jobSeconds)} s`
          : "") +
        `, CPU ${perProcess(measurement, (figure) => figure.cpuSeconds)} s; ${checks}`,
    );
    if (
      waiting !== stepLogs / 2 ||
      waiting !== messageCount ||
      waiting < measurement.steppedInAll ||
      failedJobs > 0 ||
      waiting + (runs.active ?? 0) !== runCount
    )
      throw new Error(
        `${label}: every stepped run should have logged two steps and queued one message: ${checks}`,
      );
    return measurement;
  } finally {
    await Promise.all(processes.map((started) => stopChild(started.child)));
    await probe?.close();
    await smtp?.close();
    await database.cleanup();
  }
}

// ---------------------------------------------------------------------------------------------

function perProcess(run: Measurement, pick: (figure: ProcessFigures) => number): string {
  return run.figures.map((figure) => (figure ? pick(figure).toFixed(1) : "?")).join(" / ");
}

const stepsPerSecond = (run: Measurement) => (2 * run.stepped) / run.seconds;

/** The sweep's own rate: every step taken (before the clock too) over the mean time a process spent sweeping. */
function sweepRate(run: Measurement): string {
  const known = run.figures.filter((figure): figure is ProcessFigures => figure !== null);
  if (known.length !== run.figures.length || known.length === 0) return "?";
  const seconds = known.reduce((total, figure) => total + figure.sweepSeconds, 0) / known.length;
  return formatRate((2 * run.steppedInAll) / seconds);
}

function versusOne(run: Measurement, all: readonly Measurement[]): string {
  const one = all.find((other) => other.phase === run.phase && other.processes === 1);
  return one ? (stepsPerSecond(run) / stepsPerSecond(one)).toFixed(2) : "—";
}

async function main(): Promise<void> {
  if (phases.includes("worker")) ensureBuild();
  if (provider === "postgresql" && !(await postgresReachable()))
    throw new Error(`PostgreSQL does not answer at ${postgresUrl} (use --sqlite for a quick run)`);
  // The machine may be shared: its load when the runs began (and ended) goes with the figures.
  const loadAtStart = os.loadavg()[0] ?? 0;
  const runs: Measurement[] = [];
  for (const phase of phaseNames)
    if (phases.includes(phase)) for (const count of workerCounts) runs.push(await measure(phase, count));
  const loadAtEnd = os.loadavg()[0] ?? 0;

  const workerRuns = runs.filter((run) => run.phase === "worker");
  const schedulerRuns = runs.filter((run) => run.phase === "scheduler");
  const lines = [
    `### Flow steps on ${provider === "postgresql" ? "PostgreSQL" : "SQLite"} — ${today()}`,
    "",
    `Machine: ${machineDescription()}, 1-min load average ${loadAtStart.toFixed(1)} at the start and ${loadAtEnd.toFixed(1)} at the end. Commit: ${commitDescription()}. ${provider === "postgresql" ? "PostgreSQL" : "SQLite"}, ${runCount} due runs per row on a fresh database: one shop (quiet hours off), ${runCount} subscribed customers, a live flow "send an e-mail, wait 7 days"; each due run takes two steps (the send: its message composed and queued in the outbox; the wait) and sleeps. Steps/s: 2 × runs stepped, from the moment every process was ready.`,
    "",
  ];
  if (workerRuns.length > 0)
    lines.push(
      `Production worker: \`node build/worker.js\` with production settings, e-mail to a local SMTP server that only counts; timed until no run is due or for at most ${windowSeconds} s. The sends are \`message.send\` jobs of the same worker loop (up to 400 claimed and sent one by one before each sweep), so sweeps and sends share each worker's time; "e-mails/s after": the outbox alone for up to ${sendSeconds} s after the last step. Seconds in sweeps and in job batches, CPU seconds: each worker's own metrics at the end of the window; sweep steps/s: every step taken over the mean time a worker spent in sweeps.`,
      "",
      "| Workers | Due runs | Stepped | Seconds | Steps/s | vs 1 worker | E-mails sent meanwhile | E-mails/s meanwhile | E-mails/s after | In sweeps s per worker | In job batches s per worker | Sweep steps/s | CPU s per worker | Peak RSS per worker MB |",
      "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      ...workerRuns.map(
        (run) =>
          `| ${run.processes} | ${run.dueAtStart} | ${run.stepped}${run.complete ? "" : " (window ended)"} | ${run.seconds.toFixed(1)} | ${formatRate(stepsPerSecond(run))} | ${versusOne(run, runs)} | ${run.sent} | ${formatRate(run.sent / run.seconds)} | ${run.sendWindowSeconds > 0 ? formatRate(run.sentAfter / run.sendWindowSeconds) : "—"} | ${perProcess(run, (figure) => figure.sweepSeconds)} | ${perProcess(run, (figure) => figure.jobSeconds)} | ${sweepRate(run)} | ${perProcess(run, (figure) => figure.cpuSeconds)} | ${run.peakRssMb.map((mb) => mb.toFixed(0)).join(" / ")} |`,
      ),
      "",
    );
  if (schedulerRuns.length > 0)
    lines.push(
      "Scheduler alone: the same sweep (`advanceDueRuns`, batches of 400) looped by 1 or 2 processes (`scripts/bench/flow-sweeper.ts` under tsx, so its RSS includes the TypeScript loader) with nothing between two sweeps; the queued messages are not sent.",
      "",
      "| Processes | Due runs | Seconds | Steps/s | vs 1 process | In sweeps s per process | CPU s per process | Peak RSS per process MB |",
      "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      ...schedulerRuns.map(
        (run) =>
          `| ${run.processes} | ${run.dueAtStart} | ${run.seconds.toFixed(1)} | ${formatRate(stepsPerSecond(run))} | ${versusOne(run, runs)} | ${perProcess(run, (figure) => figure.sweepSeconds)} | ${perProcess(run, (figure) => figure.cpuSeconds)} | ${run.peakRssMb.map((mb) => mb.toFixed(0)).join(" / ")} |`,
      ),
      "",
    );
  lines.push(
    "Target (issue 14): ≥ 2,000 steps/s with one worker on PostgreSQL, more with two, RSS < 300 MB.",
    "",
  );
  console.log(lines.join("\n"));
  if (!args["no-append"]) recordBenchmark(lines);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
