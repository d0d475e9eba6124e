// Cashback through the real worker and the fake Admin API over HTTP (R-LOY-3): recorded once per
// paid order, shrunk by refunds before the payout, paid after the returns window as store credit or
// as a single-use code, taken back after the payout where Shopify allows it, and never paid twice.
import type { Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { cashbackForAmount, owedBack, takeBackSettleMs } from "../../app/loyalty/cashback";
import { saveProgramSettings } from "../../app/loyalty/program";
import { createAdminClient } from "../../app/shopify/admin-client";
import { workerSetup } from "../../app/worker-setup";
import { orderPayload, refundPayload, type CustomerSeed } from "../fixtures/shopify-payloads";
import { webhookDelivery, type WebhookDelivery } from "../fixtures/store-history";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { startFakeAdminApi, type FakeAdminApi } from "../support/fake-admin-api";
import { drain, storeDeliveries, testWorker } from "../support/inbox";
import { numbers } from "../support/stored";

const day = 86_400_000;
const accessToken = "shpat_cashback";

const delivery = (topic: string, payload: unknown) => webhookDelivery(topic, payload, "2026-11-24T00:00:00Z");

const person = (id: number): CustomerSeed => ({
  id,
  email: `buyer${id}@example.com`,
  firstName: "B",
  lastName: String(id),
  updatedAt: "2026-11-24T00:00:00Z",
});

describe(`loyalty cashback on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let fake: FakeAdminApi;
  let shop: Shop;
  let other: Shop;
  const clock = new ManualClock("2026-11-24T10:00:00Z");
  let run: () => Promise<number>;

  const deliver = async (target: Shop, ...deliveries: WebhookDelivery[]) => {
    await storeDeliveries(db, target.domain, deliveries, clock.now());
    await run();
  };
  /** An order of three €40 lines (€120 subtotal) plus €5 shipping, paid now. */
  const order = (id: number, buyer: CustomerSeed, extra: { cancelledAt?: string } = {}) => {
    const at = clock.now().toISOString();
    return orderPayload({
      id,
      number: id,
      customer: buyer,
      currency: "EUR",
      lines: [1, 2, 3].map((index) => ({
        id: id * 10 + index,
        productId: index,
        variantId: index,
        title: `Item ${index}`,
        price: "40.00",
        quantity: 1,
      })),
      createdAt: at,
      updatedAt: extra.cancelledAt ?? at,
      cancelledAt: extra.cancelledAt ?? null,
    });
  };
  const refundOf = (id: number, orderId: number, line: number) =>
    refundPayload({
      id,
      orderId,
      lines: [{ lineItemId: orderId * 10 + line, quantity: 1, subtotal: "40.00" }],
      amount: "40.00",
      currency: "EUR",
      createdAt: clock.now().toISOString(),
    });
  const creditFor = async (target: Shop, orderShopifyId: number) => {
    const found = numbers(
      await db.order.findFirstOrThrow({
        where: { shopId: target.id, shopifyId: String(orderShopifyId) },
      }),
    );
    return numbers(
      await db.cashbackCredit.findUnique({
        where: { shopId_orderId: { shopId: target.id, orderId: found.id } },
      }),
    );
  };
  const balanceAtShopify = (buyer: CustomerSeed) =>
    fake.commerce.storeCreditBalance(shop.domain, `gid://shopify/Customer/${buyer.id}`);

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    fake = await startFakeAdminApi({ customers: 0, orders: 0, products: 0, accessToken });
    shop = await db.shop.create({ data: { domain: "cashback.myshopify.com", currency: "EUR" } });
    other = await db.shop.create({ data: { domain: "no-cashback.myshopify.com", currency: "EUR" } });
    for (const target of [shop, other]) {
      await db.session.create({
        data: {
          id: `offline_${target.domain}`,
          shop: target.domain,
          state: "",
          isOnline: false,
          accessToken,
        },
      });
    }
    await saveProgramSettings(
      db,
      shop.id,
      { enabled: true, pendingDays: 14, cashbackBasisPoints: 500, cashbackMethod: "store_credit" },
      clock.now(),
    );
    await saveProgramSettings(db, other.id, { enabled: true, pendingDays: 14 }, clock.now());
    const worker = testWorker(db, clock, {
      ...workerSetup({
        clock,
        adminClientFor: (target, token) =>
          createAdminClient({
            shopDomain: target.domain,
            accessToken: token,
            endpoint: fake.endpoint(target.domain),
            sleep: async () => {},
            maxAttempts: 2,
            requestTimeoutMs: 2_000,
          }),
      }),
    });
    run = () => drain(worker);
  });

  afterAll(async () => {
    await fake?.close();
    await database?.drop();
  });

  it("rounds cashback down to the minor unit", () => {
    expect(cashbackForAmount(12_000, 500)).toBe(600);
    expect(cashbackForAmount(1_999, 250)).toBe(49); // 49.975 → 49
    expect(cashbackForAmount(1_999, 0)).toBe(0);
    expect(owedBack({ amountMinor: 600, reversedMinor: 400, issuedMinor: 400, unrecoveredMinor: 0 })).toBe(
      200,
    );
    expect(owedBack({ amountMinor: 600, reversedMinor: 200, issuedMinor: 400, unrecoveredMinor: 0 })).toBe(0);
  });

  it("pays store credit once after the returns window, less what a refund before it took back", async () => {
    const buyer = person(501);
    const paid = order(8001, buyer);
    await deliver(
      shop,
      delivery("orders/paid", paid),
      delivery("orders/paid", paid),
      delivery("orders/paid", paid),
    );
    await deliver(other, delivery("orders/paid", order(8001, buyer)));
    expect(await creditFor(shop, 8001)).toMatchObject({
      amountMinor: 600,
      status: "pending",
      currency: "EUR",
    });
    expect(await creditFor(other, 8001)).toBeNull();
    expect(await db.cashbackCredit.count()).toBe(1);

    clock.advance(3 * day);
    await deliver(shop, delivery("refunds/create", refundOf(81, 8001, 1)));
    expect(await creditFor(shop, 8001)).toMatchObject({ reversedMinor: 200, status: "pending" });
    expect(fake.commerce.transactions).toEqual([]);

    clock.advance(11 * day);
    await run();
    expect(await creditFor(shop, 8001)).toMatchObject({ status: "issued", issuedMinor: 400 });
    expect(balanceAtShopify(buyer)).toBe(400);
    clock.advance(day);
    await run();
    expect(fake.commerce.transactions.filter((transaction) => transaction.kind === "credit")).toHaveLength(1);
    const entry = numbers(
      await db.loyaltyLedgerEntry.findFirstOrThrow({
        where: { shopId: shop.id, kind: "cashback" },
      }),
    );
    expect(entry).toMatchObject({ pointsDelta: 0, basisMinor: 400 });
  });

  it("takes store credit back after the payout, and records what was already spent as unrecovered", async () => {
    const buyer = person(501);
    await deliver(shop, delivery("refunds/create", refundOf(82, 8001, 2)));
    expect(balanceAtShopify(buyer)).toBe(200);
    expect(await creditFor(shop, 8001)).toMatchObject({
      reversedMinor: 400,
      issuedMinor: 200,
      unrecoveredMinor: 0,
    });

    // The customer spends the rest at checkout.
    fake.commerce.execute(shop.domain, "DebitStoreCredit", {
      id: `gid://shopify/Customer/${buyer.id}`,
      debitInput: { debitAmount: { amount: "2.00", currencyCode: "EUR" } },
    });
    await deliver(shop, delivery("refunds/create", refundOf(83, 8001, 3)));
    expect(balanceAtShopify(buyer)).toBe(0);
    expect(await creditFor(shop, 8001)).toMatchObject({
      reversedMinor: 600,
      issuedMinor: 200,
      unrecoveredMinor: 200,
    });
    const entries = numbers(
      await db.loyaltyLedgerEntry.findMany({
        where: { shopId: shop.id, kind: "cashback" },
        orderBy: { createdAt: "asc" },
      }),
    );
    expect(entries.map((taken) => taken.basisMinor)).toEqual([400, -200, 0]);
  });

  it("cancels cashback for an order cancelled before the payout", async () => {
    const buyer = person(502);
    await deliver(shop, delivery("orders/paid", order(8002, buyer)));
    clock.advance(day);
    await deliver(
      shop,
      delivery("orders/cancelled", order(8002, buyer, { cancelledAt: clock.now().toISOString() })),
    );
    expect(await creditFor(shop, 8002)).toMatchObject({ reversedMinor: 600 });
    clock.advance(14 * day);
    await run();
    expect(await creditFor(shop, 8002)).toMatchObject({ status: "cancelled", issuedMinor: 0 });
    expect(balanceAtShopify(buyer)).toBe(0);
  });

  it("never pays twice: a payout whose answer is unknown waits for the merchant; a refusal is retried", async () => {
    const unsure = person(503);
    await deliver(shop, delivery("orders/paid", order(8003, unsure)));
    clock.advance(14 * day);
    fake.commerce.failNext("CreditStoreCredit", "lost_answer", 2);
    await run();
    const credit = await creditFor(shop, 8003);
    expect(credit?.status).toBe("uncertain");
    expect(credit?.lastError).toMatch(/may or may not have reached Shopify/);
    clock.advance(day);
    await run();
    await run();
    // The lost answer did credit, once: the request was not repeated, by the client or the worker.
    expect(balanceAtShopify(unsure)).toBe(600);
    expect(
      fake.commerce.transactions.filter(
        (transaction) => transaction.customerId === `gid://shopify/Customer/${unsure.id}`,
      ),
    ).toHaveLength(1);

    const refused = person(504);
    await deliver(shop, delivery("orders/paid", order(8004, refused)));
    clock.advance(14 * day);
    fake.commerce.failNext("CreditStoreCredit", "user_error", 1);
    await run();
    expect(await creditFor(shop, 8004)).toMatchObject({ status: "pending" });
    expect(balanceAtShopify(refused)).toBe(0);
    clock.advance(day);
    await run();
    expect(await creditFor(shop, 8004)).toMatchObject({ status: "issued", issuedMinor: 600 });
    expect(balanceAtShopify(refused)).toBe(600);
  });

  it("debits store credit once when a take-back's answer is lost: it looks the debit up instead of repeating it (R-LOY-3)", async () => {
    const buyer = person(506);
    const customerGid = `gid://shopify/Customer/${buyer.id}`;
    const debits = () =>
      fake.commerce.transactions.filter(
        (transaction) => transaction.customerId === customerGid && transaction.kind === "debit",
      );
    await deliver(shop, delivery("orders/paid", order(8006, buyer)));
    clock.advance(14 * day);
    await run();
    expect(balanceAtShopify(buyer)).toBe(600);

    // 1. Shopify applies the debit and never answers; the client times out.
    fake.commerce.failNext("DebitStoreCredit", "timeout", 1);
    await deliver(shop, delivery("refunds/create", refundOf(86, 8006, 1)));
    clock.advance(day);
    await run();
    await run();
    expect(debits()).toHaveLength(1);
    expect(balanceAtShopify(buyer)).toBe(400);
    expect(await creditFor(shop, 8006)).toMatchObject({
      issuedMinor: 400,
      takeBackMinor: null,
      lastError: null,
    });

    // 2. Applied, timed out, and the lookup fails too: the intent waits, then the lookup finds the debit.
    fake.commerce.failNext("DebitStoreCredit", "timeout", 1);
    fake.commerce.failNext("StoreCreditTransactionsAfter", "server_error", 2);
    await deliver(shop, delivery("refunds/create", refundOf(87, 8006, 2)));
    expect(await creditFor(shop, 8006)).toMatchObject({ takeBackMinor: 200, issuedMinor: 400 });
    expect((await creditFor(shop, 8006))?.lastError).toMatch(/may or may not have reached Shopify/);
    for (const step of [60_000, takeBackSettleMs, day]) {
      clock.advance(step);
      await run();
    }
    expect(debits()).toHaveLength(2);
    expect(balanceAtShopify(buyer)).toBe(200);
    expect(await creditFor(shop, 8006)).toMatchObject({ issuedMinor: 200, takeBackMinor: null });

    // 3. A debit that failed before reaching Shopify (no answer either): not found after the settle
    //    time, so it is made once more — and only once.
    fake.commerce.failNext("DebitStoreCredit", "server_error", 1);
    await deliver(shop, delivery("refunds/create", refundOf(88, 8006, 3)));
    expect(await creditFor(shop, 8006)).toMatchObject({ takeBackMinor: 200, issuedMinor: 200 });
    expect(debits()).toHaveLength(2);
    for (const step of [60_000, takeBackSettleMs, day, day]) {
      clock.advance(step);
      await run();
    }
    expect(debits()).toHaveLength(3);
    expect(balanceAtShopify(buyer)).toBe(0);
    expect(await creditFor(shop, 8006)).toMatchObject({
      status: "cancelled",
      issuedMinor: 0,
      unrecoveredMinor: 0,
      takeBackMinor: null,
    });
    const entries = numbers(
      await db.loyaltyLedgerEntry.findMany({
        where: {
          shopId: shop.id,
          kind: "cashback",
          sourceId: { startsWith: (await creditFor(shop, 8006))?.orderId },
        },
        orderBy: { createdAt: "asc" },
      }),
    );
    expect(entries.map((entry) => entry.basisMinor)).toEqual([600, -200, -200, -200]);
  });

  it("pays cashback as a single-use code for the customer, and deletes it when the order is cancelled", async () => {
    await saveProgramSettings(
      db,
      shop.id,
      { cashbackMethod: "discount_code", cashbackBasisPoints: 1000 },
      clock.now(),
    );
    const buyer = person(505);
    await deliver(shop, delivery("orders/paid", order(8005, buyer)));
    clock.advance(14 * day);
    await run();
    const credit = await creditFor(shop, 8005);
    expect(credit).toMatchObject({ status: "issued", method: "discount_code", issuedMinor: 1200 });
    const [code] = fake.commerce
      .discountsOf(shop.domain)
      .filter((discount) => discount.code === credit?.code);
    expect(code?.input).toMatchObject({
      usageLimit: 1,
      context: { customers: { add: [`gid://shopify/Customer/${buyer.id}`] } },
      customerGets: { value: { discountAmount: { amount: "12.00" } } },
    });
    await deliver(
      shop,
      delivery("orders/cancelled", order(8005, buyer, { cancelledAt: clock.now().toISOString() })),
    );
    expect(fake.commerce.discountsOf(shop.domain).some((discount) => discount.code === credit?.code)).toBe(
      false,
    );
    expect(await creditFor(shop, 8005)).toMatchObject({
      status: "cancelled",
      issuedMinor: 0,
      unrecoveredMinor: 0,
    });
  });
});
