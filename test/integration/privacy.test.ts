// Nothing kept after redaction, nothing lost to an uninstall (R-SEC-2): customers/redact erases every
// copy of a customer's personal data, a data request is a download of its own, raw webhook bodies
// are erased after the retention period, shop/redact is final, and an uninstall pauses the shop's
// work until a reinstall resumes it.
import type { Shop } from "@prisma/client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { customerDataExportFor, customerDataExports } from "../../app/customers/data-export";
import type { Database } from "../../app/db/client";
import { inboxPurgeJobKind } from "../../app/events/inbox-retention";
import { adjustPoints } from "../../app/loyalty/adjustments";
import { changeConsent } from "../../app/messaging/consent";
import { enqueueMessage, type OutboxDependencies } from "../../app/messaging/outbox";
import type { EmailSender, OutgoingEmail } from "../../app/messaging/providers";
import { reinstallShop } from "../../app/shops/reinstall";
import { workerSetup } from "../../app/worker-setup";
import {
  checkoutPayload,
  customerPayload,
  orderPayload,
  type CustomerSeed,
} from "../fixtures/shopify-payloads";
import { webhookDelivery, type WebhookDelivery } from "../fixtures/store-history";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { drain, storeDeliveries, testWorker } from "../support/inbox";
import { numbers } from "../support/stored";

const day = 86_400_000;

const zdenka: CustomerSeed = {
  id: 7001,
  email: "Zdenka.Quillfeather@Example.org",
  firstName: "Zdenka",
  lastName: "Quillfeather",
  phone: "+420777123456",
  countryCode: "CZ",
  emailConsent: "subscribed",
  smsConsent: "subscribed",
  updatedAt: "2026-11-20T09:00:00Z",
};
const other: CustomerSeed = {
  id: 7002,
  email: "otto@example.net",
  firstName: "Otto",
  lastName: "Else",
  updatedAt: "2026-11-20T09:00:00Z",
};
const address = { address1: "Quillfeather Lane 77", zip: "110 00", countryCode: "CZ" };

/** Every text and JSON cell of every table (listed by the database, so new tables are covered). */
async function everyStoredText(db: Database): Promise<{ table: string; column: string; text: string }[]> {
  const columns =
    testProvider === "sqlite"
      ? (
          await db.$queryRawUnsafe<{ table: string; column: string; type: string }[]>(
            `SELECT m.name AS "table", p.name AS "column", p.type AS "type"
               FROM sqlite_master m JOIN pragma_table_info(m.name) p
              WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_prisma%'`,
          )
        ).filter((column) => /TEXT|JSON|CHAR/i.test(column.type))
      : await db.$queryRawUnsafe<{ table: string; column: string }[]>(
          `SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name NOT LIKE '_prisma%'
              AND data_type IN ('text', 'character varying', 'json', 'jsonb')`,
        );
  expect(new Set(columns.map((column) => column.table)).size).toBeGreaterThan(20);
  const cells: { table: string; column: string; text: string }[] = [];
  for (const { table, column } of columns) {
    const cast = testProvider === "sqlite" ? `"${column}"` : `"${column}"::text`;
    const rows = await db.$queryRawUnsafe<{ text: unknown }[]>(
      `SELECT ${cast} AS "text" FROM "${table}" WHERE "${column}" IS NOT NULL`,
    );
    for (const row of rows) {
      const text = typeof row.text === "string" ? row.text : JSON.stringify(row.text);
      if (text) cells.push({ table, column, text });
    }
  }
  return cells;
}

/** Where any of the needles occurs: case-insensitive, and phone numbers also with separators. */
function mentions(cells: { table: string; column: string; text: string }[], needles: string[]): string[] {
  const lowered = needles.map((needle) => needle.toLowerCase());
  return cells.flatMap(({ table, column, text }) => {
    const haystacks = [
      text.toLowerCase(),
      ...(text.match(/\+?[\d][\d\s().-]{6,}/g) ?? []).map((run) => run.replace(/\D/g, "")),
    ];
    return lowered
      .filter((needle) => haystacks.some((haystack) => haystack.includes(needle)))
      .map((needle) => `${table}.${column} holds "${needle}"`);
  });
}

