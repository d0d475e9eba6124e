// Shopify's App Proxy signs every request it forwards (R-WID-3): the query's parameters except
// `signature`, each `key=value` with a repeated key's values joined by commas, sorted and
// concatenated without a separator, HMAC-SHA256 with the app secret, hex encoded
// (https://shopify.dev/docs/apps/build/online-store/app-proxies/authenticate-app-proxies).
// The signature covers the query only; the shop and the logged-in customer are taken from it and
// from nothing else. A request more than `proxyTimestampToleranceSeconds` off the clock is refused,
// so a captured URL cannot be replayed for long.
import { createHmac } from "node:crypto";
import { constantTimeEqual } from "../events/signature";

export const proxyTimestampToleranceSeconds = 90;

/** The string Shopify signs: `key=value` pairs (repeated values comma-joined), sorted, concatenated. */
export function proxySignatureMessage(parameters: URLSearchParams): string {
  const values = new Map<string, string[]>();
  for (const [key, value] of parameters) {
    if (key === "signature") continue;
    const list = values.get(key);
    if (list) list.push(value);
    else values.set(key, [value]);
  }
  return [...values]
    .map(([key, list]) => `${key}=${list.join(",")}`)
    .sort()
    .join("");
}

export function proxySignature(parameters: URLSearchParams, secret: string): string {
  return createHmac("sha256", secret).update(proxySignatureMessage(parameters)).digest("hex");
}

/** The query Shopify would forward: the given parameters plus `signature` (used by the demo's stand-in and tests). */
export function signProxyQuery(parameters: URLSearchParams, secret: string): URLSearchParams {
  const signed = new URLSearchParams(parameters);
  signed.delete("signature");
  signed.append("signature", proxySignature(signed, secret));
  return signed;
}

/** What a verified proxy request says about who is asking. */
export interface VerifiedProxyRequest {
  /** The shop's permanent *.myshopify.com domain. */
  shopDomain: string;
  /** The Shopify id of the customer logged in to the storefront, or null for a guest. */
  loggedInCustomerId: string | null;
  /** The path prefix the shopper used, e.g. "/apps/stayloop". */
  pathPrefix: string | null;
}

export type ProxyVerification =
  | { ok: true; request: VerifiedProxyRequest }
  | { ok: false; reason: "unsigned" | "bad_signature" | "stale" | "malformed" };

const hexSignature = /^[0-9a-f]{64}$/;
const shopDomainPattern = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/** Verifies a forwarded request's query against the app secret and the clock. */
export function verifyProxyQuery(parameters: URLSearchParams, secret: string, now: Date): ProxyVerification {
  const signatures = parameters.getAll("signature");
  if (signatures.length === 0) return { ok: false, reason: "unsigned" };
  const given = signatures[0] ?? "";
  // An empty secret would make every signature computable: never verify against one.
  if (secret === "" || signatures.length !== 1 || !hexSignature.test(given)) {
    return { ok: false, reason: "bad_signature" };
  }
  if (!constantTimeEqual(proxySignature(parameters, secret), given)) {
    return { ok: false, reason: "bad_signature" };
  }
  const timestamps = parameters.getAll("timestamp");
  const timestamp =
    timestamps.length === 1 && /^\d{1,12}$/.test(timestamps[0] ?? "") ? Number(timestamps[0]) : NaN;
  if (!Number.isFinite(timestamp)) return { ok: false, reason: "malformed" };
  if (Math.abs(now.getTime() / 1000 - timestamp) > proxyTimestampToleranceSeconds) {
    return { ok: false, reason: "stale" };
  }
  const shops = parameters.getAll("shop");
  const customers = parameters.getAll("logged_in_customer_id");
  const shopDomain = shops.length === 1 ? (shops[0] ?? "").toLowerCase() : "";
  if (!shopDomainPattern.test(shopDomain) || customers.length > 1) return { ok: false, reason: "malformed" };
  const customer = customers[0] ?? "";
  if (customer !== "" && !/^\d{1,20}$/.test(customer)) return { ok: false, reason: "malformed" };
  return {
    ok: true,
    request: {
      shopDomain,
      loggedInCustomerId: customer === "" ? null : customer,
      pathPrefix: parameters.get("path_prefix"),
    },
  };
}
