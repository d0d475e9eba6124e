// Messages and what shoppers do with them, through the production web server over real HTTP, a
// real SMTP server, the fake SMS / WhatsApp provider and the fake Admin API (R-MSG-1…5): the
// e-mail's parts and headers, the open pixel, tracked links that redirect and record the click,
// unforgeable tokens, one-click and link unsubscribes that flip consent at once and reach Shopify,
// signed delivery callbacks, STOP replies, and WhatsApp's cost after delivery — including the
// service window a shopper's own message opens.
import type { Customer, Shop } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { createSmtpEmailSender, parseSmtpUrl } from "../../app/messaging/email-sender";
import { messagingCostsByFlowAndMonth } from "../../app/messaging/message-costs";
import { enqueueMessage, flowStepMessageKey, type MessageContent } from "../../app/messaging/outbox";
import { createSmsSender } from "../../app/messaging/sms-provider";
import { signTrackingToken, unsubscribeUrl } from "../../app/messaging/tracking-links";
import { createWhatsAppSender } from "../../app/messaging/whatsapp-provider";
import { createAdminClient } from "../../app/shopify/admin-client";
import { workerSetup } from "../../app/worker-setup";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { startFakeAdminApi, type FakeAdminApi } from "../support/fake-admin-api";
import { startFakeTextProvider, type FakeTextProvider } from "../support/fake-text-provider";
import { drain, testWorker } from "../support/inbox";
import { freePort, startWebServer, type RunningProcess } from "../support/processes";
import { startSmtpCatcher, type CaughtEmail, type SmtpCatcher } from "../support/smtp-catcher";
import { numbers } from "../support/stored";

const linkSecret = "messaging-links-test-secret";
const accessToken = "shpat_messaging";
const twilio = { accountSid: "AC_links", authToken: "twilio-links-token" };
const whatsapp = { phoneNumberId: "2201", accessToken: "wa-links-token", appSecret: "wa-links-app-secret" };

const content: MessageContent = {
  email: {
    subject: "Zapomněli jste něco? 🛒",
    html: '<html><body><p>Hi Ada,</p><p><a href="https://shop.example/cart?step=1&amp;ref=mail">Back to your cart</a></p></body></html>',
    text: "Hi Ada, back to your cart: https://shop.example/cart?step=1&ref=mail",
  },
  sms: { body: "Your cart is waiting: https://shop.example/cart" },
  whatsapp: {
    template: { name: "cart_reminder", language: "en", parameters: ["Ada"] },
    category: "marketing",
  },
};

/** A header as sent (mailparser turns List-* headers into structures). */
function headerLine(mail: CaughtEmail | undefined, name: string): string | undefined {
  const lines: readonly { key: string; line: string }[] = mail?.parsed.headerLines ?? [];
  return lines.find((header) => header.key === name)?.line.replace(/^[^:]+:\s*/, "");
}

