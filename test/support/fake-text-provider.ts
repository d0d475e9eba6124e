// A fake SMS + WhatsApp provider over real HTTP (127.0.0.1, random port) for the tests and the
// demo. One server plays both:
// - Twilio's Messages API: POST /2010-04-01/Accounts/{AccountSid}/Messages.json, HTTP Basic auth,
//   form body (To, From, Body, StatusCallback), Twilio-style error bodies ({ code, message,
//   more_info, status });
// - the WhatsApp Cloud API: POST /{version}/{phone-number-id}/messages, Bearer token, JSON body
//   (text and template messages), Graph-style error bodies ({ error: { message, type, code } }).
// It records every accepted message in `sent`, can be told to fail the next sends (server error,
// permanent rejection, rate limit, or hanging up after accepting), and posts correctly signed
// status callbacks and inbound messages to the app, like the real providers do.
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { twilioSignature } from "../../app/messaging/sms-provider";
import { whatsAppSignature } from "../../app/messaging/whatsapp-provider";

export type FakeChannel = "sms" | "whatsapp";
export type FakeFailure = "server_error" | "rejected" | "rate_limited" | "hang_up";
export type FakeReportStatus = "sent" | "delivered" | "read" | "failed";

export interface FakeSentText {
  channel: FakeChannel;
  /** As it came over the wire: "+420…" for Twilio, "420…" (no plus) for WhatsApp. */
  to: string;
  /** SMS only: the From parameter. */
  from?: string;
  body?: string;
  template?: { name: string; language: string; parameters: string[] };
  providerMessageId: string;
  /** SMS only: the StatusCallback parameter. */
  statusCallbackUrl?: string;
  /** The request as received: the form parameters (SMS) or the parsed JSON body (WhatsApp). */
  request: Record<string, unknown>;
}

export interface FakeTextProviderOptions {
  twilio: {
    accountSid: string;
    authToken: string;
    /** Where inbound SMS are posted (the number's "A message comes in" webhook). */
    inboundUrl?: string;
    /** Our Twilio number, used as To of inbound SMS. */
    phoneNumber?: string;
  };
  whatsapp: {
    phoneNumberId: string;
    accessToken: string;
    appSecret: string;
    /** The app's webhook; statuses and inbound messages are posted here. */
    webhookUrl?: string;
    /** Our WhatsApp number, shown in webhook metadata. */
    displayPhoneNumber?: string;
  };
  /** The clock for callback timestamps; defaults to the real one. */
  now?: () => Date;
}

