#!/usr/bin/env node
// `npm test`: every check a change must pass, in the order that fails fastest, with the integration
// suite run on SQLite and again on PostgreSQL. Ends with one line: `tests: N passed, N failed`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const ci = process.env.CI === "true" || process.env.CI === "1";
const postgresUrl = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const reports = mkdtempSync(path.join(os.tmpdir(), "stayloop-test-reports-"));
const totals = { passed: 0, failed: 0, skipped: 0 };
let failedSteps = [];

function run(label, command, args, env = {}) {
  console.log(`\n▶ ${label}`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = result.status === 0;
  console.log(`${ok ? "✔" : "✘"} ${label} (${seconds} s)`);
  if (!ok) failedSteps.push(label);
  return ok;
}

function vitest(label, project, env = {}) {
  const report = path.join(reports, `${label.replace(/\W+/g, "-")}.json`);
  run(
    label,
    "npx",
    [
      "vitest",
      "run",
      "--project",
      project,
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
    ],
    env,
  );
  try {
    const result = JSON.parse(readFileSync(report, "utf8"));
    totals.passed += result.numPassedTests;
    totals.failed += result.numFailedTests;
    totals.skipped += result.numPendingTests + result.numTodoTests;
    if (result.numTotalTests === 0) {
      console.error(`✘ ${label}: no test ran`);
      failedSteps.push(`${label} (no tests)`);
    }
  } catch {
    totals.failed += 1;
    failedSteps.push(`${label} (no report)`);
  }
}

function postgresReachable(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname || "127.0.0.1", port: Number(port || 5432) });
    socket.setTimeout(2000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const hasPostgres = await postgresReachable(postgresUrl);

run("PostgreSQL schema twin is current", "node", ["scripts/sync-schemas.mjs", "--check"]);
if (hasPostgres) {
  run("every schema change has a migration", "node", ["scripts/new-migration.mjs", "--check"], {
    POSTGRES_DIFF_URL: postgresUrl,
  });
}
run("typecheck", "npm", ["run", "--silent", "typecheck"]);
run("lint", "npm", ["run", "--silent", "lint"]);
const built = run("build", "npm", ["run", "--silent", "build"]);

vitest("unit tests", "unit");
if (built) {
  vitest("integration tests on SQLite", "integration", { STAYLOOP_TEST_DATABASE: "sqlite" });
  if (hasPostgres) {
    vitest("integration tests on PostgreSQL", "integration", {
      STAYLOOP_TEST_DATABASE: "postgresql",
      TEST_POSTGRES_URL: postgresUrl,
    });
  } else if (ci) {
    console.error(`✘ PostgreSQL is required under CI but does not answer at ${postgresUrl}`);
    failedSteps.push("integration tests on PostgreSQL (no server)");
  } else {
    console.warn(`⚠ PostgreSQL does not answer at ${postgresUrl}: PostgreSQL pass skipped`);
  }
  vitest("randomized ledger run on SQLite", "soak", { STAYLOOP_TEST_DATABASE: "sqlite" });
  if (hasPostgres) {
    vitest("randomized ledger run on PostgreSQL", "soak", {
      STAYLOOP_TEST_DATABASE: "postgresql",
      TEST_POSTGRES_URL: postgresUrl,
    });
  }
  if (run("Chromium for browser tests", "node", ["scripts/ensure-chromium.mjs"])) {
    vitest("browser tests (Chromium)", "e2e");
  }
}

console.log("");
if (failedSteps.length > 0) console.log(`failed steps: ${failedSteps.join("; ")}`);
const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : "";
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed${skipped}`);
process.exit(failedSteps.length > 0 || totals.failed > 0 ? 1 : 0);
