// Signed tracking links for emails: the open pixel, click redirects and one-click unsubscribe.
// Each link carries an HMAC-signed token, so nobody can forge an open, a click (or turn the
// redirect into an open redirect) or unsubscribe someone else. Also rewrites an email's HTML so
// its links and the pixel go through these URLs.
import { createHmac } from "node:crypto";
import { z } from "zod";
import { constantTimeEqual } from "../events/signature";

export type TrackingPayload =
  | { k: "o"; m: string }
  | { k: "c"; m: string; u: string }
  | { k: "u"; m: string }
  // The post-purchase survey's one-click answer: score `s` (0…10) to message `m`.
  | { k: "n"; m: string; s: number };

// Absolute http(s) URLs without whitespace: the only targets a click link may redirect to.
const httpUrlPattern = /^https?:\/\/\S+$/i;
const httpUrl = z.string().regex(httpUrlPattern);
const payloadSchema = z.discriminatedUnion("k", [
  z.strictObject({ k: z.literal("o"), m: z.string().min(1) }),
  z.strictObject({ k: z.literal("c"), m: z.string().min(1), u: httpUrl }),
  z.strictObject({ k: z.literal("u"), m: z.string().min(1) }),
  z.strictObject({ k: z.literal("n"), m: z.string().min(1), s: z.number().int().min(0).max(10) }),
]);

const base64url = /^[A-Za-z0-9_-]+$/;

function checkSecret(secret: string): void {
  if (secret.length < 16) {
    throw new Error("The tracking secret must be at least 16 characters long");
  }
}

function signPart(secret: string, payloadPart: string): string {
  return createHmac("sha256", secret).update(payloadPart).digest("base64url");
}

/** `base64url(JSON payload) + "." + base64url(HMAC-SHA256(secret, first part))`. */
export function signTrackingToken(secret: string, payload: TrackingPayload): string {
  checkSecret(secret);
  const checked = payloadSchema.safeParse(payload);
  if (!checked.success) {
    throw new Error(`Not a valid tracking payload: ${checked.error.message}`);
  }
  const payloadPart = Buffer.from(JSON.stringify(checked.data), "utf8").toString("base64url");
  return `${payloadPart}.${signPart(secret, payloadPart)}`;
}

/** The payload of a token this secret signed; null for anything else. Never throws on bad tokens. */
export function verifyTrackingToken(secret: string, token: string): TrackingPayload | null {
  checkSecret(secret);
  if (typeof token !== "string") return null;
  const parts = token.split(".");
  if (parts.length !== 2) return null;
  const [payloadPart, signature] = parts as [string, string];
  if (!base64url.test(payloadPart) || !base64url.test(signature)) return null;
  // Comparing the encoded text (not decoded bytes) also refuses other spellings of the same bytes.
  if (!constantTimeEqual(signPart(secret, payloadPart), signature)) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payloadPart, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  const checked = payloadSchema.safeParse(json);
  return checked.success ? checked.data : null;
}

function trimBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, "");
}

export function openPixelUrl(baseUrl: string, secret: string, messageId: string): string {
  return `${trimBase(baseUrl)}/t/o/${signTrackingToken(secret, { k: "o", m: messageId })}`;
}

export function clickUrl(baseUrl: string, secret: string, messageId: string, targetUrl: string): string {
  return `${trimBase(baseUrl)}/t/c/${signTrackingToken(secret, { k: "c", m: messageId, u: targetUrl })}`;
}

export function unsubscribeUrl(baseUrl: string, secret: string, messageId: string): string {
  return `${trimBase(baseUrl)}/t/u/${signTrackingToken(secret, { k: "u", m: messageId })}`;
}

/** RFC 8058 one-click unsubscribe headers for the given (signed) unsubscribe URL. */
export function unsubscribeHeaders(url: string): Record<string, string> {
  if (!/^https?:\/\/[^\s<>]+$/i.test(url)) {
    throw new Error(`The unsubscribe URL must be an http(s) URL without spaces or angle brackets: ${url}`);
  }
  return { "List-Unsubscribe": `<${url}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };
}

export function escapeHtmlAttribute(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

const namedEntities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Decodes the entities an href is likely to hold (`&amp;`, numeric ones); others stay as they are. */
function decodeHtmlAttribute(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity, name: string) => {
    if (name.startsWith("#")) {
      const code =
        name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return namedEntities[name.toLowerCase()] ?? entity;
  });
}

// An <a> start tag; quoted attribute values may contain ">".
const anchorTag = /<a(?=[\s/>])(?:[^>"']|"[^"]*"|'[^']*')*>/gi;
// One attribute inside a start tag: name, then an optional double-quoted, single-quoted or bare value.
const attributePattern = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

/**
 * Sends every http(s) link of the email through a signed click URL and adds the open pixel
 * (before `</body>`, or at the end). mailto:, tel:, #anchors and links that already point at
 * the tracking endpoints (such as the unsubscribe link) are left alone.
 */
export function trackEmailHtml(
  html: string,
  options: { baseUrl: string; secret: string; messageId: string },
): string {
  const base = trimBase(options.baseUrl);
  const trackedPrefix = `${base}/t/`;

  const withLinks = html.replace(anchorTag, (tag) => {
    const attribute = new RegExp(attributePattern.source, "g");
    attribute.lastIndex = 2; // after "<a"
    for (let match = attribute.exec(tag); match !== null; match = attribute.exec(tag)) {
      const name = match[1];
      if (name === undefined || name.toLowerCase() !== "href") continue;
      const raw = match[2] ?? match[3] ?? match[4];
      if (raw === undefined) return tag;
      const target = decodeHtmlAttribute(raw).trim();
      if (!httpUrlPattern.test(target) || target.startsWith(trackedPrefix)) return tag;
      const tracked = clickUrl(base, options.secret, options.messageId, target);
      return `${tag.slice(0, match.index)}href="${escapeHtmlAttribute(tracked)}"${tag.slice(match.index + match[0].length)}`;
    }
    return tag;
  });

  const pixel = `<img src="${escapeHtmlAttribute(openPixelUrl(base, options.secret, options.messageId))}" width="1" height="1" alt="" style="display:none">`;
  const bodyEnd = withLinks.toLowerCase().lastIndexOf("</body");
  return bodyEnd === -1 ? withLinks + pixel : withLinks.slice(0, bodyEnd) + pixel + withLinks.slice(bodyEnd);
}
