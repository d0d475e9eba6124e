#!/usr/bin/env tsx
// `npm run demo`: Stayloop on this machine with a local demo shop — no Shopify account needed.
// Builds the app, migrates an embedded SQLite database, creates the demo shop and its session,
// starts the web and worker processes on loopback, imports the store's history from a local
// stand-in for Shopify's Admin API, replays its webhooks with real signatures, and prints the URLs.
//   Options (environment): HOST (loopback only, default 127.0.0.1), PORT (default 3000),
//   DEMO_DATABASE_URL (default file:./prisma/demo.sqlite), STAYLOOP_DEMO_SPEED (the shared clock's
//   simulated seconds per real second, default 600; 0: moves only through POST /demo/clock),
//   SHOPIFY_API_SECRET (sign your own webhooks; default a fresh random secret per run),
//   STAYLOOP_SMTP_URL (your own SMTP server; default a local catcher the demo starts).
//   --skip-build reuses an existing build/ (the tests build once).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import type { Clock } from "../app/clock";
import { createDatabaseClient } from "../app/db/client";
import { assertDemoMayRun, DemoRefusedError } from "../app/demo/guard";
import { ensureDemoFlows } from "../app/demo/flows";
import { enqueueDemoTestSends } from "../app/demo/messages";
import { demoSpeedSchema, resumeDemoClock, SharedDemoClock } from "../app/demo/demo-clock";
import { demoSession } from "../app/demo/session.server";
import { demoStorefrontPath, ensureDemoStorefront } from "../app/demo/storefront.server";
import { saveProgramSettings } from "../app/loyalty/program";
import { demoLoyaltyProgram } from "../app/demo/loyalty-program";
import { requestStoreHistoryImport } from "../app/shopify/import-status";
import { findOrCreateShop } from "../app/shops/registry";
import { projectRoot, resolveDatabase } from "../prisma/database.mjs";
// Demo mode replays a generated store history through the real webhook endpoint.
import { generateStoreHistory } from "../test/fixtures/store-history";
import { startFakeAdminApi } from "../test/support/fake-admin-api";
import { startFakeTextProvider } from "../test/support/fake-text-provider";
import { startSmtpCatcher } from "../test/support/smtp-catcher";
import { sendWebhook } from "../test/support/webhooks";

const demoShopDomain = "stayloop-demo.myshopify.com";
const demoScopes = ["read_customers", "write_customers", "read_orders", "read_products", "write_discounts"];

function step(message: string): void {
  console.log(`stayloop demo: ${message}`);
}

function run(command: string, args: string[], extraEnv: Record<string, string> = {}): void {
  const result = spawnSync(command, args, {
    cwd: projectRoot,
    stdio: "inherit",
    env: { ...process.env, ...extraEnv },
  });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status})`);
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the web process exited with code ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the web process did not answer ${url} within ${timeoutMs / 1000} s`);
}

