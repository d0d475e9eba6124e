// Merchant-edited message templates (email subject/html/text, SMS text, WhatsApp template
// parameters), rendered with liquidjs in a sandbox: templates cannot read files, reach prototypes
// or run away with time or memory. Also: validation with line numbers for the editor, the variables
// a template may use, sample data for previews, and choosing which language version to send.
import {
  Liquid,
  LiquidError,
  Tokenizer,
  TypeGuards,
  type Context,
  type FS,
  type Template,
  type TopLevelToken,
} from "liquidjs";
import { currencyExponent } from "../money/money";

export const templateLocales = ["en", "cs"] as const;
export type TemplateLocale = (typeof templateLocales)[number];

/** One problem in a template, in the merchant's words, with a 1-based position. */
export interface TemplateProblem {
  message: string;
  line: number;
  column: number;
}

export type TemplateValidation = { ok: true } | { ok: false; errors: TemplateProblem[] };

export interface TemplateItem {
  title: string;
  variant_title: string | null;
  quantity: number;
  image_url: string | null;
  url: string;
  /** Unit price, formatted for the customer ("$19.99", "1 890 Kč"). */
  price: string;
  /** Unit price in minor units of `currency`. */
  price_minor: number;
}

/** A product a message shows (browsed, to reorder, recommended). */
export interface TemplateProduct {
  title: string;
  url: string;
  image_url: string | null;
  /** Its lowest price, formatted for the customer; "" when unknown. */
  price: string;
}

/** The loyalty program as a flow message tells it; fields are null when they do not apply. */
export interface TemplateLoyalty {
  enabled: boolean;
  signup_points: number | null;
  tier_name: string | null;
  next_tier_name: string | null;
  expiring_points: number | null;
  expires_on: string | null;
  reward_name: string | null;
  reward_points: number | null;
}

/** Everything a template can refer to. Names are snake_case, as merchants know them from Shopify. */
export interface TemplateVariables {
  customer: { first_name: string; last_name: string; email: string; locale: string };
  shop: { name: string; url: string };
  /** ISO 4217 code of every amount in these variables; the default of the `money` filter. */
  currency: string;
  items: TemplateItem[];
  checkout_url: string;
  discount_code: string;
  points: { balance: number; pending: number };
  tier: { name: string } | null;
  unsubscribe_url: string;
  /** The payload of the event that started the flow (e.g. `event.points`, `event.score`). */
  event: unknown;
  /** The product the message is about (browse abandonment, replenishment). */
  product: TemplateProduct | null;
  /** Related to the cart, order or product, from the shop's own orders; else bestsellers. */
  recommendations: TemplateProduct[];
  /** Bestsellers of the customer's favourite category, else of the shop. */
  bestsellers: TemplateProduct[];
  newest_products: TemplateProduct[];
  recently_viewed: TemplateProduct[];
  /** A cart link that puts the product back in the cart in one click (replenishment). */
  reorder_url: string;
  order: {
    name: string;
    is_first_order: boolean;
    fulfillment_status: string | null;
    status_url: string;
  } | null;
  /** The post-purchase survey's one-click links (scores 0…10), for messages about an order. */
  nps: { question_url: string; links: { score: number; url: string }[]; comment_url: string } | null;
  loyalty: TemplateLoyalty;
}

export interface RenderTemplateOptions {
  /** true for HTML parts (output is HTML-escaped unless `| raw`), false for subjects, text, SMS, WhatsApp. */
  escapeHtml: boolean;
  /** Language version being rendered; formats money and dates. Defaults from the customer's locale. */
  locale?: TemplateLocale;
}

/** A template failed to parse or render; `problems` are ready to show to the merchant. */
export class TemplateError extends Error {
  readonly problems: TemplateProblem[];

  constructor(problems: TemplateProblem[]) {
    super(problems.map((problem) => problem.message).join("\n"));
    this.name = "TemplateError";
    this.problems = problems;
  }
}

// Limits against runaway templates. Email HTML can be large, but not megabytes.
const parseLimitChars = 1_000_000;
const renderLimitMs = 1_000;
const memoryLimitUnits = 10_000_000;

const fileTags = ["include", "render", "layout"] as const;

function refuseFileAccess(): never {
  throw new Error("message templates cannot read files");
}

/** Defence in depth: even if a file tag slipped through, the engine has no file system. */
const noFileSystem: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async () => refuseFileAccess(),
  readFileSync: () => refuseFileAccess(),
  resolve: () => refuseFileAccess(),
  contains: async () => false,
  containsSync: () => false,
};

