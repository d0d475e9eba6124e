// What the outbox needs from a channel's provider, and what providers report back. The email
// sender (nodemailer over SMTP) and the SMS / WhatsApp adapters (HTTP APIs) implement these; the
// outbox never knows which provider is behind a channel.
import type { Channel } from "./channels";

export interface OutgoingEmail {
  to: string;
  from: string;
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post. */
  headers: Record<string, string>;
  /** The outbox's idempotency key; sent as the Message-ID's local part so repeats are recognisable. */
  idempotencyKey: string;
}

export interface OutgoingText {
  channel: "sms" | "whatsapp";
  /** E.164, e.g. "+420601123456". */
  to: string;
  /** Free text (SMS, and WhatsApp replies inside an open customer-service window). */
  body?: string;
  /** A pre-approved WhatsApp template with its positional body parameters. */
  template?: { name: string; language: string; parameters: string[] };
  /** The outbox's idempotency key; providers that honour one never deliver the same key twice. */
  idempotencyKey: string;
  /** Where the provider posts delivery status for this message. */
  statusCallbackUrl?: string;
}

export interface ProviderAcceptance {
  providerMessageId: string;
}

/** The provider refused the message; `permanent` means retrying cannot help (bad number, no template). */
/** How long a call to an SMS or WhatsApp provider may take before it counts as a network failure. */
export const providerTimeoutMs = 15_000;

export class ProviderRejectedError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export interface TextSender {
  readonly channel: "sms" | "whatsapp";
  /**
   * True when the provider recognises a repeated idempotency key and does not deliver twice: a send
   * whose outcome is unknown (crash after the call) may then be repeated safely. When false, such a
   * send is marked uncertain instead of being repeated.
   */
  readonly dedupesRepeats: boolean;
  send(message: OutgoingText): Promise<ProviderAcceptance>;
}

export interface EmailSender {
  readonly dedupesRepeats: false;
  send(message: OutgoingEmail): Promise<ProviderAcceptance>;
}

export type DeliveryStatus = "sent" | "delivered" | "read" | "failed";

/** A provider's status callback, after its signature was checked. */
export interface DeliveryReport {
  channel: Channel;
  providerMessageId: string;
  status: DeliveryStatus;
  at: Date;
  error?: string;
}

/** A message a shopper sent us (a reply, or STOP). */
export interface InboundText {
  channel: "sms" | "whatsapp";
  from: string;
  body: string;
  at: Date;
  providerMessageId: string;
}
