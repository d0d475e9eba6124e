// A worker's driver connection (app/db/sql.ts) with a fault injected: every statement is first
// shown to `check`, which may throw what the database would answer; the rest goes to the real one.
import type { SqlConnection } from "../../app/db/sql";

export type StatementCheck = (sql: string, parameters: readonly unknown[]) => void | Promise<void>;

export function faultySqlConnection(real: SqlConnection, check: StatementCheck): SqlConnection {
  return {
    provider: real.provider,
    close: () => real.close(),
    read: (work) =>
      real.read((tx) =>
        work({
          provider: tx.provider,
          query: async (sql, parameters = []) => (await check(sql, parameters), tx.query(sql, parameters)),
          execute: async (sql, parameters = []) => (
            await check(sql, parameters),
            tx.execute(sql, parameters)
          ),
        }),
      ),
    transaction: (work) =>
      real.transaction((tx) =>
        work({
          provider: tx.provider,
          query: async (sql, parameters = []) => (await check(sql, parameters), tx.query(sql, parameters)),
          execute: async (sql, parameters = []) => (
            await check(sql, parameters),
            tx.execute(sql, parameters)
          ),
        }),
      ),
  };
}
