// A fresh, migrated database per test file, on the provider the run is for
// (STAYLOOP_TEST_DATABASE=sqlite|postgresql; scripts/test.mjs runs the integration suite on both).
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { createDatabaseClient, type Database } from "../../app/db/client";
import { resolveDatabase, type ResolvedDatabase } from "../../prisma/database.mjs";

export type TestProvider = "sqlite" | "postgresql";

export const testProvider: TestProvider =
  process.env.STAYLOOP_TEST_DATABASE === "postgresql" ? "postgresql" : "sqlite";

export const testPostgresUrl = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

export interface TestDatabase {
  /** DATABASE_URL for processes and modules under test. */
  url: string;
  database: ResolvedDatabase;
  /** Creates a Prisma client (callers disconnect it, or call drop()). */
  connect(): Database;
  drop(): Promise<void>;
}

/** The migration SQL files of a provider, oldest first. */
export function migrationScripts(database: ResolvedDatabase): string[] {
  return readdirSync(database.migrationsPath, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => readFileSync(path.join(database.migrationsPath, name, "migration.sql"), "utf8"));
}

/** Runs statements on the PostgreSQL test server with a short-lived connection. */
async function onPostgres(run: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: testPostgresUrl });
  await client.connect();
  try {
    await run(client);
  } finally {
    await client.end();
  }
}

/** An empty database (no tables) on the run's provider. */
export async function createEmptyTestDatabase(provider: TestProvider = testProvider): Promise<TestDatabase> {
  const clients: Database[] = [];
  const connect = (database: ResolvedDatabase) => () => {
    const client = createDatabaseClient(database);
    clients.push(client);
    return client;
  };
  const disconnectAll = () => Promise.all(clients.map((client) => client.$disconnect()));

  if (provider === "sqlite") {
    const dir = mkdtempSync(path.join(os.tmpdir(), "stayloop-test-"));
    const url = `file:${path.join(dir, "test.sqlite")}`;
    const database = resolveDatabase(url);
    return {
      url,
      database,
      connect: connect(database),
      async drop() {
        await disconnectAll();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }

  const schema = `t_${process.pid}_${randomBytes(4).toString("hex")}`;
  await onPostgres((client) => client.query(`CREATE SCHEMA "${schema}"`));
  const separator = testPostgresUrl.includes("?") ? "&" : "?";
  const url = `${testPostgresUrl}${separator}schema=${schema}`;
  const database = resolveDatabase(url);
  return {
    url,
    database,
    connect: connect(database),
    async drop() {
      await disconnectAll();
      await onPostgres((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    },
  };
}

/** A database with every migration applied (fast path: the migration SQL run directly). */
export async function createTestDatabase(provider: TestProvider = testProvider): Promise<TestDatabase> {
  const testDatabase = await createEmptyTestDatabase(provider);
  const scripts = migrationScripts(testDatabase.database);
  if (testDatabase.database.provider === "sqlite") {
    const sqlite = new BetterSqlite3(testDatabase.database.filePath ?? "");
    try {
      sqlite.pragma("journal_mode = WAL");
      for (const script of scripts) sqlite.exec(script);
    } finally {
      sqlite.close();
    }
  } else {
    const schema = new URL(testDatabase.url).searchParams.get("schema");
    await onPostgres(async (client) => {
      await client.query(`SET search_path TO "${schema}"`);
      for (const script of scripts) await client.query(script);
    });
  }
  return testDatabase;
}
