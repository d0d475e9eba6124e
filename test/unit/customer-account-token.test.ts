// The customer-account session token check on its own (the endpoints' 401s are in
// test/integration/account-loyalty.test.ts): the clock is the injected one, with 10 s of leeway.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  bearerToken,
  SessionTokenError,
  verifyCustomerAccountToken,
} from "../../app/storefront/customer-account-token";

const apiKey = "api-key";
const apiSecret = "api-secret";
const nowSeconds = Date.UTC(2026, 11, 4, 12, 0, 0) / 1000;

function token(claims: Record<string, unknown>, secret = apiSecret): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const signed = `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}`;
  return `${signed}.${createHmac("sha256", secret).update(signed).digest("base64url")}`;
}

const claims = {
  aud: apiKey,
  dest: "shop-one.myshopify.com",
  sub: "gid://shopify/Customer/501",
  nbf: nowSeconds - 5,
  exp: nowSeconds + 55,
};
const verifyAt = (value: string, secondsFromNow: number) =>
  verifyCustomerAccountToken(value, {
    apiKey,
    apiSecret,
    now: new Date((nowSeconds + secondsFromNow) * 1000),
  });

describe("customer-account session token", () => {
  it("names the shop from dest (a domain or a URL) and the customer from sub", () => {
    expect(verifyAt(token(claims), 0)).toEqual({
      shopDomain: "shop-one.myshopify.com",
      customerShopifyId: "501",
    });
    expect(verifyAt(token({ ...claims, dest: "https://shop-one.myshopify.com" }), 0).shopDomain).toBe(
      "shop-one.myshopify.com",
    );
  });

  it("accepts exp and nbf within 10 seconds of the clock and refuses them beyond", () => {
    expect(() => verifyAt(token(claims), 55 + 9)).not.toThrow();
    expect(() => verifyAt(token(claims), 55 + 10)).toThrow(SessionTokenError);
    expect(() => verifyAt(token(claims), -5 - 10)).not.toThrow();
    expect(() => verifyAt(token(claims), -5 - 11)).toThrow(SessionTokenError);
  });

  it("refuses a token changed after signing, or signed with another secret", () => {
    const [header, , signature] = token(claims).split(".");
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: "gid://shopify/Customer/502" })).toString(
      "base64url",
    );
    expect(() => verifyAt(`${header}.${forged}.${signature}`, 0)).toThrow("signature");
    expect(() => verifyAt(token(claims, "other-secret"), 0)).toThrow("signature");
  });

  it("reads only a Bearer authorization header", () => {
    expect(bearerToken("Bearer abc.def.ghi")).toBe("abc.def.ghi");
    expect(bearerToken("Basic abc")).toBeNull();
    expect(bearerToken(null)).toBeNull();
  });
});
