// GraphQL records of the backfill's bulk queries → the webhook payloads ingest validates, and the
// reassembly of bulk JSONL lines (children with `__parentId`) into records.
import { describe, expect, it } from "vitest";
import { toMinorUnits } from "../../app/money/money";
import {
  customerPayloadFromNode,
  legacyId,
  orderFromRecord,
  orderPayloadFromNode,
  productFromRecord,
  type CustomerNode,
  type LineItemNode,
  type OrderNode,
} from "../../app/shopify/backfill-mapping";
import { assembleBulkRecords, type BulkRecord, type JsonObject } from "../../app/shopify/bulk-operations";

const money = (amount: string, currencyCode = "USD") => ({ shopMoney: { amount, currencyCode } });

const customer: CustomerNode = {
  id: "gid://shopify/Customer/9007199254740993",
  firstName: "Ada",
  lastName: "Lovelace",
  tags: ["vip", "wholesale"],
  createdAt: "2025-01-02T03:04:05Z",
  updatedAt: "2025-02-03T04:05:06Z",
  defaultEmailAddress: {
    emailAddress: "Ada@Example.com",
    marketingState: "SUBSCRIBED",
    marketingOptInLevel: "CONFIRMED_OPT_IN",
    marketingUpdatedAt: "2025-01-02T03:04:05Z",
  },
  defaultPhoneNumber: { phoneNumber: "+15555550100", marketingState: "NOT_SUBSCRIBED" },
  defaultAddress: { countryCodeV2: "GB", provinceCode: null },
};

function order(
  currency: string,
  amounts: Partial<Record<"subtotal" | "total" | "tax" | "shipping", string>>,
): OrderNode {
  return {
    id: "gid://shopify/Order/5100000000042",
    name: "#1042",
    email: "Ada@Example.com",
    createdAt: "2025-03-01T10:00:00Z",
    updatedAt: "2025-03-02T10:00:00Z",
    processedAt: "2025-03-01T10:00:00Z",
    cancelledAt: null,
    test: false,
    sourceName: "web",
    customerLocale: "en-GB",
    displayFinancialStatus: "PARTIALLY_REFUNDED",
    displayFulfillmentStatus: "UNFULFILLED",
    subtotalPriceSet: money(amounts.subtotal ?? "0", currency),
    totalPriceSet: money(amounts.total ?? "0", currency),
    totalDiscountsSet: money("0", currency),
    totalTaxSet: money(amounts.tax ?? "0", currency),
    totalShippingPriceSet: money(amounts.shipping ?? "0", currency),
    customer,
  };
}

const line: LineItemNode = {
  id: "gid://shopify/LineItem/6100000000001",
  title: "Linen Shirt",
  variantTitle: "Medium",
  sku: "LIN-M",
  quantity: 2,
  originalUnitPriceSet: money("24.5"),
  totalDiscountSet: money("4.90"),
  product: { id: "gid://shopify/Product/9100000000001" },
  variant: { id: "gid://shopify/ProductVariant/9200000000002" },
};

describe("legacyId", () => {
  it("turns a global id into the numeric id webhooks use, beyond 2^53 exactly", () => {
    expect(legacyId("gid://shopify/Order/123")).toBe("123");
    expect(legacyId("gid://shopify/Customer/9007199254740993")).toBe("9007199254740993");
  });

  it("refuses anything that is not a Shopify global id", () => {
    expect(() => legacyId("123")).toThrow(/not a Shopify global id/);
    expect(() => legacyId("gid://shopify/Order/abc")).toThrow();
  });
});

describe("customer mapping", () => {
  it("gives the REST shape: lower-case consent states, comma-separated tags, Dates", () => {
    const payload = customerPayloadFromNode(customer);
    expect(payload).toMatchObject({
      id: "9007199254740993",
      email: "Ada@Example.com",
      phone: "+15555550100",
      first_name: "Ada",
      tags: "vip, wholesale",
      default_address: { country_code: "GB", province_code: null },
      email_marketing_consent: { state: "subscribed", opt_in_level: "confirmed_opt_in" },
      sms_marketing_consent: { state: "not_subscribed", opt_in_level: null },
    });
    expect(payload.updated_at).toEqual(new Date("2025-02-03T04:05:06Z"));
    expect(payload.created_at).toEqual(new Date("2025-01-02T03:04:05Z"));
  });

  it("leaves consent unknown when the customer has no email or phone", () => {
    const payload = customerPayloadFromNode({
      ...customer,
      defaultEmailAddress: null,
      defaultPhoneNumber: null,
    });
    expect(payload.email).toBeNull();
    expect(payload.email_marketing_consent).toBeNull();
  });
});

