// The session token Shopify gives a customer-account UI extension (extensions/loyalty-account): a
// JWT signed HS256 with the app's secret, `aud` our API key, `dest` the shop, `sub` the signed-in
// customer's global id. Verified here with node:crypto against the injected clock — the Remix
// library's verifier reads the system clock and skips the audience check for these tokens
// (docs/decisions/012-browse-pixel-and-account-extension.md).
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { isShopDomain } from "../shops/registry";

/** Who a verified token speaks for. */
export interface CustomerAccountSession {
  shopDomain: string;
  /** The customer's numeric Shopify id ("501"). */
  customerShopifyId: string;
}

export class SessionTokenError extends Error {}

/** Clock skew tolerated on `exp` and `nbf`, as Shopify's own libraries allow. */
const leewaySeconds = 10;

const headerSchema = z.object({ alg: z.literal("HS256") });
const claimsSchema = z.object({
  aud: z.union([z.string(), z.array(z.string())]),
  dest: z.string(),
  sub: z.string().optional(),
  exp: z.number(),
  nbf: z.number(),
});

function base64UrlJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    throw new SessionTokenError("the token is not a JWT");
  }
}

/** The bearer token of a request's Authorization header, or null. */
export function bearerToken(authorization: string | null): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? "");
  return match?.[1] ?? null;
}

/** Verifies a customer-account session token; throws SessionTokenError saying why it is refused. */
export function verifyCustomerAccountToken(
  token: string,
  options: { apiKey: string; apiSecret: string; now: Date },
): CustomerAccountSession {
  if (!options.apiKey || !options.apiSecret) throw new SessionTokenError("the app has no API key or secret");
  const parts = token.split(".");
  const [header, payload, signature] = parts;
  if (parts.length !== 3 || !header || !payload || !signature)
    throw new SessionTokenError("the token is not a JWT");
  if (!headerSchema.safeParse(base64UrlJson(header)).success)
    throw new SessionTokenError("the token is not HS256");
  const expected = createHmac("sha256", options.apiSecret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new SessionTokenError("the token's signature is wrong");
  }
  const parsed = claimsSchema.safeParse(base64UrlJson(payload));
  if (!parsed.success) throw new SessionTokenError("the token lacks aud, dest, exp or nbf");
  const claims = parsed.data;
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(options.apiKey)) throw new SessionTokenError("the token is for another app");
  const nowSeconds = options.now.getTime() / 1000;
  if (nowSeconds >= claims.exp + leewaySeconds) throw new SessionTokenError("the token has expired");
  if (nowSeconds < claims.nbf - leewaySeconds) throw new SessionTokenError("the token is not valid yet");
  // `dest` is the shop, as a bare domain or a URL.
  let shopDomain = claims.dest;
  try {
    if (claims.dest.includes("://")) shopDomain = new URL(claims.dest).hostname;
  } catch {
    throw new SessionTokenError("the token's dest is not a shop");
  }
  if (!isShopDomain(shopDomain)) throw new SessionTokenError("the token's dest is not a shop");
  const customer = /^gid:\/\/shopify\/Customer\/(\d{1,20})$/.exec(claims.sub ?? "");
  if (!customer?.[1]) throw new SessionTokenError("the token names no signed-in customer");
  return { shopDomain, customerShopifyId: customer[1] };
}
