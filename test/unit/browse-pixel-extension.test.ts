// The browse pixel (extensions/browse-pixel) without Shopify CLI: bundled with esbuild as Shopify
// would, run in a sandbox with Shopify's `shopify.extend` and a recording `fetch`, it subscribes to
// the four events and posts, with keepalive, payloads the endpoint accepts — ids only (R-EVT-8).
import { readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { build } from "esbuild";
import { parse } from "smol-toml";
import { beforeAll, describe, expect, it } from "vitest";
import { browseEventRequestSchema } from "../../app/storefront/browse-events";
import { projectRoot } from "../../prisma/database.mjs";

const extensionDir = path.join(projectRoot, "extensions", "browse-pixel");
const endpoint = "https://stayloop.example/pixel/events";

interface Sent {
  url: string;
  init: { method?: string; body?: string; keepalive?: boolean };
}
type Subscriber = (event: unknown) => void;

let bundle = "";

/** Runs the bundled pixel once, the way Shopify's sandbox does, and hands back its subscriptions. */
function runPixel(customer: { id: string } | null) {
  const sent: Sent[] = [];
  const subscribers = new Map<string, Subscriber>();
  let extensionPoint = "";
  const sandbox = {
    shopify: {
      extend(point: string, extend: (api: unknown) => void) {
        extensionPoint = point;
        extend({
          analytics: { subscribe: (name: string, callback: Subscriber) => subscribers.set(name, callback) },
          browser: {},
          init: {
            data: {
              shop: { myshopifyDomain: "pixel-shop.myshopify.com", name: "Pixel shop" },
              customer: customer && { ...customer, email: "alice@example.com", firstName: "Alice" },
              cart: null,
              purchasingCompany: null,
            },
          },
          settings: { endpoint },
        });
      },
    },
    fetch(url: string, init: Sent["init"]) {
      sent.push({ url, init });
      return Promise.resolve(new Response("{}"));
    },
    JSON,
    Date,
    Promise,
  };
  vm.runInNewContext(bundle, sandbox);
  const fire = (name: string, event: unknown) => {
    const subscriber = subscribers.get(name);
    if (!subscriber) throw new Error(`the pixel does not subscribe to ${name}`);
    subscriber(event);
  };
  const bodies = () => sent.map((request) => JSON.parse(request.init.body ?? "null") as unknown);
  return { sent, subscribers, fire, bodies, extensionPoint: () => extensionPoint };
}

const variant = (variantId: string, productId: string) => ({
  id: variantId,
  title: "Blue / M",
  sku: "TEE-BL-M",
  price: { amount: 25, currencyCode: "EUR" },
  product: { id: productId, title: "Tee", vendor: "Stayloop", type: "Shirts", url: "/products/tee" },
});
const pixelEvent = (name: string, id: string, data: unknown) => ({
  id,
  name,
  clientId: "client-123",
  timestamp: "2026-12-04T10:00:00.000Z",
  type: "standard",
  seq: 1,
  context: { document: { location: { href: "https://shop.example/products/tee" } } },
  data,
});
const checkout = {
  email: "alice@example.com",
  phone: "+420777000111",
  billingAddress: { firstName: "Alice", address1: "Main 1" },
  lineItems: [
    { id: "l1", quantity: 1, title: "Tee", variant: variant("39001", "7421") },
    { id: "l2", quantity: 2, title: "Cap", variant: variant("39002", "7422") },
  ],
};

describe("browse pixel extension", () => {
  beforeAll(async () => {
    const result = await build({
      entryPoints: [path.join(extensionDir, "src", "index.ts")],
      bundle: true,
      minify: true,
      write: false,
      format: "iife",
      platform: "browser",
      target: "es2020",
    });
    bundle = result.outputFiles[0]?.text ?? "";
  });

  it("is declared as a strict-sandbox web pixel with an endpoint setting", () => {
    const toml = parse(readFileSync(path.join(extensionDir, "shopify.extension.toml"), "utf8")) as {
      type: string;
      runtime_context: string;
      customer_privacy: Record<string, unknown>;
      settings: { type: string; fields: Record<string, { type: string }> };
    };
    expect(toml.type).toBe("web_pixel_extension");
    expect(toml.runtime_context).toBe("strict");
    expect(toml.customer_privacy).toMatchObject({
      analytics: true,
      marketing: true,
      sale_of_data: "disabled",
    });
    expect(toml.settings.type).toBe("object");
    expect(toml.settings.fields.endpoint?.type).toBe("single_line_text_field");
  });

  it("stays tiny (under 2 KB minified)", () => {
    expect(bundle.length).toBeGreaterThan(0);
    expect(Buffer.byteLength(bundle)).toBeLessThan(2048);
  });

  it("registers with Shopify and subscribes to exactly the four browse events", () => {
    const pixel = runPixel(null);
    expect(pixel.extensionPoint()).toBe("WebPixel::Render");
    expect([...pixel.subscribers.keys()].sort()).toEqual([
      "checkout_completed",
      "checkout_started",
      "product_added_to_cart",
      "product_viewed",
    ]);
    expect(pixel.sent).toHaveLength(0);
  });

  it("posts a guest's product view with keepalive, as a payload the endpoint accepts", () => {
    const pixel = runPixel(null);
    pixel.fire(
      "product_viewed",
      pixelEvent("product_viewed", "ev-1", { productVariant: variant("39001", "7421") }),
    );
    expect(pixel.sent).toHaveLength(1);
    const [request] = pixel.sent;
    expect(request?.url).toBe(endpoint);
    expect(request?.init).toMatchObject({ method: "POST", keepalive: true });
    expect(pixel.bodies()).toEqual([
      [
        {
          shop: "pixel-shop.myshopify.com",
          eventId: "ev-1",
          type: "product_viewed",
          clientId: "client-123",
          customerId: null,
          productId: "7421",
          variantId: "39001",
          occurredAt: "2026-12-04T10:00:00.000Z",
        },
      ],
    ]);
    expect(browseEventRequestSchema.safeParse(pixel.bodies()[0]).success).toBe(true);
  });

  it("sends the signed-in customer's id and an added cart line", () => {
    const pixel = runPixel({ id: "501" });
    pixel.fire(
      "product_added_to_cart",
      pixelEvent("product_added_to_cart", "ev-2", {
        cartLine: {
          quantity: 1,
          merchandise: variant("gid://shopify/ProductVariant/39001", "gid://shopify/Product/7421"),
        },
      }),
    );
    const [body] = pixel.bodies();
    expect(body).toEqual([
      expect.objectContaining({
        type: "product_added_to_cart",
        customerId: "501",
        productId: "gid://shopify/Product/7421",
        variantId: "gid://shopify/ProductVariant/39001",
      }),
    ]);
    const parsed = browseEventRequestSchema.parse(body);
    expect(parsed[0]).toMatchObject({ customerId: "501", productId: "7421", variantId: "39001" });
  });

  it("sends one event per checkout line with its own event id, and no personal data", () => {
    const pixel = runPixel({ id: "501" });
    pixel.fire("checkout_started", pixelEvent("checkout_started", "ev-3", { checkout }));
    pixel.fire("checkout_completed", pixelEvent("checkout_completed", "ev-4", { checkout }));
    const [started, completed] = pixel.bodies() as { eventId: string; type: string; productId: string }[][];
    expect(started?.map((event) => [event.eventId, event.type, event.productId])).toEqual([
      ["ev-3:0", "checkout_started", "7421"],
      ["ev-3:1", "checkout_started", "7422"],
    ]);
    expect(completed?.map((event) => event.eventId)).toEqual(["ev-4:0", "ev-4:1"]);
    for (const request of pixel.sent) {
      for (const personal of ["alice", "Alice", "+420", "Main 1", "Tee", "TEE-BL-M"]) {
        expect(request.init.body).not.toContain(personal);
      }
    }
    for (const body of pixel.bodies()) expect(browseEventRequestSchema.safeParse(body).success).toBe(true);
  });

  it("sends nothing while the shop has not set the endpoint", () => {
    const sent: unknown[] = [];
    let subscribe: Subscriber | undefined;
    vm.runInNewContext(bundle, {
      shopify: {
        extend(_point: string, extend: (api: unknown) => void) {
          extend({
            analytics: {
              subscribe: (name: string, callback: Subscriber) => {
                if (name === "product_viewed") subscribe = callback;
              },
            },
            init: { data: { shop: { myshopifyDomain: "pixel-shop.myshopify.com" }, customer: null } },
            settings: {},
          });
        },
      },
      fetch: (...args: unknown[]) => sent.push(args),
      JSON,
      Date,
    });
    subscribe?.(pixelEvent("product_viewed", "ev-5", { productVariant: variant("1", "2") }));
    expect(subscribe).toBeDefined();
    expect(sent).toHaveLength(0);
  });
});
