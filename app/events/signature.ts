// Shopify signs every webhook with HMAC-SHA256 of the raw body, keyed by the app secret, base64
// encoded in X-Shopify-Hmac-Sha256 (R-EVT-2). Compared in constant time — as are the signatures
// of message links and of SMS / WhatsApp provider callbacks.
import { createHmac, timingSafeEqual } from "node:crypto";

export function signWebhookBody(body: Buffer | string, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

/** Whether `given` equals `expected` without leaking, through timing, how much of it matches. */
export function constantTimeEqual(expected: Buffer | string, given: Buffer | string): boolean {
  const a = typeof expected === "string" ? Buffer.from(expected, "utf8") : expected;
  const b = typeof given === "string" ? Buffer.from(given, "utf8") : given;
  // A wrong-length value cannot match (lengths of signatures are public); timingSafeEqual needs equal lengths.
  return a.length === b.length && timingSafeEqual(a, b);
}

export function isValidWebhookSignature(body: Buffer, header: string | undefined, secret: string): boolean {
  if (!header || secret === "") return false;
  return constantTimeEqual(createHmac("sha256", secret).update(body).digest(), Buffer.from(header, "base64"));
}
