// The demo's shared clock (issue 14): the built web server in demo mode serves GET / POST
// /demo/clock, and a second process's clock (another Prisma client, as the worker has) sees every
// advance. Runs on SQLite and PostgreSQL. The server runs at speed 0, so times compare exactly;
// the one test at a running speed only checks generous lower bounds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import {
  advanceDemoClock,
  checkpointDemoClock,
  readDemoClock,
  resumeDemoClock,
  SharedDemoClock,
} from "../../app/demo/demo-clock";
import { findOrCreateShop } from "../../app/shops/registry";
import { createTestDatabase, type TestDatabase } from "../support/database";
import {
  runProcess,
  startWebServer,
  testShopifyEnv,
  waitForOutput,
  type RunningProcess,
} from "../support/processes";

type WebServer = RunningProcess & { baseUrl: string };

const minute = 60_000;

let database: TestDatabase;
let db: Database;
let web: WebServer;
/** The same server outside demo mode, on the same database. */
let production: WebServer;
let worker: SharedDemoClock;
const started: WebServer[] = [];

function demoServer(speed: string): Promise<WebServer> {
  return startWebServer({
    DATABASE_URL: database.url,
    NODE_ENV: "development",
    STAYLOOP_DEMO: "1",
    STAYLOOP_DEMO_SPEED: speed,
  }).then((server) => {
    started.push(server);
    return server;
  });
}

