// Which database Stayloop talks to, decided in one place for the app, the worker and the Prisma CLI.
// DATABASE_URL unset or `file:…` → embedded SQLite; `postgres://…` / `postgresql://…` → PostgreSQL.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

// This module is also inlined into bundles (build/…), so the project root is found by walking up
// to Stayloop's package.json rather than assumed relative to this file.
function findProjectRoot(start) {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "stayloop") return dir;
    if (path.dirname(dir) === dir) throw new Error(`Stayloop's package.json not found above ${start}`);
  }
}

export const projectRoot = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));
const prismaDir = path.join(projectRoot, "prisma");
export const defaultSqlitePath = path.join(prismaDir, "stayloop.sqlite");

/** @param {string | undefined} rawUrl */
export function resolveDatabase(rawUrl) {
  const url = rawUrl?.trim() ?? "";
  if (url === "") {
    return sqlite(`file:${defaultSqlitePath}`);
  }
  if (url.startsWith("file:")) {
    const filePath = url.slice("file:".length).split("?")[0];
    const absolute = path.isAbsolute(filePath) ? filePath : path.resolve(projectRoot, filePath);
    return sqlite(`file:${absolute}`);
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    return {
      provider: "postgresql",
      url,
      filePath: null,
      schemaPath: path.join(prismaDir, "postgresql", "schema.prisma"),
      migrationsPath: path.join(prismaDir, "postgresql", "migrations"),
    };
  }
  throw new Error(
    `DATABASE_URL must be empty, a SQLite "file:…" URL or a "postgresql://…" URL; got "${url.split(":")[0]}:…"`,
  );
}

/** @param {string} url */
function sqlite(url) {
  return {
    provider: "sqlite",
    url,
    filePath: url.slice("file:".length),
    schemaPath: path.join(prismaDir, "schema.prisma"),
    migrationsPath: path.join(prismaDir, "migrations"),
  };
}
