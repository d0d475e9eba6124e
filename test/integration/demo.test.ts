// `npm run demo` serves the embedded admin for a local demo shop, and refuses to run anywhere it
// could be reached by others or in production (R-SEC-4).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { webhookDelivery } from "../fixtures/store-history";
import { testProvider } from "../support/database";
import { freePort, runProcess, testShopifyEnv, waitForOutput } from "../support/processes";
import { startSmtpCatcher } from "../support/smtp-catcher";
import { sendWebhook } from "../support/webhooks";

const tsx = path.join("node_modules", ".bin", "tsx");
const scratch = mkdtempSync(path.join(os.tmpdir(), "stayloop-demo-test-"));

function demo(env: Record<string, string>) {
  return runProcess(tsx, ["scripts/demo.ts", "--skip-build"], {
    DEMO_DATABASE_URL: `file:${path.join(scratch, "demo.sqlite")}`,
    ...env,
  });
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// The demo is SQLite by definition; it runs once, in the SQLite pass.
describe.runIf(testProvider === "sqlite")("npm run demo", () => {
  it("serves the admin home page of the demo shop at the printed URL", async () => {
    const port = await freePort();
    const running = demo({ PORT: String(port) });
    try {
      const [, adminUrl] = await waitForOutput(running, /Admin \(embedded app pages\):\s+(\S+)/, 60_000);
      expect(adminUrl).toBe(`http://127.0.0.1:${port}/app`);
      const response = await fetch(adminUrl ?? "");
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain("Polaris-Page");
      expect(html).toContain("Demo shop: stayloop-demo.myshopify.com");
      // No Shopify CDN in the demo: it works offline.
      expect(html).not.toContain("cdn.shopify.com/shopifycloud/app-bridge.js");
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect(running.output()).toMatch(/replayed \d+ signed webhook deliveries \(\d+ × HTTP 200\)/);

      // The replayed deliveries and the store history imported from the demo's Admin API become
      // customers and orders once the worker has applied them.
      const figure = (page: string, key: string) =>
        Number(
          new RegExp(`data-testid="overview-${key}">([\\d,]+)<`).exec(page)?.[1]?.replace(/,/g, "") ?? -1,
        );
      const imported = /data-testid="import-counts">150 customers, 400 orders, 24 products imported</;
      let page = "";
      for (let deadline = Date.now() + 60_000; Date.now() < deadline;) {
        page = await (await fetch(adminUrl ?? "")).text();
        if (imported.test(page) && figure(page, "customers") >= 150) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(page).toMatch(imported);
      expect(figure(page, "customers")).toBeGreaterThanOrEqual(150);
      expect(figure(page, "orders")).toBeGreaterThanOrEqual(400);
      expect(figure(page, "products")).toBe(24);

      const ledger = await fetch(`http://127.0.0.1:${port}/app/loyalty/ledger.csv`);
      expect(ledger.status).toBe(200);
      expect(ledger.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect((await ledger.text()).split("\r\n")[0]).toMatch(/^date,customer_id,email,kind,/);
      expect(figure(page, "webhookDeliveries")).toBeGreaterThan(200);
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });

  it("uses the SHOPIFY_API_SECRET and STAYLOOP_SMTP_URL it is given, and STAYLOOP_DEMO_SPEED", async () => {
    const smtp = await startSmtpCatcher();
    const secret = "a-reviewer-chosen-secret";
    const port = await freePort();
    const running = demo({
      PORT: String(port),
      DEMO_DATABASE_URL: `file:${path.join(scratch, "given-settings.sqlite")}`,
      SHOPIFY_API_SECRET: secret,
      STAYLOOP_SMTP_URL: smtp.url,
      STAYLOOP_DEMO_SPEED: "0",
    });
    try {
      await waitForOutput(running, /Demo clock:/, 60_000);
      const base = `http://127.0.0.1:${port}`;
      // Its own replays were signed with the given secret, and so may the reviewer's be.
      expect(running.output()).toMatch(/replayed \d+ signed webhook deliveries \(\d+ × HTTP 200\)/);
      const delivery = webhookDelivery(
        "customers/create",
        { id: 990001, email: "reviewer@example.com", first_name: "Re", last_name: "Viewer" },
        new Date().toISOString(),
      );
      expect((await sendWebhook(base, delivery, "stayloop-demo.myshopify.com", secret)).status).toBe(200);
      expect((await sendWebhook(base, delivery, "stayloop-demo.myshopify.com", "another")).status).toBe(401);
      // The test-sends go to the given SMTP server; the demo starts no catcher of its own.
      expect(running.output()).toContain(`e-mails go to your SMTP server (${smtp.url})`);
      await smtp.waitForMessages(1, 60_000);
      expect(smtp.messages[0]?.envelope.from).toBe("hello@stayloop-demo.test");
      // The demo's live presets remind the replayed abandoned checkouts (their 30-minute delay
      // passed long ago, so even the clock standing still does not hold the first reminder back)
      // and welcome the replayed new customers, within a minute of "ready".
      expect(running.output()).toContain('flow "Abandoned checkout" is live');
      expect(running.output()).toContain('flow "Welcome" is live');
      const reminder = /^(You left something in your cart|Ve vašem košíku na vás něco čeká)$/;
      const welcome = /^(Welcome to Stayloop Demo Store|Vítejte v obchodě Stayloop Demo Store)$/;
      const ready = Date.now();
      const seen = (pattern: RegExp) => smtp.messages.some((mail) => pattern.test(mail.parsed.subject ?? ""));
      for (let deadline = ready + 60_000; Date.now() < deadline;) {
        if (seen(reminder) && seen(welcome)) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(seen(reminder)).toBe(true);
      expect(seen(welcome)).toBe(true);
      // The shared clock stands still at speed 0.
      const clock = (await (await fetch(`${base}/demo/clock`)).json()) as { now: string; speed: number };
      expect(clock.speed).toBe(0);
      expect(running.output()).toContain("moves only when advanced");
    } finally {
      expect(await running.stop()).toBe(0);
      await smtp.close();
    }
  });

  it("refuses to start with NODE_ENV=production", async () => {
    const running = demo({ NODE_ENV: "production", PORT: String(await freePort()) });
    expect(await running.exited).toBe(1);
    expect(running.output()).toContain("Refusing to start the demo with NODE_ENV=production");
  });

  it.each(["0.0.0.0", "192.168.1.20", "::"])("refuses to bind the non-loopback address %s", async (host) => {
    const running = demo({ HOST: host, PORT: String(await freePort()) });
    expect(await running.exited).toBe(1);
    expect(running.output()).toContain(`Refusing to start the demo on ${host}`);
  });
});

describe.runIf(testProvider === "sqlite")("the web process in demo mode", () => {
  const serverEnv = {
    ...testShopifyEnv,
    STAYLOOP_DEMO: "1",
    DATABASE_URL: `file:${path.join(scratch, "server.sqlite")}`,
    PORT: "0",
  };

  it("refuses production", async () => {
    const running = runProcess(process.execPath, ["build/server.js"], {
      ...serverEnv,
      NODE_ENV: "production",
    });
    expect(await running.exited).toBe(1);
    expect(running.output()).toContain("Refusing to start the demo with NODE_ENV=production");
  });

  it("refuses a non-loopback bind before listening", async () => {
    const running = runProcess(process.execPath, ["build/server.js"], {
      ...serverEnv,
      NODE_ENV: "development",
      HOST: "0.0.0.0",
    });
    expect(await running.exited).toBe(1);
    expect(running.output()).toContain("Refusing to start the demo on 0.0.0.0");
    expect(running.output()).not.toContain("Stayloop web listening");
  });
});
