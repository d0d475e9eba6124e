// WhatsApp costs: conversation-based pricing (until June 2025) and per-message pricing (since
// 1 July 2025), rates by calling code, projections, month sums and the rate table's validation.
import { describe, expect, it } from "vitest";
import {
  callingCodeOf,
  chargesFor,
  parseRateTable,
  projectedCost,
  RateTableError,
  sumByMonth,
  type Charge,
  type PricingModel,
  type TemplateCategory,
  type WhatsAppEvent,
} from "../../app/messaging/whatsapp-costs";

// Every price is different, so a charge at the wrong rate or from the wrong row fails.
const czPrices = {
  businessInitiatedMicros: 60_100,
  userInitiatedMicros: 20_100,
  marketingMicros: 86_100,
  utilityMicros: 30_100,
  authenticationMicros: 25_100,
};
const usPrices = {
  businessInitiatedMicros: 25_200,
  userInitiatedMicros: 9_200,
  marketingMicros: 25_020,
  utilityMicros: 4_200,
  authenticationMicros: 13_520,
};
const bahamasPrices = {
  businessInitiatedMicros: 71_300,
  userInitiatedMicros: 17_300,
  marketingMicros: 74_300,
  utilityMicros: 11_300,
  authenticationMicros: 43_300,
};
const ukPrices = {
  businessInitiatedMicros: 70_540,
  userInitiatedMicros: 38_840,
  marketingMicros: 52_940,
  utilityMicros: 22_040,
  authenticationMicros: 35_840,
};
const fallbackPrices = {
  businessInitiatedMicros: 100_000,
  userInitiatedMicros: 50_000,
  marketingMicros: 90_000,
  utilityMicros: 45_000,
  authenticationMicros: 40_000,
};
const table = parseRateTable({
  currency: "USD",
  rates: [
    { callingCode: "420", ...czPrices },
    { callingCode: "1", ...usPrices },
    { callingCode: "1242", ...bahamasPrices },
    { callingCode: "44", ...ukPrices },
  ],
  fallback: fallbackPrices,
});

const CZ = "+420601123456";
const US = "+12125550123";
const UK = "+447700900123";
const hour = 3_600_000;
const t0 = new Date("2025-03-10T08:00:00Z").getTime();
const at = (hours: number) => new Date(t0 + hours * hour);

const sent = (
  messageId: string,
  hours: number,
  options: { to?: string; category?: TemplateCategory; delivered?: boolean } = {},
): WhatsAppEvent => ({
  kind: "outbound",
  messageId,
  to: options.to ?? CZ,
  at: at(hours),
  category: options.category ?? "marketing",
  delivered: options.delivered ?? true,
});
const received = (hours: number, from = CZ): WhatsAppEvent => ({ kind: "inbound", from, at: at(hours) });
const failed = (messageId: string, hours: number): WhatsAppEvent =>
  sent(messageId, hours, { delivered: false });

/** The charges reduced to what each case asserts: which message, why, how much. */
const summary = (charges: Charge[]) =>
  charges.map(({ messageId, reason, micros }) => ({ messageId, reason, micros }));
const business = (messageId: string, micros = czPrices.businessInitiatedMicros) => ({
  messageId,
  reason: "business_initiated_window" as const,
  micros,
});
const user = (messageId: string, micros = czPrices.userInitiatedMicros) => ({
  messageId,
  reason: "user_initiated_window" as const,
  micros,
});

