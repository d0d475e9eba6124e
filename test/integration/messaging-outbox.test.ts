// The message outbox through the real worker, a real SMTP server and the fake SMS / WhatsApp
// provider over HTTP (R-MSG-1…5): one message per (run, step), no second copy after a worker dies
// between the provider call and the status write, quiet hours and the frequency cap postpone,
// and the fallback chain follows the merchant's channel order.
import type { Customer, Shop } from "@prisma/client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { createSmtpEmailSender, parseSmtpUrl } from "../../app/messaging/email-sender";
import {
  enqueueMessage,
  flowStepMessageKey,
  MessageRequestError,
  outboxJobHandlers,
  recordDeliveryReport,
  type MessageContent,
  type OutboxDependencies,
} from "../../app/messaging/outbox";
import type { TextSender } from "../../app/messaging/providers";
import { createSmsSender } from "../../app/messaging/sms-provider";
import { createWhatsAppSender } from "../../app/messaging/whatsapp-provider";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { startFakeTextProvider, type FakeTextProvider } from "../support/fake-text-provider";
import { drain, testWorker } from "../support/inbox";
import { startSmtpCatcher, type SmtpCatcher } from "../support/smtp-catcher";

const hour = 3_600_000;
const twilio = { accountSid: "AC_outbox", authToken: "twilio-secret-token" };
const whatsapp = { phoneNumberId: "1098", accessToken: "wa-token", appSecret: "wa-app-secret" };

const content: MessageContent = {
  email: {
    subject: "You left something behind",
    html: '<html><body><p>Hi!</p><a href="https://shop.example/cart">Back to your cart</a></body></html>',
    text: "Hi! Back to your cart: https://shop.example/cart",
  },
  sms: { body: "Your cart is waiting: https://shop.example/cart" },
  whatsapp: {
    template: { name: "cart_reminder", language: "en", parameters: ["Ada"] },
    category: "marketing",
  },
};

