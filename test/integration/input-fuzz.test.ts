// A seeded fuzz of every route that takes outside input, against the built server (issue 12):
// mutated signed webhook deliveries, SMS / WhatsApp callbacks, /t/* tracking links and admin form
// posts in demo mode. Stayloop has no App Proxy route yet, so the tracking links stand in for the
// storefront's queries. Every answer must be 2xx, 3xx or 4xx — never 5xx, never a dropped
// connection — the server must stay up, and a refused input must change no row.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { signWebhookBody } from "../../app/events/signature";
import { drain, testWorker } from "../support/inbox";
import { signTrackingToken } from "../../app/messaging/tracking-links";
import { twilioSignature } from "../../app/messaging/sms-provider";
import { whatsAppSignature } from "../../app/messaging/whatsapp-provider";
import {
  checkoutPayload,
  customerPayload,
  orderPayload,
  refundPayload,
  seededRandom,
} from "../fixtures/shopify-payloads";
import { ManualClock } from "../support/clock";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { testShopifyEnv, type RunningProcess } from "../support/processes";
import { numbers } from "../support/stored";
import { createDemoSession, startDemoServer } from "../support/demo-admin";

const seed = Number(process.env.STAYLOOP_FUZZ_SEED ?? 20261201);
const random = seededRandom(seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const chance = (p: number) => random() < p;

const secret = testShopifyEnv.SHOPIFY_API_SECRET;
const linkSecret = testShopifyEnv.STAYLOOP_LINK_SECRET;
const publicUrl = "http://127.0.0.1:3999";
const textEnv = {
  STAYLOOP_PUBLIC_URL: publicUrl,
  STAYLOOP_SMS_API_URL: "http://127.0.0.1:1",
  STAYLOOP_SMS_ACCOUNT_SID: "AC-fuzz",
  STAYLOOP_SMS_AUTH_TOKEN: "sms-auth-token",
  STAYLOOP_SMS_FROM: "+15550001111",
  STAYLOOP_WHATSAPP_API_URL: "http://127.0.0.1:1",
  STAYLOOP_WHATSAPP_PHONE_NUMBER_ID: "1234",
  STAYLOOP_WHATSAPP_ACCESS_TOKEN: "wa-access-token",
  STAYLOOP_WHATSAPP_APP_SECRET: "wa-app-secret",
};

const nasty: readonly unknown[] = [
  null,
  -1,
  0,
  1e308,
  -0.01,
  2 ** 53 + 1,
  "",
  " ",
  "-5.00",
  "12.345",
  "1e3",
  "NaN",
  "9999-12-31T00:00:00Z",
  "2024-02-30T10:00:00Z",
  "1969-07-20T20:17:00Z",
  "0000-00-00",
  "not a date",
  "x".repeat(300),
  "ä🎉\u0000\u202e",
  "<script>alert(1)</script>",
  '\'; DROP TABLE "Customer"; --',
  [],
  [1, 2, 3],
  {},
  { nested: { deeper: [null] } },
  true,
  false,
  "99999999999999999999",
];

const topics = [
  "customers/create",
  "customers/update",
  "customers/delete",
  "orders/create",
  "orders/paid",
  "orders/updated",
  "orders/cancelled",
  "refunds/create",
  "checkouts/create",
  "checkouts/update",
  "customers/redact",
  "customers/data_request",
] as const;

function basePayload(topic: string, index: number): Record<string, unknown> {
  const customerSeed = {
    id: 100 + (index % 40),
    email: `c${index % 40}@example.com`,
    firstName: "Fuzz",
    lastName: String(index),
    updatedAt: "2026-11-20T10:00:00Z",
  };
  if (topic.startsWith("customers/") && topic !== "customers/redact" && topic !== "customers/data_request")
    return customerPayload(customerSeed);
  if (topic.startsWith("orders/"))
    return orderPayload({
      id: 50_000 + index,
      number: 1000 + index,
      customer: customerSeed,
      lines: [
        { id: 90_000 + index, productId: 1, variantId: 2, title: "Beans", price: "14.50", quantity: 2 },
      ],
      createdAt: "2026-11-20T10:00:00Z",
      updatedAt: "2026-11-20T10:00:00Z",
    });
  if (topic === "refunds/create")
    return refundPayload({
      id: 70_000 + index,
      orderId: 50_000 + index - 1,
      lines: [],
      amount: "3.00",
      createdAt: "2026-11-21T00:00:00Z",
    });
  if (topic.startsWith("checkouts/"))
    return checkoutPayload({
      id: 30_000 + index,
      token: `tok-${index}`,
      customer: customerSeed,
      lines: [{ id: 1, productId: 1, variantId: 2, title: "Beans", price: "14.50", quantity: 1 }],
      createdAt: "2026-11-20T10:00:00Z",
      updatedAt: "2026-11-20T10:00:00Z",
    });
  return { shop_domain: "alpha.myshopify.com", customer: { id: customerSeed.id }, orders_to_redact: [] };
}

/** Replaces, deletes or adds one value somewhere in the tree. */
function mutate(value: unknown, depth = 0): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0 || chance(0.2)) return chance(0.5) ? pick(nasty) : [...value, pick(nasty)];
    const copy = [...value];
    const index = Math.floor(random() * copy.length);
    copy[index] = mutate(copy[index], depth + 1);
    return copy;
  }
  if (typeof value === "object" && value !== null) {
    const keys = Object.keys(value);
    if (keys.length === 0 || chance(0.15) || depth > 4) return pick(nasty);
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const key = pick(keys);
    if (chance(0.15)) delete copy[key];
    else if (chance(0.1)) copy[`junk_${Math.floor(random() * 100)}`] = pick(nasty);
    else copy[key] = mutate(copy[key], depth + 1);
    return copy;
  }
  return pick(nasty);
}

