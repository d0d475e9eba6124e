// Builds the Prisma client for a database: SQLite through better-sqlite3, PostgreSQL through pg.
// Both generated clients share one datamodel (prisma/schema.prisma and its twin), so the SQLite
// client's types describe both (docs/decisions/001-databases.md).
import { createRequire } from "node:module";
import { PrismaClient } from "@prisma/client";
import type { PrismaPg } from "@prisma/adapter-pg";
import type { ResolvedDatabase } from "../../prisma/database.mjs";
import { postgresAdapter, sqliteAdapter } from "./adapters";
import { openSqlConnection, type SqlConnection } from "./sql";

export type Database = PrismaClient;

const require = createRequire(import.meta.url);

// Process-wide (the HTTP server and the Remix build are bundled separately and share one client,
// app/db.server.ts): a client made by one bundle is known to the other.
const registry = globalThis as typeof globalThis & {
  [key: symbol]: {
    databases: WeakMap<Database, ResolvedDatabase>;
    sqlConnections: WeakMap<Database, SqlConnection>;
  };
};
const registryKey = Symbol.for("stayloop.database-clients");
registry[registryKey] ??= { databases: new WeakMap(), sqlConnections: new WeakMap() };
const { databases, sqlConnections } = registry[registryKey];

export function createDatabaseClient(database: ResolvedDatabase): Database {
  let client: Database;
  if (database.provider === "sqlite") {
    client = new PrismaClient({ adapter: sqliteAdapter(database) });
  } else {
    // Loaded lazily: a SQLite deployment never needs the PostgreSQL client.
    const { PrismaClient: PostgresPrismaClient } = require(".prisma/client-postgresql") as {
      PrismaClient: new (options: { adapter: PrismaPg }) => unknown;
    };
    client = new PostgresPrismaClient({ adapter: postgresAdapter(database) }) as Database;
  }
  databases.set(client, database);
  // The client's SQL connection (below) closes with it.
  const disconnect = client.$disconnect.bind(client);
  client.$disconnect = async () => {
    const sql = sqlConnections.get(client);
    sqlConnections.delete(client);
    await sql?.close();
    await disconnect();
  };
  return client;
}

/**
 * The driver-level connection beside a Prisma client, to the same database, for the worker's batch
 * paths (app/db/sql.ts); opened on first use, closed by the client's `$disconnect()`.
 */
export function sqlConnectionOf(client: Database): SqlConnection {
  let sql = sqlConnections.get(client);
  if (!sql) {
    const database = databases.get(client);
    if (!database) throw new Error("this Prisma client was not made by createDatabaseClient");
    sql = openSqlConnection(database);
    sqlConnections.set(client, sql);
  }
  return sql;
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
