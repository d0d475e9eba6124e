#!/usr/bin/env node
// Writes prisma/postgresql/schema.prisma from prisma/schema.prisma (the source of truth), so the
// PostgreSQL twin can never drift. `--check` fails instead of writing when the twin is stale (CI).
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../prisma/database.mjs";
import { postgresTwin } from "./postgres-twin.mjs";

const source = path.join(projectRoot, "prisma", "schema.prisma");
const twin = path.join(projectRoot, "prisma", "postgresql", "schema.prisma");
const expected = postgresTwin(readFileSync(source, "utf8"));

if (process.argv.includes("--check")) {
  const actual = existsSync(twin) ? readFileSync(twin, "utf8") : "";
  if (actual !== expected) {
    console.error("prisma/postgresql/schema.prisma is out of date: run `npm run db:sync-schemas`.");
    process.exit(1);
  }
  console.log("prisma/postgresql/schema.prisma matches prisma/schema.prisma");
} else {
  writeFileSync(twin, expected);
  console.log("wrote prisma/postgresql/schema.prisma");
}
