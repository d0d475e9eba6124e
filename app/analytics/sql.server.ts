// The web process's driver-level connection for the analytics reads (app/db/sql.ts): the Remix
// bundle has its own copy of app/db/client.ts, so the Prisma client's companion connection is not
// reachable from here; one connection per process, kept for its lifetime.
import { openSqlConnection, type SqlConnection } from "../db/sql";
import { env } from "../env.server";

declare global {
  var stayloopAnalyticsSql: SqlConnection | undefined;
}

export function analyticsSqlConnection(): SqlConnection {
  return (globalThis.stayloopAnalyticsSql ??= openSqlConnection(env.database));
}
