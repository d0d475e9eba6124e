// Signed tracking links: tokens round-trip and refuse every kind of tampering, the URL builders,
// the email HTML rewriting (links through click URLs, the open pixel) and the RFC 8058 headers.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  clickUrl,
  openPixelUrl,
  signTrackingToken,
  trackEmailHtml,
  unsubscribeHeaders,
  unsubscribeUrl,
  verifyTrackingToken,
  type TrackingPayload,
} from "../../app/messaging/tracking-links";

const secret = "test-secret-0123456789abcdef";
const otherSecret = "another-secret-0123456789abcdef";
const baseUrl = "https://track.stayloop.test";
const options = { baseUrl, secret, messageId: "msg_42" };

function tokenOf(url: string, kind: "o" | "c" | "u"): string {
  const prefix = `${baseUrl}/t/${kind}/`;
  expect(url.startsWith(prefix)).toBe(true);
  return url.slice(prefix.length);
}

/** The click targets of every href in the HTML that points at the click endpoint. */
function clickTargets(html: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)]
    .map((match) => (match[1] ?? "").replace(/&amp;/g, "&"))
    .filter((href) => href.startsWith(`${baseUrl}/t/c/`))
    .map((href) => {
      const payload = verifyTrackingToken(secret, tokenOf(href, "c"));
      if (payload?.k !== "c") throw new Error(`not a click token: ${href}`);
      return payload.u;
    });
}

describe("tracking tokens", () => {
  const payloads: TrackingPayload[] = [
    { k: "o", m: "msg_1" },
    { k: "c", m: "msg_2", u: "https://shop.example.cz/products/kolo?utm=mail&x=ž" },
    { k: "u", m: "msg:3/ü" },
  ];

  it.each(payloads)("round-trips a %o token", (payload) => {
    const token = signTrackingToken(secret, payload);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyTrackingToken(secret, token)).toEqual(payload);
  });

  it("signs with HMAC-SHA256 over the payload part", () => {
    const token = signTrackingToken(secret, { k: "o", m: "msg_1" });
    const [payloadPart, signature] = token.split(".") as [string, string];
    expect(JSON.parse(Buffer.from(payloadPart, "base64url").toString("utf8"))).toEqual({
      k: "o",
      m: "msg_1",
    });
    expect(signature).toBe(createHmac("sha256", secret).update(payloadPart).digest("base64url"));
  });

  it("refuses a token whose payload was changed", () => {
    const token = signTrackingToken(secret, { k: "u", m: "msg_1" });
    const signature = token.split(".")[1];
    const forgedPayload = Buffer.from(JSON.stringify({ k: "u", m: "msg_2" })).toString("base64url");
    expect(verifyTrackingToken(secret, `${forgedPayload}.${signature}`)).toBeNull();
  });

  it("refuses a click token whose target was swapped (no open redirect)", () => {
    const token = signTrackingToken(secret, { k: "c", m: "msg_1", u: "https://shop.example.cz/" });
    const signature = token.split(".")[1];
    const forgedPayload = Buffer.from(
      JSON.stringify({ k: "c", m: "msg_1", u: "https://evil.example/" }),
    ).toString("base64url");
    expect(verifyTrackingToken(secret, `${forgedPayload}.${signature}`)).toBeNull();
  });

  it("refuses a token whose signature was changed, including only its last character", () => {
    const token = signTrackingToken(secret, { k: "o", m: "msg_1" });
    const [payloadPart, signature] = token.split(".") as [string, string];
    const flippedFirst = (signature[0] === "A" ? "B" : "A") + signature.slice(1);
    // The last base64url character of a 32-byte HMAC carries unused bits: a different
    // spelling of the same bytes must be refused too.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const lastIndex = alphabet.indexOf(signature.at(-1) ?? "");
    const flippedLast = signature.slice(0, -1) + alphabet[lastIndex ^ 1];
    expect(Buffer.from(flippedLast, "base64url").equals(Buffer.from(signature, "base64url"))).toBe(true);
    expect(verifyTrackingToken(secret, `${payloadPart}.${flippedFirst}`)).toBeNull();
    expect(verifyTrackingToken(secret, `${payloadPart}.${flippedLast}`)).toBeNull();
    expect(verifyTrackingToken(secret, `${payloadPart}.`)).toBeNull();
  });

  it("refuses a truncated token", () => {
    const token = signTrackingToken(secret, { k: "c", m: "msg_1", u: "https://shop.example.cz/" });
    expect(verifyTrackingToken(secret, token.slice(0, -1))).toBeNull();
    expect(verifyTrackingToken(secret, token.slice(0, token.indexOf(".")))).toBeNull();
    expect(verifyTrackingToken(secret, token.slice(5))).toBeNull();
  });

  it("refuses a token signed with another secret", () => {
    const token = signTrackingToken(otherSecret, { k: "u", m: "msg_1" });
    expect(verifyTrackingToken(otherSecret, token)).toEqual({ k: "u", m: "msg_1" });
    expect(verifyTrackingToken(secret, token)).toBeNull();
  });

  it("refuses correctly signed payloads of an unknown kind or shape", () => {
    const signed = (payload: unknown) => {
      const part = Buffer.from(JSON.stringify(payload)).toString("base64url");
      return `${part}.${createHmac("sha256", secret).update(part).digest("base64url")}`;
    };
    expect(verifyTrackingToken(secret, signed({ k: "o", m: "msg_1" }))).toEqual({ k: "o", m: "msg_1" });
    expect(verifyTrackingToken(secret, signed({ k: "x", m: "msg_1" }))).toBeNull();
    expect(verifyTrackingToken(secret, signed({ k: "c", m: "msg_1" }))).toBeNull();
    expect(verifyTrackingToken(secret, signed({ k: "c", m: "msg_1", u: "javascript:alert(1)" }))).toBeNull();
    expect(verifyTrackingToken(secret, signed({ k: "o", m: "msg_1", extra: true }))).toBeNull();
    expect(verifyTrackingToken(secret, signed("o"))).toBeNull();
    const notJson = Buffer.from("{not json").toString("base64url");
    expect(
      verifyTrackingToken(
        secret,
        `${notJson}.${createHmac("sha256", secret).update(notJson).digest("base64url")}`,
      ),
    ).toBeNull();
  });

  it.each(["", ".", "garbage", "a.b.c", "!!!.???", "eyJrIjoibyJ9.%%%", "🛒.🛒", " . "])(
    "returns null for garbage %j without throwing",
    (garbage) => {
      expect(verifyTrackingToken(secret, garbage)).toBeNull();
    },
  );

  it("refuses secrets shorter than 16 characters", () => {
    expect(() => signTrackingToken("short-secret", { k: "o", m: "msg_1" })).toThrow(/16/);
    expect(() => verifyTrackingToken("short-secret", "a.b")).toThrow(/16/);
    expect(() => openPixelUrl(baseUrl, "x".repeat(15), "msg_1")).toThrow(/16/);
    expect(() => signTrackingToken("x".repeat(16), { k: "o", m: "msg_1" })).not.toThrow();
  });

  it("refuses to sign a click to something other than an http(s) URL", () => {
    expect(() => clickUrl(baseUrl, secret, "msg_1", "javascript:alert(1)")).toThrow();
  });
});

