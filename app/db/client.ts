// Builds the Prisma client for a database: SQLite through better-sqlite3, PostgreSQL through pg.
// Both generated clients share one datamodel (prisma/schema.prisma and its twin), so the SQLite
// client's types describe both (docs/decisions/001-databases.md).
import { createRequire } from "node:module";
import { PrismaClient } from "@prisma/client";
import type { PrismaPg } from "@prisma/adapter-pg";
import type { ResolvedDatabase } from "../../prisma/database.mjs";
import { postgresAdapter, sqliteAdapter } from "./adapters";

export type Database = PrismaClient;

const require = createRequire(import.meta.url);

export function createDatabaseClient(database: ResolvedDatabase): Database {
  if (database.provider === "sqlite") {
    return new PrismaClient({ adapter: sqliteAdapter(database) });
  }
  // Loaded lazily: a SQLite deployment never needs the PostgreSQL client.
  const { PrismaClient: PostgresPrismaClient } = require(".prisma/client-postgresql") as {
    PrismaClient: new (options: { adapter: PrismaPg }) => unknown;
  };
  return new PostgresPrismaClient({ adapter: postgresAdapter(database) }) as Database;
}

/** Cheap round trip used by /healthz. */
export async function pingDatabase(db: Database): Promise<void> {
  await db.$queryRawUnsafe("SELECT 1");
}

/**
 * Settings a process applies once at start. SQLite: write-ahead logging, so the web process keeps
 * answering while the worker writes (journal_mode is stored in the file; setting it is idempotent).
 */
export async function prepareDatabase(db: Database, database: ResolvedDatabase): Promise<void> {
  if (database.provider === "sqlite") await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
}
