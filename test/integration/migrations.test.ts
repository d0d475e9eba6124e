// `npm run db:migrate` (prisma migrate deploy through the WASM engine) builds the whole schema on an
// empty database, reports it up to date, and is a no-op the second time.
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { projectRoot } from "../../prisma/database.mjs";
import { createEmptyTestDatabase, testProvider, type TestDatabase } from "../support/database";

const expectedTables = [
  "AnalyticsCohort",
  "AnalyticsCustomer",
  "AnalyticsDay",
  "AnalyticsOrder",
  "AnalyticsSettings",
  "AnalyticsSpell",
  "BackfillRun",
  "BrowseEvent",
  "CashbackCredit",
  "Checkout",
  "ConsentChange",
  "Customer",
  "CustomerDataExport",
  "DemoClock",
  "DomainEvent",
  "Flow",
  "FlowChange",
  "FlowRun",
  "FlowSettings",
  "FlowStepLog",
  "FlowVersion",
  "InboundMessage",
  "IntelligenceSettings",
  "Job",
  "LoyaltyLedgerEntry",
  "LoyaltyMember",
  "LoyaltyProgram",
  "LoyaltyReward",
  "Message",
  "MessagingSettings",
  "NpsAnswer",
  "Order",
  "OrderLine",
  "Product",
  "ProductConsumption",
  "ProductInsight",
  "ProductVariant",
  "Redemption",
  "Referral",
  "Refund",
  "Replenishment",
  "Segment",
  "Session",
  "Shop",
  "ShopRedaction",
  "WebhookInbox",
  "WorkerHeartbeat",
  "_prisma_migrations",
];

function npmRun(script: string, databaseUrl: string) {
  const result = spawnSync("npm", ["run", "--silent", script], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

async function tableNames(db: Database, provider: string): Promise<string[]> {
  const rows =
    provider === "sqlite"
      ? await db.$queryRawUnsafe<{ name: string }[]>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
      : await db.$queryRawUnsafe<{ name: string }[]>(
          "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()",
        );
  return rows.map((row) => row.name).sort();
}

describe(`migrations on ${testProvider}`, () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createEmptyTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("apply with one command and create every table", async () => {
    const deploy = npmRun("db:migrate", database.url);
    expect(deploy.output).toContain("All migrations have been successfully applied");
    expect(deploy.status).toBe(0);
    const db = database.connect();
    expect(await tableNames(db, testProvider)).toEqual(expectedTables);
  });

  it("report the database up to date and apply nothing twice", () => {
    const status = npmRun("db:status", database.url);
    expect(status.output).toContain("Database schema is up to date");
    expect(status.status).toBe(0);
    const again = npmRun("db:migrate", database.url);
    expect(again.status).toBe(0);
    expect(again.output).toContain("No pending migrations to apply");
  });

  it("enforce the shop-scoped unique keys the domain relies on", async () => {
    const db = database.connect();
    const alpha = await db.shop.create({ data: { domain: "alpha.myshopify.com" } });
    const beta = await db.shop.create({ data: { domain: "beta.myshopify.com" } });
    // The same Shopify customer id in two shops is two customers (R-SEC-1).
    await db.customer.create({ data: { shopId: alpha.id, shopifyId: "207119551" } });
    await db.customer.create({ data: { shopId: beta.id, shopifyId: "207119551" } });
    await expect(
      db.customer.create({ data: { shopId: alpha.id, shopifyId: "207119551" } }),
    ).rejects.toMatchObject({
      code: "P2002",
    });
    // Deleting a shop (shop/redact) removes its rows and only its rows.
    await db.shop.delete({ where: { id: alpha.id } });
    expect(await db.customer.count()).toBe(1);
  });
});