/** Replaces a file-loading tag with one that fails at parse time, so nothing is ever looked up. */
function denyFileTag(engine: Liquid, name: string): void {
  engine.registerTag(name, {
    parse() {
      throw new Error(`tag {% ${name} %} is not allowed in message templates`);
    },
    render() {
      refuseFileAccess();
    },
  });
}

/** Formats integer minor units for a locale: (123456, "CZK", "cs") → "1 234,56 Kč". */
export function formatMoney(amountMinor: number, currency: string, locale: string): string {
  const code = currency.toUpperCase();
  const major = amountMinor / 10 ** currencyExponent(code);
  return new Intl.NumberFormat(locale, { style: "currency", currency: code }).format(major);
}

function wholeMinorUnits(value: unknown): number {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  throw new Error(`money filter expects whole minor units such as 1999, got ${JSON.stringify(value)}`);
}

/** What liquidjs binds `this` to in a filter (its FilterImpl type is not exported). */
interface FilterThis {
  context: Context;
}

function currencyFor(filter: FilterThis, currency: unknown): string {
  const code = currency ?? filter.context.getSync(["currency"]);
  if (typeof code === "string" && code.trim() !== "") return code.trim();
  throw new Error('money filter needs a currency code, e.g. {{ 1999 | money: "USD" }}');
}

/** `{{ item.price_minor | money: "USD" }}`; without an argument, the `currency` variable is used. */
function moneyFilter(this: FilterThis, value: unknown, currency?: unknown): string {
  return formatMoney(wholeMinorUnits(value), currencyFor(this, currency), this.context.opts.locale);
}

function createEngine(locale: TemplateLocale, escapeHtml: boolean): Liquid {
  const engine = new Liquid({
    fs: noFileSystem,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    cache: false,
    ownPropertyOnly: true,
    strictFilters: true,
    strictVariables: false,
    parseLimit: parseLimitChars,
    renderLimit: renderLimitMs,
    memoryLimit: memoryLimitUnits,
    locale,
    ...(escapeHtml ? { outputEscape: "escape" as const } : {}),
  });
  for (const tag of fileTags) denyFileTag(engine, tag);
  engine.registerFilter("money", moneyFilter);
  return engine;
}

const engines = new Map<string, Liquid>();

function engineFor(locale: TemplateLocale, escapeHtml: boolean): Liquid {
  const key = `${locale}:${escapeHtml ? "html" : "text"}`;
  let engine = engines.get(key);
  if (!engine) {
    engine = createEngine(locale, escapeHtml);
    engines.set(key, engine);
  }
  return engine;
}

