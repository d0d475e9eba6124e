// The customer-account extension (extensions/loyalty-account) without Shopify CLI: bundled with
// esbuild (minified, Preact) it stays under Shopify's 64 KB compressed limit, its configuration and
// locales are complete, and rendered with a stand-in `shopify` global and fetch it shows the
// shopper's points, tier and rewards and redeems with one idempotency key per intent (R-WID-4).
import { readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { parse } from "smol-toml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../prisma/database.mjs";
import { tinyDocument, type TinyElement } from "../support/tiny-dom";

const extensionDir = path.join(projectRoot, "extensions", "loyalty-account");
const shopifyCompressedLimit = 64 * 1024;

type Messages = Record<string, string | Record<string, string>>;
const readLocale = (name: string) =>
  JSON.parse(readFileSync(path.join(extensionDir, "locales", name), "utf8")) as Messages;
const en = readLocale("en.default.json");
const cs = readLocale("cs.json");

let bundle = "";
let renderBlock: () => Promise<void>;

/** Shopify's translate for the English locale: plural by `count` (one / other), {{name}} filled in. */
function translate(key: string, options: Record<string, string | number> = {}): string {
  const entry = en[key];
  if (entry === undefined) throw new Error(`no English message ${key}`);
  const template =
    typeof entry === "string" ? entry : ((options.count === 1 ? entry.one : entry.other) ?? "");
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(options[name] ?? ""));
}

interface Sent {
  url: string;
  method: string;
  authorization: string | null;
  body: Record<string, unknown> | null;
}

const loyalty = {
  programActive: true,
  currency: "EUR",
  pointsBalance: 400,
  pendingPoints: 120,
  tier: { id: "silver", name: "Silver", perks: [] },
  nextTier: { id: "gold", name: "Gold", threshold: 1000, metric: "points" },
  affordableRewards: [
    {
      id: "r-five",
      name: "€5 off",
      kind: "fixed_amount",
      pointsCost: 100,
      amountMinor: 500,
      currency: "EUR",
      percentOff: null,
    },
    {
      id: "r-ten",
      name: "10 % off",
      kind: "percentage",
      pointsCost: 350,
      amountMinor: null,
      currency: null,
      percentOff: 10,
    },
  ],
  nextReward: {
    id: "r-ship",
    name: "Free shipping",
    kind: "free_shipping",
    pointsCost: 5000,
    amountMinor: null,
    currency: null,
    percentOff: null,
    pointsNeeded: 4600,
  },
};

/** Renders the block with a fresh document and a fetch answering with `answers` in turn. */
async function renderWith(answers: { status: number; body: unknown }[]) {
  const document = tinyDocument();
  const sent: Sent[] = [];
  const globals = globalThis as Record<string, unknown>;
  globals.document = document;
  globals.fetch = (
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ) => {
    sent.push({
      url,
      method: init.method ?? "GET",
      authorization: init.headers?.authorization ?? null,
      body: init.body ? (JSON.parse(init.body) as Record<string, unknown>) : null,
    });
    const answer = answers.shift() ?? { status: 500, body: {} };
    return Promise.resolve(Response.json(answer.body, { status: answer.status }));
  };
  await renderBlock();
  await settle();
  return { body: document.body, sent };
}

/**
 * Lets Preact's effects (run after the next frame: ~100 ms of setTimeout without
 * requestAnimationFrame), its batched renders and the fetch promises run.
 */
async function settle(): Promise<void> {
  for (let round = 0; round < 3; round += 1) await new Promise((resolve) => setTimeout(resolve, 120));
}

const buttons = (body: TinyElement) => body.findAll("s-button");

