// SMS / WhatsApp provider callbacks: signature schemes (Twilio HMAC-SHA1 over URL + sorted params,
// Meta HMAC-SHA256 over the raw body), the WhatsApp subscription handshake, turning Twilio callbacks
// and Cloud API webhooks into delivery reports / inbound texts, and STOP / START keywords.
import { describe, expect, it } from "vitest";
import {
  parseTwilioCallback,
  twilioSignature,
  verifyTwilioSignature,
} from "../../app/messaging/sms-provider";
import { isStartKeyword, isStopKeyword } from "../../app/messaging/stop-keywords";
import {
  parseWhatsAppWebhook,
  verifyWhatsAppChallenge,
  verifyWhatsAppSignature,
  whatsAppSignature,
} from "../../app/messaging/whatsapp-provider";

describe("Twilio signatures", () => {
  // The example from Twilio's own helper-library tests.
  const token = "12345";
  const url = "https://mycompany.com/myapp.php?foo=1&bar=2";
  const params = {
    CallSid: "CA1234567890ABCDE",
    Caller: "+14158675309",
    Digits: "1234",
    From: "+14158675309",
    To: "+18005551212",
  };
  const signature = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

  it("computes Twilio's published signature, independent of parameter order", () => {
    expect(twilioSignature(token, url, params)).toBe(signature);
    const reversed = Object.fromEntries(Object.entries(params).reverse());
    expect(twilioSignature(token, url, reversed)).toBe(signature);
  });

  it("accepts the correct signature", () => {
    expect(verifyTwilioSignature(token, url, params, signature)).toBe(true);
  });

  it.each([
    ["a tampered parameter value", token, url, { ...params, Digits: "1235" }, signature],
    ["an added parameter", token, url, { ...params, Extra: "x" }, signature],
    ["a removed parameter", token, url, { ...params, Digits: undefined }, signature],
    ["a different URL", token, "https://mycompany.com/myapp.php?foo=1&bar=3", params, signature],
    ["the URL without its query string", token, "https://mycompany.com/myapp.php", params, signature],
    ["another auth token", "54321", url, params, signature],
    ["a signature with one character changed", token, url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B9="],
    ["a truncated signature", token, url, params, signature.slice(0, -1)],
    ["an empty signature", token, url, params, ""],
  ])("rejects %s", (_label, authToken, fullUrl, p, header) => {
    const clean = Object.fromEntries(
      Object.entries(p).filter((e): e is [string, string] => e[1] !== undefined),
    );
    expect(verifyTwilioSignature(authToken, fullUrl, clean, header)).toBe(false);
  });

  it("rejects a missing header", () => {
    expect(verifyTwilioSignature(token, url, params, undefined)).toBe(false);
    expect(verifyTwilioSignature(token, url, params, null)).toBe(false);
  });
});

describe("WhatsApp signatures", () => {
  const secret = "app-secret-1";
  const body = '{"object":"whatsapp_business_account","entry":[]}';
  // Computed with `openssl dgst -sha256 -hmac app-secret-1`.
  const header = "sha256=0ca28c0f1996234eb6829e59ad3c11a18161f6eb043943d601e420c312432cdf";

  it("computes HMAC-SHA256 of the raw body, prefixed with sha256=", () => {
    expect(whatsAppSignature(secret, body)).toBe(header);
    expect(whatsAppSignature(secret, Buffer.from(body))).toBe(header);
  });

  it("accepts the correct signature for string and Buffer bodies, and upper-case hex", () => {
    expect(verifyWhatsAppSignature(secret, body, header)).toBe(true);
    expect(verifyWhatsAppSignature(secret, Buffer.from(body), header)).toBe(true);
    expect(verifyWhatsAppSignature(secret, body, `sha256=${header.slice(7).toUpperCase()}`)).toBe(true);
  });

  it.each([
    ["a tampered body", secret, body.replace("[]", "[ ]"), header],
    [
      "the same JSON re-serialised with other spacing",
      secret,
      JSON.stringify(JSON.parse(body), null, 1),
      header,
    ],
    ["another app secret", "app-secret-2", body, header],
    ["a changed digit", secret, body, header.slice(0, -1) + "e"],
    ["no sha256= prefix", secret, body, header.slice(7)],
    ["a sha1= header", secret, body, `sha1=${header.slice(7)}`],
    ["an empty header", secret, body, ""],
  ])("rejects %s", (_label, appSecret, raw, h) => {
    expect(verifyWhatsAppSignature(appSecret, raw, h)).toBe(false);
  });

  it("rejects a missing header", () => {
    expect(verifyWhatsAppSignature(secret, body, undefined)).toBe(false);
  });
});

describe("WhatsApp subscription handshake", () => {
  const q = (s: string) => new URLSearchParams(s);

  it("returns the challenge for subscribe with our verify token", () => {
    expect(
      verifyWhatsAppChallenge(
        q("hub.mode=subscribe&hub.verify_token=tok-1&hub.challenge=1158201444"),
        "tok-1",
      ),
    ).toBe("1158201444");
  });

  it.each([
    ["a wrong verify token", "hub.mode=subscribe&hub.verify_token=tok-2&hub.challenge=1"],
    ["a verify token that only shares a prefix", "hub.mode=subscribe&hub.verify_token=tok-&hub.challenge=1"],
    ["another mode", "hub.mode=unsubscribe&hub.verify_token=tok-1&hub.challenge=1"],
    ["no challenge", "hub.mode=subscribe&hub.verify_token=tok-1"],
    ["no verify token", "hub.mode=subscribe&hub.challenge=1"],
    ["nothing", ""],
  ])("returns null for %s", (_label, query) => {
    expect(verifyWhatsAppChallenge(q(query), "tok-1")).toBeNull();
  });
});

describe("parseTwilioCallback", () => {
  const at = new Date("2025-03-04T10:00:00Z");
  const status = (MessageStatus: string, extra: Record<string, string> = {}) => ({
    AccountSid: "AC123",
    ApiVersion: "2010-04-01",
    From: "+15005550006",
    To: "+420601123456",
    MessageSid: "SM0001",
    SmsSid: "SM0001",
    SmsStatus: MessageStatus,
    MessageStatus,
    ...extra,
  });

  it.each([
    ["sent", "sent"],
    ["delivered", "delivered"],
    ["read", "read"],
  ] as const)("reports %s as %s", (twilioStatus, expected) => {
    expect(parseTwilioCallback(status(twilioStatus), at)).toEqual({
      channel: "sms",
      providerMessageId: "SM0001",
      status: expected,
      at,
    });
  });

  it("reports undelivered as failed with the error code", () => {
    expect(parseTwilioCallback(status("undelivered", { ErrorCode: "30003" }), at)).toEqual({
      channel: "sms",
      providerMessageId: "SM0001",
      status: "failed",
      at,
      error: "Twilio error 30003",
    });
  });

  it("reports failed as failed, naming the status when there is no error code", () => {
    expect(parseTwilioCallback(status("failed"), at)).toMatchObject({ status: "failed", error: "failed" });
  });

  it.each(["queued", "accepted", "sending", "scheduled"])("records nothing for %s", (s) => {
    expect(parseTwilioCallback(status(s), at)).toBeNull();
  });

  it("takes the sid from SmsSid when MessageSid is absent", () => {
    const { MessageSid: _unused, ...params } = status("delivered");
    expect(parseTwilioCallback(params, at)).toMatchObject({
      providerMessageId: "SM0001",
      status: "delivered",
    });
  });

  it("turns an inbound message into an InboundText", () => {
    const inbound = {
      AccountSid: "AC123",
      MessageSid: "SM0002",
      SmsSid: "SM0002",
      SmsMessageSid: "SM0002",
      SmsStatus: "received",
      From: "+420601123456",
      To: "+15005550006",
      Body: "Stop.",
      NumMedia: "0",
    };
    expect(parseTwilioCallback(inbound, at)).toEqual({
      channel: "sms",
      from: "+420601123456",
      body: "Stop.",
      at,
      providerMessageId: "SM0002",
    });
  });

  it("keeps an empty inbound body (a media-only message) as an empty string", () => {
    expect(parseTwilioCallback({ MessageSid: "SM3", From: "+420601123456", Body: "" }, at)).toMatchObject({
      body: "",
    });
  });

  it.each([
    ["no sid at all", { MessageStatus: "delivered" }],
    ["an empty object", {}],
    ["no status and no Body", { MessageSid: "SM1", From: "+420601123456" }],
    ["no status and no From", { MessageSid: "SM1", Body: "hi" }],
    ["an unknown status", { MessageSid: "SM1", MessageStatus: "exploded" }],
  ])("throws for %s", (_label, params: Record<string, string>) => {
    expect(() => parseTwilioCallback(params, at)).toThrow(/Twilio/);
  });
});

describe("parseWhatsAppWebhook", () => {
  const webhook = (value: unknown, field = "messages") => ({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "102290129340398",
        changes: [
          {
            field,
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550001111", phone_number_id: "106540352242922" },
              ...(value as object),
            },
          },
        ],
      },
    ],
  });

  it("turns statuses into delivery reports with their own timestamps", () => {
    const events = parseWhatsAppWebhook(
      webhook({
        statuses: [
          { id: "wamid.A", status: "sent", timestamp: "1700000000", recipient_id: "420601123456" },
          { id: "wamid.A", status: "delivered", timestamp: "1700000005", recipient_id: "420601123456" },
          { id: "wamid.B", status: "read", timestamp: "1700000010", recipient_id: "420601123457" },
          {
            id: "wamid.C",
            status: "failed",
            timestamp: "1700000020",
            recipient_id: "420601123458",
            errors: [{ code: 131026, title: "Message undeliverable" }],
          },
        ],
      }),
    );
    expect(events).toEqual([
      { channel: "whatsapp", providerMessageId: "wamid.A", status: "sent", at: new Date(1_700_000_000_000) },
      {
        channel: "whatsapp",
        providerMessageId: "wamid.A",
        status: "delivered",
        at: new Date(1_700_000_005_000),
      },
      { channel: "whatsapp", providerMessageId: "wamid.B", status: "read", at: new Date(1_700_000_010_000) },
      {
        channel: "whatsapp",
        providerMessageId: "wamid.C",
        status: "failed",
        at: new Date(1_700_000_020_000),
        error: "131026 Message undeliverable",
      },
    ]);
  });

  it("turns inbound text and button replies into InboundTexts with a + on the sender", () => {
    const events = parseWhatsAppWebhook(
      webhook({
        contacts: [{ profile: { name: "Jana" }, wa_id: "420601123456" }],
        messages: [
          {
            from: "420601123456",
            id: "wamid.IN1",
            timestamp: "1700000100",
            type: "text",
            text: { body: "STOP" },
          },
          {
            from: "420601123456",
            id: "wamid.IN2",
            timestamp: "1700000200",
            type: "button",
            button: { text: "Odhlásit", payload: "unsubscribe" },
          },
        ],
      }),
    );
    expect(events).toEqual([
      {
        channel: "whatsapp",
        from: "+420601123456",
        body: "STOP",
        at: new Date(1_700_000_100_000),
        providerMessageId: "wamid.IN1",
      },
      {
        channel: "whatsapp",
        from: "+420601123456",
        body: "Odhlásit",
        at: new Date(1_700_000_200_000),
        providerMessageId: "wamid.IN2",
      },
    ]);
  });

  it("collects events across several entries and changes", () => {
    const one = webhook({ statuses: [{ id: "wamid.1", status: "sent", timestamp: "1" }] });
    const two = webhook({ statuses: [{ id: "wamid.2", status: "delivered", timestamp: "2" }] });
    const events = parseWhatsAppWebhook({ ...one, entry: [...one.entry, ...two.entry] });
    expect(events.map((e) => e.providerMessageId)).toEqual(["wamid.1", "wamid.2"]);
  });

  it("skips other fields, other message types and unknown statuses", () => {
    expect(
      parseWhatsAppWebhook(
        webhook({ event: "APPROVED", message_template_id: 1 }, "message_template_status_update"),
      ),
    ).toEqual([]);
    expect(
      parseWhatsAppWebhook(
        webhook({
          messages: [
            { from: "420601123456", id: "wamid.I", timestamp: "1", type: "image", image: { id: "media-1" } },
          ],
          statuses: [{ id: "wamid.X", status: "deleted", timestamp: "1" }],
        }),
      ),
    ).toEqual([]);
  });

  it.each([
    ["null", null],
    ["another object kind", { object: "page", entry: [] }],
    ["no entry", { object: "whatsapp_business_account" }],
    ["changes that are not an array", { object: "whatsapp_business_account", entry: [{ changes: {} }] }],
  ])("throws for %s", (_label, body) => {
    expect(() => parseWhatsAppWebhook(body)).toThrow(/Not a WhatsApp webhook/);
  });

  it.each([
    ["a status without an id", { statuses: [{ status: "sent", timestamp: "1" }] }],
    [
      "a status with an ISO timestamp",
      { statuses: [{ id: "w", status: "sent", timestamp: "2025-01-01T00:00:00Z" }] },
    ],
    ["statuses that are not an array", { statuses: { id: "w" } }],
  ])("throws for %s", (_label, value) => {
    expect(() => parseWhatsAppWebhook(webhook(value))).toThrow(/Malformed WhatsApp "messages" change/);
  });

  it.each([
    ["a text message without text", { from: "420601123456", id: "w", timestamp: "1", type: "text" }],
    ["a text message without from", { id: "w", timestamp: "1", type: "text", text: { body: "hi" } }],
    [
      "a button message without button text",
      { from: "4206", id: "w", timestamp: "1", type: "button", button: {} },
    ],
  ])("throws for %s", (_label, message) => {
    expect(() => parseWhatsAppWebhook(webhook({ messages: [message] }))).toThrow(
      /Malformed WhatsApp (text|button)/,
    );
  });
});

