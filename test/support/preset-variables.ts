// Realistic template variables for the flow presets' messages, per the presets contract: one set
// with everything present (an English shopper in a US shop, a Czech shopper in a Czech shop) and
// one with every optional part empty or null — the engine leaves them so when they do not apply,
// and a preset's message must read well either way.
import type { TriggerEvent } from "../../app/flows/definition";
import {
  formatMoney,
  sampleVariables,
  type TemplateLocale,
  type TemplateVariables,
} from "../../app/messaging/templates";

export interface SuggestedProduct {
  title: string;
  url: string;
  image_url: string | null;
  price: string;
}

/** The variables the flow library adds to TemplateVariables (see the presets contract). */
export interface PresetTemplateVariables {
  event: Record<string, unknown>;
  product: SuggestedProduct | null;
  recommendations: SuggestedProduct[];
  bestsellers: SuggestedProduct[];
  newest_products: SuggestedProduct[];
  recently_viewed: SuggestedProduct[];
  reorder_url: string;
  order: {
    name: string;
    is_first_order: boolean;
    fulfillment_status: string | null;
    status_url: string;
  } | null;
  nps: { question_url: string; links: { score: number; url: string }[]; comment_url: string } | null;
  loyalty: {
    enabled: boolean;
    program_name: string | null;
    signup_points: number | null;
    tier_name: string | null;
    next_tier_name: string | null;
    points_to_next_tier: number | null;
    expiring_points: number | null;
    expires_on: string | null;
    reward_name: string | null;
    reward_points: number | null;
  };
}

export type PresetVariables = TemplateVariables & PresetTemplateVariables;

export type SampleCompleteness = "full" | "sparse";

interface ShopSample {
  shopName: string;
  shopUrl: string;
  currency: string;
  customer: TemplateVariables["customer"];
  items: { title: string; variant: string | null; quantity: number; priceMinor: number; handle: string }[];
  products: { title: string; priceMinor: number; handle: string }[];
  programName: string;
  tierName: string;
  nextTierName: string;
  rewardName: string;
  expiresOn: string;
}

// The English shop's name has an ampersand: HTML parts must show it escaped.
const shops: Record<TemplateLocale, ShopSample> = {
  en: {
    shopName: "Juniper & Oak",
    shopUrl: "https://juniper-and-oak.myshopify.com",
    currency: "USD",
    customer: {
      first_name: "Emma",
      last_name: "Johnson",
      email: "emma.johnson@example.com",
      locale: "en-US",
    },
    items: [
      {
        title: "Merino Wool Sweater",
        variant: "Navy / M",
        quantity: 1,
        priceMinor: 8900,
        handle: "merino-sweater",
      },
      { title: "Organic Cotton Socks", variant: null, quantity: 2, priceMinor: 1450, handle: "cotton-socks" },
    ],
    products: [
      { title: "Cashmere Beanie", priceMinor: 4500, handle: "cashmere-beanie" },
      { title: "Linen Scarf", priceMinor: 3900, handle: "linen-scarf" },
      { title: "Leather Gloves", priceMinor: 6500, handle: "leather-gloves" },
    ],
    programName: "Oak Club",
    tierName: "Gold",
    nextTierName: "Platinum",
    rewardName: "$10 off your order",
    expiresOn: "December 31, 2026",
  },
  cs: {
    shopName: "Lesní bylinky",
    shopUrl: "https://lesni-bylinky.cz",
    currency: "CZK",
    customer: {
      first_name: "Tereza",
      last_name: "Nováková",
      email: "tereza.novakova@example.cz",
      locale: "cs-CZ",
    },
    items: [
      {
        title: "Heřmánkový čaj",
        variant: "Balení 100 g",
        quantity: 2,
        priceMinor: 14900,
        handle: "hermankovy-caj",
      },
      {
        title: "Levandulový olej",
        variant: null,
        quantity: 1,
        priceMinor: 32900,
        handle: "levandulovy-olej",
      },
    ],
    products: [
      { title: "Mátový sirup", priceMinor: 18900, handle: "matovy-sirup" },
      { title: "Šípkový čaj", priceMinor: 12900, handle: "sipkovy-caj" },
      { title: "Bylinná mast", priceMinor: 24900, handle: "bylinna-mast" },
    ],
    programName: "Bylinkový klub",
    tierName: "Zlatá",
    nextTierName: "Platinová",
    rewardName: "Sleva 200 Kč na nákup",
    expiresOn: "31. 12. 2026",
  },
};

const customerId = "cus_4f8a2c1e";

/** The code a discount step created (messages after one always have it). */
export const sampleDiscountCode = "CART-7KX2QF";