function positionOf(input: string, offset: number): { line: number; column: number } {
  const before = input.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

/** liquidjs appends ", line:3, col:1" (and a file); the position is reported separately instead. */
function merchantDetail(message: string): string {
  return message
    .replace(/(, file:.*)?, line:\d+, col:\d+$/, "")
    .replace(/ not closed$/, " is not closed")
    .replace(/^undefined filter: (.*)$/, 'unknown filter "$1"')
    .replace(/^tag "(.*)" not found$/, "unknown tag {% $1 %}")
    .replace(
      /^memory alloc limit exceeded$/,
      "the template builds too much data (memory alloc limit exceeded)",
    )
    .replace(
      /^template render limit exceeded$/,
      `the template took longer than ${renderLimitMs} ms (render limit exceeded)`,
    );
}

function problemAt(input: string, offset: number, detail: string): TemplateProblem {
  const { line, column } = positionOf(input, offset);
  return { message: `Line ${line}: ${detail}`, line, column };
}

function isErrorList(error: unknown): error is { errors: unknown[] } {
  return typeof error === "object" && error !== null && Array.isArray((error as { errors?: unknown }).errors);
}

function problemsOf(error: unknown): TemplateProblem[] {
  if (isErrorList(error)) return error.errors.flatMap(problemsOf);
  if (LiquidError.is(error)) {
    const { input, begin } = error.token;
    return [problemAt(input, begin, merchantDetail(error.message))];
  }
  const detail = error instanceof Error ? error.message : String(error);
  return [{ message: `Line 1: ${detail}`, line: 1, column: 1 }];
}

/** Skips tokens inside {% raw %} and {% comment %}, which liquidjs does not interpret. */
function interpretedTokens(tokens: TopLevelToken[]): TopLevelToken[] {
  const kept: TopLevelToken[] = [];
  let closing: string | null = null;
  for (const token of tokens) {
    const name = TypeGuards.isTagToken(token) ? token.name : null;
    if (closing !== null) {
      if (name === closing) closing = null;
      continue;
    }
    if (name === "raw" || name === "comment") closing = `end${name}`;
    kept.push(token);
  }
  return kept;
}

/** liquidjs silently ignores a `|` with no filter after it ({{ foo | }}); the merchant meant something. */
function emptyFilterProblems(source: string): TemplateProblem[] {
  const engine = engineFor("en", false);
  const tokens = new Tokenizer(source, engine.options.operators).readTopLevelTokens(engine.options);
  return interpretedTokens(tokens)
    .filter((token) => TypeGuards.isOutputToken(token) || TypeGuards.isTagToken(token))
    .filter((token) => /\|[ \t\r]*(\||$)/m.test(withoutStrings(token.getText().slice(2, -2))))
    .map((token) =>
      problemAt(source, token.begin, `a "|" is not followed by a filter name in ${token.getText()}`),
    );
}

function withoutStrings(code: string): string {
  return code.replace(/"[^"]*"|'[^']*'/g, '""');
}

/** Checks that a template parses; problems carry line numbers for the editor. */
export function validateTemplate(source: string): TemplateValidation {
  try {
    engineFor("en", false).parse(source);
  } catch (error) {
    return { ok: false, errors: problemsOf(error) };
  }
  const errors = emptyFilterProblems(source);
  return errors.length === 0 ? { ok: true } : { ok: false, errors };
}

const parsedTemplates = new Map<Liquid, Map<string, Template[]>>();

/**
 * A template parsed once per engine and source: a flow sends the same few templates to thousands
 * of customers, and parsing costs more than rendering. Bounded, so merchants' edits cannot grow it.
 */
function parsedTemplate(engine: Liquid, source: string): Template[] {
  let cache = parsedTemplates.get(engine);
  if (!cache) {
    cache = new Map();
    parsedTemplates.set(engine, cache);
  }
  let templates = cache.get(source);
  if (!templates) {
    templates = engine.parse(source);
    if (cache.size >= 500) cache.clear();
    cache.set(source, templates);
  }
  return templates;
}

/** Renders a template; throws TemplateError with merchant-readable problems on failure. */
export async function renderTemplate(
  source: string,
  variables: TemplateVariables,
  options: RenderTemplateOptions,
): Promise<string> {
  const locale = options.locale ?? chooseLocale(variables.customer.locale, [...templateLocales], "en");
  const engine = engineFor(locale, options.escapeHtml);
  try {
    const output: unknown = await engine.render(parsedTemplate(engine, source), variables);
    return String(output);
  } catch (error) {
    throw new TemplateError(problemsOf(error));
  }
}

function isTemplateLocale(value: string): value is TemplateLocale {
  return (templateLocales as readonly string[]).includes(value);
}

/**
 * Which language version to send: the customer's language ("cs-CZ" → "cs") if the template has
 * it, otherwise the shop's default if available, otherwise the first available version.
 * With no versions at all, the shop's default is returned.
 */
export function chooseLocale(
  customerLocale: string | null | undefined,
  available: TemplateLocale[],
  shopDefault: TemplateLocale,
): TemplateLocale {
  const language = customerLocale?.trim().toLowerCase().split(/[-_]/)[0] ?? "";
  if (isTemplateLocale(language) && available.includes(language)) return language;
  if (available.includes(shopDefault)) return shopDefault;
  return available[0] ?? shopDefault;
}

interface SampleItem {
  title: string;
  variant_title: string | null;
  quantity: number;
  price_minor: number;
  handle: string;
}

interface SampleData {
  customer: TemplateVariables["customer"];
  shopName: string;
  currency: string;
  items: SampleItem[];
  discountCode: string;
  tierName: string;
  rewardName: string;
}

const sampleShopUrl = "https://stayloop-demo.myshopify.com";

const samples: Record<TemplateLocale, SampleData> = {
  en: {
    customer: { first_name: "Emma", last_name: "Johnson", email: "emma.johnson@example.com", locale: "en" },
    shopName: "Stayloop Demo Store",
    currency: "USD",
    items: [
      {
        title: "Merino Wool Sweater",
        variant_title: "Navy / M",
        quantity: 1,
        price_minor: 8900,
        handle: "merino",
      },
      { title: "Organic Cotton Socks", variant_title: null, quantity: 2, price_minor: 1999, handle: "socks" },
    ],
    discountCode: "WELCOME10",
    tierName: "Gold",
    rewardName: "10 % off your next order",
  },
  cs: {
    customer: {
      first_name: "Tereza",
      last_name: "Nováková",
      email: "tereza.novakova@example.cz",
      locale: "cs",
    },
    shopName: "Stayloop Demo Obchod",
    currency: "CZK",
    items: [
      {
        title: "Svetr z merino vlny",
        variant_title: "Modrá / M",
        quantity: 1,
        price_minor: 189000,
        handle: "merino",
      },
      {
        title: "Ponožky z bio bavlny",
        variant_title: null,
        quantity: 2,
        price_minor: 39900,
        handle: "socks",
      },
    ],
    discountCode: "VITEJTE10",
    tierName: "Zlatá",
    rewardName: "Sleva 10 % na další nákup",
  },
};

function sampleItem(item: SampleItem, currency: string, locale: TemplateLocale): TemplateItem {
  return {
    title: item.title,
    variant_title: item.variant_title,
    quantity: item.quantity,
    image_url: `https://cdn.shopify.com/s/files/sample/${item.handle}.jpg`,
    url: `${sampleShopUrl}/products/${item.handle}`,
    price: formatMoney(item.price_minor, currency, locale),
    price_minor: item.price_minor,
  };
}

/** Realistic variables for previews in the editor, in the given language. */
export function sampleVariables(locale: TemplateLocale): TemplateVariables {
  const sample = samples[locale];
  return {
    customer: { ...sample.customer },
    shop: { name: sample.shopName, url: sampleShopUrl },
    currency: sample.currency,
    items: sample.items.map((item) => sampleItem(item, sample.currency, locale)),
    checkout_url: `${sampleShopUrl}/checkouts/sample`,
    discount_code: sample.discountCode,
    points: { balance: 1250, pending: 200 },
    tier: { name: sample.tierName },
    unsubscribe_url: `${sampleShopUrl}/apps/stayloop/unsubscribe?token=sample`,
    event: {},
    product: sampleProduct(sample.items[0], sample.currency, locale),
    recommendations: sample.items.slice(1).map((item) => sampleProduct(item, sample.currency, locale)),
    bestsellers: sample.items.map((item) => sampleProduct(item, sample.currency, locale)),
    newest_products: sample.items.map((item) => sampleProduct(item, sample.currency, locale)),
    recently_viewed: sample.items.slice(0, 1).map((item) => sampleProduct(item, sample.currency, locale)),
    reorder_url: `${sampleShopUrl}/cart/40001:1`,
    order: {
      name: "#1001",
      is_first_order: true,
      fulfillment_status: null,
      status_url: `${sampleShopUrl}/account`,
    },
    nps: {
      question_url: `${sampleShopUrl}/survey?ask=1`,
      links: Array.from({ length: 11 }, (_, score) => ({ score, url: `${sampleShopUrl}/survey/${score}` })),
      comment_url: `${sampleShopUrl}/survey?ask=1`,
    },
    loyalty: {
      enabled: true,
      signup_points: 100,
      tier_name: sample.tierName,
      next_tier_name: null,
      expiring_points: 300,
      expires_on: formatSampleDate(locale),
      reward_name: sample.rewardName,
      reward_points: 500,
    },
  };
}

function sampleProduct(
  item: SampleItem | undefined,
  currency: string,
  locale: TemplateLocale,
): TemplateProduct {
  const shown = item ?? { title: "Gift card", handle: "gift-card", price_minor: 50_000 };
  return {
    title: shown.title,
    url: `${sampleShopUrl}/products/${shown.handle}`,
    image_url: `https://cdn.shopify.com/s/files/sample/${shown.handle}.jpg`,
    price: formatMoney(shown.price_minor, currency, locale),
  };
}

function formatSampleDate(locale: TemplateLocale): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" }).format(
    new Date("2026-12-31T12:00:00Z"),
  );
}

/** Renders a template with sample data, as the editor's preview shows it (HTML-escaped by default). */
export function previewTemplate(
  source: string,
  locale: TemplateLocale,
  options: { escapeHtml: boolean } = { escapeHtml: true },
): Promise<string> {
  return renderTemplate(source, sampleVariables(locale), { ...options, locale });
}
