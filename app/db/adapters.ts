// Driver adapters for both providers, shared by the app (app/db/client.ts) and the Prisma CLI
// (prisma.config.ts) so both connect the same way.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { ResolvedDatabase } from "../../prisma/database.mjs";

export function sqliteAdapter(database: ResolvedDatabase): PrismaBetterSQLite3 {
  // Web and worker processes share the file: wait for the writer instead of failing at once.
  return new PrismaBetterSQLite3({ url: database.url, timeout: 10_000 });
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
