#!/usr/bin/env tsx
// `npm run analytics:rebuild -- --shop DOMAIN`: recomputes a shop's analytics rollups from its
// raw orders (docs/decisions/013-analytics.md) — after a backfill, a time-zone or activity-window
// change, or to check the incremental rollups. Safe while the worker runs: one transaction under
// the shop's analytics lock.
import { parseArgs } from "node:util";
import { createDatabaseClient, sqlConnectionOf } from "../app/db/client";
import { rebuildShopAnalytics } from "../app/analytics/rebuild";
import { resolveDatabase } from "../prisma/database.mjs";

const { values } = parseArgs({ options: { shop: { type: "string" } } });
if (!values.shop || !/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(values.shop)) {
  console.error("usage: npm run analytics:rebuild -- --shop example.myshopify.com");
  process.exit(2);
}
const db = createDatabaseClient(resolveDatabase(process.env.DATABASE_URL));
try {
  const shop = await db.shop.findUnique({ where: { domain: values.shop }, select: { id: true } });
  if (!shop) {
    console.error(`no shop ${values.shop} in this database`);
    process.exitCode = 1;
  } else {
    const started = performance.now();
    const result = await rebuildShopAnalytics(sqlConnectionOf(db), shop.id);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `rebuilt ${values.shop}: ${result.customers} customers, ${result.orders} qualifying orders in ${seconds} s`,
    );
  }
} finally {
  await db.$disconnect();
}
