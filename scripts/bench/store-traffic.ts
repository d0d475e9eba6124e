// A shop's webhook traffic as Shopify sends it, for `npm run bench:worker`: per shopper a
// customers/create, a checkout created and updated, the order created and then paid (same order
// id, later updated_at, checkout_token = the checkout's token, the customer nested in both), about
// half fulfilled, ~10 % of orders refunded in part (refund.order_id), ~5 % cancelled, ~30 % customers/update,
// ~20 % coming back for a second order. Payloads are Shopify's own fixture shapes
// (test/fixtures/shopify-payloads.ts); deliveries arrive in the order the events happened.
import {
  checkoutPayload,
  customerPayload,
  orderPayload,
  refundPayload,
  seededRandom,
  type CustomerSeed,
  type LineSeed,
} from "../../test/fixtures/shopify-payloads";
import {
  catalogue as historyCatalogue,
  firstNames,
  lastNames,
  type WebhookDelivery,
} from "../../test/fixtures/store-history";

/** One delivery, with ids of its own, as the fixtures describe it. */
export type TrafficDelivery = WebhookDelivery;

const catalogue = [
  ...historyCatalogue,
  { productId: 632910397, variantId: 808950815, title: "Hand Grinder", price: "89.00" },
];

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

/**
 * Exactly `count` deliveries with unique webhook and event ids (prefixed by `runId`), every
 * timestamp between `now` − 10 days and `now` − 1 day.
 */
export function storeTraffic(
  count: number,
  options: { now: Date; runId: string; seed?: number },
): TrafficDelivery[] {
  const random = seededRandom(options.seed ?? 2026);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const iso = (ms: number) => new Date(ms).toISOString();
  const windowStart = options.now.getTime() - 10 * day;
  const events: { at: number; topic: string; payload: unknown }[] = [];
  let lineId = 466_157_049;
  let orderNumber = 1000;

  for (let shopper = 0; events.length < count; shopper += 1) {
    const mine: { at: number; topic: string; payload: unknown }[] = [];
    const joined = windowStart + Math.floor(random() * 5 * day);
    let customer: CustomerSeed = {
      id: 207_119_551 + shopper,
      email: `shopper${shopper}@example.com`,
      firstName: pick(firstNames),
      lastName: pick(lastNames),
      countryCode: pick(["US", "CZ", "DE", "GB"]),
      emailConsent: random() < 0.7 ? "subscribed" : "not_subscribed",
      createdAt: iso(joined),
      updatedAt: iso(joined),
    };
    mine.push({ at: joined, topic: "customers/create", payload: customerPayload(customer) });
    if (random() < 0.3) {
      const at = joined + 30 * minute;
      customer = { ...customer, lastName: pick(lastNames), updatedAt: iso(at) };
      mine.push({ at, topic: "customers/update", payload: customerPayload(customer) });
    }

    const orders = random() < 0.2 ? 2 : 1;
    for (let index = 0; index < orders; index += 1) {
      const started = joined + hour + index * Math.floor((1 + random()) * day);
      const orderId = 450_789_469 + shopper * 10 + index;
      const token = `b${options.runId}${shopper}x${index}`;
      const lines: LineSeed[] = Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
        id: (lineId += 1),
        ...pick(catalogue),
        quantity: 1 + Math.floor(random() * 2),
      }));
      const checkout = { id: 901_414_060 + shopper * 10 + index, token, customer };
      const firstLine = lines.slice(0, 1);
      mine.push({
        at: started,
        topic: "checkouts/create",
        payload: checkoutPayload({
          ...checkout,
          lines: firstLine,
          createdAt: iso(started),
          updatedAt: iso(started),
        }),
      });
      mine.push({
        at: started + 3 * minute,
        topic: "checkouts/update",
        payload: checkoutPayload({
          ...checkout,
          lines,
          createdAt: iso(started),
          updatedAt: iso(started + 3 * minute),
        }),
      });
      const placed = started + 6 * minute;
      const order = {
        id: orderId,
        number: (orderNumber += 1),
        customer,
        lines,
        createdAt: iso(placed),
        checkoutToken: token,
      };
      mine.push({
        at: placed,
        topic: "orders/create",
        payload: orderPayload({ ...order, updatedAt: iso(placed), financialStatus: "pending" }),
      });
      mine.push({
        at: placed + minute,
        topic: "orders/paid",
        payload: orderPayload({ ...order, updatedAt: iso(placed + minute), financialStatus: "paid" }),
      });
      const roll = random();
      if (roll < 0.05) {
        const at = placed + 2 * hour;
        mine.push({
          at,
          topic: "orders/cancelled",
          payload: orderPayload({
            ...order,
            updatedAt: iso(at),
            financialStatus: "refunded",
            cancelledAt: iso(at),
          }),
        });
        continue;
      }
      if (roll < 0.55) {
        const at = placed + 20 * hour;
        mine.push({
          at,
          topic: "orders/fulfilled",
          payload: orderPayload({
            ...order,
            updatedAt: iso(at),
            financialStatus: "paid",
            fulfillmentStatus: "fulfilled",
          }),
        });
      }
      if (roll >= 0.45 && roll < 0.55) {
        // ~10 % of orders (fulfilled ones): one item of the first line returned.
        const returned = lines[0] as LineSeed;
        const at = placed + 30 * hour;
        mine.push({
          at,
          topic: "refunds/create",
          payload: refundPayload({
            id: 509_562_969 + shopper * 10 + index,
            orderId,
            lines: [{ lineItemId: returned.id, quantity: 1, subtotal: returned.price }],
            amount: returned.price,
            createdAt: iso(at),
          }),
        });
      }
    }
    // The last shopper is cut short (their latest events) so the total is exact.
    mine.sort((a, b) => a.at - b.at);
    events.push(...mine.slice(0, count - events.length));
  }

  events.sort((a, b) => a.at - b.at);
  return events.map((event, index) => ({
    topic: event.topic,
    webhookId: `bench-${options.runId}-${index}`,
    eventId: `bench-event-${options.runId}-${index}`,
    triggeredAt: iso(event.at),
    body: JSON.stringify(event.payload),
  }));
}

/** How many deliveries of each topic, for the report. */
export function topicMix(deliveries: readonly TrafficDelivery[]): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const delivery of deliveries) mix[delivery.topic] = (mix[delivery.topic] ?? 0) + 1;
  return mix;
}