describe(`privacy on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  const clock = new ManualClock("2026-11-20T10:00:00Z");
  const emails: OutgoingEmail[] = [];
  const emailSender: EmailSender = {
    dedupesRepeats: false,
    send(message) {
      emails.push(message);
      return Promise.resolve({ providerMessageId: `mail-${emails.length}` });
    },
  };
  const deps: OutboxDependencies = {
    clock,
    senders: { email: emailSender },
    links: { baseUrl: "https://app.stayloop.test", secret: "a-link-secret-of-enough-length" },
    defaultFrom: "Stayloop <hello@stayloop.test>",
  };
  const run = () =>
    drain(
      testWorker(db, clock, {
        ...workerSetup({
          clock,
          messaging: deps,
          adminClientFor: () => {
            throw new Error("no Admin API in this test");
          },
        }),
      }),
    );
  const at = () => clock.now().toISOString();
  const deliver = async (shopDomain: string, ...deliveries: WebhookDelivery[]) => {
    await storeDeliveries(db, shopDomain, deliveries, clock.now());
    await run();
  };
  const newShop = async (domain: string): Promise<Shop> => {
    const shop = await db.shop.create({ data: { domain } });
    await db.loyaltyProgram.create({ data: { shopId: shop.id, enabled: true, pendingDays: 14 } });
    await db.messagingSettings.create({
      data: { shopId: shop.id, quietStart: "00:00", quietEnd: "00:00", capMessages: 100 },
    });
    return shop;
  };
  const paidOrder = (id: number, buyer: CustomerSeed, price: string) =>
    orderPayload({
      id,
      number: id,
      customer: buyer,
      lines: [{ id: id * 10, productId: 1, variantId: 2, title: "Kettle", price, quantity: 1 }],
      createdAt: at(),
      updatedAt: at(),
      financialStatus: "paid",
      shipping: "0.00",
      shippingAddress:
        buyer.id === zdenka.id ? address : { address1: "Elm Row 1", zip: "EH1", countryCode: "GB" },
    });
  const marketingEmail = (shop: Shop, customerId: string, key: string, notBefore = clock.now()) =>
    enqueueMessage(db, {
      shopId: shop.id,
      customerId,
      idempotencyKey: key,
      purpose: "marketing",
      content: {
        email: {
          subject: "Zdenka, your kettle misses you",
          html: "<p>Hi Zdenka Quillfeather</p>",
          text: "Hi Zdenka Quillfeather",
        },
      },
      channelOrder: ["email"],
      notBefore,
    });

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
  });
  beforeEach(() => {
    emails.splice(0);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("erases every copy of a redacted customer's personal data and keeps the aggregates (R-SEC-2)", async () => {
    const alpha = await newShop("privacy-alpha.myshopify.com");
    const beta = await newShop("privacy-beta.myshopify.com");
    const customerBody = {
      ...customerPayload(zdenka),
      addresses: [{ address1: address.address1, zip: address.zip, phone: "+420 777 123 456" }],
    };
    await deliver(
      alpha.domain,
      webhookDelivery("customers/create", customerBody, at()),
      webhookDelivery(
        "checkouts/create",
        checkoutPayload({
          id: 55,
          token: "tok-55",
          customer: zdenka,
          lines: [{ id: 1, productId: 1, variantId: 2, title: "Kettle", price: "64.00", quantity: 1 }],
          createdAt: at(),
          updatedAt: at(),
        }),
        at(),
      ),
      webhookDelivery("orders/paid", { ...paidOrder(9001, zdenka, "64.00"), checkout_token: "tok-55" }, at()),
      webhookDelivery("orders/paid", paidOrder(9002, other, "20.00"), at()),
    );
    const customer = numbers(
      await db.customer.findFirstOrThrow({ where: { shopId: alpha.id, shopifyId: "7001" } }),
    );
    expect(customer).toMatchObject({ email: "zdenka.quillfeather@example.org", firstName: "Zdenka" });
    const member = numbers(await db.loyaltyMember.findFirstOrThrow({ where: { customerId: customer.id } }));
    await adjustPoints(
      db,
      alpha.id,
      {
        memberId: member.id,
        points: 25,
        reason: "Goodwill for Zdenka Quillfeather",
        actor: "staff@alpha.test",
      },
      clock.now(),
    );
    await marketingEmail(alpha, customer.id, "win-back:7001");
    await run();
    expect(emails.map((email) => email.to)).toEqual(["zdenka.quillfeather@example.org"]);
    await changeConsent(
      db,
      {
        shopId: alpha.id,
        customerId: customer.id,
        channel: "sms",
        state: "unsubscribed",
        source: "stop_keyword",
      },
      clock.now(),
    );
    // The same person in the other shop stays as they are.
    await deliver(beta.domain, webhookDelivery("customers/create", customerPayload(zdenka), at()));

    clock.advance(60_000);
    await deliver(
      alpha.domain,
      webhookDelivery(
        "customers/data_request",
        {
          shop_id: 1,
          shop_domain: alpha.domain,
          customer: { id: 7001, email: zdenka.email, phone: zdenka.phone },
          orders_requested: [9001],
          data_request: { id: 6001 },
        },
        at(),
      ),
    );
    // The export is a download of the shop's own (not an event), with loyalty, messages and consent.
    const [stored] = await db.customerDataExport.findMany();
    expect(stored).toBeDefined();
    const download = await customerDataExportFor(db, alpha.id, stored?.id ?? "", clock.now());
    expect(download?.customerShopifyId).toBe("7001");
    const data = download?.data as {
      customer: { email: string };
      orders: unknown[];
      checkouts: unknown[];
      loyalty: { entries: { kind: string; pendingDelta: number; pointsDelta: number }[] };
      messages: { toAddress: string }[];
      consentChanges: { channel: string; state: string }[];
    };
    expect(data.customer.email).toBe("zdenka.quillfeather@example.org");
    expect(data.orders).toHaveLength(1);
    expect(data.checkouts).toHaveLength(1);
    expect(data.loyalty.entries.map((entry) => entry.kind).sort()).toEqual(["adjust", "earn"]);
    expect(data.messages.map((message) => message.toAddress)).toEqual(["zdenka.quillfeather@example.org"]);
    expect(data.consentChanges).toMatchObject([{ channel: "sms", state: "unsubscribed" }]);
    expect(await customerDataExportFor(db, beta.id, stored?.id ?? "", clock.now())).toBeNull();
    expect((await customerDataExports(db, alpha.id, clock.now())).map((listed) => listed.id)).toEqual([
      stored?.id,
    ]);
    expect(await customerDataExports(db, beta.id, clock.now())).toEqual([]);
    const requested = await db.domainEvent.findFirstOrThrow({ where: { type: "customer.data_requested" } });
    expect(JSON.stringify(requested.payload)).not.toContain("example.org");

    const aggregates = async () => ({
      customers: await db.customer.count({ where: { shopId: alpha.id } }),
      orderTotals: numbers(
        await db.order.aggregate({ where: { shopId: alpha.id }, _sum: { totalMinor: true } }),
      )._sum,
      profile: numbers(
        await db.customer.findUniqueOrThrow({
          where: { id: customer.id },
          select: { ordersCount: true, totalSpentMinor: true, lifecycleStage: true },
        }),
      ),
      ledger: numbers(
        await db.loyaltyLedgerEntry.aggregate({
          where: { shopId: alpha.id },
          _sum: { pointsDelta: true, pendingDelta: true },
          _count: true,
        }),
      ),
      member: numbers(
        await db.loyaltyMember.findUniqueOrThrow({
          where: { id: member.id },
          select: { pointsBalance: true, pendingPoints: true, lifetimePoints: true },
        }),
      ),
      messagesSent: await db.message.count({ where: { shopId: alpha.id, status: "sent" } }),
    });
    const before = await aggregates();
    expect(before.orderTotals.totalMinor).toBe(8400);
    expect(before.member).toMatchObject({ pointsBalance: 25, pendingPoints: 64 });

    const needles = [
      "zdenka.quillfeather@example.org",
      "Zdenka",
      "Quillfeather",
      "+420777123456",
      "420777123456",
      "777123456",
    ];
    const alphaOnly = (cells: Awaited<ReturnType<typeof everyStoredText>>) => mentions(cells, needles);
    expect(alphaOnly(await everyStoredText(db)).length).toBeGreaterThan(0);
    // What they browsed (the pixel's events linked to them) goes too; a guest's events stay.
    await db.browseEvent.createMany({
      data: [
        { customerId: customer.id, eventId: "viewed-by-zdenka", clientId: "client-zdenka" },
        { customerId: null, eventId: "viewed-by-a-guest", clientId: "client-guest" },
      ].map((event) => ({
        ...event,
        shopId: alpha.id,
        type: "product_viewed",
        productShopifyId: "7421",
        occurredAt: clock.now(),
        receivedAt: clock.now(),
      })),
    });

    clock.advance(60_000);
    await deliver(
      alpha.domain,
      webhookDelivery(
        "customers/redact",
        {
          shop_id: 1,
          shop_domain: alpha.domain,
          customer: { id: 7001, email: zdenka.email, phone: zdenka.phone },
          orders_to_redact: [9001],
        },
        at(),
      ),
    );
    expect(await db.webhookInbox.count({ where: { status: { not: "done" } } })).toBe(0);

    // Beta's copy of the same person is beta's: set it aside, then nothing may remain anywhere.
    await db.shop.delete({ where: { id: beta.id } });
    await db.webhookInbox.deleteMany({ where: { shopDomain: beta.domain } });
    expect(alphaOnly(await everyStoredText(db))).toEqual([]);
    expect(await aggregates()).toEqual(before);
    expect(await db.customerDataExport.count()).toBe(0);
    expect((await db.browseEvent.findMany({ select: { eventId: true } })).map((row) => row.eventId)).toEqual([
      "viewed-by-a-guest",
    ]);
    // The dedupe rows stay: the same webhook delivered again is still recognised.
    expect(await db.webhookInbox.count({ where: { shopDomain: alpha.domain } })).toBe(6);

    // A late update of the redacted customer does not bring their data back.
    clock.advance(60_000);
    await deliver(
      alpha.domain,
      webhookDelivery("customers/update", { ...customerPayload(zdenka), updated_at: at() }, at()),
      webhookDelivery("orders/updated", { ...paidOrder(9001, zdenka, "64.00"), updated_at: at() }, at()),
    );
    expect(
      numbers(
        await db.customer.findUniqueOrThrow({
          where: { id: customer.id },
          select: { email: true, firstName: true },
        }),
      ),
    ).toEqual({ email: null, firstName: null });
    expect(
      numbers(await db.order.findFirstOrThrow({ where: { shopId: alpha.id, shopifyId: "9001" } })),
    ).toMatchObject({
      email: null,
      shippingAddressKey: null,
      totalMinor: 6400,
    });
  });

  it("erases raw webhook bodies once processed plus the retention period, keeping the dedupe row", async () => {
    const shop = await newShop("privacy-retention.myshopify.com");
    const first = webhookDelivery("customers/create", customerPayload({ ...other, id: 7100 }), at());
    await deliver(shop.domain, first);
    const purgeJob = await db.job.findFirstOrThrow({ where: { shopId: shop.id, kind: inboxPurgeJobKind } });
    expect(purgeJob.status).toBe("scheduled");

    clock.advance(6 * day);
    await run();
    const kept = await db.webhookInbox.findUniqueOrThrow({ where: { webhookId: first.webhookId } });
    expect(kept).toMatchObject({ status: "done", payloadPurgedAt: null });
    expect(kept.payload).toContain("otto@example.net");

    // The daily run after the seventh day.
    clock.advance(2 * day);
    await run();
    const purged = await db.webhookInbox.findUniqueOrThrow({ where: { webhookId: first.webhookId } });
    expect(purged.payload).toBe("");
    expect(purged.payloadPurgedAt?.toISOString()).toBe(clock.now().toISOString());
    // Shopify retrying the same webhook is still recognised as a duplicate.
    await expect(storeDeliveries(db, shop.domain, [first], clock.now())).rejects.toThrow();
    expect(await db.webhookInbox.count({ where: { webhookId: first.webhookId } })).toBe(1);
    // Nothing left to erase: the chain of runs ends rather than running daily for nothing.
    expect(
      await db.job.count({ where: { shopId: shop.id, kind: inboxPurgeJobKind, status: "scheduled" } }),
    ).toBe(0);

    // A data-request export stays downloadable for 30 days, then the same daily run deletes it.
    await deliver(
      shop.domain,
      webhookDelivery(
        "customers/data_request",
        { shop_domain: shop.domain, customer: { id: 7100 }, data_request: { id: 6100 } },
        at(),
      ),
    );
    expect(await db.customerDataExport.count({ where: { shopId: shop.id } })).toBe(1);
    clock.advance(29 * day);
    await run();
    expect(await db.customerDataExport.count({ where: { shopId: shop.id } })).toBe(1);
    clock.advance(2 * day);
    await run();
    expect(await db.customerDataExport.count({ where: { shopId: shop.id } })).toBe(0);
  });

  it("does not recreate a shop erased by shop/redact when a delivery arrives afterwards", async () => {
    const shop = await newShop("privacy-gone.myshopify.com");
    await deliver(
      shop.domain,
      webhookDelivery("orders/paid", paidOrder(9100, { ...other, id: 7200 }, "10.00"), at()),
    );
    await deliver(
      shop.domain,
      webhookDelivery("shop/redact", { shop_id: 9, shop_domain: shop.domain }, at()),
    );
    expect(await db.shop.count({ where: { domain: shop.domain } })).toBe(0);

    const late = webhookDelivery("orders/paid", paidOrder(9101, { ...other, id: 7201 }, "10.00"), at());
    await deliver(shop.domain, late);
    expect(await db.shop.count({ where: { domain: shop.domain } })).toBe(0);
    expect(await db.customer.count({ where: { shopifyId: "7201" } })).toBe(0);
    expect(await db.webhookInbox.findUniqueOrThrow({ where: { webhookId: late.webhookId } })).toMatchObject({
      status: "done",
      payload: "",
    });

    // Installing again later starts the shop afresh.
    const back = await reinstallShop(db, shop.domain, clock);
    expect(back.domain).toBe(shop.domain);
    expect(await db.shopRedaction.count({ where: { domain: shop.domain } })).toBe(0);
  });

  it("pauses the shop's work on uninstall and resumes it on reinstall: points released once, nothing stale sent", async () => {
    const shop = await newShop("privacy-return.myshopify.com");
    await db.session.create({
      data: { id: `offline_${shop.domain}`, shop: shop.domain, state: "s", accessToken: "t" },
    });
    const buyer = { ...zdenka, id: 7300, email: "buyer@example.com" };
    await deliver(shop.domain, webhookDelivery("orders/paid", paidOrder(9300, buyer, "100.00"), at()));
    const customer = numbers(
      await db.customer.findFirstOrThrow({ where: { shopId: shop.id, shopifyId: "7300" } }),
    );
    const memberOf = async () =>
      numbers(await db.loyaltyMember.findFirstOrThrow({ where: { customerId: customer.id } }));
    expect(await memberOf()).toMatchObject({ pendingPoints: 100, pointsBalance: 0 });
    // A message due in three weeks, queued before the uninstall.
    await marketingEmail(shop, customer.id, "reminder:before", new Date(clock.now().getTime() + 21 * day));

    clock.advance(day);
    await deliver(shop.domain, webhookDelivery("app/uninstalled", { id: 1, domain: shop.domain }, at()));
    // Work arriving while uninstalled waits too (a consent write-back needs the Admin API).
    await changeConsent(
      db,
      {
        shopId: shop.id,
        customerId: customer.id,
        channel: "email",
        state: "unsubscribed",
        source: "one_click",
      },
      clock.now(),
    );
    await changeConsent(
      db,
      {
        shopId: shop.id,
        customerId: customer.id,
        channel: "email",
        state: "subscribed",
        source: "one_click",
      },
      clock.now(),
    );

    clock.advance(30 * day);
    await run();
    await run();
    expect(await memberOf()).toMatchObject({ pendingPoints: 100, pointsBalance: 0 });
    expect(emails).toEqual([]);
    const paused = await db.job.findMany({
      where: { shopId: shop.id, status: { notIn: ["done"] }, kind: { not: inboxPurgeJobKind } },
      select: { kind: true, status: true, attempts: true },
      orderBy: { kind: "asc" },
    });
    expect(paused.length).toBeGreaterThanOrEqual(4);
    for (const job of paused) expect(job).toMatchObject({ status: "paused", attempts: 0 });
    expect(paused.map((job) => job.kind)).toEqual(
      expect.arrayContaining(["consent.sync", "loyalty.release", "message.send"]),
    );

    // Reinstall: a new offline session for the shop, and the OAuth callback's hook.
    await db.session.create({
      data: { id: `offline_${shop.domain}`, shop: shop.domain, state: "s2", accessToken: "t2" },
    });
    await reinstallShop(db, shop.domain, clock);
    const reinstalledAt = clock.now();
    await marketingEmail(shop, customer.id, "welcome-back");
    await run();
    clock.advance(day);
    await run();
    await reinstallShop(db, shop.domain, clock);
    await run();

    expect(await memberOf()).toMatchObject({ pendingPoints: 0, pointsBalance: 100 });
    expect(await db.loyaltyLedgerEntry.count({ where: { shopId: shop.id, kind: "release" } })).toBe(1);
    const messages = numbers(
      await db.message.findMany({
        where: { shopId: shop.id },
        select: { idempotencyKey: true, status: true, sentAt: true },
        orderBy: { idempotencyKey: "asc" },
      }),
    );
    expect(messages.map((message) => [message.idempotencyKey, message.status])).toEqual([
      ["reminder:before", "skipped"],
      ["welcome-back", "sent"],
    ]);
    // Nothing queued before the reinstall went out after it.
    expect(messages.filter((message) => message.sentAt).map((message) => message.idempotencyKey)).toEqual([
      "welcome-back",
    ]);
    for (const message of messages.filter((message) => message.sentAt))
      expect(message.sentAt?.getTime()).toBeGreaterThanOrEqual(reinstalledAt.getTime());
    expect(emails).toHaveLength(1);
    expect((await db.shop.findUniqueOrThrow({ where: { id: shop.id } })).uninstalledAt).toBeNull();
  });
});