describe("conversation pricing (until 30 June 2025)", () => {
  it.each([
    {
      name: "two delivered messages 20 h apart: one window",
      events: [sent("a", 0), sent("b", 20)],
      expected: [business("a")],
    },
    {
      name: "two delivered messages 25 h apart: two windows",
      events: [sent("a", 0), sent("b", 25)],
      expected: [business("a"), business("b")],
    },
    {
      name: "a message exactly 24 h later opens a new window",
      events: [sent("a", 0), sent("b", 24)],
      expected: [business("a"), business("b")],
    },
    {
      name: "a message just under 24 h later is free",
      events: [sent("a", 0), sent("b", 23.99)],
      expected: [business("a")],
    },
    { name: "an undelivered message costs nothing", events: [failed("a", 0)], expected: [] },
    {
      // b opens the window, not a: c is 25 h after a but 23 h after b.
      name: "an undelivered opener opens nothing; the next delivered one opens the window",
      events: [failed("a", 0), sent("b", 2), sent("c", 25)],
      expected: [business("b")],
    },
    { name: "the customer messaging us costs nothing by itself", events: [received(0)], expected: [] },
    {
      name: "our reply to the customer is charged at the user-initiated rate",
      events: [received(0), sent("r", 1, { category: "service" })],
      expected: [user("r")],
    },
    {
      name: "further replies in the user-initiated window are free and open no business window",
      events: [received(0), sent("r1", 1, { category: "service" }), sent("r2", 3), sent("r3", 20)],
      expected: [user("r1")],
    },
    {
      name: "an undelivered reply opens nothing; the first delivered reply is charged",
      events: [received(0), failed("r1", 1), sent("r2", 2, { category: "service" })],
      expected: [user("r2")],
    },
    {
      // Meta's rule, documented in the module: the conversation runs 24 h from our reply.
      name: "the user-initiated window runs 24 h from our reply",
      events: [received(0), sent("r1", 10, { category: "service" }), sent("b", 30)],
      expected: [user("r1")],
    },
    {
      name: "a reply more than 24 h after the customer's message is business-initiated",
      events: [received(0), sent("late", 25)],
      expected: [business("late")],
    },
    {
      name: "the customer answering inside our business window changes nothing",
      events: [sent("a", 0), received(1), sent("r", 2, { category: "service" })],
      expected: [business("a")],
    },
    {
      name: "after our window closes, a reply to the customer's recent message is user-initiated",
      events: [sent("a", 0), received(23), sent("r", 26, { category: "service" })],
      expected: [business("a"), user("r")],
    },
    {
      name: "each recipient has their own window",
      events: [sent("cz", 0), sent("us", 1, { to: US }), sent("cz2", 2)],
      expected: [business("cz"), business("us", usPrices.businessInitiatedMicros)],
    },
    {
      name: "the same number written differently is the same recipient",
      events: [sent("a", 0), sent("b", 1, { to: "+420 601 123 456" })],
      expected: [business("a")],
    },
  ])("$name", ({ events, expected }) => {
    expect(summary(chargesFor("conversation", table, events))).toEqual(expected);
  });

  it("returns the full charge", () => {
    expect(chargesFor("conversation", table, [sent("a", 0, { to: UK })])).toEqual([
      {
        messageId: "a",
        to: UK,
        callingCode: "44",
        micros: ukPrices.businessInitiatedMicros,
        reason: "business_initiated_window",
        at: at(0),
      },
    ]);
  });
});

describe("rates by country calling code", () => {
  it.each([
    { number: CZ, code: "420", prices: czPrices },
    { number: US, code: "1", prices: usPrices },
    { number: "+12425550123", code: "1242", prices: bahamasPrices }, // longest prefix: 1242, not 1
    { number: UK, code: "44", prices: ukPrices },
    { number: "+44 7700 900123", code: "44", prices: ukPrices },
    { number: "+4915112345678", code: null, prices: fallbackPrices }, // Germany has no row
    { number: "420601123456", code: null, prices: fallbackPrices }, // not E.164: no "+"
    { number: "1420601123456", code: null, prices: fallbackPrices }, // no "+": neither 1 nor 420
    { number: "+420", code: null, prices: fallbackPrices }, // only a calling code
    { number: "garbage", code: null, prices: fallbackPrices },
  ])("$number → $code", ({ number, code, prices }) => {
    expect(callingCodeOf(number, table)).toBe(code);
    const conversation = (events: WhatsAppEvent[]) => chargesFor("conversation", table, events);
    const perMessage = (category: TemplateCategory) =>
      chargesFor("per_message", table, [sent("m", 0, { to: number, category })]);

    expect(conversation([sent("b", 0, { to: number })])).toEqual([
      expect.objectContaining({ callingCode: code, micros: prices.businessInitiatedMicros }),
    ]);
    expect(conversation([received(0, number), sent("u", 1, { to: number })])).toEqual([
      expect.objectContaining({ callingCode: code, micros: prices.userInitiatedMicros }),
    ]);
    expect(perMessage("marketing")).toEqual([expect.objectContaining({ micros: prices.marketingMicros })]);
    expect(perMessage("utility")).toEqual([expect.objectContaining({ micros: prices.utilityMicros })]);
    expect(perMessage("authentication")).toEqual([
      expect.objectContaining({ micros: prices.authenticationMicros }),
    ]);
  });
});

