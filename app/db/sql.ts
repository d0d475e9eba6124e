// Typed SQL on the driver for the worker's batch paths (docs/decisions/007-batch-data-access.md).
//
// Prisma's query pipeline costs about a millisecond of CPU per statement here; the driver costs tens
// of microseconds. The hot batch paths therefore run their few, large statements on a connection of
// their own (better-sqlite3 / pg), while everything else keeps using Prisma. Rows read and written
// here have exactly the shape of Prisma's model types (dates as Date, booleans, JSON values), with
// 64-bit integers as numbers; values are stored exactly as Prisma stores them, so either side reads
// what the other wrote. Column names are checked against the Prisma model types at compile time.
import { Prisma } from "@prisma/client";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import type { ResolvedDatabase } from "../../prisma/database.mjs";
import { fromStoredInteger, type FromStored } from "../money/stored";
import { splitSchemaParameter } from "./adapters";

export type SqlProvider = "sqlite" | "postgresql";

export interface SqlTx {
  readonly provider: SqlProvider;
  /** Runs a statement written with `?` placeholders; returns its rows (RETURNING included). */
  query<T = Record<string, unknown>>(sql: string, parameters?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement; returns the number of rows it changed. */
  execute(sql: string, parameters?: readonly unknown[]): Promise<number>;
}

export interface SqlConnection {
  readonly provider: SqlProvider;
  /** One transaction (SQLite: BEGIN IMMEDIATE, the write lock up front); rolled back on any error. */
  transaction<T>(work: (tx: SqlTx) => Promise<T>): Promise<T>;
  /**
   * Reads without taking the write lock (SQLite: plain statements on this connection, in turn with
   * its transactions; PostgreSQL: a pooled connection, no transaction). For hot read paths such as
   * the storefront's panel; never write through it.
   */
  read<T>(work: (tx: SqlTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Connections

export function openSqlConnection(database: ResolvedDatabase): SqlConnection {
  return database.provider === "sqlite" ? sqliteConnection(database) : postgresConnection(database);
}

function sqliteConnection(database: ResolvedDatabase): SqlConnection {
  let connection: BetterSqlite3.Database | null = null;
  const statements = new Map<string, BetterSqlite3.Statement>();
  const open = () => {
    if (!connection) {
      connection = new BetterSqlite3(database.filePath ?? "", { fileMustExist: true, timeout: 10_000 });
      connection.pragma("journal_mode = WAL");
      // Like Prisma's own connection: foreign keys are enforced.
      connection.pragma("foreign_keys = ON");
      // Integers come back as bigint, so a 64-bit amount is read exactly or refused (decodeValue).
      connection.defaultSafeIntegers(true);
    }
    return connection;
  };
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = open().prepare(sql);
      // Statements whose text depends on the row count are many and large: keep only a few.
      if (statements.size > 64) statements.clear();
      statements.set(sql, statement);
    }
    return statement;
  };
  const tx: SqlTx = {
    provider: "sqlite",
    async query<T>(sql: string, parameters: readonly unknown[] = []) {
      const statement = prepare(sql);
      if (!statement.reader) {
        statement.run(...parameters);
        return [] as T[];
      }
      return statement.all(...parameters) as T[];
    },
    async execute(sql, parameters = []) {
      return prepare(sql).run(...parameters).changes;
    },
  };
  const queue = new SerialQueue();
  return {
    provider: "sqlite",
    transaction: (work) =>
      queue.run(async () => {
        prepare("BEGIN IMMEDIATE").run();
        try {
          const result = await work(tx);
          prepare("COMMIT").run();
          return result;
        } catch (error) {
          if (open().inTransaction) prepare("ROLLBACK").run();
          throw error;
        }
      }),
    read: (work) => queue.run(() => work(tx)),
    async close() {
      connection?.close();
      connection = null;
      statements.clear();
    },
  };
}

// Values come back as text for the types this layer decodes itself, so both providers go through
// the same decoding (and a 64-bit integer is checked, not silently rounded).
const rawTextTypes = new Set([20 /* int8 */, 1114 /* timestamp */, 1184 /* timestamptz */, 114, 3802]);
const postgresTypes = {
  getTypeParser(oid: number, format?: string) {
    if (rawTextTypes.has(oid)) return (value: string) => value;
    return pg.types.getTypeParser(oid, format as "text");
  },
} as pg.CustomTypesConfig;

function postgresConnection(database: ResolvedDatabase): SqlConnection {
  const { connectionString, schema } = splitSchemaParameter(database.url);
  const pool = new pg.Pool({
    connectionString,
    max: 2,
    types: postgresTypes,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  pool.on("error", () => {
    // An idle connection dropped by the server; the pool replaces it on next use.
  });
  return {
    provider: "postgresql",
    async transaction(work) {
      const client = await pool.connect();
      const tx: SqlTx = {
        provider: "postgresql",
        async query<T>(sql: string, parameters: readonly unknown[] = []) {
          const result = await client.query(statement(sql, parameters));
          return result.rows as T[];
        },
        async execute(sql, parameters = []) {
          const result = await client.query(statement(sql, parameters));
          return result.rowCount ?? 0;
        },
      };
      let broken = false;
      try {
        await client.query("BEGIN");
        const result = await work(tx);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async read(work) {
      const client = await pool.connect();
      try {
        return await work({
          provider: "postgresql",
          async query<T>(sql: string, parameters: readonly unknown[] = []) {
            return (await client.query(statement(sql, parameters))).rows as T[];
          },
          async execute(sql, parameters = []) {
            return (await client.query(statement(sql, parameters))).rowCount ?? 0;
          },
        });
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

const statementNames = new Map<string, string>();

/**
 * A pg query config. Statements whose text does not depend on the number of rows (this layer's
 * array parameters) are prepared once per connection and reused by name.
 */
function statement(sql: string, parameters: readonly unknown[]): pg.QueryConfig {
  const text = numberedPlaceholders(sql);
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `stayloop_${statementNames.size + 1}`;
    if (statementNames.size < 500) statementNames.set(text, name);
    else return { text, values: parameters as unknown[] };
  }
  return { name, text, values: parameters as unknown[] };
}

const placeholderCache = new Map<string, string>();

/** `?` → `$1, $2, …` (the statements here never contain a literal question mark). */
export function numberedPlaceholders(sql: string): string {
  let numbered = placeholderCache.get(sql);
  if (numbered === undefined) {
    let index = 0;
    numbered = sql.replace(/\?/g, () => `$${++index}`);
    if (placeholderCache.size > 500) placeholderCache.clear();
    placeholderCache.set(sql, numbered);
  }
  return numbered;
}

class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

// ---------------------------------------------------------------------------------------------
// Values, by the Prisma datamodel

export type ModelName = Prisma.ModelName;
type FieldType =
  "String" | "Int" | "BigInt" | "Float" | "Boolean" | "DateTime" | "Json" | "Decimal" | "Bytes";

const modelFields = new Map<string, Map<string, FieldType>>(
  Prisma.dmmf.datamodel.models.map((model) => [
    model.name,
    new Map(
      model.fields
        .filter((field) => field.kind === "scalar" || field.kind === "enum")
        .map((field) => [field.name, (field.kind === "enum" ? "String" : field.type) as FieldType]),
    ),
  ]),
);

/** The PostgreSQL type of each field type, as the twin schema declares it (for typed arrays). */
const postgresColumnTypes: Record<FieldType, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Float: "double precision",
  Boolean: "boolean",
  DateTime: "timestamp(3)",
  Json: "jsonb",
  Decimal: "numeric",
  Bytes: "bytea",
};

function fieldsOf(model: ModelName): Map<string, FieldType> {
  const fields = modelFields.get(model);
  if (!fields) throw new Error(`unknown model ${model}`);
  return fields;
}

/** A value as the provider stores it for a column of this type. */
export function encodeValue(provider: SqlProvider, type: FieldType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "DateTime": {
      const iso = (value as Date).toISOString();
      // Prisma's SQLite adapter stores "…+00:00"; PostgreSQL's timestamp(3) takes UTC wall time.
      return provider === "sqlite" ? iso.replace("Z", "+00:00") : iso.replace("T", " ").replace("Z", "");
    }
    case "Boolean":
      return provider === "sqlite" ? (value ? 1 : 0) : Boolean(value);
    case "Json":
      return JSON.stringify(value);
    case "BigInt":
    case "Int":
      return typeof value === "bigint" ? Number(value) : value;
    default:
      return value;
  }
}

function decodeValue(type: FieldType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "DateTime":
      if (value instanceof Date) return value;
      return new Date(
        /[zZ]|[+-]\d\d:?\d\d$/.test(String(value)) ? String(value) : `${String(value).replace(" ", "T")}Z`,
      );
    case "Boolean":
      return value === true || value === 1 || value === 1n || value === "t" || value === "true";
    case "Json":
      return typeof value === "string" ? JSON.parse(value) : value;
    case "BigInt":
    case "Int":
      // 64-bit integers come as text from pg (see postgresTypes): read exactly, or refused.
      return fromStoredInteger(typeof value === "string" ? BigInt(value) : (value as number | bigint));
    default:
      return value;
  }
}

export function decodeRow<T>(model: ModelName, row: Record<string, unknown>): T {
  const fields = fieldsOf(model);
  const decoded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    const type = fields.get(name);
    decoded[name] = type ? decodeValue(type, value) : value;
  }
  return decoded as T;
}

// ---------------------------------------------------------------------------------------------
// Statements

const quote = (name: string) => `"${name}"`;
/** Rows per statement: far below both providers' limit on bound parameters. */
const maxParameters = 30_000;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/**
 * `column IN (values)` for a statement: PostgreSQL takes the values as one typed array parameter
 * (`= ANY(…)`, so the statement text stays the same and is prepared once); SQLite as a list.
 */
export function inList(
  tx: SqlTx,
  column: string,
  type: FieldType,
  values: readonly unknown[],
): { sql: string; parameters: unknown[] } {
  const encoded = values.map((value) => encodeValue(tx.provider, type, value));
  if (tx.provider === "postgresql")
    return {
      sql: `${quote(column)} = ANY(CAST(? AS ${postgresColumnTypes[type]}[]))`,
      parameters: [encoded],
    };
  return { sql: `${quote(column)} IN (${encoded.map(() => "?").join(", ")})`, parameters: encoded };
}

/** Values per statement: SQLite binds each as a parameter, far below its limit. */
function valueChunks<T>(tx: SqlTx, values: readonly T[], reserved = 0): T[][] {
  return tx.provider === "postgresql" ? [[...values]] : chunks(values, maxParameters - reserved);
}

function columnType(model: ModelName, column: string): FieldType {
  const type = fieldsOf(model).get(column);
  if (!type) throw new Error(`${model}.${column} is not a column`);
  return type;
}

/**
 * `SELECT * FROM model WHERE [where AND] column IN (values)`; PostgreSQL rows are locked (FOR NO KEY
 * UPDATE, in id order) when `lock` is set — SQLite's transaction already holds the write lock.
 */
export async function selectWhereIn<T>(
  tx: SqlTx,
  model: ModelName,
  column: keyof T & string,
  values: readonly unknown[],
  options: { where?: string; parameters?: readonly unknown[]; lock?: boolean } = {},
): Promise<FromStored<T>[]> {
  const unique = [...new Set(values)];
  if (unique.length === 0) return [];
  const type = columnType(model, column);
  const rows: FromStored<T>[] = [];
  for (const part of valueChunks(tx, unique, options.parameters?.length ?? 0)) {
    const list = inList(tx, column, type, part);
    const sql =
      `SELECT * FROM ${quote(model)} WHERE ${options.where ? `${options.where} AND ` : ""}${list.sql}` +
      // NO KEY UPDATE: keys never change here, and foreign-key checks of other writers (a new
      // member referring to a customer) must not queue behind it — that made two workers deadlock.
      (options.lock && tx.provider === "postgresql" ? " ORDER BY id FOR NO KEY UPDATE" : "");
    const found = await tx.query<Record<string, unknown>>(sql, [
      ...(options.parameters ?? []),
      ...list.parameters,
    ]);
    for (const row of found) rows.push(decodeRow<FromStored<T>>(model, row));
  }
  return rows;
}

export interface InsertOptions<T> {
  /** Unique columns: with `update`, a conflicting row is updated (all other columns), else skipped. */
  conflict?: readonly (keyof T & string)[];
  update?: boolean;
  /** Columns to return, for the rows actually inserted or updated. */
  returning?: readonly (keyof T & string)[];
}

/**
 * A multi-row INSERT of complete rows (every column given); returns the RETURNING rows.
 * PostgreSQL: one typed array per column (`SELECT * FROM unnest(…)`), a statement prepared once;
 * SQLite: a VALUES list, in chunks.
 */
export async function insertRows<T>(
  tx: SqlTx,
  model: ModelName,
  rows: readonly FromStored<T>[],
  options: InsertOptions<T> = {},
): Promise<Record<string, unknown>[]> {
  if (rows.length === 0) return [];
  const fields = fieldsOf(model);
  const columns = [...fields.keys()].filter((column) => column in (rows[0] as object));
  const conflict = options.conflict?.map(quote).join(", ");
  const onConflict = conflict
    ? options.update
      ? ` ON CONFLICT (${conflict}) DO UPDATE SET ${columns
          .filter((column) => !options.conflict?.includes(column as keyof T & string))
          .map((column) => `${quote(column)} = excluded.${quote(column)}`)
          .join(", ")}`
      : ` ON CONFLICT (${conflict}) DO NOTHING`
    : "";
  const returning = options.returning?.length ? ` RETURNING ${options.returning.map(quote).join(", ")}` : "";
  const into = `INSERT INTO ${quote(model)} (${columns.map(quote).join(", ")}) `;
  const value = (row: FromStored<T>, column: string) => {
    const record = row as Record<string, unknown>;
    if (!(column in record)) throw new Error(`${model} row without ${column}: rows must be complete`);
    return encodeValue(tx.provider, fields.get(column) as FieldType, record[column]);
  };
  const run = (sql: string, parameters: unknown[]) =>
    returning
      ? tx.query<Record<string, unknown>>(sql, parameters)
      : tx.execute(sql, parameters).then(() => []);

  if (tx.provider === "postgresql") {
    const arrays = columns.map(
      (column) => `CAST(? AS ${postgresColumnTypes[fields.get(column) as FieldType]}[])`,
    );
    const sql = `${into}SELECT * FROM unnest(${arrays.join(", ")})${onConflict}${returning}`;
    return run(
      sql,
      columns.map((column) => rows.map((row) => value(row, column))),
    );
  }
  const rowPlaceholder = `(${columns.map(() => "?").join(", ")})`;
  const returned: Record<string, unknown>[] = [];
  for (const part of chunks(rows, Math.max(1, Math.floor(maxParameters / columns.length)))) {
    const sql = `${into}VALUES ${part.map(() => rowPlaceholder).join(", ")}${onConflict}${returning}`;
    returned.push(
      ...(await run(
        sql,
        part.flatMap((row) => columns.map((column) => value(row, column))),
      )),
    );
  }
  return returned;
}

/** `DELETE FROM model WHERE [where AND] column IN (values)`; returns the number of rows deleted. */
export async function deleteWhereIn<T>(
  tx: SqlTx,
  model: ModelName,
  column: keyof T & string,
  values: readonly unknown[],
  options: { where?: string; parameters?: readonly unknown[] } = {},
): Promise<number> {
  const unique = [...new Set(values)];
  if (unique.length === 0) return 0;
  const type = columnType(model, column);
  let deleted = 0;
  for (const part of valueChunks(tx, unique, options.parameters?.length ?? 0)) {
    const list = inList(tx, column, type, part);
    deleted += await tx.execute(
      `DELETE FROM ${quote(model)} WHERE ${options.where ? `${options.where} AND ` : ""}${list.sql}`,
      [...(options.parameters ?? []), ...list.parameters],
    );
  }
  return deleted;
}

/**
 * PostgreSQL: transaction-scoped advisory locks on these keys, taken in one statement in a fixed
 * order (so two batches never deadlock on them). They stand for rows that may not exist yet — two
 * workers creating the same customer serialise here. SQLite: the write lock already serialises.
 */
export async function lockKeys(tx: SqlTx, keys: Iterable<string>): Promise<void> {
  if (tx.provider !== "postgresql") return;
  const hashes = [...new Set([...keys].map(keyHash))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (hashes.length === 0) return;
  await tx.query(
    "SELECT pg_advisory_xact_lock(k) FROM (SELECT unnest(CAST(? AS bigint[])) AS k ORDER BY 1) AS keys",
    [hashes.map(String)],
  );
}

/** A stable signed 64-bit hash of a key (FNV-1a). */
export function keyHash(key: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (let index = 0; index < key.length; index += 1) {
    hash ^= BigInt(key.charCodeAt(index));
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return BigInt.asIntN(64, hash);
}

/**
 * Updates many rows by id, each with its own values for `columns`, in one statement on PostgreSQL
 * (`UPDATE … FROM unnest(typed arrays)`); SQLite runs one prepared statement per row inside the
 * caller's transaction (cheap there: no round trip). Returns the number of rows changed.
 */
export async function updateRows<T extends { id: string }>(
  tx: SqlTx,
  model: ModelName,
  rows: readonly FromStored<T>[],
  columns: readonly (keyof T & string)[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const types = columns.map((column) => columnType(model, column));
  const value = (row: FromStored<T>, column: string, index: number) =>
    encodeValue(tx.provider, types[index] as FieldType, (row as Record<string, unknown>)[column]);
  if (tx.provider === "postgresql") {
    const arrays = ["CAST(? AS text[])", ...types.map((type) => `CAST(? AS ${postgresColumnTypes[type]}[])`)];
    const names = ["id", ...columns].map(quote).join(", ");
    const sql =
      `UPDATE ${quote(model)} AS t SET ${columns.map((column) => `${quote(column)} = v.${quote(column)}`).join(", ")}` +
      ` FROM unnest(${arrays.join(", ")}) AS v(${names}) WHERE t.id = v.id`;
    return tx.execute(sql, [
      rows.map((row) => row.id),
      ...columns.map((column, index) => rows.map((row) => value(row, column, index))),
    ]);
  }
  const sql = `UPDATE ${quote(model)} SET ${columns.map((column) => `${quote(column)} = ?`).join(", ")} WHERE id = ?`;
  let changed = 0;
  for (const row of rows) {
    changed += await tx.execute(sql, [...columns.map((column, index) => value(row, column, index)), row.id]);
  }
  return changed;
}
