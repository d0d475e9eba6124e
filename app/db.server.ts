// The process's one Prisma client, for the database DATABASE_URL names. The HTTP server and the
// Remix build are bundled separately; the global keeps them (and dev reloads) on one client.
import { createDatabaseClient, type Database } from "./db/client";
import { env } from "./env.server";

declare global {
  var stayloopPrisma: Database | undefined;
}

const prisma: Database = (globalThis.stayloopPrisma ??= createDatabaseClient(env.database));

export default prisma;