describe("per-message pricing (since 1 July 2025)", () => {
  const charged = (messageId: string, reason: string, micros: number) => ({ messageId, reason, micros });
  it.each([
    {
      name: "marketing is charged outside the customer-service window",
      events: [sent("m", 0, { category: "marketing" })],
      expected: [charged("m", "marketing", czPrices.marketingMicros)],
    },
    {
      name: "marketing is charged inside the customer-service window",
      events: [received(0), sent("m", 1, { category: "marketing" })],
      expected: [charged("m", "marketing", czPrices.marketingMicros)],
    },
    {
      name: "every marketing message is charged, however close together",
      events: [sent("m1", 0, { category: "marketing" }), sent("m2", 1, { category: "marketing" })],
      expected: [
        charged("m1", "marketing", czPrices.marketingMicros),
        charged("m2", "marketing", czPrices.marketingMicros),
      ],
    },
    {
      name: "utility is free inside the customer-service window",
      events: [received(0), sent("u", 23, { category: "utility" })],
      expected: [],
    },
    {
      name: "utility is charged outside the customer-service window",
      events: [sent("u", 0, { category: "utility" })],
      expected: [charged("u", "utility", czPrices.utilityMicros)],
    },
    {
      name: "utility is charged once the customer-service window has closed",
      events: [received(0), sent("u", 24, { category: "utility" })],
      expected: [charged("u", "utility", czPrices.utilityMicros)],
    },
    {
      name: "another customer's message does not open the window",
      events: [received(0, US), sent("u", 1, { category: "utility" })],
      expected: [charged("u", "utility", czPrices.utilityMicros)],
    },
    {
      name: "authentication is charged, even inside the customer-service window",
      events: [received(0), sent("a", 1, { category: "authentication" })],
      expected: [charged("a", "authentication", czPrices.authenticationMicros)],
    },
    {
      name: "service replies are free",
      events: [received(0), sent("s", 1, { category: "service" })],
      expected: [],
    },
    {
      name: "undelivered messages are free",
      events: [
        sent("m", 0, { category: "marketing", delivered: false }),
        sent("u", 0, { category: "utility", delivered: false }),
        sent("a", 0, { category: "authentication", delivered: false }),
      ],
      expected: [],
    },
  ])("$name", ({ events, expected }) => {
    expect(summary(chargesFor("per_message", table, events))).toEqual(expected);
  });
});

describe("event order", () => {
  const scrambled = (events: WhatsAppEvent[]) => [...events].reverse();
  it.each([
    {
      model: "conversation" as const,
      events: [failed("a", 0), sent("b", 2), sent("c", 25), sent("d", 26.5), received(30), sent("e", 51)],
      expected: [business("b"), business("d"), user("e")],
    },
    {
      model: "per_message" as const,
      events: [received(0), sent("u1", 1, { category: "utility" }), sent("u2", 30, { category: "utility" })],
      expected: [{ messageId: "u2", reason: "utility", micros: czPrices.utilityMicros }],
    },
  ])("the $model model sorts events by time", ({ model, events, expected }) => {
    expect(summary(chargesFor(model, table, events))).toEqual(expected);
    expect(summary(chargesFor(model, table, scrambled(events)))).toEqual(expected);
  });

  it.each<{ model: PricingModel; category: TemplateCategory; expected: ReturnType<typeof summary> }>([
    { model: "conversation", category: "service", expected: [user("r")] },
    { model: "per_message", category: "utility", expected: [] },
  ])("$model: an inbound message at the same instant comes first", ({ model, category, expected }) => {
    const reply = sent("r", 5, { category });
    expect(summary(chargesFor(model, table, [reply, received(5)]))).toEqual(expected);
  });

  it("rejects events with an invalid date", () => {
    expect(() =>
      chargesFor("conversation", table, [{ kind: "inbound", from: CZ, at: new Date("nope") }]),
    ).toThrow(RangeError);
  });
});