describe(`message outbox on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let smtp: SmtpCatcher;
  let texts: FakeTextProvider;
  let shop: Shop;
  let other: Shop;
  let deps: OutboxDependencies;
  let sequence = 0;
  // 12:00 in Prague, 06:00 in New York.
  const clock = new ManualClock("2026-11-24T11:00:00Z");

  const run = () => drain(testWorker(db, clock, { jobHandlers: outboxJobHandlers(deps) }));
  const customer = async (target: Shop, data: Partial<Omit<Customer, "affinities">> = {}) => {
    sequence += 1;
    return db.customer.create({
      data: {
        shopId: target.id,
        shopifyId: String(9100 + sequence),
        email: `shopper${sequence}@example.com`,
        phone: `+42060100${String(sequence).padStart(4, "0")}`,
        emailConsent: "subscribed",
        smsConsent: "subscribed",
        whatsappConsent: "subscribed",
        ...data,
      },
    });
  };
  const enqueue = (
    target: Shop,
    customerId: string,
    extra: Partial<Parameters<typeof enqueueMessage>[1]> = {},
  ) => {
    sequence += 1;
    return enqueueMessage(db, {
      shopId: target.id,
      customerId,
      idempotencyKey: flowStepMessageKey(`run-${sequence}`, "step-1"),
      flowId: "abandoned-cart",
      purpose: "marketing",
      content,
      notBefore: clock.now(),
      ...extra,
    });
  };
  const smsSender = () => createSmsSender({ baseUrl: texts.url, ...twilio, from: "+15005550006" });

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    smtp = await startSmtpCatcher({ rejectRecipients: /^bounce/ });
    texts = await startFakeTextProvider({ twilio, whatsapp });
    shop = await db.shop.create({
      data: { domain: "outbox.myshopify.com", name: "Outbox", timezone: "Europe/Prague" },
    });
    other = await db.shop.create({ data: { domain: "outbox-2.myshopify.com", timezone: "UTC" } });
    deps = {
      clock,
      senders: {
        email: createSmtpEmailSender(parseSmtpUrl(smtp.url)),
        sms: smsSender(),
        whatsapp: createWhatsAppSender({ baseUrl: texts.url, apiVersion: "v21.0", ...whatsapp }),
      },
      links: { baseUrl: "https://app.stayloop.test", secret: "a-link-secret-of-enough-length" },
      defaultFrom: "Stayloop <hello@stayloop.test>",
    };
  });

  /** Moves the clock forward to an instant (tests run in order on one clock). */
  const moveTo = (iso: string) => {
    const target = new Date(iso).getTime();
    if (target < clock.now().getTime()) throw new Error(`the clock is already past ${iso}`);
    clock.advance(target - clock.now().getTime());
  };
  /** Quiet hours and the cap off unless a test sets them. */
  const settings = (data: {
    quietStart?: string;
    quietEnd?: string;
    capMessages?: number;
    fallbackAfterMinutes?: number;
  }) => db.messagingSettings.update({ where: { shopId: shop.id }, data });

  beforeEach(async () => {
    smtp.messages.splice(0);
    texts.sent.splice(0);
    await db.messagingSettings.deleteMany();
    await db.messagingSettings.create({
      data: { shopId: shop.id, quietStart: "00:00", quietEnd: "00:00", capMessages: 100 },
    });
  });

  afterAll(async () => {
    await smtp?.close();
    await texts?.close();
    await database?.drop();
  });

  it("sends one message for the same (run, step), however often it is enqueued", async () => {
    const shopper = await customer(shop);
    const key = flowStepMessageKey("run-a", "step-email");
    const first = await enqueue(shop, shopper.id, { idempotencyKey: key });
    const second = await enqueue(shop, shopper.id, { idempotencyKey: key });
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ created: false, message: { id: first.message.id } });
    // The other shop's run with the same ids is its own message.
    const stranger = await customer(other);
    expect((await enqueue(other, stranger.id, { idempotencyKey: key })).created).toBe(true);
    await run();
    await run();
    expect(smtp.messages.filter((mail) => mail.envelope.to.includes(shopper.email ?? ""))).toHaveLength(1);
    expect(await db.message.findUniqueOrThrow({ where: { id: first.message.id } })).toMatchObject({
      status: "sent",
      channel: "email",
      attempts: 1,
    });
    expect(await db.message.count({ where: { idempotencyKey: key } })).toBe(2);
  });

  it("never sends a second copy when the worker dies between the provider call and the status write", async () => {
    const shopper = await customer(shop, { email: null });
    const { message } = await enqueue(shop, shopper.id);
    // The first worker hands the SMS to the provider and dies before it records the answer.
    const real = smsSender();
    const dying: TextSender = {
      channel: "sms",
      dedupesRepeats: false,
      send: async (outgoing) => {
        await real.send(outgoing);
        return new Promise(() => {});
      },
    };
    const doomed = testWorker(db, clock, {
      workerId: "doomed",
      jobHandlers: outboxJobHandlers({ ...deps, senders: { ...deps.senders, sms: dying } }),
    });
    await doomed.heartbeat();
    void doomed.tick();
    for (let wait = 0; texts.sent.length === 0 && wait < 100; wait += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(texts.sent).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await db.message.findUniqueOrThrow({ where: { id: message.id } })).status).toBe("sending");

    // A minute and more later another worker finds the claim of the silent one and takes over.
    clock.advance(2 * 60_000);
    await run();
    const after = await db.message.findUniqueOrThrow({ where: { id: message.id } });
    expect(after.status).toBe("uncertain");
    expect(after.lastError).toMatch(/not sent again/);
    expect(texts.sent).toHaveLength(1);
    clock.advance(hour);
    await run();
    expect(texts.sent).toHaveLength(1);
  });

  it("postpones marketing in quiet hours (recipient's time zone, else the shop's), not transactional", async () => {
    // 11:00 UTC = 06:00 in New York: quiet until 08:00 there (13:00 UTC); Prague (shop) is at 12:00.
    moveTo("2026-11-25T11:00:00Z");
    await settings({ quietStart: "21:00", quietEnd: "08:00" });
    const newYorker = await customer(shop, { timezone: "America/New_York" });
    const local = await customer(shop);
    const early = await enqueue(shop, newYorker.id);
    const now = await enqueue(shop, local.id);
    const receipt = await enqueue(shop, newYorker.id, { purpose: "transactional" });
    await run();
    expect(await db.message.findUniqueOrThrow({ where: { id: early.message.id } })).toMatchObject({
      status: "queued",
      scheduledFor: new Date("2026-11-25T13:00:00Z"),
    });
    expect((await db.message.findUniqueOrThrow({ where: { id: now.message.id } })).status).toBe("sent");
    expect((await db.message.findUniqueOrThrow({ where: { id: receipt.message.id } })).status).toBe("sent");
    clock.advance(hour + 59 * 60_000);
    await run();
    expect((await db.message.findUniqueOrThrow({ where: { id: early.message.id } })).status).toBe("queued");
    clock.advance(60_000);
    await run();
    expect(await db.message.findUniqueOrThrow({ where: { id: early.message.id } })).toMatchObject({
      status: "sent",
      sentAt: new Date("2026-11-25T13:00:00Z"),
    });
  });

  it("caps marketing at one message per 16 hours across flows; transactional is exempt", async () => {
    await settings({ capMessages: 1 });
    const shopper = await customer(shop);
    const first = await enqueue(shop, shopper.id, { flowId: "welcome" });
    await run();
    const sentAt = (await db.message.findUniqueOrThrow({ where: { id: first.message.id } })).sentAt;
    clock.advance(10 * hour);
    const second = await enqueue(shop, shopper.id, { flowId: "browse-abandonment" });
    const receipt = await enqueue(shop, shopper.id, { purpose: "transactional", flowId: "post-purchase" });
    await run();
    expect(await db.message.findUniqueOrThrow({ where: { id: second.message.id } })).toMatchObject({
      status: "queued",
      scheduledFor: new Date((sentAt ?? new Date(0)).getTime() + 16 * hour),
      lastError: "postponed: frequency cap",
    });
    expect((await db.message.findUniqueOrThrow({ where: { id: receipt.message.id } })).status).toBe("sent");
    clock.advance(6 * hour);
    await run();
    expect((await db.message.findUniqueOrThrow({ where: { id: second.message.id } })).status).toBe("sent");
  });

  it("falls back email → SMS → WhatsApp in the merchant's order: no consent, a refusal, a failed delivery", async () => {
    // No e-mail consent: SMS; the SMS provider refuses the number for good: WhatsApp.
    const shopper = await customer(shop, { emailConsent: "unsubscribed" });
    texts.failNext("sms", "rejected");
    const { message } = await enqueue(shop, shopper.id);
    await run();
    const sent = await db.message.findUniqueOrThrow({ where: { id: message.id } });
    expect(sent).toMatchObject({
      status: "sent",
      channel: "whatsapp",
      tried: [{ channel: "sms", outcome: "failed" }],
    });
    expect(texts.sent.map((text) => text.channel)).toEqual(["whatsapp"]);
    expect(texts.sent[0]?.template).toEqual({ name: "cart_reminder", language: "en", parameters: ["Ada"] });

    // The merchant's order WhatsApp first; its delivery fails: SMS next, then nothing is left.
    const second = await customer(shop);
    const { message: ordered } = await enqueue(shop, second.id, { channelOrder: ["whatsapp", "sms"] });
    await run();
    const viaWhatsApp = await db.message.findUniqueOrThrow({ where: { id: ordered.id } });
    expect(viaWhatsApp.channel).toBe("whatsapp");
    await recordDeliveryReport(
      db,
      {
        channel: "whatsapp",
        providerMessageId: viaWhatsApp.providerMessageId ?? "",
        status: "failed",
        at: clock.now(),
        error: "131026 undeliverable",
      },
      clock.now(),
    );
    await run();
    const viaSms = await db.message.findUniqueOrThrow({ where: { id: ordered.id } });
    expect(viaSms).toMatchObject({ status: "sent", channel: "sms" });
    await recordDeliveryReport(
      db,
      {
        channel: "sms",
        providerMessageId: viaSms.providerMessageId ?? "",
        status: "delivered",
        at: clock.now(),
      },
      clock.now(),
    );
    expect(await db.message.findUniqueOrThrow({ where: { id: ordered.id } })).toMatchObject({
      status: "delivered",
      deliveredAt: clock.now(),
    });
  });

  it("tries the next channel when an SMS is not delivered within the shop's wait", async () => {
    await settings({ fallbackAfterMinutes: 30 });
    const shopper = await customer(shop);
    const { message } = await enqueue(shop, shopper.id, { channelOrder: ["sms", "email"] });
    await run();
    expect((await db.message.findUniqueOrThrow({ where: { id: message.id } })).channel).toBe("sms");
    clock.advance(29 * 60_000);
    await run();
    expect(smtp.messages).toHaveLength(0);
    clock.advance(60_000);
    await run();
    expect(await db.message.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({
      status: "sent",
      channel: "email",
      tried: [{ channel: "sms", outcome: "not_delivered_in_time" }],
    });
    expect(smtp.messages).toHaveLength(1);
  });

  it("lets exactly one message per customer past the cap when two workers send at once (R-FLOW-4)", async () => {
    await settings({ capMessages: 1 });
    await db.customer.createMany({
      data: Array.from({ length: 100 }, (_, index) => ({
        shopId: shop.id,
        shopifyId: `cap-${index}`,
        phone: `+42070200${String(index).padStart(4, "0")}`,
        smsConsent: "subscribed",
      })),
    });
    const shoppers = await db.customer.findMany({
      where: { shopId: shop.id, shopifyId: { startsWith: "cap-" } },
      orderBy: { shopifyId: "asc" },
    });
    // Three flows each want every shopper at the same instant. Jobs are claimed in the order they
    // were stored, 20 at a time: stored as (20 shoppers × flow 1, the same 20 × flow 2, …), the two
    // workers' batches hold different messages for the same shoppers.
    const batchSize = 20;
    for (let start = 0; start < shoppers.length; start += batchSize) {
      for (const flowId of ["welcome", "browse-abandonment", "win-back"]) {
        for (const shopper of shoppers.slice(start, start + batchSize)) {
          await enqueue(shop, shopper.id, { flowId, channelOrder: ["sms"] });
        }
      }
    }
    // PostgreSQL: a second client with its own connections. SQLite has one writer: better-sqlite3
    // waits for a lock synchronously, so two clients in one process would block each other's event
    // loop; the second worker shares the client (its transactions queue behind the first's).
    const dueAt = clock.now();
    const secondDb = testProvider === "postgresql" ? database.connect() : db;
    const handlers = outboxJobHandlers(deps);
    const workers = [
      testWorker(db, clock, { workerId: "cap-a", batchSize, jobHandlers: handlers }),
      testWorker(secondDb, clock, { workerId: "cap-b", batchSize, jobHandlers: handlers }),
    ];
    const drainBoth = async () => {
      // Both beat first, so neither takes the other for dead when the clock moves.
      await Promise.all(workers.map((worker) => worker.heartbeat()));
      await Promise.all(workers.map((worker) => drain(worker)));
    };
    await drainBoth();
    // A send that failed for a moment (a lock wait on a busy machine) is retried by its job within
    // minutes; the postponed ones wait 16 hours.
    for (let retry = 0; retry < 3; retry += 1) {
      clock.advance(10 * 60_000);
      await drainBoth();
    }

    const messages = await db.message.findMany({
      where: { shopId: shop.id, customerId: { in: shoppers.map((shopper) => shopper.id) } },
    });
    expect(messages).toHaveLength(300);
    // Handed to the provider: sent, or no answer came back ("uncertain" — it may have gone out).
    const handedOver = (message: (typeof messages)[number]) =>
      message.status === "sent" || message.status === "uncertain";
    const passedPerShopper = shoppers.map(
      (shopper) =>
        messages.filter((message) => message.customerId === shopper.id && handedOver(message)).length,
    );
    expect(passedPerShopper.filter((count) => count !== 1)).toEqual([]);
    for (const shopper of shoppers) {
      const own = messages.filter((message) => message.customerId === shopper.id);
      const passed = own.find(handedOver);
      const passedAt = (passed?.sentAt ?? passed?.sendingAt)?.getTime() ?? 0;
      for (const postponed of own.filter((message) => !handedOver(message))) {
        expect(postponed).toMatchObject({ status: "queued", lastError: "postponed: frequency cap" });
        // 16 hours after the send (or after the attempt that was in flight when it was capped).
        expect(postponed.scheduledFor.getTime()).toBeGreaterThanOrEqual(dueAt.getTime() + 16 * hour);
        expect(postponed.scheduledFor.getTime()).toBeLessThanOrEqual(passedAt + 16 * hour);
      }
    }
    // Nobody got two texts.
    expect(new Set(texts.sent.map((text) => text.to)).size).toBe(texts.sent.length);
    expect(texts.sent.length).toBeGreaterThanOrEqual(
      messages.filter((message) => message.status === "sent").length,
    );
  }, 240_000);

  it("ends a message failed, after trying the next channel, when its send job is parked", async () => {
    const withFallback = await customer(shop);
    const smsOnly = await customer(shop);
    // Every SMS attempt answers HTTP 500: three attempts for each message, then the job is parked.
    texts.failNext("sms", "server_error", 6);
    const fallback = await enqueue(shop, withFallback.id, { channelOrder: ["sms", "email"] });
    const alone = await enqueue(shop, smsOnly.id, { channelOrder: ["sms"] });
    const worker = () =>
      drain(testWorker(db, clock, { maxAttempts: 3, jobHandlers: outboxJobHandlers(deps) }));
    for (let round = 0; round < 4; round += 1) {
      await worker();
      clock.advance(hour);
    }
    const parked = await db.job.findMany({ where: { kind: "message.send", status: "failed" } });
    expect(parked.map((job) => job.payload)).toEqual(
      expect.arrayContaining([{ messageId: fallback.message.id }, { messageId: alone.message.id }]),
    );
    expect(await db.message.findUniqueOrThrow({ where: { id: fallback.message.id } })).toMatchObject({
      status: "sent",
      channel: "email",
      tried: [{ channel: "sms", outcome: "failed" }],
    });
    expect(smtp.messages).toHaveLength(1);
    const failed = await db.message.findUniqueOrThrow({ where: { id: alone.message.id } });
    expect(failed).toMatchObject({ status: "failed", tried: [{ channel: "sms", outcome: "failed" }] });
    expect(failed.failedAt).not.toBeNull();
    expect(failed.lastError).toMatch(
      /^no channel left: sms failed \(last error: sms: .*Internal Server Error/,
    );
    expect(texts.sent).toHaveLength(0);
  });

  it("skips a marketing message nobody can receive, and refuses a bad request whole", async () => {
    const shopper = await customer(shop, {
      emailConsent: "unsubscribed",
      smsConsent: "not_subscribed",
      whatsappConsent: "not_subscribed",
    });
    const { message } = await enqueue(shop, shopper.id);
    await run();
    expect(await db.message.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({
      status: "skipped",
      lastError: "no channel left: email no consent, sms no consent, whatsapp no consent",
    });
    const before = await db.message.count();
    await expect(enqueue(shop, shopper.id, { content: {} })).rejects.toBeInstanceOf(MessageRequestError);
    const stranger = await customer(other);
    await expect(enqueue(shop, stranger.id)).rejects.toThrow(/not found in this shop/);
    expect(await db.message.count()).toBe(before);
  });
});