/** The trigger event's payload, as the engine announces it (contract: "Trigger events and payloads"). */
export function sampleEventPayload(event: TriggerEvent, locale: TemplateLocale): Record<string, unknown> {
  const shop = shops[locale];
  switch (event) {
    case "browse.abandoned":
      return {
        customerId,
        productShopifyId: "8123456789",
        variantShopifyId: null,
        viewedAt: "2026-12-04T14:05:00.000Z",
        reentryKey: "product:8123456789",
      };
    case "replenishment.due":
      return {
        customerId,
        productShopifyId: "8123456789",
        variantShopifyId: "44123456789",
        quantity: 2,
        dueAt: "2026-12-07T09:00:00.000Z",
        remindAt: "2026-12-04T09:00:00.000Z",
        lastOrderId: "ord_1001",
        reentryKey: "product:8123456789",
      };
    case "customer.lifecycle_changed":
      return { from: "repeat", to: "at_risk" };
    case "customer.consent_changed":
      return { channel: "email", from: "not_subscribed", to: "subscribed" };
    case "loyalty.tier_changed":
      return {
        memberId: "mem_1",
        customerId,
        from: "silver",
        to: "gold",
        toName: shop.tierName,
        direction: "up",
      };
    case "loyalty.points_expiring":
      return { memberId: "mem_1", customerId, points: 350, expiresAt: "2026-12-31T23:59:59.000Z" };
    case "loyalty.reward_affordable":
      return { customerId, rewardId: "rew_1", rewardName: shop.rewardName, pointsCost: 500, balance: 620 };
    case "customer.birthday":
      return { customerId, date: "12-04" };
    case "customer.purchase_anniversary":
      return { customerId, years: 2, firstOrderAt: "2024-12-04T10:12:00.000Z" };
    case "nps.answered":
      return { customerId, orderId: "ord_1001", score: 4, answerId: "nps_1" };
    case "order.created":
    case "order.paid":
    case "order.fulfilled":
    case "order.cancelled":
    case "order.refunded":
      return { orderShopifyId: "5551234567", customerId };
    default:
      return { customerId };
  }
}

function suggestions(shop: ShopSample, locale: TemplateLocale): SuggestedProduct[] {
  return shop.products.map((product) => ({
    title: product.title,
    url: `${shop.shopUrl}/products/${product.handle}`,
    image_url: `https://cdn.shopify.com/s/files/1/0612/3456/files/${product.handle}.jpg?v=1733300000`,
    price: formatMoney(product.priceMinor, shop.currency, locale),
  }));
}

/** Variables for a preset message in this language, everything present or the optional parts empty. */
export function presetSampleVariables(
  locale: TemplateLocale,
  completeness: SampleCompleteness,
  trigger: TriggerEvent,
): PresetVariables {
  const shop = shops[locale];
  const full = completeness === "full";
  const items = shop.items.map((item) => ({
    title: item.title,
    variant_title: full ? item.variant : null,
    quantity: item.quantity,
    image_url: full
      ? `https://cdn.shopify.com/s/files/1/0612/3456/files/${item.handle}.jpg?v=1733300000`
      : null,
    url: `${shop.shopUrl}/products/${item.handle}`,
    price: formatMoney(item.priceMinor, shop.currency, locale),
    price_minor: item.priceMinor,
  }));
  const products = full ? suggestions(shop, locale) : [];
  const [featured] = suggestions(shop, locale);
  const npsBase = `https://app.stayloop.example/nps/ord_1001`;
  const base = sampleVariables(locale);
  return {
    ...base,
    customer: { ...shop.customer, first_name: full ? shop.customer.first_name : "" },
    shop: { name: shop.shopName, url: shop.shopUrl },
    currency: shop.currency,
    items: full ? items : items.slice(0, 1),
    checkout_url: `${shop.shopUrl}/65432101/checkouts/ac/c1-7b3f9e2a4d/recover?key=4f1c2e9b`,
    discount_code: full ? sampleDiscountCode : "",
    points: full ? { balance: 620, pending: 150 } : { balance: 0, pending: 0 },
    unsubscribe_url: full ? "https://app.stayloop.example/u/eyJrIjoidSJ9.sig?x=1&y=2" : "",
    event: sampleEventPayload(trigger, locale),
    product: full && featured ? featured : null,
    recommendations: products,
    bestsellers: products,
    newest_products: products,
    recently_viewed: products,
    reorder_url: full ? `${shop.shopUrl}/cart/44123456789:2` : "",
    order: full
      ? {
          name: "#1001",
          is_first_order: true,
          fulfillment_status: "fulfilled",
          status_url: `${shop.shopUrl}/65432101/orders/9f8e7d6c5b4a/authenticate?key=a1b2c3`,
        }
      : null,
    nps: full
      ? {
          question_url: `${npsBase}`,
          links: Array.from({ length: 11 }, (_, score) => ({
            score,
            url: `${npsBase}/${score}?s=sig${score}`,
          })),
          comment_url: `${npsBase}/comment?s=sig`,
        }
      : null,
    loyalty: full
      ? {
          enabled: true,
          program_name: shop.programName,
          signup_points: 100,
          tier_name: shop.tierName,
          next_tier_name: shop.nextTierName,
          points_to_next_tier: 380,
          expiring_points: 350,
          expires_on: shop.expiresOn,
          reward_name: shop.rewardName,
          reward_points: 500,
        }
      : {
          enabled: false,
          program_name: null,
          signup_points: null,
          tier_name: null,
          next_tier_name: null,
          points_to_next_tier: null,
          expiring_points: null,
          expires_on: null,
          reward_name: null,
          reward_points: null,
        },
  };
}