describe("projectedCost", () => {
  it.each<{
    name: string;
    model: PricingModel;
    history: WhatsAppEvent[];
    next: { hours: number; category: TemplateCategory; to?: string };
    micros: number;
  }>([
    {
      name: "no history: a new business-initiated window",
      model: "conversation",
      history: [],
      next: { hours: 0, category: "marketing" },
      micros: czPrices.businessInitiatedMicros,
    },
    {
      name: "inside an open window: free",
      model: "conversation",
      history: [sent("a", 0)],
      next: { hours: 20, category: "marketing" },
      micros: 0,
    },
    {
      name: "after the window closed: a new window",
      model: "conversation",
      history: [sent("a", 0)],
      next: { hours: 25, category: "marketing" },
      micros: czPrices.businessInitiatedMicros,
    },
    {
      name: "the only earlier message was undelivered: a new window",
      model: "conversation",
      history: [failed("a", 0)],
      next: { hours: 1, category: "marketing" },
      micros: czPrices.businessInitiatedMicros,
    },
    {
      name: "another recipient's window does not cover this one",
      model: "conversation",
      history: [sent("a", 0, { to: US })],
      next: { hours: 1, category: "marketing" },
      micros: czPrices.businessInitiatedMicros,
    },
    {
      name: "replying to the customer: a user-initiated window",
      model: "conversation",
      history: [received(0)],
      next: { hours: 2, category: "service" },
      micros: czPrices.userInitiatedMicros,
    },
    {
      name: "history after the next message is ignored",
      model: "conversation",
      history: [sent("later", 10)],
      next: { hours: 5, category: "marketing" },
      micros: czPrices.businessInitiatedMicros,
    },
    {
      name: "per message: marketing inside the customer-service window is charged",
      model: "per_message",
      history: [received(0)],
      next: { hours: 1, category: "marketing" },
      micros: czPrices.marketingMicros,
    },
    {
      name: "per message: utility inside the customer-service window is free",
      model: "per_message",
      history: [received(0)],
      next: { hours: 1, category: "utility" },
      micros: 0,
    },
    {
      name: "per message: utility outside the customer-service window is charged",
      model: "per_message",
      history: [received(0)],
      next: { hours: 25, category: "utility", to: UK },
      micros: ukPrices.utilityMicros,
    },
    {
      name: "per message: a service reply is free",
      model: "per_message",
      history: [received(0)],
      next: { hours: 1, category: "service" },
      micros: 0,
    },
  ])("$name", ({ model, history, next, micros }) => {
    const cost = projectedCost(model, table, history, {
      to: next.to ?? CZ,
      at: at(next.hours),
      category: next.category,
    });
    expect(cost).toBe(micros);
  });
});

describe("sumByMonth", () => {
  // 2025-01-31 23:30 UTC is already February in Prague (UTC+1) but still January in New York.
  const charges = [
    { at: new Date("2025-01-15T12:00:00Z"), micros: 1_000 },
    { at: new Date("2025-01-31T23:30:00Z"), micros: 20_000 },
    { at: new Date("2025-02-01T03:00:00Z"), micros: 300_000 },
    { at: new Date("2025-02-14T12:00:00Z"), micros: 4_000_000 },
  ];
  it.each([
    {
      timeZone: "UTC",
      expected: [
        ["2025-01", 21_000],
        ["2025-02", 4_300_000],
      ],
    },
    {
      timeZone: "Europe/Prague",
      expected: [
        ["2025-01", 1_000],
        ["2025-02", 4_320_000],
      ],
    },
    {
      timeZone: "America/New_York",
      expected: [
        ["2025-01", 321_000],
        ["2025-02", 4_000_000],
      ],
    },
  ])("in $timeZone", ({ timeZone, expected }) => {
    expect([...sumByMonth(charges, timeZone)]).toEqual(expected);
    expect([...sumByMonth([...charges].reverse(), timeZone)]).toEqual(expected);
  });

  it("sums real charges and rejects an unknown time zone", () => {
    const real = chargesFor("conversation", table, [sent("a", 0), sent("b", 30, { to: UK })]);
    expect([...sumByMonth(real, "Europe/Prague")]).toEqual([
      ["2025-03", czPrices.businessInitiatedMicros + ukPrices.businessInitiatedMicros],
    ]);
    expect(() => sumByMonth(real, "Mars/Olympus_Mons")).toThrow(RangeError);
  });
});

