// The demo storefront (demo mode only): a sample shop page that renders the theme app extension's
// real Liquid — the app embed and the app block, as Shopify renders them — with liquidjs and sample
// shop data, loads the real assets, and talks to the real /proxy routes through a local stand-in
// for Shopify's App Proxy (demo.storefront.apps.stayloop.$.tsx), which signs each request as
// Shopify would. Who is "logged in" is the demo's own choice (a cookie on this page, as Shopify's
// storefront session would be); the stand-in never forwards cookies, as Shopify does not.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Customer, Shop } from "@prisma/client";
import { Liquid } from "liquidjs";
import { projectRoot } from "../../prisma/database.mjs";
import type { Database } from "../db/client";
import { ledgerTransactionOptions, loyaltyMemberFor, postLedgerEntry } from "../loyalty/ledger";
import { loyaltyProgramFor } from "../loyalty/program";
import { evaluateMemberTier } from "../loyalty/vip";
import { createReward } from "../loyalty/rewards";

export const demoStorefrontPath = "/demo/storefront";
export const demoShopperCookie = "stayloop_demo_shopper";
export const demoLocales = ["en", "cs"] as const;
export type DemoLocale = (typeof demoLocales)[number];

const extensionDir = path.join(projectRoot, "extensions", "loyalty-widget");
export const demoAssetsDir = path.join(extensionDir, "assets");

/** The storefront shopper the demo seeds: points to spend, and rewards to spend them on. */
export const demoShopper = { shopifyId: "9900000001", firstName: "Dana", lastName: "Demo", points: 1_200 };

const demoRewards = [
  { kind: "free_shipping", name: "Free shipping", pointsCost: 600, validDays: 90 },
  { kind: "fixed_amount", name: "$5 off", pointsCost: 750, amountMinor: 500, currency: "USD", validDays: 90 },
  { kind: "percentage", name: "10% off", pointsCost: 1_000, percentOff: 10, validDays: 90 },
  { kind: "percentage", name: "20% off", pointsCost: 2_500, percentOff: 20, validDays: 90 },
] as const;

/**
 * Seeds the demo shopper and the rewards catalogue once (later runs keep what the demo changed). The
 * rewards cost more than 500 points, so the admin's own catalogue tests find theirs first.
 */
export async function ensureDemoStorefront(db: Database, shop: Pick<Shop, "id">, now: Date): Promise<void> {
  if ((await db.loyaltyReward.count({ where: { shopId: shop.id } })) === 0) {
    for (const reward of demoRewards) await createReward(db, shop.id, reward);
  }
  const customer = await db.customer.upsert({
    where: { shopId_shopifyId: { shopId: shop.id, shopifyId: demoShopper.shopifyId } },
    create: {
      shopId: shop.id,
      shopifyId: demoShopper.shopifyId,
      firstName: demoShopper.firstName,
      lastName: demoShopper.lastName,
      email: "dana.demo@stayloop-demo.test",
      locale: "en",
    },
    update: {},
  });
  // One welcome balance, however often the demo starts (the ledger key makes it once-only). An
  // earning of its own, not a manual adjustment: the admin's adjustments stay the merchant's.
  const member = await db.$transaction(async (tx) => {
    const row = await loyaltyMemberFor(tx, shop.id, customer.id);
    await postLedgerEntry(tx, shop.id, {
      memberId: row.id,
      kind: "earn",
      source: "demo",
      sourceId: "storefront-shopper",
      pointsDelta: demoShopper.points,
      reason: "Demo storefront balance",
      occurredAt: now,
    });
    return row;
  }, ledgerTransactionOptions);
  // Their tier under the program's rules, recorded as the worker would after an earning.
  await db.$transaction(async (tx) => {
    await evaluateMemberTier(tx, await loyaltyProgramFor(tx, shop.id), member.id, now, []);
  });
}

interface BlockFile {
  liquid: string;
  defaults: Record<string, unknown>;
}