describe("tracking URLs", () => {
  it("builds open, click and unsubscribe URLs whose tokens verify to the right payload", () => {
    expect(verifyTrackingToken(secret, tokenOf(openPixelUrl(baseUrl, secret, "msg_1"), "o"))).toEqual({
      k: "o",
      m: "msg_1",
    });
    expect(
      verifyTrackingToken(
        secret,
        tokenOf(clickUrl(baseUrl, secret, "msg_1", "https://shop.example.cz/a"), "c"),
      ),
    ).toEqual({ k: "c", m: "msg_1", u: "https://shop.example.cz/a" });
    expect(verifyTrackingToken(secret, tokenOf(unsubscribeUrl(baseUrl, secret, "msg_1"), "u"))).toEqual({
      k: "u",
      m: "msg_1",
    });
  });

  it("does not double the slash when the base URL ends with one", () => {
    expect(openPixelUrl(`${baseUrl}/`, secret, "msg_1").startsWith(`${baseUrl}/t/o/`)).toBe(true);
  });
});

describe("trackEmailHtml", () => {
  it("sends double- and single-quoted http(s) links through signed click URLs", () => {
    const html = `<p><a href="https://shop.example.cz/cart">Cart</a> <a class='btn' href='http://shop.example.cz/p/1' target="_blank">Product</a></p>`;
    const tracked = trackEmailHtml(html, options);
    expect(tracked).not.toContain("https://shop.example.cz/cart");
    expect(tracked).not.toContain("http://shop.example.cz/p/1");
    expect(clickTargets(tracked)).toEqual(["https://shop.example.cz/cart", "http://shop.example.cz/p/1"]);
    // Other attributes and the link text survive.
    expect(tracked).toContain(`<a class='btn' href="${baseUrl}/t/c/`);
    expect(tracked).toContain(`" target="_blank">Product</a>`);
    expect(tracked).toContain(">Cart</a>");
  });

  it("leaves mailto:, tel:, #anchors and relative links alone", () => {
    const links = `<a href="mailto:help@shop.example.cz">Mail</a><a href='tel:+420601123456'>Call</a><a href="#top">Top</a><a href="/relative">Rel</a>`;
    const tracked = trackEmailHtml(links, options);
    expect(tracked.startsWith(links)).toBe(true);
    expect(clickTargets(tracked)).toEqual([]);
  });

  it("leaves links that already point at the tracking endpoints alone (the unsubscribe link)", () => {
    const unsubscribe = unsubscribeUrl(baseUrl, secret, "msg_42");
    const html = `<a href="${unsubscribe}">Unsubscribe</a><a href="https://shop.example.cz/">Shop</a>`;
    const tracked = trackEmailHtml(html, options);
    expect(tracked).toContain(`<a href="${unsubscribe}">Unsubscribe</a>`);
    expect(clickTargets(tracked)).toEqual(["https://shop.example.cz/"]);
    // Running it twice does not wrap the click links again.
    const twice = trackEmailHtml(tracked, options);
    expect(clickTargets(twice)).toEqual(["https://shop.example.cz/"]);
  });

  it("decodes &amp; in hrefs to the real URL and writes the new href escaped", () => {
    const html = `<a href="https://shop.example.cz/p?a=1&amp;b=2&#38;c=3">Escaped</a><a href='https://shop.example.cz/q?x=1&y="2"'>Raw</a>`;
    const tracked = trackEmailHtml(html, options);
    expect(clickTargets(tracked)).toEqual([
      "https://shop.example.cz/p?a=1&b=2&c=3",
      'https://shop.example.cz/q?x=1&y="2"',
    ]);
    const escapingBase = "https://track.stayloop.test/x?a=1&b=2";
    const escaped = trackEmailHtml(`<a href="https://shop.example.cz/">Shop</a>`, {
      ...options,
      baseUrl: escapingBase,
    });
    expect(escaped).toContain(`href="https://track.stayloop.test/x?a=1&amp;b=2/t/c/`);
    expect(escaped).not.toContain("a=1&b=2");
  });

  it("only touches the href of <a> tags, also when another attribute contains '>' or 'href='", () => {
    const html = `<a title="1 > 0" data-x="href='https://decoy.example/'" href="https://shop.example.cz/">Go</a><abbr href="https://shop.example.cz/abbr">A</abbr><link href="https://shop.example.cz/style.css">`;
    const tracked = trackEmailHtml(html, options);
    expect(clickTargets(tracked)).toEqual(["https://shop.example.cz/"]);
    expect(tracked).toContain(`data-x="href='https://decoy.example/'"`);
    expect(tracked).toContain(`<abbr href="https://shop.example.cz/abbr">`);
    expect(tracked).toContain(`<link href="https://shop.example.cz/style.css">`);
  });

  it("puts the open pixel just before </body>", () => {
    const tracked = trackEmailHtml(`<html><body><p>Hi</p></BODY></html>`, options);
    const pixel = tracked.match(/<img src="([^"]*)" width="1" height="1" alt="" style="display:none">/);
    expect(pixel).not.toBeNull();
    expect(tracked).toBe(`<html><body><p>Hi</p>${pixel?.[0]}</BODY></html>`);
    expect(verifyTrackingToken(secret, tokenOf(pixel?.[1] ?? "", "o"))).toEqual({ k: "o", m: "msg_42" });
  });

  it("appends the open pixel at the end when there is no body tag", () => {
    const tracked = trackEmailHtml(`<p>Hi</p>`, options);
    expect(tracked).toMatch(
      /^<p>Hi<\/p><img src="https:\/\/track\.stayloop\.test\/t\/o\/[A-Za-z0-9_.-]+" width="1"/,
    );
    expect(tracked.endsWith(`style="display:none">`)).toBe(true);
  });
});

describe("unsubscribeHeaders", () => {
  it("returns the RFC 8058 one-click headers", () => {
    const url = unsubscribeUrl(baseUrl, secret, "msg_1");
    expect(unsubscribeHeaders(url)).toEqual({
      "List-Unsubscribe": `<${url}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    });
  });

  it("refuses a URL that could break the header", () => {
    expect(() => unsubscribeHeaders("https://x.example/a>b")).toThrow();
    expect(() => unsubscribeHeaders("https://x.example/a\r\nBcc: x@y.z")).toThrow();
    expect(() => unsubscribeHeaders("mailto:x@y.z")).toThrow();
  });
});
