// Driver adapters for both providers, shared by the app (app/db/client.ts) and the Prisma CLI
// (prisma.config.ts) so both connect the same way.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { ResolvedDatabase } from "../../prisma/database.mjs";

export function sqliteAdapter(database: ResolvedDatabase): PrismaBetterSQLite3 {
  // Web and worker processes share the file: wait for the writer instead of failing at once.
  return new ImmediateTransactionsSQLite3({ url: database.url, timeout: 10_000 });
}

/**
 * The better-sqlite3 adapter with interactive transactions (`$transaction(async (tx) => …)`) begun
 * as `BEGIN IMMEDIATE` instead of a plain (deferred) `BEGIN`.
 *
 * A deferred transaction takes the write lock only at its first write. Ours read first (the ledger
 * looks for an earlier posting, then updates the member), and in WAL mode a transaction that has
 * read cannot take the write lock once another process has committed since its read, or holds the
 * lock: SQLite answers SQLITE_BUSY / SQLITE_BUSY_SNAPSHOT ("database is locked") at once, without
 * waiting out the busy timeout (waiting could deadlock). With the demo's worker applying store
 * events, a merchant's point adjustment then failed with a 500. `BEGIN IMMEDIATE` takes the write
 * lock up front, where the busy timeout applies, so a transaction queues behind the other
 * process's writer and then sees the latest data.
 */
class ImmediateTransactionsSQLite3 extends PrismaBetterSQLite3 {
  override async connect(): Promise<SqlDriverAdapter> {
    return beginImmediately(await super.connect());
  }

  override async connectToShadowDb(): Promise<SqlDriverAdapter> {
    return beginImmediately(await super.connectToShadowDb());
  }
}

type SqlDriverAdapter = Awaited<ReturnType<PrismaBetterSQLite3["connect"]>>;
type Prepare = (sql: string) => unknown;

function beginImmediately(adapter: SqlDriverAdapter): SqlDriverAdapter {
  // The adapter runs `client.prepare("BEGIN").run()` to start a transaction; its client is the
  // better-sqlite3 connection. Fail loudly if an upgrade changes that, rather than quietly go back
  // to deferred transactions.
  const client = (adapter as unknown as { client?: { prepare?: Prepare } }).client;
  if (typeof client?.prepare !== "function") {
    throw new Error("@prisma/adapter-better-sqlite3 changed: cannot make its transactions BEGIN IMMEDIATE");
  }
  const prepare = client.prepare.bind(client);
  client.prepare = (sql: string) => prepare(sql === "BEGIN" ? "BEGIN IMMEDIATE" : sql);
  return adapter;
}

export function postgresAdapter(database: ResolvedDatabase): PrismaPg {
  const { connectionString, schema } = splitSchemaParameter(database.url);
  return new PrismaPg(
    { connectionString, ...(schema ? { options: `-c search_path=${schema}` } : {}) },
    schema ? { schema } : undefined,
  );
}

/** `?schema=name` is Prisma's convention for a PostgreSQL schema; pg itself does not know it. */
export function splitSchemaParameter(url: string): { connectionString: string; schema: string | null } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema");
  parsed.searchParams.delete("schema");
  if (schema !== null && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) {
    throw new Error(`DATABASE_URL schema "${schema}" is not a plain identifier`);
  }
  return { connectionString: parsed.toString(), schema };
}
