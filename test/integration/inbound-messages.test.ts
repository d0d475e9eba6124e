// Inbound WhatsApp messages (R-MSG-3): stored once per provider id with who, when and kind — never
// the text — for the shop the number belongs to, and erased with the customer on customers/redact.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { applyProviderCallback } from "../../app/messaging/provider-callbacks";
import type { InboundText } from "../../app/messaging/providers";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { drain, storeDeliveries, testWorker } from "../support/inbox";

describe(`inbound WhatsApp messages on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
  });

  afterAll(async () => {
    await database?.drop();
  });

  const inbound = (from: string, body: string, id: string, at: string): InboundText => ({
    channel: "whatsapp",
    from,
    body,
    at: new Date(at),
    providerMessageId: id,
  });

  it("stores each message once for the number's shop, without its text, and forgets it on customers/redact", async () => {
    const clock = new ManualClock("2026-11-23T12:00:00Z");
    const [alpha, beta] = await Promise.all(
      ["alpha", "beta"].map((name) =>
        db.shop.create({ data: { domain: `${name}.myshopify.com`, name, timezone: "UTC" } }),
      ),
    );
    const jana = await db.customer.create({
      data: { shopId: alpha!.id, shopifyId: "501", phone: "+420601000111", whatsappConsent: "subscribed" },
    });
    // The same number is a customer of beta too, but alpha messaged it last: alpha's window opens.
    await db.customer.create({ data: { shopId: beta!.id, shopifyId: "501", phone: "+420601000111" } });
    await db.message.create({
      data: {
        id: "msg-alpha-1",
        shopId: alpha!.id,
        customerId: jana.id,
        idempotencyKey: "k1",
        purpose: "marketing",
        channelOrder: "whatsapp",
        content: {},
        status: "delivered",
        channel: "whatsapp",
        toAddress: "+420601000111",
        scheduledFor: clock.now(),
        sentAt: clock.now(),
      },
    });
    const hello = inbound("+420601000111", "Dobrý den, mám dotaz", "wamid.1", "2026-11-23T13:00:00Z");
    await applyProviderCallback(db, hello, clock.now());
    await applyProviderCallback(db, hello, clock.now()); // the webhook delivered twice
    await applyProviderCallback(
      db,
      inbound("+420601000111", "STOP", "wamid.2", "2026-11-23T13:05:00Z"),
      clock.now(),
    );
    // A number no shop knows is not stored.
    await applyProviderCallback(
      db,
      inbound("+420601999999", "Hi", "wamid.3", "2026-11-23T13:06:00Z"),
      clock.now(),
    );

    const rows = await db.inboundMessage.findMany({ orderBy: { receivedAt: "asc" } });
    expect(
      rows.map(({ shopId, fromAddress, kind, receivedAt }) => ({ shopId, fromAddress, kind, receivedAt })),
    ).toEqual([
      {
        shopId: alpha!.id,
        fromAddress: "+420601000111",
        kind: "text",
        receivedAt: new Date("2026-11-23T13:00:00Z"),
      },
      {
        shopId: alpha!.id,
        fromAddress: "+420601000111",
        kind: "stop",
        receivedAt: new Date("2026-11-23T13:05:00Z"),
      },
    ]);
    expect(JSON.stringify(rows)).not.toContain("mám dotaz");
    expect((await db.customer.findUniqueOrThrow({ where: { id: jana.id } })).whatsappConsent).toBe(
      "unsubscribed",
    );

    await storeDeliveries(
      db,
      alpha!.domain,
      [
        {
          topic: "customers/redact",
          webhookId: "wh-redact-501",
          eventId: "ev-redact-501",
          triggeredAt: "2026-11-24T00:00:00Z",
          body: JSON.stringify({
            shop_id: 1,
            shop_domain: alpha!.domain,
            customer: { id: 501, phone: "+420601000111" },
            orders_to_redact: [],
          }),
        },
      ],
      clock.now(),
    );
    await drain(testWorker(db, clock));
    expect(await db.inboundMessage.count({ where: { shopId: alpha!.id } })).toBe(0);
  });
});