describe("rate table validation", () => {
  const valid = {
    currency: "USD",
    rates: [
      { callingCode: "420", ...czPrices },
      { callingCode: "44", ...ukPrices },
    ],
    fallback: fallbackPrices,
  };

  it("accepts a valid table, normalising +44 and usd", () => {
    const parsed = parseRateTable({
      ...valid,
      currency: "usd",
      rates: [{ callingCode: "+44", ...ukPrices }],
    });
    expect(parsed.currency).toBe("USD");
    expect(parsed.rates[0]?.callingCode).toBe("44");
  });

  const withRow = (row: Record<string, unknown>) => ({ ...valid, rates: [valid.rates[0], row] });
  it.each<{ name: string; input: unknown; problems: string[] }>([
    {
      name: "a calling code with 5 digits",
      input: withRow({ ...ukPrices, callingCode: "12345" }),
      problems: ["Row 2 (+12345): the calling code must be 1 to 4 digits, for example 420, 1 or 44"],
    },
    {
      name: "a calling code with letters",
      input: withRow({ ...ukPrices, callingCode: "4a" }),
      problems: ["Row 2 (+4a): the calling code must be 1 to 4 digits, for example 420, 1 or 44"],
    },
    {
      name: "an empty calling code",
      input: withRow({ ...ukPrices, callingCode: "" }),
      problems: ["Row 2 (+): the calling code must be 1 to 4 digits, for example 420, 1 or 44"],
    },
    {
      name: "a calling code listed twice",
      input: withRow({ ...ukPrices, callingCode: "+420" }),
      problems: ["Row 2 (+420): calling code +420 is already listed in row 1"],
    },
    {
      name: "a negative price",
      input: withRow({ ...ukPrices, callingCode: "44", marketingMicros: -1 }),
      problems: ["Row 2 (+44): the marketing message price cannot be negative"],
    },
    {
      name: "a fractional price",
      input: withRow({ ...ukPrices, callingCode: "44", utilityMicros: 0.5 }),
      problems: [
        "Row 2 (+44): the utility message price must be a whole number of micros (1 USD = 1,000,000 micros)",
      ],
    },
    {
      name: "a price written as text",
      input: withRow({ ...ukPrices, callingCode: "44", authenticationMicros: "1000" }),
      problems: ["Row 2 (+44): the authentication message price must be a number"],
    },
    {
      name: "a missing price",
      input: { ...valid, fallback: { ...fallbackPrices, userInitiatedMicros: undefined } },
      problems: ["Fallback rate: the user-initiated conversation price is missing"],
    },
    {
      name: "no fallback rate",
      input: { currency: "USD", rates: valid.rates },
      problems: ["Fallback rate: the fallback rate is missing (it prices numbers no row matches)"],
    },
    {
      name: "a misspelt field",
      input: withRow({ ...ukPrices, callingCode: "44", marketingMicro: 1 }),
      problems: ["Row 2 (+44): unknown field marketingMicro"],
    },
    {
      name: "a bad currency",
      input: { ...valid, currency: "dollars" },
      problems: ["Currency: the currency must be a 3-letter code such as USD"],
    },
    {
      name: "not a table at all",
      input: "USD 0.05",
      problems: ["Table: the rate table must be an object"],
    },
    {
      name: "several problems at once, all listed",
      input: {
        ...valid,
        rates: [
          { callingCode: "12345", ...czPrices },
          { callingCode: "44", ...ukPrices, businessInitiatedMicros: -5 },
          { callingCode: "44", ...ukPrices },
        ],
      },
      problems: [
        "Row 1 (+12345): the calling code must be 1 to 4 digits, for example 420, 1 or 44",
        "Row 2 (+44): the business-initiated conversation price cannot be negative",
        "Row 3 (+44): calling code +44 is already listed in row 2",
      ],
    },
  ])("rejects $name", ({ input, problems }) => {
    let error: unknown;
    try {
      parseRateTable(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RateTableError);
    expect((error as RateTableError).problems).toEqual(problems);
    expect((error as RateTableError).message).toContain(problems[0]);
  });
});
