// The WhatsApp channel's provider adapter, for Meta's WhatsApp Cloud API: sends template and text
// messages, classifies refusals as permanent or transient, checks webhook signatures
// (X-Hub-Signature-256) and the subscription handshake, and turns webhook payloads into
// DeliveryReport / InboundText.
import { createHmac } from "node:crypto";
import { z } from "zod";
import { constantTimeEqual } from "../events/signature";
import {
  ProviderRejectedError,
  type DeliveryReport,
  type DeliveryStatus,
  type InboundText,
  type OutgoingText,
  type ProviderAcceptance,
  type TextSender,
  providerTimeoutMs,
} from "./providers";

export interface WhatsAppSettings {
  /** e.g. "https://graph.facebook.com". */
  baseUrl: string;
  /** Graph API version, e.g. "v21.0". */
  apiVersion: string;
  phoneNumberId: string;
  accessToken: string;
}

export interface WhatsAppSenderOptions {
  fetch?: typeof fetch;
  /** A call (answer and body) taking longer is abandoned as a network error: outcome unknown. */
  timeoutMs?: number;
}

/**
 * Error codes that mean "too many messages now", whatever the HTTP status they come with:
 * 4 (application request limit), 80007 (WABA rate limit), 130429 (throughput), 131048 (spam rate
 * limit), 131056 (too many messages to the same recipient).
 */
const rateLimitCodes = new Set([4, 80007, 130429, 131048, 131056]);

const cloudAccepted = z.object({ messages: z.array(z.object({ id: z.string().min(1) })).min(1) });
const cloudError = z.object({
  error: z.object({
    message: z.string(),
    code: z.number().optional(),
    error_subcode: z.number().optional(),
  }),
});

/**
 * A TextSender for the "whatsapp" channel. The Cloud API has no idempotency key, so
 * `dedupesRepeats` is false. A message with a `template` is sent as that template (its body, if
 * any, is not sent); otherwise its `body` is sent as a text message. `statusCallbackUrl` is
 * ignored: statuses arrive on the app's webhook. Outcomes:
 * - 2xx with `messages[0].id` → `{ providerMessageId }`;
 * - 429, 5xx or a rate-limit error code → ProviderRejectedError(permanent: false);
 * - any other 4xx (unknown template, bad number, expired token) → ProviderRejectedError(permanent: true);
 * - network errors are rethrown as they are (outcome unknown).
 */
export function createWhatsAppSender(
  settings: WhatsAppSettings,
  options: WhatsAppSenderOptions = {},
): TextSender {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? providerTimeoutMs;
  const endpoint = `${settings.baseUrl.replace(/\/+$/, "")}/${settings.apiVersion}/${encodeURIComponent(settings.phoneNumberId)}/messages`;

  async function send(message: OutgoingText): Promise<ProviderAcceptance> {
    const payload = requestBody(message);
    const response = await doFetch(endpoint, {
      method: "POST",
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        authorization: `Bearer ${settings.accessToken}`,
        "content-type": "application/json",
        accept: "application/json",
      },
      body: JSON.stringify(payload),
    });
    const text = await response.text();
    const json = parseJson(text);

    if (response.ok) {
      const accepted = cloudAccepted.safeParse(json);
      if (!accepted.success) {
        throw new Error(`WhatsApp answered ${response.status} without a message id: ${text.slice(0, 200)}`);
      }
      // min(1) above guarantees the first element.
      return { providerMessageId: accepted.data.messages[0]!.id };
    }

    const error = cloudError.safeParse(json);
    const code = error.success ? error.data.error.code : undefined;
    const detail = error.success
      ? `${error.data.error.message}${code === undefined ? "" : ` (code ${code}${error.data.error.error_subcode === undefined ? "" : `/${error.data.error.error_subcode}`})`}`
      : text.slice(0, 200) || response.statusText;
    const transient =
      response.status === 429 || response.status >= 500 || (code !== undefined && rateLimitCodes.has(code));
    throw new ProviderRejectedError(
      `WhatsApp refused the message (HTTP ${response.status}): ${detail}`,
      !transient,
    );
  }

  return { channel: "whatsapp", dedupesRepeats: false, send };
}

function requestBody(message: OutgoingText): Record<string, unknown> {
  if (message.channel !== "whatsapp") {
    throw new ProviderRejectedError(`The WhatsApp sender cannot send a ${message.channel} message`, true);
  }
  const common = {
    messaging_product: "whatsapp",
    recipient_type: "individual",
    to: message.to.replace(/^\+/, ""),
  };
  if (message.template !== undefined) {
    const { name, language, parameters } = message.template;
    const template: Record<string, unknown> = { name, language: { code: language } };
    if (parameters.length > 0) {
      template.components = [
        { type: "body", parameters: parameters.map((text) => ({ type: "text", text })) },
      ];
    }
    return { ...common, type: "template", template };
  }
  if (message.body === undefined || message.body.trim() === "") {
    throw new ProviderRejectedError("A WhatsApp message needs a template or a body", true);
  }
  return { ...common, type: "text", text: { body: message.body } };
}

