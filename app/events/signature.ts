// Shopify signs every webhook with HMAC-SHA256 of the raw body, keyed by the app secret, base64
// encoded in X-Shopify-Hmac-Sha256 (R-EVT-2). Compared in constant time.
import { createHmac, timingSafeEqual } from "node:crypto";

export function signWebhookBody(body: Buffer | string, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

export function isValidWebhookSignature(body: Buffer, header: string | undefined, secret: string): boolean {
  if (!header || secret === "") return false;
  const expected = createHmac("sha256", secret).update(body).digest();
  const given = Buffer.from(header, "base64");
  // A wrong-length value cannot match; timingSafeEqual needs equal lengths.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
