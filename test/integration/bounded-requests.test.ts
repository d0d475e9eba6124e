// Bad input at the HTTP edge of the production build (issue 12, items 2, 4 and 5): every body is
// capped per route and answered 413 with a message, a stalled body is answered 408, a foreign
// exit-iframe destination is a 400, a delivery for a shop that is not *.myshopify.com is refused
// at intake, and the worker refuses demo mode in production.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { generateStoreHistory, type WebhookDelivery } from "../fixtures/store-history";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { runProcess, startWebServer, testShopifyEnv, type RunningProcess } from "../support/processes";
import { sendWebhook } from "../support/webhooks";

const browserUserAgent =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";
const secret = testShopifyEnv.SHOPIFY_API_SECRET;
const [customerCreated] = generateStoreHistory({ customers: 1 }) as [WebhookDelivery];

export const textProviderEnv = {
  STAYLOOP_SMS_API_URL: "http://127.0.0.1:1",
  STAYLOOP_SMS_ACCOUNT_SID: "AC-test",
  STAYLOOP_SMS_AUTH_TOKEN: "sms-auth-token",
  STAYLOOP_SMS_FROM: "+15550001111",
  STAYLOOP_WHATSAPP_API_URL: "http://127.0.0.1:1",
  STAYLOOP_WHATSAPP_PHONE_NUMBER_ID: "1234",
  STAYLOOP_WHATSAPP_ACCESS_TOKEN: "wa-access-token",
  STAYLOOP_WHATSAPP_APP_SECRET: "wa-app-secret",
};

/** A body sent in chunks without Content-Length, so only counting what arrives can stop it. */
function chunkedBody(totalBytes: number, chunkBytes = 64 * 1024): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= totalBytes) {
        controller.close();
        return;
      }
      const size = Math.min(chunkBytes, totalBytes - sent);
      sent += size;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
  });
}

/** Raw HTTP over a socket: sends the head and part of the body, then stalls. */
function stalledRequest(port: number, path: string): Promise<{ answer: string; elapsedMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"id":`,
      );
    });
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (answer += chunk));
    socket.on("close", () => resolve({ answer, elapsedMs: Date.now() - started }));
    socket.on("error", reject);
    setTimeout(() => socket.destroy(), 20_000).unref();
  });
}

describe(`bounded requests on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let server: RunningProcess & { baseUrl: string };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    server = await startWebServer({
      DATABASE_URL: database.url,
      STAYLOOP_BODY_TIMEOUT_MS: "1500",
      ...textProviderEnv,
    });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it.each([
    ["/webhooks/sms", 1024 * 1024],
    ["/webhooks/whatsapp", 1024 * 1024],
    ["/webhooks", 6 * 1024 * 1024],
    ["/app/loyalty/rewards", 2 * 1024 * 1024],
  ])("answers an oversized %s body (declared length) with 413 and a message", async (path, bytes) => {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "a".repeat(bytes),
    });
    expect(response.status).toBe(413);
    expect(await response.text()).toMatch(/Request body too large: at most \d+ bytes/);
  });

  it.each([
    ["/webhooks/sms", 8 * 1024 * 1024],
    ["/webhooks/whatsapp", 8 * 1024 * 1024],
    ["/webhooks", 16 * 1024 * 1024],
  ])("stops reading a streamed %s body past its cap and answers 413", async (path, bytes) => {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: chunkedBody(bytes),
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.text()).toContain("Request body too large");
  });

  it("keeps the web process's memory flat under four 100 MB bodies at once", async () => {
    // A refused body is drained for at most the body timeout; the 1.5 s this file's server uses
    // (for the 408 cases) is less than 400 MB take to upload on a loaded 2-core machine, and a
    // socket closed mid-upload fails the client's fetch. Its own server keeps the default timeout.
    const defaultTimeouts = await startWebServer({ DATABASE_URL: database.url, ...textProviderEnv });
    try {
      await fourLargeBodies(defaultTimeouts.baseUrl);
    } finally {
      await defaultTimeouts.stop();
    }
  });

  async function fourLargeBodies(baseUrl: string): Promise<void> {
    const rssBefore = Number(
      /^process_resident_memory_bytes (\S+)$/m.exec(await (await fetch(`${baseUrl}/metrics`)).text())?.[1],
    );
    const answers = await Promise.all(
      ["/webhooks/sms", "/webhooks/whatsapp", "/webhooks/sms", "/webhooks"].map((path) =>
        fetch(`${baseUrl}${path}`, {
          method: "POST",
          body: chunkedBody(100 * 1024 * 1024, 256 * 1024),
          duplex: "half",
        } as RequestInit).then((response) => response.status),
      ),
    );
    expect(answers).toEqual([413, 413, 413, 413]);
    const rssAfter = Number(
      /^process_resident_memory_bytes (\S+)$/m.exec(await (await fetch(`${baseUrl}/metrics`)).text())?.[1],
    );
    expect(rssAfter - rssBefore).toBeLessThan(100 * 1024 * 1024);
  }

  it.each(["/webhooks", "/webhooks/sms", "/app/loyalty/rewards"])(
    "answers a stalled %s body with 408 after the body timeout",
    async (path) => {
      const port = Number(new URL(server.baseUrl).port);
      const { answer, elapsedMs } = await stalledRequest(port, path);
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(answer).toContain("Request body not received within");
      expect(elapsedMs).toBeGreaterThanOrEqual(1_400);
      expect(elapsedMs).toBeLessThan(10_000);
    },
  );

  it("still accepts a normal signed delivery after all that", async () => {
    const response = await sendWebhook(server.baseUrl, customerCreated, "alpha.myshopify.com", secret);
    expect(response.status).toBe(200);
  });

  it.each([
    "evil.example.com",
    "alpha.myshopify.com.evil.example",
    "ALPHA.MYSHOPIFY.COM",
    "../x.myshopify.com",
  ])(
    "refuses a signed delivery for the shop domain %s with 400 and stores nothing (item 2)",
    async (shopDomain) => {
      const delivery = {
        ...customerCreated,
        webhookId: `wh-domain-${shopDomain}`,
        eventId: `ev-domain-${shopDomain}`,
      };
      const response = await sendWebhook(server.baseUrl, delivery, shopDomain, secret);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain("myshopify.com");
      expect(await db.webhookInbox.count({ where: { webhookId: delivery.webhookId } })).toBe(0);
    },
  );

  it("answers /auth/exit-iframe with a foreign destination 400, without a stack trace in the log", async () => {
    const before = server.output().length;
    const response = await fetch(
      `${server.baseUrl}/auth/exit-iframe?shop=alpha.myshopify.com&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYWxwaGE&exitIframe=${encodeURIComponent("https://evil.example.com/phish")}`,
      { redirect: "manual", headers: { "user-agent": browserUserAgent } },
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toBe("Invalid exit-iframe destination");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.output().slice(before)).not.toMatch(/\n\s+at /);
  });
});

describe("the worker process", () => {
  it("refuses demo mode with NODE_ENV=production (item 5)", async () => {
    const running = runProcess(process.execPath, ["build/worker.js"], {
      ...testShopifyEnv,
      NODE_ENV: "production",
      STAYLOOP_DEMO: "1",
      HOST: "127.0.0.1",
      DATABASE_URL: "file:/nonexistent-dir/stayloop.sqlite",
    });
    const code = await Promise.race([
      running.exited,
      new Promise<"running">((resolve) => setTimeout(() => resolve("running"), 10_000)),
    ]);
    if (code === "running") await running.stop();
    expect(code).toBe(1);
    expect(running.output()).toContain("Refusing to start the demo with NODE_ENV=production");
  });
});