/** A block's Liquid without its schema (Shopify does not render it) and its settings' defaults. */
function blockFile(name: string): BlockFile {
  const text = readFileSync(path.join(extensionDir, "blocks", name), "utf8");
  const schema = /\{%-?\s*schema\s*-?%\}([\s\S]*?)\{%-?\s*endschema\s*-?%\}/.exec(text);
  const settings = schema?.[1]
    ? (JSON.parse(schema[1]) as { settings: { id?: string; default?: unknown }[] }).settings
    : [];
  const defaults: Record<string, unknown> = {};
  for (const setting of settings) if (setting.id) defaults[setting.id] = setting.default ?? "";
  return { liquid: text.replace(schema?.[0] ?? "", ""), defaults };
}

function locale(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(extensionDir, "locales", file), "utf8")) as Record<
    string,
    unknown
  >;
}

function lookup(tree: Record<string, unknown>, key: string): string | null {
  let node: unknown = tree;
  for (const part of key.split(".")) {
    if (typeof node !== "object" || node === null) return null;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === "string" ? node : null;
}

function engine(language: DemoLocale): Liquid {
  const liquid = new Liquid({
    root: [path.join(extensionDir, "snippets")],
    extname: ".liquid",
    strictFilters: true,
    ownPropertyOnly: true,
  });
  const en = locale("en.default.json");
  const strings = language === "en" ? en : locale(`${language}.json`);
  // Shopify's `t`: the shopper's language, falling back to the default locale.
  liquid.registerFilter("t", (key: string) => lookup(strings, key) ?? lookup(en, key) ?? key);
  return liquid;
}

/**
 * The demo storefront page for a shopper id (the demo's "logged-in" cookie) or a guest: the shop,
 * the shopper, and up to nine customers to switch to (the seeded shopper first). Null when the demo
 * shop does not exist yet.
 */
export async function demoStorefrontPage(
  db: Database,
  shopDomain: string,
  options: { language: DemoLocale; shopifyId: string | null },
): Promise<string | null> {
  const shop = await db.shop.findUnique({ where: { domain: shopDomain } });
  if (!shop) return null;
  const select = { shopifyId: true, firstName: true, lastName: true } as const;
  const { shopifyId } = options;
  const [shopper, others, seeded] = await Promise.all([
    shopifyId
      ? db.customer.findFirst({ where: { shopId: shop.id, shopifyId, deletedAt: null }, select })
      : null,
    db.customer.findMany({
      where: {
        shopId: shop.id,
        deletedAt: null,
        redactedAt: null,
        shopifyId: { not: demoShopper.shopifyId },
      },
      orderBy: { createdAt: "asc" },
      take: 8,
      select,
    }),
    db.customer.findFirst({ where: { shopId: shop.id, shopifyId: demoShopper.shopifyId }, select }),
  ]);
  return renderDemoStorefront({
    language: options.language,
    shop,
    shopper,
    choices: [...(seeded ? [seeded] : []), ...others],
  });
}

export interface DemoStorefrontOptions {
  language: DemoLocale;
  shop: Pick<Shop, "domain" | "name" | "currency">;
  /** The "logged-in" shopper, or null for a guest. */
  shopper: Pick<Customer, "shopifyId" | "firstName" | "lastName"> | null;
  /** Who can be picked: the demo shop's customers. */
  choices: Pick<Customer, "shopifyId" | "firstName" | "lastName">[];
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const pageStrings = {
  en: {
    title: "Demo storefront",
    note: "A sample shop page with Stayloop's theme app extension: the app embed (launcher, bottom right) and the app block (below). Requests go through a local stand-in for Shopify's App Proxy, signed as Shopify signs them.",
    shopper: "Browse as",
    guest: "Guest (not signed in)",
    apply: "Switch",
    product: "Merino scarf",
    rewardsPage: "Rewards page (app block)",
    language: "Čeština",
  },
  cs: {
    title: "Ukázkový obchod",
    note: "Ukázková stránka obchodu s rozšířením Stayloop: vložení aplikace (spouštěč vpravo dole) a blok aplikace (níže). Požadavky jdou přes místní náhradu App Proxy Shopify, podepsané jako od Shopify.",
    shopper: "Prohlížet jako",
    guest: "Host (nepřihlášen)",
    apply: "Přepnout",
    product: "Merino šála",
    rewardsPage: "Stránka odměn (blok aplikace)",
    language: "English",
  },
} as const;

const productPriceMinor = 4_500;

/** The demo page's HTML: the sample shop around the extension's real blocks, rendered with liquidjs. */
export async function renderDemoStorefront(options: DemoStorefrontOptions): Promise<string> {
  const liquid = engine(options.language);
  const embed = blockFile("loyalty-launcher.liquid");
  const block = blockFile("rewards-panel.liquid");
  const base = {
    routes: { root_url: demoStorefrontPath },
    request: { locale: { iso_code: options.language } },
    shop: { name: options.shop.name ?? "Stayloop Demo Store", permanent_domain: options.shop.domain },
    customer: options.shopper
      ? { id: Number(options.shopper.shopifyId), first_name: options.shopper.firstName }
      : null,
    cart: { item_count: 0, total_price: 0, currency: { iso_code: options.shop.currency } },
  };
  const product = {
    title: "Merino scarf",
    selected_or_first_available_variant: { price: productPriceMinor },
  };
  // The app block sits on a "Rewards" page; the embed is on every page (here: a product page).
  // Shopify's global objects are visible in snippets too (`render` isolates only local variables).
  const blockHtml = await liquid.parseAndRender(
    block.liquid,
    { block: { id: "rewards-block", settings: block.defaults, shopify_attributes: "" } },
    { globals: { ...base, product: null } },
  );
  const embedHtml = await liquid.parseAndRender(
    embed.liquid,
    { block: { id: "launcher-embed", settings: embed.defaults, shopify_attributes: "" } },
    { globals: { ...base, product } },
  );
  const text = pageStrings[options.language];
  const current = options.shopper?.shopifyId ?? "";
  const choice = (value: string, label: string) =>
    `<option value="${escapeHtml(value)}"${value === current ? " selected" : ""}>${escapeHtml(label)}</option>`;
  const other = options.language === "en" ? "cs" : "en";
  const price = new Intl.NumberFormat(options.language, {
    style: "currency",
    currency: options.shop.currency,
  }).format(productPriceMinor / 100);
  return `<!doctype html>
<html lang="${options.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(text.title)} · ${escapeHtml(options.shop.name ?? "Stayloop Demo Store")}</title>
<style>
body { margin: 0; font-family: system-ui, sans-serif; color: #1a1a1a; background: #fafafa; }
header, main { max-width: 960px; margin: 0 auto; padding: 16px; }
header { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; justify-content: space-between; }
.demo-note { color: #454545; }
.demo-product { display: grid; grid-template-columns: 240px 1fr; gap: 24px; margin: 24px 0; }
.demo-image { width: 240px; height: 240px; border-radius: 8px; background: linear-gradient(135deg, #c7d2fe, #fbcfe8); }
form { display: flex; gap: 8px; align-items: center; }
select, button { font: inherit; min-height: 40px; }
a { color: #1f4fd1; }
</style>
<link rel="stylesheet" href="${demoStorefrontPath}/assets/stayloop-widget.css">
<script src="${demoStorefrontPath}/assets/stayloop-widget.js" defer></script>
</head>
<body>
<header>
<strong>${escapeHtml(options.shop.name ?? "Stayloop Demo Store")}</strong>
<form method="get" action="${demoStorefrontPath}">
<input type="hidden" name="locale" value="${options.language}">
<label for="demo-shopper">${escapeHtml(text.shopper)}</label>
<select id="demo-shopper" name="shopper">
${choice("guest", text.guest)}
${options.choices.map((customer) => choice(customer.shopifyId, [customer.firstName, customer.lastName].filter(Boolean).join(" ") || customer.shopifyId)).join("\n")}
</select>
<button type="submit">${escapeHtml(text.apply)}</button>
</form>
<a href="${demoStorefrontPath}?locale=${other}" lang="${other}">${escapeHtml(text.language)}</a>
</header>
<main>
<h1>${escapeHtml(text.title)}</h1>
<p class="demo-note">${escapeHtml(text.note)}</p>
<section class="demo-product" aria-label="${escapeHtml(text.product)}">
<div class="demo-image" role="img" aria-label="${escapeHtml(text.product)}"></div>
<div><h2>${escapeHtml(text.product)}</h2><p>${escapeHtml(price)}</p></div>
</section>
<h2>${escapeHtml(text.rewardsPage)}</h2>
${blockHtml}
</main>
${embedHtml}
</body>
</html>`;
}
