#!/usr/bin/env node
// Runs the Prisma CLI for the database DATABASE_URL names (SQLite by default, PostgreSQL when the
// URL says so). `generate` builds both clients: the app picks one at run time.
//   node scripts/prisma.mjs migrate deploy | migrate status | generate | …
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { resolveDatabase, projectRoot } from "../prisma/database.mjs";
import { prismaCliEnv } from "./prisma-env.mjs";

const require = createRequire(import.meta.url);
const prismaBin = require.resolve("prisma/build/index.js");
const args = process.argv.slice(2);

export function runPrisma(cliArgs, env = process.env) {
  const result = spawnSync(process.execPath, [prismaBin, ...cliArgs], {
    cwd: projectRoot,
    env: prismaCliEnv(env),
    stdio: "inherit",
  });
  return result.status ?? 1;
}

function main() {
  if (args[0] === "generate") {
    for (const url of ["file:./prisma/stayloop.sqlite", "postgresql://generate-only/none"]) {
      const database = resolveDatabase(url);
      const status = runPrisma(["generate", "--schema", database.schemaPath, ...args.slice(1)], {
        ...process.env,
        DATABASE_URL: url,
      });
      if (status !== 0) return status;
    }
    return 0;
  }
  if (args[0] === "migrate" && args[1] === "deploy") {
    const database = resolveDatabase(process.env.DATABASE_URL);
    console.log(`stayloop: applying migrations to ${database.provider} (${describe(database)})`);
  }
  return runPrisma(args);
}

function describe(database) {
  return database.provider === "sqlite" ? database.filePath : database.url.replace(/\/\/[^@]*@/, "//…@");
}

process.exit(main());
