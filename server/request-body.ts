// Every request body is read here, before any route sees it: capped per route and given a read
// deadline, so an oversized or stalled body costs neither memory nor a held-open connection.
import type { IncomingMessage, ServerResponse } from "node:http";

/** Shopify's largest webhook payloads (orders with hundreds of lines) stay well below this. */
export const webhookBodyLimit = 5 * 1024 * 1024;
/** Twilio status callbacks and inbound SMS are a few hundred bytes of form fields. */
export const smsCallbackBodyLimit = 64 * 1024;
/** WhatsApp Cloud API batches statuses and messages; still small JSON. */
export const whatsappCallbackBodyLimit = 256 * 1024;
/** Admin forms, tracking links and everything else Remix serves. */
export const defaultBodyLimit = 1024 * 1024;

export function bodyLimitFor(method: string, pathname: string): number {
  if (pathname === "/webhooks" && method === "POST") return webhookBodyLimit;
  if (pathname === "/webhooks/sms") return smsCallbackBodyLimit;
  if (pathname === "/webhooks/whatsapp") return whatsappCallbackBodyLimit;
  return defaultBodyLimit;
}

export type BodyOutcome =
  | { kind: "read"; body: Buffer }
  | { kind: "too-large"; limit: number }
  | { kind: "timed-out"; timeoutMs: number }
  | { kind: "aborted" };

/**
 * Reads the whole body up to `limit` bytes within `timeoutMs`. Past the limit or the deadline it
 * stops keeping what arrives (the rest is discarded, not buffered) and says so, so the caller can
 * still answer 413 / 408 instead of resetting the connection.
 */
export function readRequestBody(
  request: IncomingMessage,
  limit: number,
  timeoutMs: number,
): Promise<BodyOutcome> {
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    request.resume();
    return Promise.resolve({ kind: "too-large", limit });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: BodyOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (outcome.kind !== "read") {
        chunks.length = 0;
        request.removeListener("data", keep);
        request.resume();
      }
      resolve(outcome);
    };
    const keep = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) settle({ kind: "too-large", limit });
      else chunks.push(chunk);
    };
    const timer = setTimeout(() => settle({ kind: "timed-out", timeoutMs }), timeoutMs);
    request.on("data", keep);
    request.on("end", () =>
      settle({ kind: "read", body: chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks) }),
    );
    request.on("error", () => settle({ kind: "aborted" }));
    request.on("close", () => settle({ kind: "aborted" }));
  });
}

/**
 * Answers a refused body with a short message. A body too large is still drained (read and
 * dropped, never kept) so that a client still sending gets to read the answer, for at most
 * `drainMs`; a stalled one is answered and its connection closed.
 */
export function refuseBody(
  request: IncomingMessage,
  response: ServerResponse,
  outcome: Exclude<BodyOutcome, { kind: "read" }>,
  drainMs: number,
): void {
  if (outcome.kind === "aborted" || response.headersSent) {
    response.destroy();
    return;
  }
  const tooLarge = outcome.kind === "too-large";
  const message = tooLarge
    ? `Request body too large: at most ${outcome.limit} bytes are accepted here.\n`
    : `Request body not received within ${Math.round(outcome.timeoutMs / 1000)} s.\n`;
  response.writeHead(tooLarge ? 413 : 408, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(message),
    "cache-control": "no-store",
    ...(tooLarge ? {} : { connection: "close" }),
  });
  response.end(message);
  if (tooLarge && !request.complete) {
    const socket = request.socket;
    const stopDraining = setTimeout(() => socket.destroy(), drainMs);
    stopDraining.unref();
    request.once("end", () => clearTimeout(stopDraining));
  }
}