async function main(): Promise<void> {
  const host = process.env.HOST ?? "127.0.0.1";
  const port = process.env.PORT ?? "3000";
  assertDemoMayRun({ nodeEnv: process.env.NODE_ENV ?? "development", host });

  // The demo keeps its own embedded database, apart from the development one.
  const databaseUrl = process.env.DEMO_DATABASE_URL ?? "file:./prisma/demo.sqlite";
  if (!databaseUrl.startsWith("file:")) {
    throw new Error(`DEMO_DATABASE_URL must be a SQLite "file:" URL, got "${databaseUrl.split(":")[0]}:…"`);
  }
  const database = resolveDatabase(databaseUrl);
  const speed = demoSpeedSchema.safeParse(process.env.STAYLOOP_DEMO_SPEED);
  if (!speed.success) {
    throw new Error(`STAYLOOP_DEMO_SPEED: ${speed.error.issues.map((issue) => issue.message).join("; ")}`);
  }
  // Given by the reviewer: their secret signs their own webhooks, their SMTP server gets the mail.
  const givenSecret = process.env.SHOPIFY_API_SECRET?.trim() || undefined;
  const givenSmtpUrl = process.env.STAYLOOP_SMTP_URL?.trim() || undefined;
  if (!process.argv.includes("--skip-build") || !existsSync(path.join(projectRoot, "build", "server.js"))) {
    step("building the app");
    run("npm", ["run", "--silent", "build"]);
  }
  step(`migrating the demo database (${path.relative(projectRoot, database.filePath ?? "")})`);
  run(process.execPath, ["scripts/prisma.mjs", "migrate", "deploy"], { DATABASE_URL: databaseUrl });

  const db = createDatabaseClient(database);
  // The shared clock stood still while the demo was stopped; it goes on from where it got to.
  await resumeDemoClock(db, speed.data, new Date());
  const clock = await SharedDemoClock.open(db, { speed: speed.data });
  const shop = await findOrCreateShop(db, demoShopDomain);
  await db.shop.update({
    where: { id: shop.id },
    data: { name: "Stayloop Demo Store", currency: "USD", timezone: "Europe/Prague", uninstalledAt: null },
  });
  await new PrismaSessionStorage(db).storeSession(demoSession(demoShopDomain, demoScopes));
  // A loyalty program to look at (kept as the merchant left it on later runs).
  if (!(await db.loyaltyProgram.findUnique({ where: { shopId: shop.id } }))) {
    await saveProgramSettings(db, shop.id, demoLoyaltyProgram, clock.now());
  }
  // A rewards catalogue and a shopper with points, for the demo storefront's widget.
  await ensureDemoStorefront(db, shop, clock.now());
  // Messages go out at any hour of the demo's fast clock (quiet hours off, three a day at most),
  // so the flows' messages show up within a minute; the Messaging page can change both.
  await db.messagingSettings.upsert({
    where: { shopId: shop.id },
    create: { shopId: shop.id, quietStart: "00:00", quietEnd: "00:00", capMessages: 3, capHours: 24 },
    update: {},
  });
  // Four presets of the flow library, so the replayed store shows the flow engine at work.
  for (const name of await ensureDemoFlows(db, shop.id, clock.now())) step(`flow "${name}" is live`);
  // The demo's Shopify Admin API: the worker imports the store's history from it (backfill).
  // Its live theme has Stayloop's app embed switched on, as the demo storefront shows the launcher
  // (Home's onboarding reads it from there, as it reads a real shop's theme).
  const adminApi = await startFakeAdminApi({
    customers: 150,
    orders: 400,
    products: 24,
    seed: 2026,
    themeSettingsData: JSON.stringify({
      current: {
        blocks: {
          "stayloop-embed": {
            type: "shopify://apps/stayloop/blocks/loyalty-launcher/6f1c2a4e-demo-4c59-9d3e-stayloop0001",
            disabled: false,
            settings: {},
          },
        },
      },
    }),
  });
  await requestStoreHistoryImport(db, shop.id, clock);
  // The demo's e-mail and SMS / WhatsApp providers: a local SMTP server (unless one is given) and
  // a fake provider API.
  const smtp = givenSmtpUrl ? undefined : await startSmtpCatcher();
  const smtpUrl = givenSmtpUrl ?? smtp?.url ?? "";
  const textSecrets = {
    authToken: randomBytes(12).toString("hex"),
    appSecret: randomBytes(12).toString("hex"),
  };
  const texts = await startFakeTextProvider({
    twilio: { accountSid: "ACdemo", authToken: textSecrets.authToken },
    whatsapp: { phoneNumberId: "1000", accessToken: "demo-whatsapp", appSecret: textSecrets.appSecret },
  });
  step(`demo shop ${demoShopDomain} is ready`);

  const childEnv = {
    ...process.env,
    NODE_ENV: "development" as const,
    HOST: host,
    PORT: port,
    DATABASE_URL: databaseUrl,
    STAYLOOP_DEMO: "1",
    STAYLOOP_DEMO_SHOP: demoShopDomain,
    SHOPIFY_API_KEY: "stayloop-demo",
    // The demo signs its own webhook replays with it: the one given, else a fresh one per run.
    SHOPIFY_API_SECRET: givenSecret ?? randomBytes(24).toString("hex"),
    SCOPES: demoScopes.join(","),
    STAYLOOP_DEMO_ADMIN_API_URL: adminApi.url,
    ...(port === "0" ? {} : { STAYLOOP_PUBLIC_URL: `http://${host}:${port}` }),
    STAYLOOP_LINK_SECRET: randomBytes(24).toString("hex"),
    STAYLOOP_SMTP_URL: smtpUrl,
    STAYLOOP_DEMO_SPEED: String(speed.data),
    STAYLOOP_MAIL_FROM: "Stayloop Demo Store <hello@stayloop-demo.test>",
    STAYLOOP_SMS_API_URL: texts.url,
    STAYLOOP_SMS_ACCOUNT_SID: "ACdemo",
    STAYLOOP_SMS_AUTH_TOKEN: textSecrets.authToken,
    STAYLOOP_SMS_FROM: "+15005550006",
    STAYLOOP_WHATSAPP_API_URL: texts.url,
    STAYLOOP_WHATSAPP_PHONE_NUMBER_ID: "1000",
    STAYLOOP_WHATSAPP_ACCESS_TOKEN: "demo-whatsapp",
    STAYLOOP_WHATSAPP_APP_SECRET: textSecrets.appSecret,
  };
  const web = spawn(process.execPath, ["build/server.js"], {
    cwd: projectRoot,
    env: childEnv,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const worker = spawn(process.execPath, ["build/worker.js"], {
    cwd: projectRoot,
    env: childEnv,
    stdio: "inherit",
  });
  const children = [web, worker];
  const stop = () => {
    for (const child of children) child.kill("SIGTERM");
    // Called again as each child exits: closing twice must not fail the demo's exit code.
    clock.close();
    void Promise.allSettled([adminApi.close(), smtp?.close(), texts.close()]);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  // One process gone ends the demo: stop the other and report the first exit code.
  let exitCode: number | null = null;
  for (const child of children) {
    child.on("exit", (code) => {
      exitCode ??= code ?? 0;
      stop();
      if (children.every((each) => each.exitCode !== null || each.signalCode !== null))
        process.exit(exitCode);
    });
  }

  // The web process logs the address it really bound (PORT=0 picks a free port).
  const base = await new Promise<string>((resolve) => {
    createInterface({ input: web.stdout }).on("line", (line) => {
      console.log(line);
      const url = /"url":"(http:[^"]+)".*"msg":"Stayloop web listening"/.exec(line)?.[1];
      if (url) resolve(url);
    });
  });
  await waitForHealth(`${base}/healthz`, web, 30_000);

  // A store's history, delivered like Shopify does: signed with the app secret, over HTTP.
  const history = generateStoreHistory({ customers: 60, seed: 2026 });
  const outcomes = new Map<number, number>();
  for (const delivery of history) {
    const response = await sendWebhook(base, delivery, demoShopDomain, childEnv.SHOPIFY_API_SECRET);
    outcomes.set(response.status, (outcomes.get(response.status) ?? 0) + 1);
  }
  const summary = [...outcomes].map(([status, count]) => `${count} × HTTP ${status}`).join(", ");
  step(`replayed ${history.length} signed webhook deliveries (${summary}); the worker is applying them`);
  texts.setCallbackUrls({
    twilioInbound: `${base}/webhooks/sms`,
    whatsappWebhook: `${base}/webhooks/whatsapp`,
  });
  void sendDemoMessages(databaseUrl, clock, smtp).catch((error: unknown) =>
    step(`test-sends skipped: ${error instanceof Error ? error.message : String(error)}`),
  );

  console.log(
    [
      "",
      "Stayloop demo is running (Ctrl+C to stop):",
      `  Admin (embedded app pages):  ${base}/app`,
      `  Storefront (loyalty widget): ${base}${demoStorefrontPath} — pick a shopper or browse as a guest`,
      `  Health:                      ${base}/healthz`,
      `  Metrics:                     ${base}/metrics`,
      `  Messaging (test-sends):      ${base}/app/messaging — e-mails go to ${smtp ? "a local SMTP server" : "your SMTP server"} (${redactedUrl(smtpUrl)})`,
      `  Demo clock:                  ${base}/demo/clock — ${clock.speed === 0 ? "moves only when advanced" : `${clock.speed} simulated seconds per second`}; advance with`,
      `    curl -X POST -H 'content-type: application/json' -d '{"advanceMinutes": 60}' ${base}/demo/clock`,
      ...(givenSecret ? ["  Webhooks are signed with the SHOPIFY_API_SECRET you gave."] : []),
      "",
    ].join("\n"),
  );
}

/** The SMTP URL without its password, for the console. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable URL)";
  }
}

/** Once the worker has created customers, three test-sends go through the outbox to the SMTP server. */
async function sendDemoMessages(
  databaseUrl: string,
  clock: Clock,
  smtp: { messages: unknown[] } | undefined,
): Promise<void> {
  const db = createDatabaseClient(resolveDatabase(databaseUrl));
  try {
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: demoShopDomain } });
    for (
      let waited = 0;
      waited < 60 && (await db.customer.count({ where: { shopId: shop.id } })) < 3;
      waited += 1
    ) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const created = await enqueueDemoTestSends(db, shop.id, 3, clock.now());
    if (created > 0)
      step(
        `queued ${created} test-sends; the worker delivers them` +
          (smtp ? ` (${smtp.messages.length} e-mails caught so far)` : ""),
      );
  } finally {
    await db.$disconnect();
  }
}

main().catch((error: unknown) => {
  if (error instanceof DemoRefusedError) {
    console.error(`stayloop demo: ${error.message}`);
  } else {
    console.error("stayloop demo: failed:", error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
