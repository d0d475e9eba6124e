// The SMS channel's provider adapter, for Twilio's Messages API (or anything that speaks it): sends
// a text, classifies the provider's refusals as permanent or transient, checks the signature on the
// provider's callbacks (X-Twilio-Signature) and turns status callbacks and inbound messages into
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

export interface SmsSettings {
  /** e.g. "https://api.twilio.com" (no trailing path). */
  baseUrl: string;
  accountSid: string;
  authToken: string;
  /** Our sending number (E.164) or alphanumeric sender id. */
  from: string;
}

export interface SmsSenderOptions {
  fetch?: typeof fetch;
  /** A call (answer and body) taking longer is abandoned as a network error: outcome unknown. */
  timeoutMs?: number;
}

const twilioAccepted = z.object({ sid: z.string().min(1), status: z.string().optional() });
const twilioError = z.object({ code: z.number().optional(), message: z.string() });

/**
 * A TextSender for the "sms" channel. Twilio has no idempotency key for messages, so
 * `dedupesRepeats` is false. Outcomes:
 * - 200/201 → `{ providerMessageId: sid }`;
 * - 429 and 5xx → ProviderRejectedError(permanent: false);
 * - any other 4xx (400 bad number, 21610 unsubscribed recipient, but also 401 bad credentials)
 *   → ProviderRejectedError(permanent: true);
 * - network errors (connection refused, connection dropped before the answer) are rethrown as
 *   they are: the provider may or may not have accepted the message.
 */
export function createSmsSender(settings: SmsSettings, options: SmsSenderOptions = {}): TextSender {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? providerTimeoutMs;
  const endpoint = `${settings.baseUrl.replace(/\/+$/, "")}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString("base64")}`;

  async function send(message: OutgoingText): Promise<ProviderAcceptance> {
    if (message.channel !== "sms") {
      throw new ProviderRejectedError(`The SMS sender cannot send a ${message.channel} message`, true);
    }
    if (message.body === undefined || message.body.trim() === "") {
      throw new ProviderRejectedError("An SMS needs a body (templates are WhatsApp-only)", true);
    }
    const form = new URLSearchParams({ To: message.to, From: settings.from, Body: message.body });
    if (message.statusCallbackUrl !== undefined) form.set("StatusCallback", message.statusCallbackUrl);

    const response = await doFetch(endpoint, {
      method: "POST",
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        authorization,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: form.toString(),
    });
    const text = await response.text();
    const json = parseJson(text);

    if (response.status === 200 || response.status === 201) {
      const accepted = twilioAccepted.safeParse(json);
      if (!accepted.success) {
        // Accepted, but we cannot tell which message it is: the outcome is as unknown as a drop.
        throw new Error(
          `SMS provider answered ${response.status} without a message sid: ${text.slice(0, 200)}`,
        );
      }
      return { providerMessageId: accepted.data.sid };
    }

    const error = twilioError.safeParse(json);
    const detail = error.success
      ? `${error.data.message}${error.data.code === undefined ? "" : ` (Twilio error ${error.data.code})`}`
      : text.slice(0, 200) || response.statusText;
    const description = `SMS provider refused the message (HTTP ${response.status}): ${detail}`;
    const transient = response.status === 429 || response.status >= 500;
    throw new ProviderRejectedError(description, !transient);
  }

  return { channel: "sms", dedupesRepeats: false, send };
}

/**
 * Twilio's request signature: base64(HMAC-SHA1(authToken, fullUrl + each parameter's name and
 * value, ordered by name)). `fullUrl` is the URL Twilio requested, query string included.
 */
export function twilioSignature(authToken: string, fullUrl: string, params: Record<string, string>): string {
  let data = fullUrl;
  for (const name of Object.keys(params).sort()) data += name + params[name];
  return createHmac("sha1", authToken).update(data, "utf8").digest("base64");
}

/** Whether `signatureHeader` (X-Twilio-Signature) signs this URL and these form parameters. */
export function verifyTwilioSignature(
  authToken: string,
  fullUrl: string,
  params: Record<string, string>,
  signatureHeader: string | null | undefined,
): boolean {
  if (!signatureHeader) return false;
  return constantTimeEqual(twilioSignature(authToken, fullUrl, params), signatureHeader);
}

/** Twilio's MessageStatus values → what we record; null means "nothing to record yet". */
const twilioStatuses: Record<string, DeliveryStatus | null> = {
  accepted: null,
  scheduled: null,
  queued: null,
  sending: null,
  sent: "sent",
  delivered: "delivered",
  read: "read",
  undelivered: "failed",
  failed: "failed",
  canceled: "failed",
};

/**
 * A Twilio callback (form parameters, signature already checked) as a DeliveryReport, an
 * InboundText, or null when there is nothing to record (queued/accepted/sending). Twilio callbacks
 * carry no timestamp, so `at` is when we received it. Throws for parameters that are neither a
 * status callback nor an inbound message, and for a MessageStatus we do not know.
 */
export function parseTwilioCallback(
  params: Record<string, string>,
  at: Date,
): DeliveryReport | InboundText | null {
  const sid = params.MessageSid ?? params.SmsSid;
  if (!sid) throw new Error("Not a Twilio message callback: no MessageSid / SmsSid");
  const status = params.MessageStatus;

  if (status === undefined || status === "received") {
    if (params.From === undefined || params.Body === undefined) {
      throw new Error(
        `Not a Twilio message callback: ${sid} has no MessageStatus and is not an inbound message (From and Body)`,
      );
    }
    return { channel: "sms", from: params.From, body: params.Body, at, providerMessageId: sid };
  }

  if (!(status in twilioStatuses)) {
    throw new Error(`Unknown Twilio MessageStatus "${status}" for ${sid}`);
  }
  const mapped = twilioStatuses[status] ?? null;
  if (mapped === null) return null;
  const report: DeliveryReport = { channel: "sms", providerMessageId: sid, status: mapped, at };
  if (mapped === "failed") {
    const code = params.ErrorCode;
    report.error = code
      ? `Twilio error ${code}${params.ErrorMessage ? `: ${params.ErrorMessage}` : ""}`
      : status;
  }
  return report;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
