// A fake Shopify Admin GraphQL API over real HTTP (127.0.0.1, random port) for the backfill tests
// and the demo. It holds a deterministic store (customers, orders with 1–3 line items and a
// customer, products with variants) and behaves like Shopify where Stayloop depends on it:
// - it accepts only the GraphQL documents the app sends (app/shopify/admin-operations.ts), compared
//   after parse + print, and answers a GraphQL error for anything else;
// - cost-based throttling with a leaky bucket (maximumAvailable, restoreRate), THROTTLED answers,
//   and `extensions.cost` on every answer;
// - bulk operations: CREATED → RUNNING → COMPLETED (or FAILED) over polls, and a JSONL result it
//   serves itself, projected from the bulk query's own selection set, children as `__parentId` lines.
import http from "node:http";
import type { AddressInfo } from "node:net";
import {
  Kind,
  parse,
  print,
  type DocumentNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { adminApiVersion } from "../../app/shopify/admin-client";
import { adminOperations, bulkQueries, type BulkQueryName } from "../../app/shopify/admin-operations";
import { currencyExponent } from "../../app/money/money";
import { FakeCommerce, FakeNoAnswer, FakeServerError } from "./fake-admin-commerce";
import type { FakeOfflineTokens } from "./fake-admin-oauth";

export interface FakeMoneyBag {
  shopMoney: { amount: string; currencyCode: string };
}

interface MarketingConsent {
  marketingState: string;
  marketingOptInLevel: string | null;
  marketingUpdatedAt: string | null;
}

export interface FakeCustomer {
  id: string;
  firstName: string;
  lastName: string;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  defaultEmailAddress: ({ emailAddress: string } & MarketingConsent) | null;
  defaultPhoneNumber: ({ phoneNumber: string } & MarketingConsent) | null;
  defaultAddress: { countryCodeV2: string; provinceCode: string | null } | null;
}

export interface FakeLineItem {
  id: string;
  title: string;
  variantTitle: string;
  sku: string;
  quantity: number;
  originalUnitPriceSet: FakeMoneyBag;
  totalDiscountSet: FakeMoneyBag;
  product: { id: string } | null;
  variant: { id: string } | null;
}

export interface FakeOrder {
  id: string;
  name: string;
  email: string;
  createdAt: string;
  updatedAt: string;
  processedAt: string;
  cancelledAt: string | null;
  test: boolean;
  sourceName: string;
  customerLocale: string;
  displayFinancialStatus: string;
  displayFulfillmentStatus: string;
  subtotalPriceSet: FakeMoneyBag;
  totalPriceSet: FakeMoneyBag;
  totalDiscountsSet: FakeMoneyBag;
  totalTaxSet: FakeMoneyBag;
  totalShippingPriceSet: FakeMoneyBag;
  customer: FakeCustomer | null;
  lineItems: { edges: { node: FakeLineItem }[] };
}

export interface FakeVariant {
  id: string;
  title: string;
  sku: string;
  price: string;
}

export interface FakeProduct {
  id: string;
  title: string;
  handle: string;
  vendor: string;
  productType: string;
  status: string;
  tags: string[];
  updatedAt: string;
  featuredMedia: { preview: { image: { url: string } | null } } | null;
  variants: { edges: { node: FakeVariant }[] };
}

export interface FakeDataset {
  customers: FakeCustomer[];
  orders: FakeOrder[];
  products: FakeProduct[];
}

export interface FakeBucketOptions {
  maximumAvailable: number;
  restoreRate: number;
  /** Points in the bucket at start (default: full). */
  currentlyAvailable?: number;
}

export interface FakeAdminApiOptions {
  customers?: number;
  orders?: number;
  products?: number;
  seed?: number;
  currency?: string;
  /** When set, requests without this X-Shopify-Access-Token are answered 401. */
  accessToken?: string;
  /** Expiring offline tokens instead of one fixed token: 401 unless live, and the OAuth token endpoint. */
  offlineTokens?: FakeOfflineTokens;
  bucket?: FakeBucketOptions;
  /** Polls answered RUNNING before a bulk operation is COMPLETED. */
  runningPolls?: number;
  /** Answer HTTP 503 to this many GraphQL requests first (transient failures). */
  failFirstRequests?: number;
  /** Bulk queries that end FAILED (errorCode INTERNAL_SERVER_ERROR) instead of COMPLETED. */
  failBulkQueries?: readonly BulkQueryName[];
  /** The main theme's config/settings_data.json for every shop (default: a theme without app embeds). */
  themeSettingsData?: string;
  now?: () => number;
}

export interface FakeAdminApiStats {
  /** GraphQL POSTs received, whatever the answer. */
  requests: number;
  /** Accepted (executed) requests by operation name. */
  operations: Record<string, number>;
  /** Queries refused because they are not one of the app's operations (or not GraphQL at all). */
  rejected: number;
  rejectedBulkQueries: number;
  /** Requests answered THROTTLED: their cost exceeded what the bucket held when they arrived. */
  throttled: number;
  serverErrors: number;
  unauthorized: number;
  /** Highest requested cost of an executed query. */
  maxRequestedCost: number;
  bulkOperationsStarted: number;
  downloads: number;
  lastRejection: string | null;
}

export interface FakeAdminApi {
  url: string;
  endpoint(shopDomain: string): string;
  stats: FakeAdminApiStats;
  dataset: FakeDataset;
  /** Discounts and store credit, with failure injection. */
  commerce: FakeCommerce;
  /** Each shop's main theme settings_data.json (read with MainThemeSettings); null = no main theme. */
  themeSettings: Map<string, string | null>;
  close(): Promise<void>;
}

// --- deterministic store -------------------------------------------------------------------------

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const firstNames = [
  "Ada",
  "Grace",
  "Alan",
  "Edsger",
  "Barbara",
  "Donald",
  "Frances",
  "Ken",
  "Radia",
  "Linus",
];
const lastNames = [
  "Lovelace",
  "Hopper",
  "Turing",
  "Dijkstra",
  "Liskov",
  "Knuth",
  "Allen",
  "Thompson",
  "Perlman",
];
const countries: [string, string | null][] = [
  ["US", "CA"],
  ["US", "NY"],
  ["CA", "ON"],
  ["DE", null],
  ["GB", null],
];
const productWords = ["Linen", "Merino", "Canvas", "Denim", "Cotton", "Wool", "Silk", "Hemp"];
const productKinds = ["Shirt", "Scarf", "Tote", "Jacket", "Socks", "Cap", "Apron"];
const sizes = ["Small", "Medium", "Large"];

const dayMs = 24 * 60 * 60 * 1000;
const storeOpened = Date.UTC(2024, 0, 1);

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function generateDataset(options: {
  customers: number;
  orders: number;
  products: number;
  seed: number;
  currency: string;
}): FakeDataset {
  const random = mulberry32(options.seed);
  const exponent = currencyExponent(options.currency);
  const money = (minor: number): FakeMoneyBag => ({
    shopMoney: { amount: (minor / 10 ** exponent).toFixed(exponent), currencyCode: options.currency },
  });
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

  const customers: FakeCustomer[] = [];
  for (let i = 1; i <= options.customers; i += 1) {
    const createdAt = storeOpened + i * 60 * 60 * 1000;
    const updatedAt = createdAt + 30 * dayMs;
    const emailState = i % 5 === 0 ? "UNSUBSCRIBED" : i % 3 === 0 ? "NOT_SUBSCRIBED" : "SUBSCRIBED";
    const [country, province] = countries[i % countries.length] as [string, string | null];
    customers.push({
      id: `gid://shopify/Customer/${8_100_000_000_000 + i}`,
      firstName: firstNames[i % firstNames.length] as string,
      lastName: lastNames[i % lastNames.length] as string,
      tags: i % 10 === 0 ? ["vip", "wholesale"] : [],
      createdAt: iso(createdAt),
      updatedAt: iso(updatedAt),
      defaultEmailAddress: {
        emailAddress: `Shopper${i}@Example.com`,
        marketingState: emailState,
        marketingOptInLevel: emailState === "SUBSCRIBED" ? "SINGLE_OPT_IN" : null,
        marketingUpdatedAt: iso(createdAt),
      },
      defaultPhoneNumber:
        i % 4 === 0
          ? {
              phoneNumber: `+1555${String(i).padStart(7, "0")}`,
              marketingState: "SUBSCRIBED",
              marketingOptInLevel: "SINGLE_OPT_IN",
              marketingUpdatedAt: iso(createdAt),
            }
          : null,
      defaultAddress: { countryCodeV2: country, provinceCode: province },
    });
  }

  const products: FakeProduct[] = [];
  let variantNumber = 0;
  for (let p = 1; p <= options.products; p += 1) {
    const title = `${productWords[p % productWords.length]} ${productKinds[p % productKinds.length]} ${p}`;
    const basePrice = (1_000 + ((p * 1_373) % 9_000)) * 10 ** Math.max(0, exponent - 2);
    const variants: FakeVariant[] = [];
    for (let v = 0; v < 1 + (p % 3); v += 1) {
      variantNumber += 1;
      variants.push({
        id: `gid://shopify/ProductVariant/${9_200_000_000_000 + variantNumber}`,
        title: sizes[v] as string,
        sku: `SKU-${p}-${v + 1}`,
        price: money(basePrice + v * 200 * 10 ** Math.max(0, exponent - 2)).shopMoney.amount,
      });
    }
    products.push({
      id: `gid://shopify/Product/${9_100_000_000_000 + p}`,
      title,
      handle: title.toLowerCase().replace(/\s+/g, "-"),
      vendor: "Stayloop Test Goods",
      productType: productKinds[p % productKinds.length] as string,
      status: p % 7 === 0 ? "DRAFT" : "ACTIVE",
      tags: p % 2 === 0 ? ["new"] : [],
      updatedAt: iso(storeOpened + p * dayMs),
      featuredMedia:
        p % 3 === 0 ? null : { preview: { image: { url: `https://cdn.example.com/p/${p}.jpg` } } },
      variants: { edges: variants.map((node) => ({ node })) },
    });
  }

  const orders: FakeOrder[] = [];
  let lineNumber = 0;
  const minorOf = (amount: string) => Math.round(Number(amount) * 10 ** exponent);
  for (let o = 1; o <= options.orders; o += 1) {
    const processedAt = storeOpened + o * 37 * 60 * 1000;
    const customer = o % 25 === 0 || customers.length === 0 ? null : pick(customers);
    const lines: FakeLineItem[] = [];
    let subtotal = 0;
    let discounts = 0;
    const lineCount = 1 + Math.floor(random() * 3);
    for (let l = 0; l < lineCount; l += 1) {
      lineNumber += 1;
      const product = products.length > 0 ? pick(products) : null;
      const variant = product ? pick(product.variants.edges).node : null;
      const unit = variant ? minorOf(variant.price) : 2_500 * 10 ** Math.max(0, exponent - 2);
      const quantity = 1 + Math.floor(random() * 3);
      const discount = random() < 0.2 ? Math.round((unit * quantity) / 10) : 0;
      subtotal += unit * quantity - discount;
      discounts += discount;
      lines.push({
        id: `gid://shopify/LineItem/${6_100_000_000_000 + lineNumber}`,
        title: product?.title ?? "Custom item",
        variantTitle: variant?.title ?? "Default",
        sku: variant?.sku ?? `CUSTOM-${lineNumber}`,
        quantity,
        originalUnitPriceSet: money(unit),
        totalDiscountSet: money(discount),
        product: product ? { id: product.id } : null,
        variant: variant ? { id: variant.id } : null,
      });
    }
    const shipping =
      subtotal >= 5_000 * 10 ** Math.max(0, exponent - 2) ? 0 : 599 * 10 ** Math.max(0, exponent - 2);
    const tax = Math.round(subtotal * 0.08);
    orders.push({
      id: `gid://shopify/Order/${5_100_000_000_000 + o}`,
      name: `#${1000 + o}`,
      email: customer?.defaultEmailAddress?.emailAddress ?? `guest${o}@example.com`,
      createdAt: iso(processedAt),
      updatedAt: iso(processedAt + dayMs),
      processedAt: iso(processedAt),
      cancelledAt: o % 50 === 0 ? iso(processedAt + 2 * 60 * 60 * 1000) : null,
      test: false,
      sourceName: "web",
      customerLocale: "en",
      displayFinancialStatus: o % 20 === 0 ? "PENDING" : o % 33 === 0 ? "REFUNDED" : "PAID",
      displayFulfillmentStatus: o % 3 === 0 ? "UNFULFILLED" : "FULFILLED",
      subtotalPriceSet: money(subtotal),
      totalPriceSet: money(subtotal + shipping + tax),
      totalDiscountsSet: money(discounts),
      totalTaxSet: money(tax),
      totalShippingPriceSet: money(shipping),
      customer,
      lineItems: { edges: lines.map((node) => ({ node })) },
    });
  }
  return { customers, orders, products };
}

// --- GraphQL: accepted documents, projection by selection set -------------------------------------

type Row = Record<string, unknown>;

function normalise(source: string): string {
  return print(parse(source));
}

const operationCosts: Record<string, number> = { RunBulkQuery: 10, BulkOperationStatus: 1 };

const acceptedOperations = new Map(
  Object.values(adminOperations).map((source) => {
    const document = parse(source);
    const operation = document.definitions.find(
      (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
    );
    const name = operation?.name?.value ?? "anonymous";
    return [print(document), { name, document, cost: operationCosts[name] ?? 1 }] as const;
  }),
);

const acceptedBulkQueries = new Map(
  (Object.keys(bulkQueries) as BulkQueryName[]).map((name) => [normalise(bulkQueries[name]), name] as const),
);

function operationOf(document: DocumentNode): OperationDefinitionNode {
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (!operation) throw new Error("no operation in document");
  return operation;
}

function isConnection(value: unknown): value is { edges: { node: Row }[] } {
  return typeof value === "object" && value !== null && Array.isArray((value as Row).edges);
}

interface ChildConnection {
  selection: SelectionSetNode;
  nodes: Row[];
}

/** The selection set under `edges { node { … } }` of a connection field. */
function nodeSelection(connection: SelectionSetNode): SelectionSetNode {
  for (const edges of connection.selections) {
    if (edges.kind !== Kind.FIELD || edges.name.value !== "edges" || !edges.selectionSet) continue;
    for (const node of edges.selectionSet.selections) {
      if (node.kind === Kind.FIELD && node.name.value === "node" && node.selectionSet)
        return node.selectionSet;
    }
  }
  throw new Error("connection without edges { node { … } }");
}

/**
 * Answers `selection` from `source` as GraphQL would. In a bulk result (`children` given), nested
 * connections are not inlined: their nodes are collected to be written as lines of their own.
 */
function project(selection: SelectionSetNode, source: Row, children?: ChildConnection[]): Row {
  const result: Row = {};
  for (const field of selection.selections) {
    // An inline fragment applies when the object is of its type (`__typename` in the fake's data).
    if (field.kind === Kind.INLINE_FRAGMENT) {
      const typeName = field.typeCondition?.name.value;
      if (!typeName || source.__typename === typeName)
        Object.assign(result, project(field.selectionSet, source));
      continue;
    }
    if (field.kind !== Kind.FIELD) throw new Error("the fake Admin API does not resolve named fragments");
    const name = field.name.value;
    const key = field.alias?.value ?? name;
    if (!(name in source)) throw new Error(`the fake Admin API has no field "${name}"`);
    const value = source[name];
    if (!field.selectionSet || value === null || value === undefined) {
      result[key] = value ?? null;
    } else if (children && isConnection(value)) {
      children.push({
        selection: nodeSelection(field.selectionSet),
        nodes: value.edges.map((edge) => edge.node),
      });
    } else if (Array.isArray(value)) {
      result[key] = value.map((item) => project(field.selectionSet as SelectionSetNode, item as Row));
    } else {
      result[key] = project(field.selectionSet, value as Row);
    }
  }
  return result;
}

/** The JSONL lines of a bulk query over the dataset; children after their parent (grouped: right after it). */
function bulkLines(
  query: string,
  dataset: FakeDataset,
  grouped: boolean,
): { lines: string[]; roots: number } {
  const operation = operationOf(parse(query));
  const [rootField] = operation.selectionSet.selections;
  if (rootField?.kind !== Kind.FIELD || !rootField.selectionSet)
    throw new Error("bulk query without a root field");
  const rootName = rootField.name.value as keyof FakeDataset;
  const rows = dataset[rootName] as unknown as Row[];
  const selection = nodeSelection(rootField.selectionSet);
  const lines: string[] = [];
  const later: string[] = [];
  const write = (node: Row, nodeSet: SelectionSetNode, parentId: string | null, out: string[]) => {
    const children: ChildConnection[] = [];
    const line = project(nodeSet, node, children);
    out.push(JSON.stringify(parentId ? { ...line, __parentId: parentId } : line));
    for (const child of children) {
      for (const childNode of child.nodes)
        write(childNode, child.selection, String(node.id), grouped ? out : later);
    }
  };
  for (const row of rows) write(row, selection, null, lines);
  return { lines: [...lines, ...later], roots: rows.length };
}

// --- leaky bucket ---------------------------------------------------------------------------------

class LeakyBucket {
  private level: number;
  private at: number;

  constructor(
    private readonly options: FakeBucketOptions,
    private readonly now: () => number,
  ) {
    this.level = options.currentlyAvailable ?? options.maximumAvailable;
    this.at = now();
  }

  available(): number {
    const elapsed = (this.now() - this.at) / 1000;
    this.level = Math.min(this.options.maximumAvailable, this.level + elapsed * this.options.restoreRate);
    this.at = this.now();
    return this.level;
  }

  take(cost: number): boolean {
    if (this.available() < cost) return false;
    this.level -= cost;
    return true;
  }

  status() {
    return {
      maximumAvailable: this.options.maximumAvailable,
      currentlyAvailable: Math.floor(this.available()),
      restoreRate: this.options.restoreRate,
    };
  }
}

// --- server ---------------------------------------------------------------------------------------

interface FakeBulkOperation {
  id: string;
  shop: string;
  query: string;
  name: BulkQueryName;
  grouped: boolean;
  polls: number;
  createdAt: string;
  result: { lines: string[]; roots: number; bytes: number } | null;
  failed: boolean;
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

export async function startFakeAdminApi(options: FakeAdminApiOptions = {}): Promise<FakeAdminApi> {
  const now = options.now ?? (() => performance.now());
  const currency = options.currency ?? "USD";
  const dataset = generateDataset({
    customers: options.customers ?? 20,
    orders: options.orders ?? 50,
    products: options.products ?? 10,
    seed: options.seed ?? 7,
    currency,
  });
  const bucketOptions = options.bucket ?? { maximumAvailable: 2_000, restoreRate: 100 };
  const runningPolls = options.runningPolls ?? 1;
  const failBulkQueries = new Set(options.failBulkQueries ?? []);
  const stats: FakeAdminApiStats = {
    requests: 0,
    operations: {},
    rejected: 0,
    rejectedBulkQueries: 0,
    throttled: 0,
    serverErrors: 0,
    unauthorized: 0,
    maxRequestedCost: 0,
    bulkOperationsStarted: 0,
    downloads: 0,
    lastRejection: null,
  };
  const buckets = new Map<string, LeakyBucket>();
  const operations = new Map<string, FakeBulkOperation>();
  let operationNumber = 0;
  let baseUrl = "";

  const bucketFor = (shop: string) => {
    let bucket = buckets.get(shop);
    if (!bucket) {
      bucket = new LeakyBucket(bucketOptions, now);
      buckets.set(shop, bucket);
    }
    return bucket;
  };

  const cost = (shop: string, requested: number, actual: number | null) => ({
    cost: {
      requestedQueryCost: requested,
      actualQueryCost: actual,
      throttleStatus: bucketFor(shop).status(),
    },
  });

  const reject = (response: http.ServerResponse, shop: string, message: string, code: string) => {
    stats.rejected += 1;
    stats.lastRejection = message;
    sendJson(response, 200, { errors: [{ message, extensions: { code } }], extensions: cost(shop, 0, 0) });
  };

  const operationState = (operation: FakeBulkOperation): Row => {
    const complete = operation.polls > runningPolls;
    if (complete && !operation.result && !operation.failed) {
      const { lines, roots } = bulkLines(operation.query, dataset, operation.grouped);
      operation.result = {
        lines,
        roots,
        bytes: lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0),
      };
    }
    const result = operation.result;
    const status = !complete ? "RUNNING" : operation.failed ? "FAILED" : "COMPLETED";
    const total = result?.lines.length ?? 0;
    return {
      id: operation.id,
      type: "QUERY",
      query: operation.query,
      status,
      errorCode: operation.failed && complete ? "INTERNAL_SERVER_ERROR" : null,
      createdAt: operation.createdAt,
      completedAt: status === "COMPLETED" ? new Date().toISOString() : null,
      // UnsignedInt64 is serialised as a string, as Shopify does.
      objectCount: String(status === "COMPLETED" ? total : 0),
      rootObjectCount: String(status === "COMPLETED" ? (result?.roots ?? 0) : 0),
      fileSize: status === "COMPLETED" && total > 0 ? String(result?.bytes ?? 0) : null,
      url:
        status === "COMPLETED" && total > 0
          ? `${baseUrl}/bulk-results/${operation.id.split("/").pop()}.jsonl`
          : null,
      partialDataUrl: null,
    };
  };

  const customerTags = (variables: Row, change: (tags: Set<string>, given: string[]) => void): Row => {
    const customer = dataset.customers.find((candidate) => candidate.id === variables.id);
    const given = Array.isArray(variables.tags) ? variables.tags.map(String) : [];
    if (!customer) return { node: null, userErrors: [{ field: ["id"], message: "Customer does not exist" }] };
    const tags = new Set(customer.tags);
    change(tags, given);
    customer.tags = [...tags].sort();
    return { node: { id: customer.id }, userErrors: [] };
  };

  const commerce = new FakeCommerce();
  const defaultThemeSettings =
    options.themeSettingsData ?? JSON.stringify({ current: { blocks: {} }, presets: {} });
  const themeSettings = new Map<string, string | null>();

  const execute = (shop: string, name: string, variables: Row): Row => {
    const commerceAnswer = commerce.execute(shop, name, variables);
    if (commerceAnswer) return commerceAnswer;
    if (name === "MainThemeSettings") {
      const content = themeSettings.has(shop) ? themeSettings.get(shop) : defaultThemeSettings;
      const theme = {
        id: "gid://shopify/OnlineStoreTheme/1",
        files: {
          nodes: [
            {
              filename: "config/settings_data.json",
              body: { __typename: "OnlineStoreThemeFileBodyText", content },
            },
          ],
        },
      };
      return { themes: { nodes: content === null || content === undefined ? [] : [theme] } };
    }
    if (name === "AddCustomerTags")
      return { tagsAdd: customerTags(variables, (tags, given) => given.forEach((tag) => tags.add(tag))) };
    if (name === "RemoveCustomerTags")
      return {
        tagsRemove: customerTags(variables, (tags, given) => given.forEach((tag) => tags.delete(tag))),
      };
    if (name === "RunBulkQuery") {
      const query = variables.query;
      let bulkName: BulkQueryName | undefined;
      try {
        bulkName = typeof query === "string" ? acceptedBulkQueries.get(normalise(query)) : undefined;
      } catch {
        bulkName = undefined;
      }
      if (!bulkName || typeof query !== "string") {
        stats.rejectedBulkQueries += 1;
        return {
          bulkOperationRunQuery: {
            bulkOperation: null,
            userErrors: [{ field: ["query"], message: "Invalid bulk query", code: "INVALID" }],
          },
        };
      }
      operationNumber += 1;
      const operation: FakeBulkOperation = {
        id: `gid://shopify/BulkOperation/${720_000_000 + operationNumber}`,
        shop,
        query,
        name: bulkName,
        grouped: variables.groupObjects === true,
        polls: 0,
        createdAt: new Date().toISOString(),
        result: null,
        failed: failBulkQueries.has(bulkName),
      };
      operations.set(operation.id, operation);
      stats.bulkOperationsStarted += 1;
      return {
        bulkOperationRunQuery: { bulkOperation: { id: operation.id, status: "CREATED" }, userErrors: [] },
      };
    }
    const operation = operations.get(String(variables.id));
    if (!operation || operation.shop !== shop) return { bulkOperation: null };
    operation.polls += 1;
    return { bulkOperation: operationState(operation) };
  };

  const handleGraphql = async (
    request: http.IncomingMessage,
    response: http.ServerResponse,
    shop: string,
  ) => {
    stats.requests += 1;
    const presented = request.headers["x-shopify-access-token"];
    if (
      options.offlineTokens
        ? !options.offlineTokens.accepts(typeof presented === "string" ? presented : undefined)
        : options.accessToken && presented !== options.accessToken
    ) {
      stats.unauthorized += 1;
      sendJson(response, 401, {
        errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
      });
      return;
    }
    if (stats.serverErrors < (options.failFirstRequests ?? 0)) {
      stats.serverErrors += 1;
      response.writeHead(503, { "content-type": "text/html" });
      response.end("<html><body>Service unavailable</body></html>");
      return;
    }
    let body: { query?: unknown; variables?: unknown };
    try {
      body = JSON.parse(await readBody(request)) as { query?: unknown; variables?: unknown };
    } catch {
      reject(response, shop, "request body is not JSON", "BAD_REQUEST");
      return;
    }
    if (typeof body.query !== "string") {
      reject(response, shop, "no query in the request", "BAD_REQUEST");
      return;
    }
    let accepted;
    try {
      accepted = acceptedOperations.get(normalise(body.query));
    } catch (error) {
      reject(response, shop, error instanceof Error ? error.message : "unparsable query", "PARSE_ERROR");
      return;
    }
    if (!accepted) {
      reject(
        response,
        shop,
        "not one of the operations Stayloop sends (app/shopify/admin-operations.ts)",
        "UNKNOWN_OPERATION",
      );
      return;
    }
    const variables = (
      typeof body.variables === "object" && body.variables !== null ? body.variables : {}
    ) as Row;
    const operation = operationOf(accepted.document);
    for (const definition of operation.variableDefinitions ?? []) {
      const name = definition.variable.name.value;
      if (
        definition.type.kind === Kind.NON_NULL_TYPE &&
        (variables[name] === undefined || variables[name] === null)
      ) {
        reject(response, shop, `Variable $${name} of non-null type was not provided`, "INVALID_VARIABLE");
        return;
      }
    }
    const bucket = bucketFor(shop);
    if (!bucket.take(accepted.cost)) {
      stats.throttled += 1;
      sendJson(response, 200, {
        errors: [
          {
            message: "Throttled",
            extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" },
          },
        ],
        extensions: cost(shop, accepted.cost, null),
      });
      return;
    }
    stats.maxRequestedCost = Math.max(stats.maxRequestedCost, accepted.cost);
    stats.operations[accepted.name] = (stats.operations[accepted.name] ?? 0) + 1;
    let data: Row;
    try {
      data = execute(shop, accepted.name, variables);
    } catch (error) {
      if (!(error instanceof FakeServerError)) throw error;
      stats.serverErrors += 1;
      // Applied, and no answer ever: the client's timeout ends the request (close() ends the socket).
      if (error instanceof FakeNoAnswer) return;
      response.writeHead(502, { "content-type": "text/html" });
      response.end(`<html><body>${error.message}</body></html>`);
      return;
    }
    sendJson(response, 200, {
      data: project(operation.selectionSet, data),
      extensions: cost(shop, accepted.cost, accepted.cost),
    });
  };

  const handleDownload = async (response: http.ServerResponse, number: string) => {
    const operation = operations.get(`gid://shopify/BulkOperation/${number}`);
    if (!operation?.result) {
      sendJson(response, 404, { error: "no such result" });
      return;
    }
    stats.downloads += 1;
    response.writeHead(200, {
      "content-type": "application/jsonl",
      "content-length": operation.result.bytes,
    });
    const { lines } = operation.result;
    for (let start = 0; start < lines.length; start += 500) {
      const chunk = `${lines.slice(start, start + 500).join("\n")}\n`;
      if (!response.write(chunk)) await new Promise((resolve) => response.once("drain", resolve));
    }
    response.end();
  };

  const graphqlPath = new RegExp(
    `^/([a-z0-9][a-z0-9-]*\\.myshopify\\.com)/admin/api/${adminApiVersion}/graphql\\.json$`,
  );
  const server = http.createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    const graphql = graphqlPath.exec(path);
    const download = /^\/bulk-results\/(\d+)\.jsonl$/.exec(path);
    const tokenRequest = /^\/[a-z0-9][a-z0-9-]*\.myshopify\.com\/admin\/oauth\/access_token$/.test(path);
    const work =
      graphql && request.method === "POST"
        ? handleGraphql(request, response, graphql[1] as string)
        : tokenRequest && request.method === "POST" && options.offlineTokens
          ? options.offlineTokens.handle(request, response)
          : download && request.method === "GET"
            ? handleDownload(response, download[1] as string)
            : Promise.resolve(sendJson(response, 404, { errors: "Not Found" }));
    work.catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { errors: [{ message: String(error) }] });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    endpoint: (shopDomain) => `${baseUrl}/${shopDomain}/admin/api/${adminApiVersion}/graphql.json`,
    stats,
    dataset,
    commerce,
    themeSettings,
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