async function getClock(server: WebServer = web): Promise<{ now: string; speed: number }> {
  const response = await fetch(`${server.baseUrl}/demo/clock`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
  return (await response.json()) as { now: string; speed: number };
}

function postClock(body: string, server: WebServer = web): Promise<Response> {
  return fetch(`${server.baseUrl}/demo/clock`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
}

/** Waits (generously) until `read` returns what `expected` accepts. */
async function eventually<T>(read: () => T | Promise<T>, expected: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (expected(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.connect();
  // Started side by side: a server takes a few seconds to start on a loaded machine.
  [web, production] = await Promise.all([
    demoServer("0"),
    startWebServer({ DATABASE_URL: database.url }).then((server) => {
      started.push(server);
      return server;
    }),
  ]);
  // The worker's view: its own database client and clock instance, reloading in the background.
  worker = await SharedDemoClock.open(db, { speed: 0, refreshMs: 50 });
});

afterAll(async () => {
  worker?.close();
  await Promise.all(started.map((server) => server.stop()));
  await database?.drop();
});

describe("the demo clock over HTTP (demo mode)", () => {
  it("GET answers the shared time and speed, as stored", async () => {
    const clock = await getClock();
    expect(clock.speed).toBe(0);
    expect(clock.now).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const row = await readDemoClock(db);
    expect(row?.speed).toBe(0);
    expect(clock.now).toBe(row?.simulated.toISOString());
    expect(worker.now().toISOString()).toBe(clock.now);
  });

  it("POST advances it, and the other process's clock sees the advanced time", async () => {
    const before = Date.parse((await getClock()).now);
    const response = await postClock(JSON.stringify({ advanceMinutes: 90 }));
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { now: string; speed: number };
    expect(answer).toEqual({ now: new Date(before + 90 * minute).toISOString(), speed: 0 });
    expect((await getClock()).now).toBe(answer.now);

    // The worker's clock picks it up on its next reload, without being told.
    const seen = await eventually(
      () => worker.now().toISOString(),
      (now) => now === answer.now,
    );
    expect(seen).toBe(answer.now);

    // And the other way: an advance made by the worker's process shows on the web at once.
    const moved = await worker.advance(30);
    expect(moved.toISOString()).toBe(new Date(before + 120 * minute).toISOString());
    expect((await getClock()).now).toBe(moved.toISOString());
  });

  it("refuses bad input with 400 and a clear error, and changes nothing", async () => {
    const before = await readDemoClock(db);
    const bodies = [
      "",
      "not json",
      "{}",
      '{"advanceMinutes":0}',
      '{"advanceMinutes":-5}',
      '{"advanceMinutes":2.5}',
      '{"advanceMinutes":"60"}',
      '{"advanceMinutes":525601}',
      '{"advanceMinutes":60,"extra":true}',
    ];
    for (const body of bodies) {
      const response = await postClock(body);
      expect(response.status, body).toBe(400);
      const answer = (await response.json()) as { error: string };
      expect(answer.error, body).toContain('{"advanceMinutes": N} with N a whole number from 1 to 525600');
    }
    expect(await readDemoClock(db)).toEqual(before);
    expect((await getClock()).now).toBe(before?.simulated.toISOString());
  });

  it("counts every one of many concurrent advances from both processes", async () => {
    const before = Date.parse((await getClock()).now);
    const overHttp = Array.from({ length: 8 }, () => postClock(JSON.stringify({ advanceMinutes: 1 })));
    const direct = Array.from({ length: 8 }, () => advanceDemoClock(db, 1, new Date()));
    const fromWorker = Array.from({ length: 4 }, () => worker.advance(1));
    const responses = await Promise.all(overHttp);
    await Promise.all([...direct, ...fromWorker]);
    expect(responses.map((response) => response.status)).toEqual(Array(8).fill(200));
    expect((await getClock()).now).toBe(new Date(before + 20 * minute).toISOString());
  });
});

describe("the web process's pages in demo mode", () => {
  it("hand the shared clock to Remix actions (load context)", async () => {
    const shopDomain = "stayloop-demo.myshopify.com";
    await db.session.create({
      data: {
        id: `offline_${shopDomain}`,
        shop: shopDomain,
        state: "demo",
        isOnline: false,
        scope: "read_customers,read_orders",
        accessToken: "demo-offline-token",
      },
    });
    // The import action schedules its job for "now": the shared clock's time, not the real time.
    const response = await fetch(`${web.baseUrl}/app?index`, {
      method: "POST",
      body: new URLSearchParams({ intent: "import-store-history" }),
    });
    expect(response.status).toBe(200);
    const job = await db.job.findFirstOrThrow({ where: { kind: "backfill" } });
    expect(job.runAt.toISOString()).toBe((await getClock()).now);
    expect(job.runAt.getTime()).toBeGreaterThan(Date.now() + 60 * minute);
    await db.job.delete({ where: { id: job.id } });
  });
});

describe("the worker process in demo mode", () => {
  it("runs a job due an hour ahead on the shared clock once the clock is advanced past it", async () => {
    const shop = await findOrCreateShop(db, "demo-clock.myshopify.com");
    const dueAt = new Date(Date.parse((await getClock()).now) + 60 * minute);
    const job = await db.job.create({
      data: { shopId: shop.id, kind: "inbox.purge", key: "demo-clock", payload: { day: "x" }, runAt: dueAt },
    });
    const workerProcess = runProcess(process.execPath, ["build/worker.js"], {
      ...testShopifyEnv,
      NODE_ENV: "development",
      HOST: "127.0.0.1",
      DATABASE_URL: database.url,
      STAYLOOP_DEMO: "1",
      STAYLOOP_DEMO_SPEED: "0",
      WORKER_IDLE_MS: "50",
      WORKER_HEARTBEAT_MS: "100",
    });
    try {
      await waitForOutput(workerProcess, /Stayloop worker started/);
      // Its heartbeat is stamped in real time, not on the shared clock: whether a worker is alive
      // must not depend on how fast the demo's time runs.
      const beat = await eventually(
        () => db.workerHeartbeat.findFirst(),
        (row) => row !== null,
      );
      expect(Math.abs((beat?.lastBeatAt.getTime() ?? 0) - Date.now())).toBeLessThan(30_000);
      // Several idle ticks later the job is still waiting: it is not due on the shared clock.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await db.job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("scheduled");

      expect((await postClock(JSON.stringify({ advanceMinutes: 61 }))).status).toBe(200);
      const done = await eventually(
        () => db.job.findUniqueOrThrow({ where: { id: job.id } }),
        (row) => row.status === "done",
      );
      expect(done.status).toBe("done");
      expect(done.finishedAt?.getTime()).toBeGreaterThanOrEqual(dueAt.getTime());
    } finally {
      expect(await workerProcess.stop()).toBe(0);
    }
  });
});

describe("the demo clock outside demo mode", () => {
  it("does not exist: 404 for GET and POST, and the clock is left alone", async () => {
    const before = await readDemoClock(db);
    expect((await fetch(`${production.baseUrl}/demo/clock`)).status).toBe(404);
    const post = await postClock(JSON.stringify({ advanceMinutes: 60 }), production);
    expect(post.status).toBe(404);
    expect(await readDemoClock(db)).toEqual(before);
  });
});

describe("the demo clock's speed and restarts", () => {
  it("runs at STAYLOOP_DEMO_SPEED, for every process sharing it", async () => {
    // A process started with another speed re-anchors the shared row at the time shown.
    const fast = await demoServer("3600");
    const first = await getClock(fast);
    expect(first.speed).toBe(3600);
    const realStart = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const second = await getClock(fast);
    const realPassed = Date.now() - realStart;
    const simulatedPassed = Date.parse(second.now) - Date.parse(first.now);
    // At least ~an hour per real second that passed (timers fire late, never much early).
    expect(simulatedPassed).toBeGreaterThanOrEqual(3600 * 900);
    expect(simulatedPassed).toBeLessThanOrEqual(3600 * (realPassed + 5_000));

    // The other processes adopt the row's speed on their next reload.
    await eventually(
      () => worker.speed,
      (speed) => speed === 3600,
    );
    expect(worker.speed).toBe(3600);
    expect((await getClock(web)).speed).toBe(3600);
  });

  it("stands still while the demo is stopped: resume goes on from the last checkpoint", async () => {
    const realNow = Date.now();
    const checkpoint = await checkpointDemoClock(db, new Date(realNow));
    // An hour later (real time) the demo starts again at speed 0.
    const resumed = await resumeDemoClock(db, 0, new Date(realNow + 3_600_000));
    expect(resumed).toEqual({
      simulated: checkpoint.simulated,
      realAt: new Date(realNow + 3_600_000),
      speed: 0,
    });
    expect(await readDemoClock(db)).toEqual(resumed);
  });
});