describe("customer-account extension", () => {
  beforeAll(async () => {
    const result = await build({
      entryPoints: [path.join(extensionDir, "src", "LoyaltyBlock.tsx")],
      bundle: true,
      minify: true,
      write: false,
      format: "iife",
      globalName: "stayloopLoyaltyBlock",
      platform: "browser",
      target: "es2020",
      jsx: "automatic",
      jsxImportSource: "preact",
      alias: { react: "preact/compat", "react-dom": "preact/compat" },
    });
    bundle = result.outputFiles[0]?.text ?? "";
    const globals = globalThis as Record<string, unknown>;
    globals.shopify = {
      sessionToken: { get: () => Promise.resolve("session-token-1") },
      i18n: { translate, formatNumber: (value: number) => String(value) },
    };
    // Run in this realm, as Shopify's worker runs it: it sees the globals above.
    vm.runInThisContext(bundle);
    const globalModule = globals.stayloopLoyaltyBlock as { default: () => Promise<void> };
    renderBlock = globalModule.default;
  });

  afterAll(() => {
    const globals = globalThis as Record<string, unknown>;
    delete globals.shopify;
    delete globals.document;
    delete globals.fetch;
    globals.stayloopLoyaltyBlock = undefined;
  });

  it("bundles to less than Shopify's 64 KB compressed limit", () => {
    const compressed = gzipSync(bundle).length;
    expect(bundle.length).toBeGreaterThan(1000);
    expect(compressed).toBeLessThanOrEqual(shopifyCompressedLimit);
  });

  it("targets the Profile and Orders pages of the 2026-01 customer accounts, with network access", () => {
    const toml = parse(readFileSync(path.join(extensionDir, "shopify.extension.toml"), "utf8")) as {
      api_version: string;
      extensions: {
        type: string;
        handle: string;
        targeting: { target: string; module: string }[];
        capabilities: { network_access: boolean };
      }[];
    };
    expect(toml.api_version).toBe("2026-01");
    const [extension] = toml.extensions;
    expect(extension?.type).toBe("ui_extension");
    expect(extension?.targeting.map((targeting) => targeting.target).sort()).toEqual([
      "customer-account.order-index.block.render",
      "customer-account.profile.block.render",
    ]);
    for (const targeting of extension?.targeting ?? []) {
      expect(readFileSync(path.join(extensionDir, targeting.module), "utf8")).toContain("export default");
    }
    expect(extension?.capabilities.network_access).toBe(true);
  });

  it("calls the app at shopify.app.toml's application_url", () => {
    const app = parse(readFileSync(path.join(projectRoot, "shopify.app.toml"), "utf8")) as {
      application_url: string;
    };
    expect(readFileSync(path.join(extensionDir, "src", "config.ts"), "utf8")).toContain(
      `stayloopAppUrl = "${app.application_url}"`,
    );
  });

  it("has every message in Czech too, with Czech plural forms, and uses only messages that exist", () => {
    expect(Object.keys(cs).sort()).toEqual(Object.keys(en).sort());
    for (const [key, message] of Object.entries(en)) {
      if (typeof message === "string") expect(typeof cs[key], key).toBe("string");
      else expect(Object.keys(cs[key] ?? {}).sort(), key).toEqual(["few", "many", "one", "other"]);
    }
    const source = readFileSync(path.join(extensionDir, "src", "LoyaltyBlock.tsx"), "utf8");
    for (const [, key] of source.matchAll(/\bt\("(\w+)"/g)) expect(en, key).toHaveProperty(key as string);
  });

  it("shows the shopper's points, pending points, tier, affordable rewards and the next reward", async () => {
    const { body, sent } = await renderWith([{ status: 200, body: loyalty }]);
    expect(sent).toEqual([
      {
        url: "https://example.com/api/account/loyalty",
        method: "GET",
        authorization: "Bearer session-token-1",
        body: null,
      },
    ]);
    const html = body.outerHTML;
    expect(html).toContain('heading="Rewards"');
    expect(body.textContent).toContain("You have 400 points");
    expect(body.textContent).toContain("120 more points are on their way");
    expect(body.textContent).toContain("Tier: Silver");
    expect(body.textContent).toContain("Next tier: Gold");
    expect(body.textContent).toContain("€5 off · 100 points");
    expect(body.textContent).toContain("10 % off · 350 points");
    expect(body.textContent).toContain("4600 more points to Free shipping");
    expect(buttons(body).map((button) => button.getAttribute("accessibilityLabel"))).toEqual([
      "Redeem €5 off for 100 points",
      "Redeem 10 % off for 350 points",
    ]);
  });

  it("redeems a reward, shows its code and the new balance, and hides what is no longer affordable", async () => {
    const { body, sent } = await renderWith([
      { status: 200, body: loyalty },
      {
        status: 200,
        body: { code: "LOYAL-7K2M", rewardId: "r-five", points: 100, endsAt: null, pointsBalance: 300 },
      },
    ]);
    buttons(body)[0]?.dispatch("click");
    await settle();
    expect(sent[1]).toMatchObject({
      url: "https://example.com/api/account/redemptions",
      method: "POST",
      authorization: "Bearer session-token-1",
      body: { rewardId: "r-five" },
    });
    expect(String(sent[1]?.body?.idempotencyKey)).toMatch(/^[\w-]{8,100}$/);
    expect(body.outerHTML).toContain("Your code for €5 off: LOYAL-7K2M");
    expect(body.textContent).toContain("You have 300 points");
    // 10 % off costs 350: out of reach now.
    expect(buttons(body)).toHaveLength(1);
  });

  it("says when the points no longer suffice, and a second press retries with the same idempotency key", async () => {
    const { body, sent } = await renderWith([
      { status: 200, body: loyalty },
      { status: 409, body: { error: "not enough points" } },
      { status: 502, body: { error: "the code could not be created" } },
    ]);
    buttons(body)[1]?.dispatch("click");
    await settle();
    expect(body.outerHTML).toContain("You no longer have enough points for this reward.");
    buttons(body)[1]?.dispatch("click");
    await settle();
    expect(body.outerHTML).toContain("The reward could not be redeemed. Your points are unchanged.");
    expect(sent[1]?.body?.idempotencyKey).toBe(sent[2]?.body?.idempotencyKey);
  });

  it("shows nothing while the program is off, and a retry button when loading fails", async () => {
    const off = await renderWith([{ status: 200, body: { ...loyalty, programActive: false } }]);
    expect(off.body.textContent).toBe("");

    const failing = await renderWith([
      { status: 500, body: {} },
      { status: 200, body: loyalty },
    ]);
    expect(failing.body.outerHTML).toContain("Your rewards could not be loaded.");
    buttons(failing.body)[0]?.dispatch("click");
    await settle();
    expect(failing.body.textContent).toContain("You have 400 points");
  });
});
