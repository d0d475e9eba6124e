// Prisma CLI configuration: the WASM schema engine and a driver adapter, so no engine binary is
// ever downloaded (docs/decisions/001-databases.md). The provider follows DATABASE_URL.
import { defineConfig } from "prisma/config";
import { postgresAdapter, sqliteAdapter } from "./app/db/adapters";
import { resolveDatabase } from "./prisma/database.mjs";

const database = resolveDatabase(process.env.DATABASE_URL);

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: database.schemaPath,
  migrations: { path: database.migrationsPath },
  async adapter() {
    return database.provider === "postgresql" ? postgresAdapter(database) : sqliteAdapter(database);
  },
});