describe("STOP / START keywords", () => {
  it.each([
    "STOP",
    "stop",
    "  Stop  ",
    "Stop.",
    "STOP!!!",
    "stop 🙏",
    "StopAll",
    "unsubscribe",
    "Cancel",
    "END",
    "quit",
    "OPTOUT",
    "revoke",
    "ODHLÁSIT",
    "odhlásit",
    "Odhlasit",
    "ZRUŠIT",
    "zrusit!",
    "\tStop\n",
  ])("%j is a STOP", (body) => {
    expect(isStopKeyword(body)).toBe(true);
    expect(isStartKeyword(body)).toBe(false);
  });

  it.each([
    "please stop sending",
    "stop it",
    "don't stop",
    "OPT OUT",
    "opt-out",
    "stops",
    "START",
    "",
    "   ",
    "...",
    "STOP STOP",
    "zrušit objednávku",
  ])("%j is not a STOP", (body) => {
    expect(isStopKeyword(body)).toBe(false);
  });

  it.each(["START", "start", " Start. ", "UNSTOP", "unstop!"])("%j is a START", (body) => {
    expect(isStartKeyword(body)).toBe(true);
    expect(isStopKeyword(body)).toBe(false);
  });

  it.each(["YES", "please start again", "STARTS", "restart", "STOP", ""])("%j is not a START", (body) => {
    expect(isStartKeyword(body)).toBe(false);
  });
});
