// Every outbound HTTP call has a deadline (issue 12, item 6): a provider or Admin API that accepts
// the connection and then never answers fails the call in bounded time — retried by the Admin
// client, reported as an unknown outcome (which the outbox reconciles) by the text senders.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSmsSender } from "../../app/messaging/sms-provider";
import { createWhatsAppSender } from "../../app/messaging/whatsapp-provider";
import { AdminHttpError, createAdminClient } from "../../app/shopify/admin-client";
import { z } from "zod";

let server: http.Server;
let baseUrl: string;
let requests = 0;

beforeAll(async () => {
  // Reads the request, then never answers.
  server = http.createServer((request) => {
    requests += 1;
    request.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function timed<T>(work: Promise<T>): Promise<{ error: unknown; elapsedMs: number }> {
  const started = Date.now();
  try {
    await work;
    return { error: null, elapsedMs: Date.now() - started };
  } catch (error) {
    return { error, elapsedMs: Date.now() - started };
  }
}

describe("outbound HTTP calls against a provider that never answers", () => {
  it("gives up on a Twilio call after its timeout instead of hanging", async () => {
    const sender = createSmsSender(
      { baseUrl, accountSid: "AC1", authToken: "token", from: "+15550001111" },
      { timeoutMs: 300 },
    );
    const { error, elapsedMs } = await timed(
      sender.send({ channel: "sms", to: "+15551234567", body: "Hi", idempotencyKey: "k1" }),
    );
    expect((error as Error).name).toBe("TimeoutError");
    expect(elapsedMs).toBeLessThan(5_000);
  }, 15_000);

  it("gives up on a WhatsApp Cloud API call after its timeout instead of hanging", async () => {
    const sender = createWhatsAppSender(
      { baseUrl, apiVersion: "v21.0", phoneNumberId: "1", accessToken: "token" },
      { timeoutMs: 300 },
    );
    const { error, elapsedMs } = await timed(
      sender.send({ channel: "whatsapp", to: "+15551234567", body: "Hi", idempotencyKey: "k1" }),
    );
    expect((error as Error).name).toBe("TimeoutError");
    expect(elapsedMs).toBeLessThan(5_000);
  }, 15_000);

  it("retries a timed-out Admin API call, then fails it, in bounded time", async () => {
    const before = requests;
    const client = createAdminClient({
      shopDomain: "alpha.myshopify.com",
      accessToken: "token",
      endpoint: `${baseUrl}/admin/api/graphql.json`,
      requestTimeoutMs: 300,
      maxAttempts: 3,
      retryBaseMs: 10,
    });
    const { error, elapsedMs } = await timed(
      client.request("query { shop { name } }", {
        schema: z.object({ shop: z.object({ name: z.string() }) }),
      }),
    );
    expect(error).toBeInstanceOf(AdminHttpError);
    expect((error as Error).message).toMatch(/unreachable .* after 3 attempts/);
    expect(client.stats.transientRetries).toBe(2);
    expect(requests - before).toBe(3);
    expect(elapsedMs).toBeLessThan(8_000);
  }, 20_000);
});