function mutateText(text: string): string {
  const choice = random();
  if (choice < 0.3) return text.slice(0, Math.floor(random() * text.length));
  if (choice < 0.6) {
    const at = Math.floor(random() * text.length);
    return text.slice(0, at) + String.fromCharCode(32 + Math.floor(random() * 95)) + text.slice(at + 1);
  }
  if (choice < 0.8) return text.replace(/"(\d+(\.\d+)?)"/, '"-$1"');
  return pick([
    "",
    "null",
    "[]",
    '"string"',
    "{",
    "1".repeat(40),
    '{"id":' + "[".repeat(5000) + "]".repeat(5000) + "}",
  ]);
}

interface Sent {
  kind: string;
  status: number;
  webhookId?: string;
}

describe(`input fuzz on ${testProvider} (seed ${seed})`, () => {
  let database: TestDatabase;
  let db: Database;
  let server: RunningProcess & { baseUrl: string };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    await createDemoSession(db);
    server = await startDemoServer(database.url, {
      // The demo clock stands at the time the server started, so the rows it stamps are in the
      // past of the worker's clock below (at the demo's default speed they would run ahead).
      STAYLOOP_DEMO_SPEED: "0",
      ...textEnv,
    });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  async function send(kind: string, path: string, init: RequestInit): Promise<number> {
    try {
      const response = await fetch(`${server.baseUrl}${path}`, { redirect: "manual", ...init });
      await response.arrayBuffer();
      return response.status;
    } catch (error) {
      throw new Error(`${kind} ${path}: no answer (${(error as Error).message})`);
    }
  }

  it("answers thousands of mutated inputs with 2xx/3xx/4xx only, and refused inputs change nothing", async () => {
    const sent: Sent[] = [];

    // 1. Signed webhook deliveries, mutated in their payload, raw bytes, topic or shop header.
    const webhookCount = 1500;
    for (let batch = 0; batch < webhookCount; batch += 20) {
      const requests = Array.from({ length: 20 }, (_, offset) => {
        const index = batch + offset;
        const topic = pick(topics);
        let body = JSON.stringify(
          chance(0.85) ? mutate(basePayload(topic, index)) : basePayload(topic, index),
        );
        if (chance(0.2)) body = mutateText(body);
        const webhookId = `fuzz-${seed}-${index}`;
        const headers: Record<string, string> = {
          "content-type": "application/json",
          "x-shopify-topic": chance(0.05) ? pick(["", "orders/unknown", "x".repeat(500)]) : topic,
          "x-shopify-shop-domain": chance(0.08)
            ? pick(["evil.example.com", "", "a.myshopify.com.evil", "UPPER.MYSHOPIFY.COM", "x".repeat(300)])
            : pick(["alpha.myshopify.com", "beta.myshopify.com"]),
          "x-shopify-webhook-id": webhookId,
          "x-shopify-triggered-at": pick(["2026-11-20T10:00:00Z", "garbage", "9999-99-99"]),
          "x-shopify-hmac-sha256": chance(0.05) ? "forged" : signWebhookBody(body, secret),
        };
        if (headers["x-shopify-shop-domain"] === "") delete headers["x-shopify-shop-domain"];
        return send("webhook", "/webhooks", { method: "POST", headers, body }).then((status) =>
          sent.push({ kind: "webhook", status, webhookId }),
        );
      });
      await Promise.all(requests);
    }

    // 2. Twilio and WhatsApp callbacks: most unsigned or forged, some signed with mutated fields.
    const callbacks: Promise<unknown>[] = [];
    for (let index = 0; index < 200; index += 1) {
      if (callbacks.length >= 10) await Promise.all(callbacks.splice(0));
      if (chance(0.5)) {
        const params: Record<string, string> = {
          MessageSid: pick(["SM1", "", "x".repeat(200)]),
          MessageStatus: pick(["delivered", "failed", "undelivered", "sent", "bogus", ""]),
          From: pick(["+15551234567", "", "not-a-number"]),
          To: "+15550001111",
          Body: pick(["STOP", "start", "hello", "", "ODHLÁSIT", "x".repeat(1000)]),
          ErrorCode: pick(["", "30003", "NaN"]),
        };
        for (const key of Object.keys(params)) if (chance(0.2)) delete params[key];
        const body = new URLSearchParams(params).toString();
        const signed = chance(0.6);
        callbacks.push(
          send("sms", "/webhooks/sms", {
            method: "POST",
            headers: {
              "content-type": "application/x-www-form-urlencoded",
              ...(signed
                ? {
                    "x-twilio-signature": twilioSignature(
                      textEnv.STAYLOOP_SMS_AUTH_TOKEN,
                      `${publicUrl}/webhooks/sms`,
                      params,
                    ),
                  }
                : chance(0.5)
                  ? { "x-twilio-signature": "forged" }
                  : {}),
            },
            body: chance(0.1) ? mutateText(body) : body,
          }).then((status) => sent.push({ kind: "sms", status })),
        );
      } else {
        const payload = mutate({
          object: "whatsapp_business_account",
          entry: [
            {
              id: "1",
              changes: [
                {
                  field: "messages",
                  value: {
                    statuses: [
                      {
                        id: "wamid.1",
                        status: "delivered",
                        timestamp: "1764590000",
                        recipient_id: "15551234567",
                      },
                    ],
                    messages: [
                      {
                        id: "wamid.2",
                        from: "15551234567",
                        timestamp: "1764590000",
                        type: "text",
                        text: { body: "STOP" },
                      },
                    ],
                  },
                },
              ],
            },
          ],
        });
        let body = JSON.stringify(payload);
        if (chance(0.15)) body = mutateText(body);
        const signed = chance(0.6);
        callbacks.push(
          send("whatsapp", "/webhooks/whatsapp", {
            method: "POST",
            headers: {
              "content-type": "application/json",
              ...(signed
                ? { "x-hub-signature-256": whatsAppSignature(textEnv.STAYLOOP_WHATSAPP_APP_SECRET, body) }
                : {}),
            },
            body,
          }).then((status) => sent.push({ kind: "whatsapp", status })),
        );
      }
    }
    await Promise.all(callbacks);

    // 3. Tracking links (the storefront-facing GETs): random, tampered and validly signed tokens.
    const messagesBefore = numbers(await db.message.findMany({ orderBy: { id: "asc" } }));
    const links: Promise<unknown>[] = [];
    for (let index = 0; index < 200; index += 1) {
      if (links.length >= 10) await Promise.all(links.splice(0));
      const kind = pick(["o", "c", "u"] as const);
      let token: string;
      if (chance(0.5)) {
        const messageId = pick(["msg-missing", "", "x".repeat(500), "'; --", "🎉"]) || "m";
        const target = pick(["https://example.com/", "javascript:alert(1)", "http://127.0.0.1/x"]);
        try {
          token = signTrackingToken(
            linkSecret,
            kind === "c" ? { k: "c", m: messageId, u: target } : { k: kind, m: messageId },
          );
        } catch {
          token = "unsignable";
        }
        if (chance(0.4)) token = mutateText(token);
      } else {
        token = mutateText(pick(["abc.def", "a".repeat(2000), "..", "%00", "e30.e30"]));
      }
      const method = kind === "u" && chance(0.5) ? "POST" : "GET";
      sent.push({
        kind: "tracking",
        status: await send("tracking", `/t/${kind}/${encodeURIComponent(token)}`, {
          method,
          ...(method === "POST"
            ? {
                headers: { "content-type": "application/x-www-form-urlencoded" },
                body: "List-Unsubscribe=One-Click",
              }
            : {}),
        }),
      });
    }
    // No message exists, so no tracking link may have changed one.
    expect(numbers(await db.message.findMany({ orderBy: { id: "asc" } }))).toEqual(messagesBefore);

    // 4. Admin form posts in demo mode (JSON answers through Remix's _data), each refused one
    //    checked against the rows it could have touched.
    const adminState = async () =>
      JSON.stringify([
        numbers(await db.loyaltyReward.findMany({ orderBy: { id: "asc" } })),
        await db.loyaltyProgram.findMany({ orderBy: { id: "asc" } }),
        await db.messagingSettings.findMany({ orderBy: { shopId: "asc" } }),
        await db.loyaltyLedgerEntry.count(),
        await db.job.count(),
      ]);
    const forms: [string, string, () => Record<string, unknown>][] = [
      [
        "/app/loyalty/rewards",
        "routes/app.loyalty.rewards",
        () => ({
          intent: pick(["create", "toggle", ""]),
          kind: pick(["fixed_amount", "percentage", "free_shipping", "free_product", "bogus"]),
          name: pick(["€5 off", "", "x".repeat(5000)]),
          pointsCost: pick(["500", "-1", "0", "1e9", "abc", "99999999999999999999"]),
          amount: pick(["5.00", "-5", "5.001", ""]),
          percentOff: pick(["10", "101", "-3", ""]),
          minimumSubtotal: pick(["", "20.00", "-1"]),
          validDays: pick(["30", "0", "-1", "x"]),
          rewardId: pick(["missing", ""]),
          active: pick(["true", "false"]),
        }),
      ],
      [
        "/app/loyalty/members",
        "routes/app.loyalty.members",
        () => ({
          memberId: pick(["missing", "", "'; --"]),
          points: pick(["100", "-50", "1.5", "x", "99999999999999999999"]),
          reason: pick(["goodwill", "", "x".repeat(3000)]),
          adjustmentId: pick(["not-a-uuid", "3b241101-e2bb-4255-8caf-4136c566a962"]),
        }),
      ],
      [
        "/app/messaging",
        "routes/app.messaging",
        () => ({
          intent: pick(["save", "preview", "other"]),
          template: pick(["Hi {{ customer.first_name }}", "{{", "{% for %}", ""]),
          locale: pick(["en", "cs", "xx", ""]),
          quietHoursStart: pick(["21:00", "25:00", "x"]),
          whatsappPricing: pick(["", "{", "[]"]),
          whatsappRates: pick(["", "x", "-1"]),
        }),
      ],
      [
        "/app/loyalty",
        "routes/app.loyalty._index",
        () =>
          mutate({ pointsPerUnit: 1, tiers: [{ name: "Gold", threshold: 100 }] }) as Record<string, unknown>,
      ],
    ];
    for (let index = 0; index < 80; index += 1) {
      const [path, routeId, fields] = pick(forms);
      const values = fields();
      const asJson = routeId === "routes/app.loyalty._index";
      const body = asJson
        ? JSON.stringify(values)
        : new URLSearchParams(
            Object.entries(values)
              .filter(() => !chance(0.1))
              .map(([key, value]) => [key, String(value)]),
          ).toString();
      const before = await adminState();
      const response = await fetch(`${server.baseUrl}${path}?_data=${encodeURIComponent(routeId)}`, {
        method: "POST",
        headers: { "content-type": asJson ? "application/json" : "application/x-www-form-urlencoded" },
        body: chance(0.05) ? mutateText(body) : body,
      });
      const text = await response.text();
      sent.push({
        kind: `form ${path}`,
        status: response.status,
        ...(response.status >= 500 ? { webhookId: `${body.slice(0, 300)} -> ${text.slice(0, 300)}` } : {}),
      });
      let refused = response.status >= 400;
      try {
        const answer = JSON.parse(text) as { ok?: boolean; saved?: boolean };
        refused ||= answer.ok === false || answer.saved === false;
      } catch {
        // Not JSON (a thrown Response): judged by its status.
      }
      if (refused) expect(await adminState(), `${path} ${body}`).toBe(before);
    }

    // Only 2xx, 3xx, 4xx; the server is still up.
    const byStatus = new Map<string, number>();
    for (const { kind, status } of sent)
      byStatus.set(`${kind} ${status}`, (byStatus.get(`${kind} ${status}`) ?? 0) + 1);
    const failures = sent.filter((entry) => entry.status >= 500);
    expect(failures, JSON.stringify(Object.fromEntries(byStatus))).toEqual([]);
    expect(sent.length).toBe(1_980);
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
    expect(server.child.exitCode).toBeNull();

    // Refused deliveries were not stored; accepted ones were.
    const webhooks = sent.filter((entry) => entry.kind === "webhook");
    const stored = new Set(
      (await db.webhookInbox.findMany({ select: { webhookId: true } })).map((row) => row.webhookId),
    );
    for (const entry of webhooks) {
      expect(stored.has(entry.webhookId ?? ""), `${entry.webhookId} answered ${entry.status}`).toBe(
        entry.status === 200,
      );
    }
    expect(webhooks.filter((entry) => entry.status === 200).length).toBeGreaterThan(1000);
    expect(webhooks.filter((entry) => entry.status >= 400).length).toBeGreaterThan(50);

    // The worker applies what it can and parks the rest, without crashing; a parked delivery
    // leaves no customer or order that only it named. A sample of 80 keeps this part short.
    const sample = await db.webhookInbox.findMany({
      orderBy: { receivedAt: "asc" },
      take: 80,
      select: { id: true, payload: true },
    });
    // What each delivery names is read now: a redaction applied by the worker erases the bodies
    // of the deliveries that mention the customer.
    const payloadOf = new Map(sample.map((row) => [row.id, row.payload]));
    await db.webhookInbox.updateMany({
      where: { id: { notIn: sample.map((row) => row.id) } },
      data: { status: "held" },
    });
    // The server stamped the rows no later than the real time (its demo clock stands still); the
    // worker's clock starts just after it.
    const clock = new ManualClock(new Date(Date.now() + 1_000));
    await drain(testWorker(db, clock, { retryBaseMs: 60 * 60 * 1000 }));
    const rows = await db.webhookInbox.findMany({
      where: { status: { not: "held" } },
      select: { id: true, status: true },
    });
    expect(rows.filter((row) => row.status === "processing")).toEqual([]);
    const named = (id: string) => {
      try {
        const payload = payloadOf.get(id) ?? "";
        const parsed = JSON.parse(payload) as { id?: unknown; customer?: { id?: unknown } | null };
        return [parsed.id, parsed.customer?.id].filter((id) => id !== undefined && id !== null).map(String);
      } catch {
        return [];
      }
    };
    const namedByDone = new Set(rows.filter((row) => row.status === "done").flatMap((row) => named(row.id)));
    const onlyByFailed = new Set(
      rows
        .filter((row) => row.status !== "done")
        .flatMap((row) => named(row.id))
        .filter((id) => !namedByDone.has(id)),
    );
    const customers = numbers(await db.customer.findMany({ select: { shopifyId: true } }));
    const orders = numbers(await db.order.findMany({ select: { shopifyId: true } }));
    for (const { shopifyId } of [...customers, ...orders])
      expect(onlyByFailed.has(shopifyId), shopifyId).toBe(false);
    expect(rows).toHaveLength(80);
    expect(rows.filter((row) => row.status === "done").length).toBeGreaterThan(8);
    expect(rows.filter((row) => row.status === "failed").length).toBeGreaterThan(8);
  }, 120_000);
});
