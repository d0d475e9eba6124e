// Stayloop's browse pixel: tells Stayloop which products a shopper looked at, added to the cart and
// checked out — ids only (shop, event, pixel client, customer, product, variant, time), never names,
// e-mails or addresses. A checkout becomes one event per line, so each product's journey is known.
import { register } from "@shopify/web-pixels-extension";

type BrowseEventType = "product_viewed" | "product_added_to_cart" | "checkout_started" | "checkout_completed";

interface PixelEvent {
  id?: string;
  clientId?: string;
  timestamp?: string;
}

interface Variant {
  id?: string | null;
  product?: { id?: string | null } | null;
}

/** Shopify caps a cart's lines; the endpoint takes at most 100 events per request. */
const maxLines = 100;

register(({ analytics, init, settings }) => {
  const endpoint = typeof settings.endpoint === "string" ? settings.endpoint : "";
  const shop = init.data.shop.myshopifyDomain;
  // A guest has no customer: the client id links their events once they sign in.
  const customerId = init.data.customer?.id ?? null;

  const browseEvent = (
    type: BrowseEventType,
    event: PixelEvent,
    variant: Variant | null | undefined,
    line = "",
  ) => ({
    shop,
    eventId: `${event.id ?? ""}${line}`,
    type,
    clientId: event.clientId ?? "",
    customerId,
    productId: variant?.product?.id ?? null,
    variantId: variant?.id ?? null,
    occurredAt: event.timestamp ?? new Date().toISOString(),
  });

  // A string body is a "simple" request (no CORS preflight); keepalive lets it outlive the page.
  const send = (events: ReturnType<typeof browseEvent>[]) => {
    if (!endpoint || events.length === 0) return;
    fetch(endpoint, { method: "POST", body: JSON.stringify(events), keepalive: true }).catch(() => undefined);
  };

  const checkout =
    (type: BrowseEventType) =>
    (event: PixelEvent & { data?: { checkout?: { lineItems?: { variant?: Variant | null }[] | null } } }) => {
      const lines = (event.data?.checkout?.lineItems ?? []).slice(0, maxLines);
      send(
        lines.length === 0
          ? [browseEvent(type, event, null)]
          : lines.map((line, index) => browseEvent(type, event, line.variant, `:${index}`)),
      );
    };

  analytics.subscribe("product_viewed", (event) => {
    send([browseEvent("product_viewed", event, event.data?.productVariant)]);
  });
  analytics.subscribe("product_added_to_cart", (event) => {
    send([browseEvent("product_added_to_cart", event, event.data?.cartLine?.merchandise)]);
  });
  analytics.subscribe("checkout_started", checkout("checkout_started"));
  analytics.subscribe("checkout_completed", checkout("checkout_completed"));
});
