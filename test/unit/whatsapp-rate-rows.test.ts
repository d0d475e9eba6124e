// The Messaging page's WhatsApp rate rows and channel list: the stored table shown as rows and read
// back unchanged; rows that cannot be read named by row; the channel order as an ordered list.
import { describe, expect, it } from "vitest";
import { channelListOf } from "../../app/messaging/admin-page";
import { parseRateTable } from "../../app/messaging/whatsapp-costs";
import { rateRowsOf, rateTableFromRows } from "../../app/messaging/whatsapp-rate-rows";

const table = parseRateTable({
  currency: "USD",
  rates: [
    {
      callingCode: "420",
      businessInitiatedMicros: 60_000,
      userInitiatedMicros: 20_000,
      marketingMicros: 1_234_567,
      utilityMicros: 10_000,
      authenticationMicros: 0,
    },
  ],
  fallback: {
    businessInitiatedMicros: 70_000,
    userInitiatedMicros: 30_000,
    marketingMicros: 50_000,
    utilityMicros: 20_000,
    authenticationMicros: 15_000,
  },
});

describe("WhatsApp rate rows", () => {
  it("shows the stored table as rows, prices in the currency, and reads them back to the same table", () => {
    const rows = rateRowsOf(table, "EUR");
    expect(rows.currency).toBe("USD");
    expect(rows.rows).toHaveLength(10);
    expect(rows.rows[0]).toEqual({ callingCode: "420", category: "marketing", price: "1.234567" });
    expect(rows.rows.find((row) => row.category === "authentication")?.price).toBe("0.00");
    expect(rows.rows.filter((row) => row.callingCode === "")).toHaveLength(5);
    const back = rateTableFromRows(rows);
    expect(back.problems).toEqual([]);
    expect(parseRateTable(back.table)).toEqual(table);
    expect(rateRowsOf(null, "EUR")).toEqual({ currency: "EUR", rows: [] });
    expect(rateTableFromRows({ currency: "USD", rows: [] })).toEqual({ table: null, problems: [] });
  });

  it("names every row it cannot read, and every code missing a category", () => {
    const { table: none, problems } = rateTableFromRows({
      currency: "USD",
      rows: [
        { callingCode: "44", category: "marketing", price: "0,05" },
        { callingCode: "44", category: "marketing", price: "0.06" },
        { callingCode: "44", category: "sms", price: "0.01" },
        { callingCode: "1", category: "utility", price: "-1" },
      ],
    });
    expect(none).toBeNull();
    expect(problems).toEqual([
      "Rate row 2: +44 already has this category",
      "Rate row 3: choose a category",
      "Rate row 4: the price must be an amount such as 0.0125",
      "+44 has no utility price",
      "+44 has no authentication price",
      "+44 has no business_initiated price",
      "+44 has no user_initiated price",
    ]);
  });
});

describe("channel list", () => {
  it("puts the stored order first and the channels it leaves out after it, switched off", () => {
    expect(channelListOf("sms, email")).toEqual([
      { channel: "sms", used: true },
      { channel: "email", used: true },
      { channel: "whatsapp", used: false },
    ]);
    expect(channelListOf("")).toEqual([
      { channel: "email", used: false },
      { channel: "sms", used: false },
      { channel: "whatsapp", used: false },
    ]);
  });
});