/** The X-Hub-Signature-256 header Meta sends: "sha256=" + hex(HMAC-SHA256(appSecret, raw body)). */
export function whatsAppSignature(appSecret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac("sha256", appSecret).update(rawBody).digest("hex")}`;
}

/** Whether `header` (X-Hub-Signature-256) signs exactly these raw body bytes. */
export function verifyWhatsAppSignature(
  appSecret: string,
  rawBody: string | Buffer,
  header: string | null | undefined,
): boolean {
  if (!header) return false;
  return constantTimeEqual(whatsAppSignature(appSecret, rawBody), header.trim().toLowerCase());
}

/**
 * The GET subscription handshake: when `hub.mode` is "subscribe" and `hub.verify_token` is ours,
 * the answer is `hub.challenge` (echo it with 200); otherwise null (answer 403).
 */
export function verifyWhatsAppChallenge(query: URLSearchParams, verifyToken: string): string | null {
  const challenge = query.get("hub.challenge");
  const token = query.get("hub.verify_token");
  if (query.get("hub.mode") !== "subscribe" || challenge === null || token === null) return null;
  return constantTimeEqual(verifyToken, token) ? challenge : null;
}

const unixSeconds = z.string().regex(/^\d+$/, "expected unix seconds");

const webhookStatus = z.object({
  id: z.string().min(1),
  status: z.string().min(1),
  timestamp: unixSeconds,
  recipient_id: z.string().optional(),
  errors: z
    .array(z.object({ code: z.number(), title: z.string().optional(), message: z.string().optional() }))
    .optional(),
});

const webhookMessage = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("text"),
    from: z.string().min(1),
    id: z.string().min(1),
    timestamp: unixSeconds,
    text: z.object({ body: z.string() }),
  }),
  z.object({
    type: z.literal("button"),
    from: z.string().min(1),
    id: z.string().min(1),
    timestamp: unixSeconds,
    button: z.object({ text: z.string() }),
  }),
]);

/** Messages of other types (image, reaction, location…) are checked only this far, then skipped. */
const anyMessage = z.looseObject({ type: z.string() });

const webhookBody = z.object({
  object: z.literal("whatsapp_business_account"),
  entry: z.array(
    z.object({
      changes: z.array(
        z.object({
          field: z.string(),
          value: z.unknown(),
        }),
      ),
    }),
  ),
});

const messagesValue = z.object({
  statuses: z.array(webhookStatus).optional(),
  messages: z.array(anyMessage).optional(),
});

const cloudStatuses: Record<string, DeliveryStatus> = {
  sent: "sent",
  delivered: "delivered",
  read: "read",
  failed: "failed",
};

/**
 * A Cloud API webhook payload (signature already checked) as the delivery reports and inbound texts
 * it carries, in order. Throws a descriptive error when the payload is not a WhatsApp Business
 * Account webhook or a status / text / button message lacks a required field. Skipped, not errors:
 * changes of other fields (e.g. template status updates), statuses other than
 * sent/delivered/read/failed, and inbound messages that are not text or button replies.
 */
export function parseWhatsAppWebhook(body: unknown): (DeliveryReport | InboundText)[] {
  const parsed = webhookBody.safeParse(body);
  if (!parsed.success) throw new Error(`Not a WhatsApp webhook: ${z.prettifyError(parsed.error)}`);
  const events: (DeliveryReport | InboundText)[] = [];

  for (const entry of parsed.data.entry) {
    for (const change of entry.changes) {
      if (change.field !== "messages") continue;
      const value = messagesValue.safeParse(change.value);
      if (!value.success)
        throw new Error(`Malformed WhatsApp "messages" change: ${z.prettifyError(value.error)}`);

      for (const status of value.data.statuses ?? []) {
        const mapped = cloudStatuses[status.status];
        if (mapped === undefined) continue;
        const report: DeliveryReport = {
          channel: "whatsapp",
          providerMessageId: status.id,
          status: mapped,
          at: fromUnixSeconds(status.timestamp),
        };
        if (mapped === "failed") {
          report.error =
            status.errors && status.errors.length > 0
              ? status.errors.map((e) => `${e.code}${e.title ? ` ${e.title}` : ""}`).join("; ")
              : "failed";
        }
        events.push(report);
      }

      for (const raw of value.data.messages ?? []) {
        if (raw.type !== "text" && raw.type !== "button") continue;
        const message = webhookMessage.safeParse(raw);
        if (!message.success) {
          throw new Error(`Malformed WhatsApp ${raw.type} message: ${z.prettifyError(message.error)}`);
        }
        const m = message.data;
        events.push({
          channel: "whatsapp",
          from: m.from.startsWith("+") ? m.from : `+${m.from}`,
          body: m.type === "text" ? m.text.body : m.button.text,
          at: fromUnixSeconds(m.timestamp),
          providerMessageId: m.id,
        });
      }
    }
  }
  return events;
}

function fromUnixSeconds(seconds: string): Date {
  return new Date(Number(seconds) * 1000);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