describe("order mapping, money in minor units through toMinorUnits", () => {
  it("keeps shop-currency decimal strings that ingest turns into exact minor units", () => {
    const payload = orderPayloadFromNode(
      order("USD", { subtotal: "44.1", total: "52.63", tax: "3.53", shipping: "5.00" }),
      [line],
    );
    expect(payload.currency).toBe("USD");
    expect(toMinorUnits(payload.subtotal_price, payload.currency)).toBe(4_410);
    expect(toMinorUnits(payload.total_price, payload.currency)).toBe(5_263);
    expect(toMinorUnits(payload.total_tax ?? "", payload.currency)).toBe(353);
    expect(toMinorUnits(payload.total_shipping_price_set?.shop_money.amount ?? "", payload.currency)).toBe(
      500,
    );
    const [first] = payload.line_items;
    expect(first).toMatchObject({
      id: "6100000000001",
      product_id: "9100000000001",
      variant_id: "9200000000002",
      quantity: 2,
      variant_title: "Medium",
    });
    expect(toMinorUnits(first?.price ?? "", payload.currency)).toBe(2_450);
    expect(toMinorUnits(first?.total_discount ?? "", payload.currency)).toBe(490);
  });

  it("handles currencies without and with three minor digits", () => {
    const yen = orderPayloadFromNode(order("JPY", { subtotal: "1500.0", total: "1650" }), []);
    expect(toMinorUnits(yen.total_price, yen.currency)).toBe(1_650);
    expect(toMinorUnits(yen.subtotal_price, yen.currency)).toBe(1_500);
    const dinar = orderPayloadFromNode(order("KWD", { subtotal: "1.234", total: "2.5" }), []);
    expect(toMinorUnits(dinar.subtotal_price, dinar.currency)).toBe(1_234);
    expect(toMinorUnits(dinar.total_price, dinar.currency)).toBe(2_500);
  });

  it("translates statuses and ids, and nests the customer as orders/* webhooks do", () => {
    const payload = orderPayloadFromNode(order("USD", { total: "1.00" }), []);
    expect(payload).toMatchObject({
      id: "5100000000042",
      financial_status: "partially_refunded",
      fulfillment_status: null,
      checkout_token: null,
      customer_locale: "en-GB",
      customer: { id: "9007199254740993", tags: "vip, wholesale" },
    });
    expect(payload.customer?.updated_at).toEqual(new Date("2025-02-03T04:05:06Z"));
    const fulfilled = orderPayloadFromNode(
      { ...order("USD", {}), displayFulfillmentStatus: "FULFILLED" },
      [],
    );
    expect(fulfilled.fulfillment_status).toBe("fulfilled");
    const partial = orderPayloadFromNode(
      { ...order("USD", {}), displayFulfillmentStatus: "PARTIALLY_FULFILLED" },
      [],
    );
    expect(partial.fulfillment_status).toBe("partial");
  });

  it("rejects a record that does not have the queried shape", () => {
    const record: BulkRecord = { node: { id: "gid://shopify/Order/1", name: "#1" }, children: {} };
    expect(() => orderFromRecord(record)).toThrow();
  });
});

describe("product mapping", () => {
  it("takes the variants from the record's children and keeps prices as decimals", () => {
    const record: BulkRecord = {
      node: {
        id: "gid://shopify/Product/91",
        title: "Linen Shirt",
        handle: "linen-shirt",
        vendor: "Stayloop",
        productType: "Shirt",
        status: "ACTIVE",
        tags: ["new"],
        updatedAt: "2025-03-01T00:00:00Z",
        featuredMedia: { preview: { image: { url: "https://cdn.example.com/91.jpg" } } },
      },
      children: {
        ProductVariant: [
          {
            node: { id: "gid://shopify/ProductVariant/1", title: "Small", sku: "S", price: "19.9" },
            children: {},
          },
          {
            node: { id: "gid://shopify/ProductVariant/2", title: "Large", sku: null, price: "21.00" },
            children: {},
          },
        ],
      },
    };
    const payload = productFromRecord(record);
    expect(payload).toMatchObject({
      id: "91",
      status: "active",
      tags: "new",
      image: { src: "https://cdn.example.com/91.jpg" },
    });
    expect(payload.variants.map((variant) => [variant.id, toMinorUnits(variant.price, "USD")])).toEqual([
      ["1", 1_990],
      ["2", 2_100],
    ]);
  });
});

async function* linesOf(...lines: JsonObject[]): AsyncGenerator<JsonObject> {
  yield* lines;
}

async function collect(records: AsyncIterable<BulkRecord>): Promise<BulkRecord[]> {
  const result: BulkRecord[] = [];
  for await (const record of records) result.push(record);
  return result;
}

describe("bulk JSONL reassembly", () => {
  const order1 = { id: "gid://shopify/Order/1" };
  const order2 = { id: "gid://shopify/Order/2" };
  const line = (id: number, parent: string) => ({ id: `gid://shopify/LineItem/${id}`, __parentId: parent });

  it("puts grouped children under their parent, a parent complete when the next one starts", async () => {
    const records = await collect(
      assembleBulkRecords(
        linesOf(order1, line(11, order1.id), line(12, order1.id), order2, line(21, order2.id)),
        {
          grouped: true,
        },
      ),
    );
    expect(
      records.map((record) => [record.node.id, record.children.LineItem?.map((child) => child.node.id)]),
    ).toEqual([
      ["gid://shopify/Order/1", ["gid://shopify/LineItem/11", "gid://shopify/LineItem/12"]],
      ["gid://shopify/Order/2", ["gid://shopify/LineItem/21"]],
    ]);
    expect(records[0]?.children.LineItem?.[0]?.node).not.toHaveProperty("__parentId");
  });

  it("accepts ungrouped output, where children come anywhere after their parent", async () => {
    const records = await collect(
      assembleBulkRecords(linesOf(order1, order2, line(21, order2.id), line(11, order1.id)), {
        grouped: false,
      }),
    );
    expect(records.map((record) => record.children.LineItem?.length)).toEqual([1, 1]);
  });

  it("fails loudly on a child whose parent is not where it should be", async () => {
    await expect(
      collect(assembleBulkRecords(linesOf(order1, order2, line(11, order1.id)), { grouped: true })),
    ).rejects.toThrow(/not in its parent's group/);
    await expect(
      collect(assembleBulkRecords(linesOf(line(11, order1.id)), { grouped: false })),
    ).rejects.toThrow(/not after its parent/);
  });
});
