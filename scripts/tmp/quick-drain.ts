import { ManualClock } from "../../test/support/clock";
import { createTestDatabase } from "../../test/support/database";
import { drain, storeDeliveries, testWorker } from "../../test/support/inbox";
import { orderPayload, customerPayload } from "../../test/fixtures/shopify-payloads";
import { workerSetup } from "../../app/worker-setup";
const provider = (process.argv[2] ?? "sqlite") as "sqlite" | "postgresql";
const pairs = Number(process.argv[3] ?? 1000);
const batch = Number(process.argv[4] ?? 200);
const database = await createTestDatabase(provider);
const db = database.connect();
const shop = await db.shop.create({ data: { domain: "alpha.myshopify.com" } });
await db.loyaltyProgram.create({ data: { shopId: shop.id, enabled: true, signupPoints: 50 } });
const clock = new ManualClock(new Date("2026-11-02T00:00:00Z"));
const deliveries = [];
for (let i = 0; i < pairs; i++) {
  const customer = { id: 9000 + i, email: `c${i}@example.com`, firstName: "C", lastName: String(i), updatedAt: "2026-11-01T00:00:00Z" };
  deliveries.push({ topic: "customers/create", webhookId: `c-${i}`, eventId: `ce-${i}`, triggeredAt: "2026-11-01T00:00:00Z", body: JSON.stringify(customerPayload(customer as never)) });
  deliveries.push({ topic: "orders/paid", webhookId: `o-${i}`, eventId: `oe-${i}`, triggeredAt: "2026-11-01T00:00:00Z", body: JSON.stringify(orderPayload({ id: 500000 + i, number: 1000 + i, customer, lines: [{ id: 700000 + i, productId: 1, variantId: 2, title: "Beans", price: "14.50", quantity: 2 }], createdAt: "2026-11-01T00:00:00Z", updatedAt: "2026-11-01T00:00:01Z" } as never)) });
}
await storeDeliveries(db, "alpha.myshopify.com", deliveries as never, clock.now());
const setup = workerSetup({ clock, adminClientFor: (() => { throw new Error("no admin"); }) as never });
const worker = testWorker(db, clock, { batchSize: batch, ...setup });
import { Session } from "node:inspector/promises";
import { writeFileSync } from "node:fs";
const session = new Session(); session.connect();
if (process.env.PROFILE) { await session.post("Profiler.enable"); await session.post("Profiler.start"); }
const started = performance.now();
const handled = await drain(worker);
const seconds = (performance.now() - started) / 1000;
if (process.env.PROFILE) { const { profile } = await session.post("Profiler.stop"); writeFileSync(process.env.PROFILE, JSON.stringify(profile)); }
console.log(JSON.stringify({ provider, deliveries: deliveries.length, handled, seconds, perSecond: Math.round(deliveries.length / seconds),
  entries: await db.loyaltyLedgerEntry.count(), failedInbox: await db.webhookInbox.count({ where: { status: { not: "done" } } }), jobsLeft: await db.job.count({ where: { status: { in: ["scheduled", "claimed"] }, runAt: { lte: clock.now() } } }), jobsFailed: await db.job.count({ where: { status: "failed" } }) }));
await database.drop();
