// What the benchmarks (`npm run bench:*`) share: fresh migrated databases, the production build's
// processes, the machine and commit a figure belongs to, and docs/benchmarks.md (newest first).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { projectRoot } from "../../prisma/database.mjs";
import { createEmptyTestDatabase, testPostgresUrl, type TestProvider } from "../../test/support/database";

export { projectRoot };
export const postgresUrl = testPostgresUrl;

export interface StartedProcess {
  child: ChildProcess;
  /** The first capture group of the `ready` pattern (e.g. the URL a server listens on). */
  ready: string;
  /** The process's recent output (stdout and stderr, last 64 KB). */
  output: () => string;
}

/** Starts `node <args>` from the project root and resolves once its output matches `ready`. */
export function startProcess(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<StartedProcess> {
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let matched = false;
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-65_536);
      if (matched) return;
      const match = ready.exec(output);
      if (match) {
        matched = true;
        resolve({ child, ready: match[1] ?? match[0], output: () => output });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => {
      if (!matched) reject(new Error(`${args.join(" ")} exited (${code}):\n${output}`));
    });
  });
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** Builds the production bundle (build/) when it is missing. */
export function ensureBuild(): void {
  if (
    existsSync(path.join(projectRoot, "build", "server.js")) &&
    existsSync(path.join(projectRoot, "build", "worker.js"))
  )
    return;
  const result = spawnSync("npm", ["run", "--silent", "build"], { cwd: projectRoot, stdio: "inherit" });
  if (result.status !== 0) throw new Error("npm run build failed");
}

/** The environment the production processes need (NODE_ENV=production requires the Shopify keys). */
export function productionEnv(databaseUrl: string, secret: string): Record<string, string> {
  return {
    NODE_ENV: "production",
    LOG_LEVEL: "info",
    DATABASE_URL: databaseUrl,
    SHOPIFY_API_KEY: "bench",
    SHOPIFY_API_SECRET: secret,
    SHOPIFY_APP_URL: "https://bench.example.com",
    STAYLOOP_LINK_SECRET: "bench-link-secret-0123456789",
  };
}

/** `node build/server.js` on a free loopback port; resolves with its URL once it listens. */
export async function startAppServer(databaseUrl: string, secret: string): Promise<StartedProcess> {
  return startProcess(
    ["build/server.js"],
    { ...productionEnv(databaseUrl, secret), HOST: "127.0.0.1", PORT: "0" },
    /"url":"(http:[^"]+)"/,
  );
}

export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** The providers to run on: SQLite always, PostgreSQL when a server answers at TEST_POSTGRES_URL. */
export async function availableProviders(): Promise<TestProvider[]> {
  if (await postgresReachable()) return ["sqlite", "postgresql"];
  console.warn(`PostgreSQL does not answer at ${postgresUrl}: SQLite only`);
  return ["sqlite"];
}

/** A fresh, empty database of the provider (temp SQLite file or a new PostgreSQL schema), migrated with the real `db:migrate` path. */
export async function prepareDatabase(
  provider: TestProvider,
): Promise<{ url: string; cleanup: () => Promise<void> }> {
  const database = await createEmptyTestDatabase(provider);
  migrate(database.url);
  return { url: database.url, cleanup: () => database.drop() };
}

function migrate(url: string): void {
  const result = spawnSync(process.execPath, ["scripts/prisma.mjs", "migrate", "deploy"], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: url },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (result.status !== 0) throw new Error(`migration failed:\n${result.stdout}${result.stderr}`);
}

export function machineDescription(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
}

/** The commit measured: short hash, "+ uncommitted changes" when the work tree is dirty. */
export function commitDescription(): string {
  const git = (...args: string[]) =>
    spawnSync("git", args, { cwd: projectRoot, encoding: "utf8" }).stdout?.trim() ?? "";
  const commit = git("rev-parse", "--short", "HEAD") || "unknown";
  return git("status", "--porcelain") ? `${commit} + uncommitted changes` : commit;
}

export const today = (): string => new Date().toISOString().slice(0, 10);

export const formatRate = (value: number): string => value.toFixed(value >= 100 ? 0 : 1);

/** Adds a section at the top of docs/benchmarks.md (newest first). */
export function recordBenchmark(lines: readonly string[]): void {
  const file = path.join(projectRoot, "docs", "benchmarks.md");
  const header =
    "# Benchmarks\n\nProduced by `npm run bench` (newest first). Figures depend on the machine; compare ratios.\n\n";
  const previous = existsSync(file) ? readFileSync(file, "utf8").replace(header, "") : "";
  writeFileSync(file, `${header}${lines.join("\n")}\n${previous}`);
  console.log(`recorded in ${path.relative(projectRoot, file)}`);
}
