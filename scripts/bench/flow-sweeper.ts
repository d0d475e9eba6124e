// `npm run bench:flows`' "scheduler alone" process: the worker's flow sweep (advanceDueRuns, exactly
// what app/flows/scheduler.ts's flowSchedulerSweep runs every tick) in a loop on its own driver
// connection, with no deliveries, jobs or sends between two sweeps. Started by scripts/bench-flows.ts
// with `node --import tsx`; DATABASE_URL, WORKER_BATCH_SIZE (default 400, as the worker). Prints
// "flow sweeper ready" and starts on SIGUSR2 (so that several start together, once all are up); on
// SIGTERM it stops after the sweep in hand and prints one line of JSON with what it did.
import { openSqlConnection } from "../../app/db/sql";
import { advanceDueRuns } from "../../app/flows/scheduler";
import { resolveDatabase } from "../../prisma/database.mjs";

const limit = Number(process.env.WORKER_BATCH_SIZE ?? 400);
const links = {
  baseUrl: process.env.STAYLOOP_PUBLIC_URL ?? "http://127.0.0.1:3999",
  secret: process.env.STAYLOOP_LINK_SECRET ?? "bench-link-secret-0123456789",
};
const sql = openSqlConnection(resolveDatabase(process.env.DATABASE_URL));
let stopping = false;
let start: () => void = () => undefined;
const go = new Promise<void>((resolve) => {
  start = resolve;
});
process.once("SIGUSR2", () => start());
process.once("SIGTERM", () => {
  stopping = true;
  start();
});

let runs = 0;
let sweeps = 0;
let sweepMs = 0;
// The connection is opened (and the driver warmed up) before the benchmark's clock starts.
await sql.transaction((tx) => tx.query("SELECT 1"));
console.log("flow sweeper ready");
// Nothing else keeps the process alive while it waits (better-sqlite3 holds no handle).
const keepAlive = setInterval(() => undefined, 1000);
await go;
clearInterval(keepAlive);
while (!stopping) {
  const started = performance.now();
  const taken = await advanceDueRuns(sql, { links, now: new Date(), limit });
  if (taken > 0) {
    sweepMs += performance.now() - started;
    sweeps += 1;
    runs += taken;
  } else await new Promise((resolve) => setTimeout(resolve, 20));
}
const cpu = process.cpuUsage();
console.log(
  JSON.stringify({ runs, sweeps, sweepSeconds: sweepMs / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 }),
);
await sql.close();
