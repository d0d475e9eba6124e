// The App Proxy's signature as Shopify documents it (R-WID-3): Shopify's own examples verify, any
// change to the query or the secret does not, and the timestamp may be at most 90 s off the clock.
import { describe, expect, it } from "vitest";
import {
  proxySignatureMessage,
  signProxyQuery,
  verifyProxyQuery,
} from "../../app/storefront/proxy-signature";
import { TokenBuckets } from "../../app/storefront/rate-limit";
import { ManualClock } from "../support/clock";

// https://shopify.dev/docs/apps/build/online-store/app-proxies/authenticate-app-proxies (secret "hush").
const documented =
  "extra=1&extra=2&shop=shop-name.myshopify.com&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555";
const documentedAt = new Date(1317327555 * 1000);

describe("App Proxy signature", () => {
  it("builds the message Shopify signs: repeated values comma-joined, pairs sorted, no separator", () => {
    expect(
      proxySignatureMessage(new URLSearchParams(`${documented}&logged_in_customer_id=1&signature=x`)),
    ).toBe(
      "extra=1,2logged_in_customer_id=1path_prefix=/apps/awesome_reviewsshop=shop-name.myshopify.comtimestamp=1317327555",
    );
  });

  it("verifies Shopify's documented examples", () => {
    const guest = new URLSearchParams(
      `${documented}&signature=a9718877bea71c2484f91608a7eaea1532bdf71f5c56825065fa4ccabe549ef3`,
    );
    expect(verifyProxyQuery(guest, "hush", documentedAt)).toEqual({
      ok: true,
      request: {
        shopDomain: "shop-name.myshopify.com",
        loggedInCustomerId: null,
        pathPrefix: "/apps/awesome_reviews",
      },
    });
    const customer = new URLSearchParams(
      `${documented}&logged_in_customer_id=1&signature=4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb`,
    );
    expect(verifyProxyQuery(customer, "hush", documentedAt)).toMatchObject({
      ok: true,
      request: { loggedInCustomerId: "1" },
    });
    // The parameters in another order are the same message.
    const reordered = new URLSearchParams(
      "timestamp=1317327555&path_prefix=%2Fapps%2Fawesome_reviews&extra=1&shop=shop-name.myshopify.com&extra=2" +
        "&signature=a9718877bea71c2484f91608a7eaea1532bdf71f5c56825065fa4ccabe549ef3",
    );
    expect(verifyProxyQuery(reordered, "hush", documentedAt).ok).toBe(true);
  });

  it("refuses a changed parameter, an added one, another secret, no signature, and an empty secret", () => {
    const signed = signProxyQuery(new URLSearchParams(`${documented}&logged_in_customer_id=1`), "hush");
    const variant = (change: (query: URLSearchParams) => void) => {
      const copy = new URLSearchParams(signed);
      change(copy);
      return verifyProxyQuery(copy, "hush", documentedAt);
    };
    expect(variant(() => {}).ok).toBe(true);
    expect(variant((query) => query.set("logged_in_customer_id", "2"))).toEqual({
      ok: false,
      reason: "bad_signature",
    });
    expect(variant((query) => query.append("customer_id", "2"))).toEqual({
      ok: false,
      reason: "bad_signature",
    });
    expect(variant((query) => query.set("signature", signed.get("signature")!.toUpperCase()))).toEqual({
      ok: false,
      reason: "bad_signature",
    });
    expect(variant((query) => query.delete("signature"))).toEqual({ ok: false, reason: "unsigned" });
    expect(variant((query) => query.append("signature", signed.get("signature")!))).toEqual({
      ok: false,
      reason: "bad_signature",
    });
    expect(verifyProxyQuery(signed, "another-secret", documentedAt)).toEqual({
      ok: false,
      reason: "bad_signature",
    });
    const unsignedSecret = signProxyQuery(new URLSearchParams(documented), "");
    expect(verifyProxyQuery(unsignedSecret, "", documentedAt)).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("accepts a timestamp up to 90 s off the clock either way, not more", () => {
    const clock = new ManualClock(documentedAt);
    const signed = signProxyQuery(new URLSearchParams(documented), "hush");
    clock.advance(90_000);
    expect(verifyProxyQuery(signed, "hush", clock.now()).ok).toBe(true);
    clock.advance(1_000);
    expect(verifyProxyQuery(signed, "hush", clock.now())).toEqual({ ok: false, reason: "stale" });
    const early = new ManualClock(new Date(documentedAt.getTime() - 90_000));
    expect(verifyProxyQuery(signed, "hush", early.now()).ok).toBe(true);
    early.advance(-1_000);
    expect(verifyProxyQuery(signed, "hush", early.now())).toEqual({ ok: false, reason: "stale" });
  });

  it("refuses a signed query without a valid shop domain or with a non-numeric customer", () => {
    const at = documentedAt;
    const sign = (query: string) => signProxyQuery(new URLSearchParams(query), "hush");
    expect(verifyProxyQuery(sign("shop=evil.example.com&timestamp=1317327555"), "hush", at)).toEqual({
      ok: false,
      reason: "malformed",
    });
    expect(
      verifyProxyQuery(
        sign("shop=a.myshopify.com&logged_in_customer_id=abc&timestamp=1317327555"),
        "hush",
        at,
      ),
    ).toEqual({ ok: false, reason: "malformed" });
    expect(verifyProxyQuery(sign("shop=a.myshopify.com"), "hush", at)).toEqual({
      ok: false,
      reason: "malformed",
    });
  });
});

describe("storefront rate limit", () => {
  it("lets `capacity` requests through, then says when to come back; time refills the bucket", () => {
    const clock = new ManualClock();
    const limiter = new TokenBuckets({ capacity: 3, refillPerSecond: 3 / 60 });
    for (let index = 0; index < 3; index += 1)
      expect(limiter.take("a", clock.now())).toEqual({ allowed: true });
    expect(limiter.take("a", clock.now())).toEqual({ allowed: false, retryAfterSeconds: 20 });
    expect(limiter.take("b", clock.now())).toEqual({ allowed: true });
    clock.advance(19_000);
    expect(limiter.take("a", clock.now()).allowed).toBe(false);
    clock.advance(1_000);
    expect(limiter.take("a", clock.now())).toEqual({ allowed: true });
    expect(limiter.take("a", clock.now())).toMatchObject({ allowed: false });
  });
});