describe(`messaging over HTTP on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let server: RunningProcess & { baseUrl: string };
  let smtp: SmtpCatcher;
  let texts: FakeTextProvider;
  let admin: FakeAdminApi;
  let shop: Shop;
  let shopper: Customer;
  let run: () => Promise<number>;
  let sequence = 0;
  // The web server runs on the real clock (its consent jobs are due "now"): the worker starts there too.
  const clock = new ManualClock(new Date());

  const send = async (
    channelOrder: ("email" | "sms" | "whatsapp")[],
    purpose: "marketing" | "transactional" = "marketing",
    to: { shop: Shop; customer: Customer; content?: MessageContent } = { shop, customer: shopper },
  ) => {
    sequence += 1;
    const { message } = await enqueueMessage(db, {
      shopId: to.shop.id,
      customerId: to.customer.id,
      idempotencyKey: flowStepMessageKey(`links-${sequence}`, "step"),
      flowId: "abandoned-cart",
      purpose,
      content: to.content ?? content,
      channelOrder,
      notBefore: clock.now(),
    });
    await run();
    return db.message.findUniqueOrThrow({ where: { id: message.id } });
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    smtp = await startSmtpCatcher();
    admin = await startFakeAdminApi({ customers: 0, orders: 0, products: 0, accessToken });
    texts = await startFakeTextProvider({
      twilio: { ...twilio, inboundUrl: `${baseUrl}/webhooks/sms` },
      whatsapp: { ...whatsapp, webhookUrl: `${baseUrl}/webhooks/whatsapp` },
    });
    server = await startWebServer({
      DATABASE_URL: database.url,
      PORT: String(port),
      STAYLOOP_PUBLIC_URL: baseUrl,
      STAYLOOP_LINK_SECRET: linkSecret,
      STAYLOOP_SMS_API_URL: texts.url,
      STAYLOOP_SMS_ACCOUNT_SID: twilio.accountSid,
      STAYLOOP_SMS_AUTH_TOKEN: twilio.authToken,
      STAYLOOP_SMS_FROM: "+15005550006",
      STAYLOOP_WHATSAPP_API_URL: texts.url,
      STAYLOOP_WHATSAPP_PHONE_NUMBER_ID: whatsapp.phoneNumberId,
      STAYLOOP_WHATSAPP_ACCESS_TOKEN: whatsapp.accessToken,
      STAYLOOP_WHATSAPP_APP_SECRET: whatsapp.appSecret,
      STAYLOOP_WHATSAPP_VERIFY_TOKEN: "verify-me",
    });
    shop = await db.shop.create({
      data: { domain: "links.myshopify.com", name: "Linen & Co", timezone: "UTC" },
    });
    await db.session.create({
      data: { id: `offline_${shop.domain}`, shop: shop.domain, state: "", isOnline: false, accessToken },
    });
    await db.messagingSettings.create({
      data: {
        shopId: shop.id,
        fromEmail: "hello@linen.example",
        fromName: "Linen & Co",
        quietStart: "00:00",
        quietEnd: "00:00",
        capMessages: 100,
        whatsappPricing: "conversation",
        whatsappRates: {
          currency: "USD",
          rates: [
            {
              callingCode: "420",
              businessInitiatedMicros: 59_000,
              userInitiatedMicros: 21_000,
              marketingMicros: 59_000,
              utilityMicros: 21_000,
              authenticationMicros: 30_000,
            },
          ],
          fallback: {
            businessInitiatedMicros: 80_000,
            userInitiatedMicros: 30_000,
            marketingMicros: 80_000,
            utilityMicros: 30_000,
            authenticationMicros: 40_000,
          },
        },
      },
    });
    shopper = await db.customer.create({
      data: {
        shopId: shop.id,
        shopifyId: "7301",
        email: "ada@example.com",
        phone: "+420601555111",
        firstName: "Ada",
        emailConsent: "subscribed",
        smsConsent: "subscribed",
        whatsappConsent: "subscribed",
      },
    });
    const worker = testWorker(db, clock, {
      ...workerSetup({
        clock,
        adminClientFor: (target, token) =>
          createAdminClient({
            shopDomain: target.domain,
            accessToken: token,
            endpoint: admin.endpoint(target.domain),
          }),
        messaging: {
          clock,
          senders: {
            email: createSmtpEmailSender(parseSmtpUrl(smtp.url)),
            sms: createSmsSender({ baseUrl: texts.url, ...twilio, from: "+15005550006" }),
            whatsapp: createWhatsAppSender({ baseUrl: texts.url, apiVersion: "v21.0", ...whatsapp }),
          },
          links: { baseUrl, secret: linkSecret },
          defaultFrom: "Stayloop <no-reply@stayloop.test>",
        },
      }),
    });
    run = () => drain(worker);
  });

  afterAll(async () => {
    await server?.stop();
    await smtp?.close();
    await texts?.close();
    await admin?.close();
    await database?.drop();
  });

  it("sends an e-mail with both parts, the shop as sender and the unsubscribe headers", async () => {
    const message = await send(["email"]);
    expect(message).toMatchObject({ status: "sent", channel: "email", toAddress: "ada@example.com" });
    const [mail] = await smtp.waitForMessages(1);
    const parsed = mail?.parsed;
    expect(parsed?.subject).toBe("Zapomněli jste něco? 🛒");
    expect(parsed?.from?.text).toBe('"Linen & Co" <hello@linen.example>');
    expect(parsed?.text).toContain("Hi Ada, back to your cart");
    expect(parsed?.text).toMatch(new RegExp(`Unsubscribe: ${server.baseUrl}/t/u/[\\w.-]+`));
    expect(parsed?.html).toContain("Back to your cart");
    expect(parsed?.html).toMatch(new RegExp(`href="${server.baseUrl}/t/c/[\\w.-]+"`));
    expect(parsed?.html).not.toContain('href="https://shop.example');
    expect(parsed?.html).toMatch(new RegExp(`<img src="${server.baseUrl}/t/o/[\\w.-]+"`));
    expect(headerLine(mail, "list-unsubscribe")).toMatch(new RegExp(`^<${server.baseUrl}/t/u/[\\w.-]+>$`));
    expect(headerLine(mail, "list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
  });

  it("records an open from the pixel and a click from a tracked link that redirects to the target", async () => {
    const [mail] = smtp.messages;
    const html = String(mail?.parsed.html);
    const message = await db.message.findFirstOrThrow({ where: { channel: "email" } });
    const pixel = /<img src="([^"]+)"/.exec(html)?.[1] ?? "";
    const opened = await fetch(pixel);
    expect(opened.status).toBe(200);
    expect(opened.headers.get("content-type")).toBe("image/gif");
    expect(await db.message.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({ opens: 1 });

    const link = /href="([^"]+\/t\/c\/[^"]+)"/.exec(html)?.[1] ?? "";
    const clicked = await fetch(link, { redirect: "manual" });
    expect(clicked.status).toBe(302);
    expect(clicked.headers.get("location")).toBe("https://shop.example/cart?step=1&ref=mail");
    const after = await db.message.findUniqueOrThrow({ where: { id: message.id } });
    expect(after.clicks).toBe(1);
    expect(after.clickedAt).not.toBeNull();
  });

  it("refuses forged and tampered tokens without recording or redirecting", async () => {
    const message = await db.message.findFirstOrThrow({ where: { channel: "email" } });
    const forged = signTrackingToken("some-other-secret-value", {
      k: "c",
      m: message.id,
      u: "https://evil.example/",
    });
    const html = String(smtp.messages[0]?.parsed.html);
    const token = /\/t\/c\/([\w.-]+)"/.exec(html)?.[1] ?? "";
    const [payload = "", signature = ""] = token.split(".");
    const tampered = `${Buffer.from(
      JSON.stringify({ k: "c", m: message.id, u: "https://evil.example/" }),
    ).toString("base64url")}.${signature}`;
    // One character of the signature changed (to another character: "x" when it was not one already).
    const flipped = `${payload}.${signature.startsWith("x") ? "y" : "x"}${signature.slice(1)}`;
    for (const bad of [forged, tampered, flipped, "garbage"]) {
      const response = await fetch(`${server.baseUrl}/t/c/${bad}`, { redirect: "manual" });
      expect(response.status).toBe(404);
      expect(response.headers.get("location")).toBeNull();
    }
    const unsubscribe = await fetch(`${server.baseUrl}/t/u/${forged}`, { method: "POST" });
    expect(unsubscribe.status).toBe(404);
    expect(await db.message.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({ clicks: 1 });
    expect((await db.customer.findUniqueOrThrow({ where: { id: shopper.id } })).emailConsent).toBe(
      "subscribed",
    );
  });

  it("unsubscribes at once with one click, tells Shopify, and sends no more marketing e-mail", async () => {
    const url = String(headerLine(smtp.messages[0], "list-unsubscribe")).slice(1, -1);
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(response.status).toBe(200);
    expect((await db.customer.findUniqueOrThrow({ where: { id: shopper.id } })).emailConsent).toBe(
      "unsubscribed",
    );
    // The consent job is due at the server's "now", a moment after the worker's clock.
    clock.advance(60_000);
    await run();
    expect(admin.commerce.consentUpdates).toEqual([
      expect.objectContaining({
        shop: shop.domain,
        customerId: "gid://shopify/Customer/7301",
        channel: "email",
        marketingState: "UNSUBSCRIBED",
      }),
    ]);
    // The link in the text part shows the confirmation and changes nothing more.
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("You are unsubscribed");
    expect(await db.consentChange.count({ where: { customerId: shopper.id } })).toBe(1);

    const next = await send(["email"]);
    expect(next).toMatchObject({ status: "skipped", lastError: "no channel left: email no consent" });
    const receipt = await send(["email"], "transactional");
    expect(receipt.status).toBe("sent");
  });

  it("accepts signed SMS delivery reports, refuses unsigned ones, and honours STOP", async () => {
    const message = await send(["sms"]);
    expect(message).toMatchObject({ status: "sent", channel: "sms" });
    const forged = await fetch(`${server.baseUrl}/webhooks/sms`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": "bm9wZQ==" },
      body: new URLSearchParams({ MessageSid: message.providerMessageId ?? "", MessageStatus: "delivered" }),
    });
    expect(forged.status).toBe(403);
    expect((await db.message.findUniqueOrThrow({ where: { id: message.id } })).status).toBe("sent");

    await texts.report(message.providerMessageId ?? "", "delivered");
    expect((await db.message.findUniqueOrThrow({ where: { id: message.id } })).status).toBe("delivered");

    await texts.inbound("sms", "+420601555111", "Stop");
    expect((await db.customer.findUniqueOrThrow({ where: { id: shopper.id } })).smsConsent).toBe(
      "unsubscribed",
    );
    await run();
    expect(admin.commerce.consentUpdates.at(-1)).toMatchObject({
      channel: "sms",
      marketingState: "UNSUBSCRIBED",
    });
  });

  it("a GET on the unsubscribe link only shows a confirm page in the shopper's language; its button's POST unsubscribes (RFC 8058)", async () => {
    const bozena = await db.customer.create({
      data: {
        shopId: shop.id,
        shopifyId: "7302",
        email: "bozena@example.com",
        firstName: "Božena",
        locale: "cs-CZ",
        emailConsent: "subscribed",
      },
    });
    const message = await send(["email"], "marketing", { shop, customer: bozena });
    expect(message).toMatchObject({ status: "sent", channel: "email" });
    const url = unsubscribeUrl(server.baseUrl, linkSecret, message.id);
    // A link scanner opens it (twice): a page with a form, nothing changed.
    for (let visit = 0; visit < 2; visit += 1) {
      const page = await fetch(url);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('<main lang="cs"');
      expect(html).toMatch(/<form method="post" aria-labelledby="unsubscribe-title">/);
      expect(html).toContain('<h1 id="unsubscribe-title">Odhlásit odběr od Linen &amp; Co?</h1>');
      expect(html).toMatch(/<button type="submit"[^>]*>Odhlásit odběr<\/button>/);
    }
    expect((await db.customer.findUniqueOrThrow({ where: { id: bozena.id } })).emailConsent).toBe(
      "subscribed",
    );
    expect(await db.consentChange.count({ where: { customerId: bozena.id } })).toBe(0);

    // The shopper presses the button: the form posts back to the same signed link.
    const confirmed = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "confirm=unsubscribe",
    });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain("Odběr je odhlášen");
    expect((await db.customer.findUniqueOrThrow({ where: { id: bozena.id } })).emailConsent).toBe(
      "unsubscribed",
    );
    expect(await db.consentChange.findMany({ where: { customerId: bozena.id } })).toEqual([
      expect.objectContaining({ channel: "email", state: "unsubscribed", source: "unsubscribe_link" }),
    ]);
    // A forged token's POST changes nothing (checked for one-click above; same guard).
    const forged = signTrackingToken("some-other-secret-value", { k: "u", m: message.id });
    expect(
      (await fetch(`${server.baseUrl}/t/u/${forged}`, { method: "POST", body: "confirm=unsubscribe" }))
        .status,
    ).toBe(404);
  });

  it("shows the confirm page in English for a language it does not have", async () => {
    const hans = await db.customer.create({
      data: {
        shopId: shop.id,
        shopifyId: "7303",
        email: "hans@example.com",
        locale: "de-DE",
        emailConsent: "subscribed",
      },
    });
    const message = await send(["email"], "marketing", { shop, customer: hans });
    const html = await (await fetch(unsubscribeUrl(server.baseUrl, linkSecret, message.id))).text();
    expect(html).toContain('<main lang="en"');
    expect(html).toContain("Unsubscribe from Linen &amp; Co?");
    expect(html).toMatch(/<button type="submit"[^>]*>Unsubscribe<\/button>/);
    expect((await db.customer.findUniqueOrThrow({ where: { id: hans.id } })).emailConsent).toBe("subscribed");
  });

  it("a shopper writing in opens the service window: a utility reply within 24 h is free per message and a user-initiated conversation under the 2022 model (R-MSG-3)", async () => {
    const utility: MessageContent = {
      whatsapp: {
        template: { name: "order_update", language: "cs", parameters: ["1042"] },
        category: "utility",
      },
    };
    const rates = {
      currency: "USD",
      rates: [
        {
          callingCode: "420",
          businessInitiatedMicros: 59_000,
          userInitiatedMicros: 21_000,
          marketingMicros: 59_000,
          utilityMicros: 21_000,
          authenticationMicros: 30_000,
        },
      ],
      fallback: {
        businessInitiatedMicros: 80_000,
        userInitiatedMicros: 30_000,
        marketingMicros: 80_000,
        utilityMicros: 30_000,
        authenticationMicros: 40_000,
      },
    };
    const results = [];
    for (const [index, model] of (["per_message", "conversation"] as const).entries()) {
      const modelShop = await db.shop.create({
        data: { domain: `window-${model.replace("_", "-")}.myshopify.com`, name: "Window", timezone: "UTC" },
      });
      await db.messagingSettings.create({
        data: {
          shopId: modelShop.id,
          quietStart: "00:00",
          quietEnd: "00:00",
          capMessages: 100,
          whatsappPricing: model,
          whatsappRates: rates,
        },
      });
      const phone = `+42060177720${index}`;
      const writer = await db.customer.create({
        data: { shopId: modelShop.id, shopifyId: `740${index}`, phone, whatsappConsent: "subscribed" },
      });
      // The shopper writes first, through the real webhook (signed by the fake provider).
      await texts.inbound("whatsapp", phone, "Dobrý den, kde je moje objednávka?");
      const [stored] = await db.inboundMessage.findMany({ where: { shopId: modelShop.id } });
      expect(stored).toMatchObject({ channel: "whatsapp", fromAddress: phone, kind: "text" });
      expect(Object.values(stored ?? {})).not.toContain("Dobrý den, kde je moje objednávka?");
      // The shop answers an hour after the shopper's message.
      const answerAt = (stored?.receivedAt.getTime() ?? 0) + 3_600_000;
      if (answerAt > clock.now().getTime()) clock.advance(answerAt - clock.now().getTime());
      const reply = await send(["whatsapp"], "transactional", {
        shop: modelShop,
        customer: writer,
        content: utility,
      });
      expect(reply).toMatchObject({ status: "sent", channel: "whatsapp", category: "utility" });
      await texts.report(reply.providerMessageId ?? "", "delivered");
      const priced = numbers(await db.message.findUniqueOrThrow({ where: { id: reply.id } }));
      const [report] = await messagingCostsByFlowAndMonth(db, modelShop.id);
      results.push({
        model,
        projected: priced.projectedCostMicros,
        actual: priced.costMicros,
        reported: report?.micros,
      });
    }
    expect(results).toEqual([
      { model: "per_message", projected: 0, actual: 0, reported: 0 },
      { model: "conversation", projected: 21_000, actual: 21_000, reported: 21_000 },
    ]);
  });

  it("prices a delivered WhatsApp message by the recipient's country and keeps the second one in 20 h free", async () => {
    const first = await send(["whatsapp"]);
    expect(numbers(first)).toMatchObject({
      status: "sent",
      channel: "whatsapp",
      projectedCostMicros: 59_000,
    });
    await texts.report(first.providerMessageId ?? "", "delivered");
    expect(numbers(await db.message.findUniqueOrThrow({ where: { id: first.id } }))).toMatchObject({
      status: "delivered",
      costMicros: 59_000,
      costCurrency: "USD",
    });
    clock.advance(20 * 3_600_000);
    const second = await send(["whatsapp"]);
    expect(numbers(second).projectedCostMicros).toBe(0);
    await texts.report(second.providerMessageId ?? "", "delivered");
    expect(numbers(await db.message.findUniqueOrThrow({ where: { id: second.id } })).costMicros).toBe(0);
    expect(await messagingCostsByFlowAndMonth(db, shop.id)).toEqual([
      {
        flowId: "abandoned-cart",
        month: (first.sentAt ?? new Date()).toISOString().slice(0, 7),
        micros: 59_000,
        currency: "USD",
        messages: 2,
      },
    ]);
  });
});
