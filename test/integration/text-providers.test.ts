// The SMS (Twilio) and WhatsApp (Cloud API) senders over real HTTP against the fake provider:
// what goes over the wire, how refusals are classified (permanent / transient / outcome unknown),
// and that the fake's signed callbacks pass the app's own signature checks and parsers.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ProviderRejectedError, type OutgoingText, type TextSender } from "../../app/messaging/providers";
import {
  createSmsSender,
  parseTwilioCallback,
  verifyTwilioSignature,
} from "../../app/messaging/sms-provider";
import { isStopKeyword } from "../../app/messaging/stop-keywords";
import {
  createWhatsAppSender,
  parseWhatsAppWebhook,
  verifyWhatsAppSignature,
} from "../../app/messaging/whatsapp-provider";
import { startFakeTextProvider, type FakeTextProvider } from "../support/fake-text-provider";

const twilio = { accountSid: "AC0123456789abcdef0123456789abcdef", authToken: "twilio-token-1" };
const whatsapp = {
  phoneNumberId: "106540352242922",
  accessToken: "EAAG-access-token",
  appSecret: "meta-app-secret",
};
const ourNumber = "+15005550006";

interface Received {
  url: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
}

/** A tiny stand-in for the app's callback endpoints: records each request, answers `answer`. */
async function startReceiver(): Promise<{
  base: string;
  received: Received[];
  answer: number;
  close(): Promise<void>;
}> {
  const state = { received: [] as Received[], answer: 200 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      state.received.push({
        url: req.url ?? "",
        headers: req.headers,
        raw: Buffer.concat(chunks).toString("utf8"),
      });
      res.writeHead(state.answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    received: state.received,
    get answer() {
      return state.answer;
    },
    set answer(value: number) {
      state.answer = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let fake: FakeTextProvider;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let sms: TextSender;
let wa: TextSender;

beforeAll(async () => {
  receiver = await startReceiver();
  fake = await startFakeTextProvider({
    twilio: { ...twilio, inboundUrl: `${receiver.base}/webhooks/sms/inbound`, phoneNumber: ourNumber },
    whatsapp: { ...whatsapp, webhookUrl: `${receiver.base}/webhooks/whatsapp` },
  });
  sms = createSmsSender({ baseUrl: fake.url, ...twilio, from: ourNumber });
  wa = createWhatsAppSender({ baseUrl: fake.url, apiVersion: "v21.0", ...whatsapp });
});

afterAll(async () => {
  await fake.close();
  await receiver.close();
});

afterEach(() => {
  receiver.received.length = 0;
  receiver.answer = 200;
});

const smsMessage = (overrides: Partial<OutgoingText> = {}): OutgoingText => ({
  channel: "sms",
  to: "+420601123456",
  body: "Your 10 % code: LOOP10 — ends Sunday",
  idempotencyKey: "k-sms-1",
  ...overrides,
});

const waTemplate = (overrides: Partial<OutgoingText> = {}): OutgoingText => ({
  channel: "whatsapp",
  to: "+420601123456",
  template: { name: "winback_offer", language: "cs", parameters: ["Jana", "LOOP10", "neděle"] },
  idempotencyKey: "k-wa-1",
  ...overrides,
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the send to fail");
}

describe("SMS sender", () => {
  it("posts To, From, Body and StatusCallback and returns the message sid", async () => {
    const before = fake.sent.length;
    const callback = `${receiver.base}/webhooks/sms/status?shop=demo.myshopify.com`;
    const accepted = await sms.send(smsMessage({ statusCallbackUrl: callback }));

    expect(sms.channel).toBe("sms");
    expect(sms.dedupesRepeats).toBe(false);
    expect(accepted.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(fake.sent.slice(before)).toEqual([
      {
        channel: "sms",
        to: "+420601123456",
        from: ourNumber,
        body: "Your 10 % code: LOOP10 — ends Sunday",
        providerMessageId: accepted.providerMessageId,
        statusCallbackUrl: callback,
        request: {
          To: "+420601123456",
          From: ourNumber,
          Body: "Your 10 % code: LOOP10 — ends Sunday",
          StatusCallback: callback,
        },
      },
    ]);
  });

  it("sends no StatusCallback when none is given", async () => {
    const { providerMessageId } = await sms.send(smsMessage());
    const record = fake.sent.find((m) => m.providerMessageId === providerMessageId);
    expect(record?.request).not.toHaveProperty("StatusCallback");
  });

  it("refuses a message without a body before calling the provider", async () => {
    const before = fake.sent.length;
    const error = await rejection(sms.send(smsMessage({ body: undefined })));
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect((error as ProviderRejectedError).permanent).toBe(true);
    expect(fake.sent.length).toBe(before);
  });

  it("turns Twilio's 400 for an invalid number into a permanent rejection with Twilio's message", async () => {
    const error = await rejection(sms.send(smsMessage({ to: "+42" })));
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect((error as ProviderRejectedError).permanent).toBe(true);
    expect((error as Error).message).toContain("The 'To' number +42 is not a valid phone number.");
    expect((error as Error).message).toContain("21211");
  });

  it("treats an unsubscribed recipient (21610) as permanent, nothing recorded", async () => {
    const before = fake.sent.length;
    fake.failNext("sms", "rejected");
    const error = await rejection(sms.send(smsMessage()));
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect((error as ProviderRejectedError).permanent).toBe(true);
    expect((error as Error).message).toContain("21610");
    expect(fake.sent.length).toBe(before);
  });

  it.each(["server_error", "rate_limited"] as const)("treats %s as transient", async (kind) => {
    fake.failNext("sms", kind);
    const error = await rejection(sms.send(smsMessage()));
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect((error as ProviderRejectedError).permanent).toBe(false);
    expect((error as Error).message).toMatch(kind === "server_error" ? /HTTP 500/ : /HTTP 429/);
  });

  it("fails exactly `times` sends, then accepts again", async () => {
    fake.failNext("sms", "server_error", 2);
    await expect(sms.send(smsMessage())).rejects.toBeInstanceOf(ProviderRejectedError);
    await expect(sms.send(smsMessage())).rejects.toBeInstanceOf(ProviderRejectedError);
    await expect(sms.send(smsMessage())).resolves.toHaveProperty("providerMessageId");
  });

  it("rejects with a wrong auth token (the fake checks Basic auth)", async () => {
    const wrong = createSmsSender({ baseUrl: fake.url, ...twilio, authToken: "nope", from: ourNumber });
    const before = fake.sent.length;
    const error = await rejection(wrong.send(smsMessage()));
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect((error as Error).message).toContain("HTTP 401");
    expect(fake.sent.length).toBe(before);
  });

  it("hang_up: the send fails with a network error, not a rejection, yet the provider has the message", async () => {
    const before = fake.sent.length;
    fake.failNext("sms", "hang_up");
    const error = await rejection(sms.send(smsMessage({ body: "outcome unknown" })));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ProviderRejectedError);
    expect(fake.sent.slice(before)).toMatchObject([{ channel: "sms", body: "outcome unknown" }]);
  });
});

describe("WhatsApp sender", () => {
  it("sends a template with its body parameters, to the number without +", async () => {
    const before = fake.sent.length;
    const accepted = await wa.send(waTemplate());

    expect(wa.channel).toBe("whatsapp");
    expect(wa.dedupesRepeats).toBe(false);
    expect(accepted.providerMessageId).toMatch(/^wamid\./);
    expect(fake.sent.slice(before)).toEqual([
      {
        channel: "whatsapp",
        to: "420601123456",
        template: { name: "winback_offer", language: "cs", parameters: ["Jana", "LOOP10", "neděle"] },
        providerMessageId: accepted.providerMessageId,
        request: {
          messaging_product: "whatsapp",
          recipient_type: "individual",
          to: "420601123456",
          type: "template",
          template: {
            name: "winback_offer",
            language: { code: "cs" },
            components: [
              {
                type: "body",
                parameters: [
                  { type: "text", text: "Jana" },
                  { type: "text", text: "LOOP10" },
                  { type: "text", text: "neděle" },
                ],
              },
            ],
          },
        },
      },
    ]);
  });

  it("omits components for a template without parameters", async () => {
    const { providerMessageId } = await wa.send(
      waTemplate({ template: { name: "hello_world", language: "en_US", parameters: [] } }),
    );
    const record = fake.sent.find((m) => m.providerMessageId === providerMessageId);
    expect(record?.template).toEqual({ name: "hello_world", language: "en_US", parameters: [] });
    expect(record?.request.template).toEqual({ name: "hello_world", language: { code: "en_US" } });
  });

  it("sends a free-text body as a text message", async () => {
    const { providerMessageId } = await wa.send({
      channel: "whatsapp",
      to: "+420601123456",
      body: "Díky za odpověď!",
      idempotencyKey: "k-wa-2",
    });
    const record = fake.sent.find((m) => m.providerMessageId === providerMessageId);
    expect(record?.body).toBe("Díky za odpověď!");
    expect(record?.request).toMatchObject({ type: "text", text: { body: "Díky za odpověď!" } });
  });

  it("refuses a message with neither template nor body before calling the provider", async () => {
    const before = fake.sent.length;
    const error = await rejection(wa.send(waTemplate({ template: undefined })));
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect((error as ProviderRejectedError).permanent).toBe(true);
    expect(fake.sent.length).toBe(before);
  });

  it("turns a 4xx refusal into a permanent rejection with Meta's message and code", async () => {
    fake.failNext("whatsapp", "rejected");
    const error = await rejection(wa.send(waTemplate()));
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect((error as ProviderRejectedError).permanent).toBe(true);
    expect((error as Error).message).toContain("Recipient phone number not in allowed list");
    expect((error as Error).message).toContain("131030");
  });

  it("an invalid recipient is a permanent rejection", async () => {
    const error = await rejection(wa.send(waTemplate({ to: "+42" })));
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect((error as ProviderRejectedError).permanent).toBe(true);
    expect((error as Error).message).toContain("131009");
  });

  it("a 5xx is transient", async () => {
    fake.failNext("whatsapp", "server_error");
    const error = await rejection(wa.send(waTemplate()));
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect((error as ProviderRejectedError).permanent).toBe(false);
    expect((error as Error).message).toContain("HTTP 500");
  });

  it("a rate-limit code (130429) is transient even though it comes with HTTP 400", async () => {
    fake.failNext("whatsapp", "rate_limited");
    const error = await rejection(wa.send(waTemplate()));
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect((error as ProviderRejectedError).permanent).toBe(false);
    expect((error as Error).message).toContain("HTTP 400");
    expect((error as Error).message).toContain("130429");
  });

  it("rejects with a wrong access token (the fake checks the Bearer token)", async () => {
    const wrong = createWhatsAppSender({
      baseUrl: fake.url,
      apiVersion: "v21.0",
      ...whatsapp,
      accessToken: "x",
    });
    const error = await rejection(wrong.send(waTemplate()));
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect((error as Error).message).toContain("HTTP 401");
  });

  it("hang_up: the send fails with a network error, not a rejection, yet the provider has the message", async () => {
    const before = fake.sent.length;
    fake.failNext("whatsapp", "hang_up");
    const error = await rejection(wa.send(waTemplate()));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ProviderRejectedError);
    expect(fake.sent.slice(before)).toMatchObject([
      { channel: "whatsapp", template: { name: "winback_offer" } },
    ]);
  });

  it("failures are per channel: an SMS failure does not hit WhatsApp", async () => {
    fake.failNext("sms", "server_error");
    await expect(wa.send(waTemplate())).resolves.toHaveProperty("providerMessageId");
    await expect(sms.send(smsMessage())).rejects.toBeInstanceOf(ProviderRejectedError);
  });
});

describe("callbacks from the fake pass the app's checks", () => {
  const formOf = (raw: string) => Object.fromEntries(new URLSearchParams(raw));

  it("SMS status callback: signed for the StatusCallback URL (query included), parsed as a report", async () => {
    const callback = `${receiver.base}/webhooks/sms/status?shop=demo.myshopify.com`;
    const { providerMessageId } = await sms.send(smsMessage({ statusCallbackUrl: callback }));
    await fake.report(providerMessageId, "delivered");

    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    const params = formOf(request!.raw);
    const fullUrl = receiver.base + request!.url;
    expect(fullUrl).toBe(callback);
    const signature = String(request!.headers["x-twilio-signature"]);
    expect(verifyTwilioSignature(twilio.authToken, fullUrl, params, signature)).toBe(true);
    expect(verifyTwilioSignature("other-token", fullUrl, params, signature)).toBe(false);
    expect(
      verifyTwilioSignature(twilio.authToken, fullUrl, { ...params, MessageStatus: "failed" }, signature),
    ).toBe(false);

    const at = new Date("2025-03-04T10:00:00Z");
    expect(parseTwilioCallback(params, at)).toEqual({
      channel: "sms",
      providerMessageId,
      status: "delivered",
      at,
    });
  });

  it("SMS failed status carries an error code", async () => {
    const { providerMessageId } = await sms.send(smsMessage({ statusCallbackUrl: `${receiver.base}/s` }));
    await fake.report(providerMessageId, "failed");
    const params = formOf(receiver.received[0]!.raw);
    expect(parseTwilioCallback(params, new Date())).toMatchObject({
      status: "failed",
      error: "Twilio error 30008",
    });
  });

  it("SMS inbound STOP: signed, parsed as InboundText, recognised as STOP", async () => {
    await fake.inbound("sms", "+420601123456", "Stop.");
    const [request] = receiver.received;
    expect(request!.url).toBe("/webhooks/sms/inbound");
    const params = formOf(request!.raw);
    expect(
      verifyTwilioSignature(
        twilio.authToken,
        receiver.base + request!.url,
        params,
        String(request!.headers["x-twilio-signature"]),
      ),
    ).toBe(true);
    const inbound = parseTwilioCallback(params, new Date());
    expect(inbound).toMatchObject({ channel: "sms", from: "+420601123456", body: "Stop." });
    expect(isStopKeyword((inbound as { body: string }).body)).toBe(true);
  });

  it("WhatsApp status webhook: signed raw body, parsed as a failed report", async () => {
    const { providerMessageId } = await wa.send(waTemplate());
    const before = Date.now();
    await fake.report(providerMessageId, "failed");

    const [request] = receiver.received;
    expect(request!.url).toBe("/webhooks/whatsapp");
    const signature = String(request!.headers["x-hub-signature-256"]);
    expect(verifyWhatsAppSignature(whatsapp.appSecret, request!.raw, signature)).toBe(true);
    expect(verifyWhatsAppSignature(whatsapp.appSecret, request!.raw + " ", signature)).toBe(false);

    const events = parseWhatsAppWebhook(JSON.parse(request!.raw));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      channel: "whatsapp",
      providerMessageId,
      status: "failed",
      error: "131026 Message undeliverable",
    });
    // Cloud API timestamps are whole seconds.
    expect((events[0] as { at: Date }).at.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
  });

  it.each(["sent", "delivered", "read"] as const)("WhatsApp %s status round-trips", async (status) => {
    const { providerMessageId } = await wa.send(waTemplate());
    await fake.report(providerMessageId, status);
    const events = parseWhatsAppWebhook(JSON.parse(receiver.received[0]!.raw));
    expect(events).toMatchObject([{ channel: "whatsapp", providerMessageId, status }]);
  });

  it("WhatsApp inbound: signed, parsed with a + on the sender", async () => {
    await fake.inbound("whatsapp", "+420601123456", "ODHLÁSIT");
    const [request] = receiver.received;
    expect(
      verifyWhatsAppSignature(
        whatsapp.appSecret,
        request!.raw,
        String(request!.headers["x-hub-signature-256"]),
      ),
    ).toBe(true);
    const events = parseWhatsAppWebhook(JSON.parse(request!.raw));
    expect(events).toMatchObject([{ channel: "whatsapp", from: "+420601123456", body: "ODHLÁSIT" }]);
    expect(isStopKeyword((events[0] as { body: string }).body)).toBe(true);
  });

  it("report() rejects when the app does not answer 2xx, and for unknown messages", async () => {
    const { providerMessageId } = await wa.send(waTemplate());
    receiver.answer = 403;
    await expect(fake.report(providerMessageId, "delivered")).rejects.toThrow(/403/);
    await expect(fake.report("wamid.unknown", "delivered")).rejects.toThrow(/no sent message/);
  });
});
