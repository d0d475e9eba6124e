#!/usr/bin/env node
// Creates a migration for SQLite and PostgreSQL from the change between prisma/migrated.prisma (the
// datamodel the existing migrations produce) and prisma/schema.prisma. `prisma migrate dev` needs a
// shadow database and engine binaries, which this project does without (docs/decisions/001-databases.md).
//   npm run db:new-migration -- add_loyalty_ledger
//   npm run db:new-migration -- --check     (fails when schema.prisma has unmigrated changes)
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { projectRoot, resolveDatabase } from "../prisma/database.mjs";
import { prismaCliEnv } from "./prisma-env.mjs";
import { postgresTwin } from "./postgres-twin.mjs";

const require = createRequire(import.meta.url);
const prismaBin = require.resolve("prisma/build/index.js");
const schemaPath = path.join(projectRoot, "prisma", "schema.prisma");
const migratedPath = path.join(projectRoot, "prisma", "migrated.prisma");

function diff(fromSchema, toSchema, databaseUrl) {
  const result = spawnSync(
    process.execPath,
    [
      prismaBin,
      "migrate",
      "diff",
      "--from-schema-datamodel",
      fromSchema,
      "--to-schema-datamodel",
      toSchema,
      "--script",
    ],
    { cwd: projectRoot, env: prismaCliEnv({ ...process.env, DATABASE_URL: databaseUrl }), encoding: "utf8" },
  );
  if (result.status !== 0) {
    process.stderr.write(result.stderr);
    process.exit(result.status ?? 1);
  }
  return result.stdout.trim();
}

function isEmptyMigration(sql) {
  return sql === "" || sql.startsWith("-- This is an empty migration.");
}

const name = process.argv[2];
if (!name) {
  console.error("usage: npm run db:new-migration -- <snake_case_name> | --check");
  process.exit(2);
}

const scratch = path.join(os.tmpdir(), `stayloop-migration-${process.pid}`);
mkdirSync(scratch, { recursive: true });
const pgFrom = path.join(scratch, "from.prisma");
const pgTo = path.join(scratch, "to.prisma");
writeFileSync(pgFrom, postgresTwin(readFileSync(migratedPath, "utf8")));
writeFileSync(pgTo, postgresTwin(readFileSync(schemaPath, "utf8")));

const targets = [
  { database: resolveDatabase("file:./prisma/stayloop.sqlite"), from: migratedPath, to: schemaPath },
  // The CLI connects its PostgreSQL adapter even for a datamodel-to-datamodel diff (it changes nothing).
  {
    database: resolveDatabase(
      process.env.POSTGRES_DIFF_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
    ),
    from: pgFrom,
    to: pgTo,
  },
];
const scripts = targets.map((t) => ({ ...t, sql: diff(t.from, t.to, t.database.url) }));
const pending = scripts.filter((s) => !isEmptyMigration(s.sql));

if (name === "--check") {
  if (pending.length > 0) {
    console.error(
      "prisma/schema.prisma has changes without a migration: run `npm run db:new-migration -- <name>`.",
    );
    process.exit(1);
  }
  console.log("migrations are up to date with prisma/schema.prisma");
  process.exit(0);
}
if (!/^[a-z0-9_]+$/.test(name)) {
  console.error(`migration name must be snake_case, got "${name}"`);
  process.exit(2);
}
if (pending.length === 0) {
  console.log("no schema changes: nothing to migrate");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
for (const { database, sql } of scripts) {
  const dir = path.join(database.migrationsPath, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "migration.sql"), `${sql}\n`);
  console.log(`wrote ${path.relative(projectRoot, dir)}/migration.sql`);
}
copyFileSync(schemaPath, migratedPath);
