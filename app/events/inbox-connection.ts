// The intake's own database connection. The inbox INSERT is the one statement on the webhook hot
// path, so it goes straight to the driver (better-sqlite3 / pg) instead of through Prisma's query
// pipeline, which costs it ~3× more per batch (docs/benchmarks.md).
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import type { ResolvedDatabase } from "../../prisma/database.mjs";
import { splitSchemaParameter } from "../db/adapters";

export interface InboxConnection {
  /** Runs one INSERT … RETURNING "webhookId" and returns the returned ids. */
  insertReturning(sql: string, parameters: readonly unknown[]): Promise<string[]>;
  close(): Promise<void>;
}

export function openInboxConnection(database: ResolvedDatabase): InboxConnection {
  if (database.provider === "sqlite") {
    let connection: BetterSqlite3.Database | null = null;
    const statements = new Map<string, BetterSqlite3.Statement>();
    // Opened on first use, so a web process starts even while the database is not there yet.
    const open = () => {
      if (!connection) {
        connection = new BetterSqlite3(database.filePath ?? "", { fileMustExist: true, timeout: 10_000 });
        connection.pragma("journal_mode = WAL");
      }
      return connection;
    };
    return {
      async insertReturning(sql, parameters) {
        const db = open();
        let statement = statements.get(sql);
        if (!statement) {
          statement = db.prepare(sql);
          statements.set(sql, statement);
        }
        return (statement.all(...parameters) as { webhookId: string }[]).map((row) => row.webhookId);
      },
      async close() {
        connection?.close();
      },
    };
  }
  const { connectionString, schema } = splitSchemaParameter(database.url);
  const pool = new pg.Pool({
    connectionString,
    max: 4,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  pool.on("error", () => {
    // An idle connection dropped by the server; the pool replaces it on next use.
  });
  return {
    async insertReturning(sql, parameters) {
      const result = await pool.query<{ webhookId: string }>(sql, parameters as unknown[]);
      return result.rows.map((row) => row.webhookId);
    },
    close: () => pool.end(),
  };
}