export interface FakeTextProvider {
  /** e.g. "http://127.0.0.1:41234" — both `baseUrl`s (Twilio and Graph) point here. */
  url: string;
  sent: FakeSentText[];
  /** The next `times` (default 1) otherwise valid sends on `channel` fail this way. */
  failNext(channel: FakeChannel, kind: FakeFailure, times?: number): void;
  /** Posts a signed status callback for a message in `sent`; rejects unless the app answers 2xx. */
  report(providerMessageId: string, status: FakeReportStatus): Promise<void>;
  /** Posts a signed inbound message from `from` (E.164); rejects unless the app answers 2xx. */
  inbound(channel: FakeChannel, from: string, body: string): Promise<void>;
  /** Sets (or changes) where callbacks go, e.g. once the app's server is listening. */
  setCallbackUrls(urls: { twilioInbound?: string; whatsappWebhook?: string }): void;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

const e164 = /^\+[1-9]\d{6,14}$/;

function twilioError(status: number, code: number, message: string): HttpError {
  return new HttpError(status, {
    code,
    message,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  });
}

function graphError(status: number, code: number, message: string, type = "OAuthException"): HttpError {
  return new HttpError(status, {
    error: { message, type, code, fbtrace_id: randomBytes(9).toString("base64url") },
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export async function startFakeTextProvider(options: FakeTextProviderOptions): Promise<FakeTextProvider> {
  const { twilio, whatsapp } = options;
  const now = options.now ?? (() => new Date());
  const sent: FakeSentText[] = [];
  const failures: Record<FakeChannel, FakeFailure[]> = { sms: [], whatsapp: [] };
  let twilioInboundUrl = twilio.inboundUrl;
  let whatsappWebhookUrl = whatsapp.webhookUrl;
  const twilioNumber = twilio.phoneNumber ?? "+15005550006";
  const whatsappNumber = whatsapp.displayPhoneNumber ?? "15550001111";

  const twilioPath = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
  const graphPath = /^\/([^/]+)\/([^/]+)\/messages$/;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    let twilioMatch: RegExpExecArray | null = null;
    let graphMatch: RegExpExecArray | null = null;
    try {
      if (req.method === "POST" && (twilioMatch = twilioPath.exec(path))) {
        const result = acceptSms(req, raw, decodeURIComponent(twilioMatch[1] ?? ""));
        if (result === "hang_up") return void req.socket.destroy();
        return respond(res, 201, result);
      }
      if (req.method === "POST" && (graphMatch = graphPath.exec(path))) {
        const result = acceptWhatsApp(req, raw, graphMatch[1] ?? "", decodeURIComponent(graphMatch[2] ?? ""));
        if (result === "hang_up") return void req.socket.destroy();
        return respond(res, 200, result);
      }
      throw path.startsWith("/2010-04-01/")
        ? twilioError(404, 20404, "The requested resource was not found")
        : graphError(400, 2500, `Unknown path components: ${path}`);
    } catch (error) {
      if (error instanceof HttpError) return respond(res, error.status, error.body);
      throw error;
    }
  }

  function takeFailure(channel: FakeChannel): FakeFailure | undefined {
    return failures[channel].shift();
  }

  function acceptSms(req: http.IncomingMessage, raw: string, accountSid: string): unknown {
    const expected = `Basic ${Buffer.from(`${twilio.accountSid}:${twilio.authToken}`).toString("base64")}`;
    if (req.headers.authorization !== expected) throw twilioError(401, 20003, "Authenticate");
    if (accountSid !== twilio.accountSid)
      throw twilioError(404, 20404, "The requested resource was not found");
    if (!String(req.headers["content-type"]).startsWith("application/x-www-form-urlencoded")) {
      throw twilioError(400, 21602, "Message body is required.");
    }
    const form = Object.fromEntries(new URLSearchParams(raw));
    const { To: to, From: from, Body: body, StatusCallback: statusCallback } = form;
    if (!to) throw twilioError(400, 21604, "A 'To' phone number is required.");
    if (!from) throw twilioError(400, 21603, "A 'From' phone number is required.");
    if (!e164.test(to)) throw twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!body) throw twilioError(400, 21602, "Message body is required.");
    if (body.length > 1600) {
      throw twilioError(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
    }
    if (statusCallback !== undefined && !/^https?:\/\//.test(statusCallback)) {
      throw twilioError(400, 21609, "The StatusCallback URL is not valid.");
    }

    const failure = takeFailure("sms");
    if (failure === "server_error") throw twilioError(500, 20500, "Internal Server Error");
    if (failure === "rejected") throw twilioError(400, 21610, "Attempt to send to unsubscribed recipient");
    if (failure === "rate_limited") throw twilioError(429, 20429, "Too Many Requests");

    const sid = `SM${randomBytes(16).toString("hex")}`;
    const record: FakeSentText = { channel: "sms", to, from, body, providerMessageId: sid, request: form };
    if (statusCallback !== undefined) record.statusCallbackUrl = statusCallback;
    sent.push(record);
    if (failure === "hang_up") return "hang_up";
    const created = now().toUTCString();
    return {
      sid,
      account_sid: twilio.accountSid,
      to,
      from,
      body,
      status: "queued",
      direction: "outbound-api",
      num_segments: String(Math.max(1, Math.ceil(body.length / 160))),
      date_created: created,
      date_updated: created,
      api_version: "2010-04-01",
      uri: `/2010-04-01/Accounts/${twilio.accountSid}/Messages/${sid}.json`,
      error_code: null,
      error_message: null,
    };
  }

  function acceptWhatsApp(
    req: http.IncomingMessage,
    raw: string,
    version: string,
    phoneNumberId: string,
  ): unknown {
    if (req.headers.authorization !== `Bearer ${whatsapp.accessToken}`) {
      throw graphError(401, 190, "Invalid OAuth access token - Cannot parse access token");
    }
    if (!/^v\d+\.\d+$/.test(version)) throw graphError(400, 2500, `Unknown path components: /${version}`);
    if (phoneNumberId !== whatsapp.phoneNumberId) {
      throw graphError(
        400,
        100,
        `Unsupported post request. Object with ID '${phoneNumberId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        "GraphMethodException",
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw graphError(400, 100, "(#100) Invalid JSON for postcontent");
    }
    if (!isRecord(json)) throw graphError(400, 100, "(#100) Invalid JSON for postcontent");
    if (json.messaging_product !== "whatsapp") {
      throw graphError(400, 100, "(#100) The parameter messaging_product is required.");
    }
    const to = json.to;
    if (typeof to !== "string" || to === "")
      throw graphError(400, 100, "(#100) The parameter to is required.");
    if (!/^\+?[1-9]\d{6,14}$/.test(to))
      throw graphError(400, 131009, "(#131009) Parameter value is not valid");

    const record: FakeSentText = { channel: "whatsapp", to, providerMessageId: "", request: json };
    if (json.type === "text") {
      const body = isRecord(json.text) ? json.text.body : undefined;
      if (typeof body !== "string" || body === "") {
        throw graphError(400, 100, "(#100) The parameter text['body'] is required.");
      }
      record.body = body;
    } else if (json.type === "template") {
      record.template = parseTemplate(json.template);
    } else {
      throw graphError(
        400,
        100,
        "(#100) Param type must be one of {AUDIO, CONTACTS, DOCUMENT, IMAGE, INTERACTIVE, LOCATION, REACTION, STICKER, TEMPLATE, TEXT, VIDEO}",
      );
    }

    const failure = takeFailure("whatsapp");
    if (failure === "server_error") throw graphError(500, 1, "An unknown error has occurred.");
    if (failure === "rejected")
      throw graphError(400, 131030, "(#131030) Recipient phone number not in allowed list");
    if (failure === "rate_limited") {
      throw graphError(
        400,
        130429,
        "(#130429) Rate limit hit: Cloud API message throughput has been reached.",
      );
    }

    record.providerMessageId = `wamid.${randomBytes(24).toString("base64url")}`;
    sent.push(record);
    if (failure === "hang_up") return "hang_up";
    return {
      messaging_product: "whatsapp",
      contacts: [{ input: to, wa_id: to.replace(/^\+/, "") }],
      messages: [{ id: record.providerMessageId, message_status: "accepted" }],
    };
  }

  function parseTemplate(template: unknown): NonNullable<FakeSentText["template"]> {
    if (!isRecord(template) || typeof template.name !== "string" || template.name === "") {
      throw graphError(400, 100, "(#100) The parameter template['name'] is required.");
    }
    const code = isRecord(template.language) ? template.language.code : undefined;
    if (typeof code !== "string" || code === "") {
      throw graphError(400, 100, "(#100) The parameter template['language']['code'] is required.");
    }
    const parameters: string[] = [];
    if (template.components !== undefined) {
      if (!Array.isArray(template.components)) {
        throw graphError(400, 100, "(#100) Param template['components'] must be an array.");
      }
      for (const component of template.components as unknown[]) {
        if (!isRecord(component) || typeof component.type !== "string") {
          throw graphError(400, 100, "(#100) The parameter template['components'][0]['type'] is required.");
        }
        if (component.type !== "body") continue;
        if (!Array.isArray(component.parameters)) {
          throw graphError(
            400,
            100,
            "(#100) Param template['components'][0]['parameters'] must be an array.",
          );
        }
        for (const parameter of component.parameters as unknown[]) {
          if (!isRecord(parameter) || parameter.type !== "text" || typeof parameter.text !== "string") {
            throw graphError(400, 131008, "(#131008) Required parameter is missing");
          }
          parameters.push(parameter.text);
        }
      }
    }
    return { name: template.name, language: code, parameters };
  }

  async function postTwilio(url: string, params: Record<string, string>): Promise<void> {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": twilioSignature(twilio.authToken, url, params),
        "user-agent": "TwilioProxy/1.1",
      },
      body: new URLSearchParams(params).toString(),
    });
    await expectOk(response, url);
  }

  async function postWhatsApp(value: Record<string, unknown>): Promise<void> {
    if (whatsappWebhookUrl === undefined) throw new Error("fake WhatsApp: no webhookUrl configured");
    const raw = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [
        {
          id: "102290129340398",
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: whatsappNumber, phone_number_id: whatsapp.phoneNumberId },
                ...value,
              },
            },
          ],
        },
      ],
    });
    const response = await fetch(whatsappWebhookUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-hub-signature-256": whatsAppSignature(whatsapp.appSecret, raw),
        "user-agent": "facebookexternalua",
      },
      body: raw,
    });
    await expectOk(response, whatsappWebhookUrl);
  }

  const unixSeconds = (): string => String(Math.floor(now().getTime() / 1000));

  async function report(providerMessageId: string, status: FakeReportStatus): Promise<void> {
    const message = sent.find((m) => m.providerMessageId === providerMessageId);
    if (message === undefined) throw new Error(`fake text provider: no sent message ${providerMessageId}`);
    if (message.channel === "sms") {
      if (message.statusCallbackUrl === undefined) {
        throw new Error(`fake Twilio: message ${providerMessageId} was sent without a StatusCallback`);
      }
      const params: Record<string, string> = {
        AccountSid: twilio.accountSid,
        ApiVersion: "2010-04-01",
        From: message.from ?? "",
        To: message.to,
        MessageSid: providerMessageId,
        SmsSid: providerMessageId,
        MessageStatus: status,
        SmsStatus: status,
      };
      if (status === "failed") params.ErrorCode = "30008";
      return postTwilio(message.statusCallbackUrl, params);
    }
    const entry: Record<string, unknown> = {
      id: providerMessageId,
      status,
      timestamp: unixSeconds(),
      recipient_id: message.to.replace(/^\+/, ""),
    };
    if (status === "failed") {
      entry.errors = [
        {
          code: 131026,
          title: "Message undeliverable",
          message: "Message undeliverable",
          error_data: { details: "Message Undeliverable." },
        },
      ];
    }
    return postWhatsApp({ statuses: [entry] });
  }

  async function inbound(channel: FakeChannel, from: string, body: string): Promise<void> {
    if (channel === "sms") {
      if (twilioInboundUrl === undefined) throw new Error("fake Twilio: no inboundUrl configured");
      const sid = `SM${randomBytes(16).toString("hex")}`;
      return postTwilio(twilioInboundUrl, {
        AccountSid: twilio.accountSid,
        ApiVersion: "2010-04-01",
        MessageSid: sid,
        SmsSid: sid,
        SmsMessageSid: sid,
        SmsStatus: "received",
        From: from,
        To: twilioNumber,
        Body: body,
        NumMedia: "0",
        NumSegments: "1",
      });
    }
    const waId = from.replace(/^\+/, "");
    return postWhatsApp({
      contacts: [{ profile: { name: "Shopper" }, wa_id: waId }],
      messages: [
        {
          from: waId,
          id: `wamid.${randomBytes(24).toString("base64url")}`,
          timestamp: unixSeconds(),
          type: "text",
          text: { body },
        },
      ],
    });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      respond(res, 500, { error: { message: String(error), type: "FakeProviderBug", code: 1 } });
    });
  });
  // Past fetch's own idle timeout (4 s): otherwise the server may close a kept-alive connection just
  // as the client reuses it ("fetch failed"), which on a busy machine made sends look unanswered.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    failNext(channel, kind, times = 1) {
      for (let i = 0; i < times; i++) failures[channel].push(kind);
    },
    report,
    inbound,
    setCallbackUrls(urls) {
      if (urls.twilioInbound !== undefined) twilioInboundUrl = urls.twilioInbound;
      if (urls.whatsappWebhook !== undefined) whatsappWebhookUrl = urls.whatsappWebhook;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function respond(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

async function expectOk(response: Response, url: string): Promise<void> {
  if (!response.ok) {
    const text = await response.text();
    throw new Error(`fake text provider: ${url} answered ${response.status}: ${text.slice(0, 200)}`);
  }
  await response.body?.cancel();
}
