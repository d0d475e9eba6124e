// Send rules for flow messages: quiet hours across time zones and DST nights, the marketing
// frequency cap, and the merchant's channel fallback chain. All instants are written with explicit
// offsets so each expectation can be checked against a calendar.
import { describe, expect, it } from "vitest";
import {
  capCheck,
  channelOrderSchema,
  defaultFrequencyCap,
  defaultQuietHours,
  deliveryDeadline,
  nextAllowedSendTime,
  pickChannel,
  quietHoursSchema,
  type QuietHours,
  type RecipientReach,
  type TriedChannel,
} from "../../app/messaging/send-rules";
import { type Channel } from "../../app/messaging/channels";

const iso = (value: string) => new Date(value).toISOString();

describe("nextAllowedSendTime", () => {
  const night: QuietHours = { start: "21:00", end: "08:00" };

  it("defaults to 21:00–08:00", () => {
    expect(defaultQuietHours).toEqual({ start: "21:00", end: "08:00" });
  });

  it.each([
    // zone, at, expected
    ["Europe/Prague", "2026-06-10T20:59:59+02:00", "2026-06-10T20:59:59+02:00"],
    ["Europe/Prague", "2026-06-10T21:00:00+02:00", "2026-06-11T08:00:00+02:00"],
    ["Europe/Prague", "2026-06-10T23:45:00+02:00", "2026-06-11T08:00:00+02:00"],
    ["Europe/Prague", "2026-06-11T00:00:00+02:00", "2026-06-11T08:00:00+02:00"],
    ["Europe/Prague", "2026-06-11T07:59:59.999+02:00", "2026-06-11T08:00:00+02:00"],
    ["Europe/Prague", "2026-06-11T08:00:00+02:00", "2026-06-11T08:00:00+02:00"],
    ["Europe/Prague", "2026-06-11T12:00:00+02:00", "2026-06-11T12:00:00+02:00"],
    ["Europe/Prague", "2026-01-15T22:00:00+01:00", "2026-01-16T08:00:00+01:00"],
    ["America/New_York", "2026-06-10T20:59:00-04:00", "2026-06-10T20:59:00-04:00"],
    ["America/New_York", "2026-06-10T21:00:00-04:00", "2026-06-11T08:00:00-04:00"],
    ["America/New_York", "2026-06-11T03:00:00-04:00", "2026-06-11T08:00:00-04:00"],
    ["America/New_York", "2026-06-11T08:00:00-04:00", "2026-06-11T08:00:00-04:00"],
    ["America/New_York", "2026-12-31T23:30:00-05:00", "2027-01-01T08:00:00-05:00"],
    ["Asia/Kolkata", "2026-06-10T20:59:00+05:30", "2026-06-10T20:59:00+05:30"],
    ["Asia/Kolkata", "2026-06-10T21:00:00+05:30", "2026-06-11T08:00:00+05:30"],
    ["Asia/Kolkata", "2026-06-10T15:45:00Z", "2026-06-11T02:30:00Z"],
    ["Asia/Kolkata", "2026-06-11T07:59:00+05:30", "2026-06-11T08:00:00+05:30"],
    ["Asia/Kolkata", "2026-06-11T08:00:00+05:30", "2026-06-11T08:00:00+05:30"],
    ["Australia/Sydney", "2026-06-10T21:00:00+10:00", "2026-06-11T08:00:00+10:00"],
    ["Australia/Sydney", "2026-06-11T08:00:00+10:00", "2026-06-11T08:00:00+10:00"],
    ["Australia/Sydney", "2026-01-15T23:00:00+11:00", "2026-01-16T08:00:00+11:00"],
    ["Australia/Sydney", "2026-01-15T20:00:00+11:00", "2026-01-15T20:00:00+11:00"],
  ])("%s: at %s → %s (21:00 is quiet, 08:00 is allowed)", (zone, at, expected) => {
    expect(nextAllowedSendTime(new Date(at), night, zone, "UTC").toISOString()).toBe(iso(expected));
  });

  it.each([
    // DST nights, both directions; the end is in the offset that applies at 08:00, not at `at`.
    ["Europe/Prague", "2026-03-28T22:30:00+01:00", "2026-03-29T08:00:00+02:00"],
    ["Europe/Prague", "2026-03-29T01:30:00+01:00", "2026-03-29T08:00:00+02:00"],
    ["Europe/Prague", "2026-03-29T03:30:00+02:00", "2026-03-29T08:00:00+02:00"],
    ["Europe/Prague", "2026-10-24T23:00:00+02:00", "2026-10-25T08:00:00+01:00"],
    ["Europe/Prague", "2026-10-25T02:30:00+02:00", "2026-10-25T08:00:00+01:00"],
    ["Europe/Prague", "2026-10-25T02:30:00+01:00", "2026-10-25T08:00:00+01:00"],
    ["America/New_York", "2026-03-07T23:00:00-05:00", "2026-03-08T08:00:00-04:00"],
    ["America/New_York", "2026-10-31T22:00:00-04:00", "2026-11-01T08:00:00-05:00"],
    ["America/New_York", "2026-11-01T01:30:00-04:00", "2026-11-01T08:00:00-05:00"],
    ["America/New_York", "2026-11-01T01:30:00-05:00", "2026-11-01T08:00:00-05:00"],
    ["Australia/Sydney", "2026-04-04T22:00:00+11:00", "2026-04-05T08:00:00+10:00"],
    ["Australia/Sydney", "2026-10-03T22:00:00+10:00", "2026-10-04T08:00:00+11:00"],
  ])("%s DST night: at %s → %s", (zone, at, expected) => {
    expect(nextAllowedSendTime(new Date(at), night, zone, "UTC").toISOString()).toBe(iso(expected));
  });

  it.each([
    // End "02:30" does not exist on spring-forward nights: the first instant after the gap (03:00).
    ["Europe/Prague", "2026-03-28T23:00:00+01:00", "2026-03-29T03:00:00+02:00"],
    ["Europe/Prague", "2026-03-29T01:59:59+01:00", "2026-03-29T03:00:00+02:00"],
    ["America/New_York", "2026-03-07T22:00:00-05:00", "2026-03-08T03:00:00-04:00"],
    ["Australia/Sydney", "2026-10-03T23:00:00+10:00", "2026-10-04T03:00:00+11:00"],
    // End "02:30" happens twice on fall-back nights: the first occurrence not before `at`.
    ["Europe/Prague", "2026-10-24T22:00:00+02:00", "2026-10-25T02:30:00+02:00"],
    ["Europe/Prague", "2026-10-25T02:10:00+01:00", "2026-10-25T02:30:00+01:00"],
    ["Europe/Prague", "2026-10-25T02:45:00+02:00", "2026-10-25T02:45:00+02:00"],
  ])("%s, quiet 21:00–02:30: at %s → %s", (zone, at, expected) => {
    const quiet = { start: "21:00", end: "02:30" };
    expect(nextAllowedSendTime(new Date(at), quiet, zone, "UTC").toISOString()).toBe(iso(expected));
  });

  it.each([
    // at, recipient zone, shop zone, expected
    // 18:00Z is 20:00 in Prague (allowed) and 23:30 in Kolkata (quiet).
    ["2026-06-10T18:00:00Z", "Asia/Kolkata", "Europe/Prague", "2026-06-11T08:00:00+05:30"],
    ["2026-06-10T18:00:00Z", null, "Europe/Prague", "2026-06-10T18:00:00Z"],
    ["2026-06-10T18:00:00Z", "", "Europe/Prague", "2026-06-10T18:00:00Z"],
    ["2026-06-10T18:00:00Z", null, "Asia/Kolkata", "2026-06-11T08:00:00+05:30"],
    // 02:00Z is 22:00 in New York (quiet) and 04:00 in Prague (quiet, ends at 08:00 Prague).
    ["2026-06-11T02:00:00Z", "Europe/Prague", "America/New_York", "2026-06-11T08:00:00+02:00"],
    ["2026-06-11T02:00:00Z", null, "America/New_York", "2026-06-11T08:00:00-04:00"],
    // 13:00Z is 09:00 in New York (allowed) and 23:00 in Sydney (quiet).
    ["2026-06-11T13:00:00Z", "America/New_York", "Australia/Sydney", "2026-06-11T13:00:00Z"],
    ["2026-06-11T13:00:00Z", null, "Australia/Sydney", "2026-06-12T08:00:00+10:00"],
  ])("at %s, recipient zone %s, shop zone %s → %s", (at, recipientZone, shopZone, expected) => {
    expect(nextAllowedSendTime(new Date(at), night, recipientZone, shopZone).toISOString()).toBe(
      iso(expected),
    );
  });

  it.each([
    // Non-wrapping quiet hours 13:00–14:00.
    ["2026-06-10T12:59:59+02:00", "2026-06-10T12:59:59+02:00"],
    ["2026-06-10T13:00:00+02:00", "2026-06-10T14:00:00+02:00"],
    ["2026-06-10T13:30:00+02:00", "2026-06-10T14:00:00+02:00"],
    ["2026-06-10T14:00:00+02:00", "2026-06-10T14:00:00+02:00"],
    ["2026-06-10T22:00:00+02:00", "2026-06-10T22:00:00+02:00"],
    ["2026-06-10T03:00:00+02:00", "2026-06-10T03:00:00+02:00"],
  ])("quiet 13:00–14:00 in Prague: at %s → %s", (at, expected) => {
    const quiet = { start: "13:00", end: "14:00" };
    expect(nextAllowedSendTime(new Date(at), quiet, "Europe/Prague", "UTC").toISOString()).toBe(
      iso(expected),
    );
  });

  it.each(["2026-06-10T21:00:00+02:00", "2026-06-10T03:00:00+02:00", "2026-06-10T08:00:00+02:00"])(
    "start === end means no quiet hours (at %s)",
    (at) => {
      const quiet = { start: "08:00", end: "08:00" };
      expect(nextAllowedSendTime(new Date(at), quiet, "Europe/Prague", "UTC").toISOString()).toBe(iso(at));
    },
  );

  it.each([
    [{ start: "24:00", end: "08:00" }],
    [{ start: "8:00", end: "08:00" }],
    [{ start: "21:60", end: "08:00" }],
    [{ start: "21:00", end: "8am" }],
    [{ start: "21:00", end: "" }],
  ])("rejects bad quiet hours %j", (quiet) => {
    expect(quietHoursSchema.safeParse(quiet).success).toBe(false);
    expect(() => nextAllowedSendTime(new Date("2026-06-10T12:00:00Z"), quiet, null, "Europe/Prague")).toThrow(
      /Invalid quiet hours: (start|end): must be a 24-hour time "HH:MM"/,
    );
  });

  it("accepts the edges of the day", () => {
    expect(quietHoursSchema.parse({ start: "23:59", end: "00:00" })).toEqual({
      start: "23:59",
      end: "00:00",
    });
  });

  it.each([
    ["Mars/Olympus_Mons", "Europe/Prague"],
    [null, "Europe/Nowhere"],
    ["Europe/Prague ", "Europe/Prague"],
  ])("rejects an unknown time zone (recipient %s, shop %s)", (recipientZone, shopZone) => {
    expect(() =>
      nextAllowedSendTime(new Date("2026-06-10T12:00:00Z"), night, recipientZone, shopZone),
    ).toThrow(/Unknown time zone "[^"]+" \(expected an IANA name/);
  });

  it("rejects an unknown zone even when there are no quiet hours", () => {
    expect(() =>
      nextAllowedSendTime(new Date("2026-06-10T12:00:00Z"), { start: "08:00", end: "08:00" }, "Nope", "UTC"),
    ).toThrow(/Unknown time zone "Nope"/);
  });

  it("rejects an invalid date", () => {
    expect(() => nextAllowedSendTime(new Date("not a date"), night, null, "UTC")).toThrow(
      /at must be a valid Date/,
    );
  });
});

describe("capCheck", () => {
  const first = new Date("2026-06-10T09:00:00Z"); // e.g. a win-back email
  const hoursAfter = (base: Date, hours: number) => new Date(base.getTime() + hours * 3_600_000);

  it("defaults to one marketing message per 16 hours", () => {
    expect(defaultFrequencyCap).toEqual({ maxMessages: 1, perHours: 16 });
  });

  it.each([
    // hours after the first marketing message (any flow, any channel), expected decision
    [10, { allowed: false, retryAt: new Date("2026-06-11T01:00:00Z") }],
    [0, { allowed: false, retryAt: new Date("2026-06-11T01:00:00Z") }],
    [15.99, { allowed: false, retryAt: new Date("2026-06-11T01:00:00Z") }],
    [16, { allowed: true }],
    [17, { allowed: true }],
  ])("a second marketing message %s h after the first → %j", (hours, expected) => {
    expect(capCheck(hoursAfter(first, hours), defaultFrequencyCap, [first], "marketing")).toEqual(expected);
  });

  it("allows the first marketing message", () => {
    expect(capCheck(first, defaultFrequencyCap, [], "marketing")).toEqual({ allowed: true });
  });

  it.each([[10], [0]])("exempts transactional messages (%s h after a marketing message)", (hours) => {
    expect(capCheck(hoursAfter(first, hours), defaultFrequencyCap, [first], "transactional")).toEqual({
      allowed: true,
    });
  });

  it("ignores sends recorded after the moment being checked", () => {
    expect(capCheck(first, defaultFrequencyCap, [hoursAfter(first, 1)], "marketing")).toEqual({
      allowed: true,
    });
  });

  const at = new Date("2026-06-10T12:00:00Z");
  const threePerDay = { maxMessages: 3, perHours: 24 };
  it.each([
    // hours before `at` of earlier marketing sends (unordered), expected decision
    [[20, 10], { allowed: true }],
    [[24, 10, 1], { allowed: true }], // the one exactly 24 h ago has left the window
    [[10, 20, 1], { allowed: false, retryAt: new Date("2026-06-10T16:00:00Z") }], // oldest (−20 h) + 24 h
    [[23, 20, 10, 1], { allowed: false, retryAt: new Date("2026-06-10T16:00:00Z") }], // two must leave
    [[30, 23.5, 2, 0], { allowed: false, retryAt: new Date("2026-06-10T12:30:00Z") }], // −23.5 h + 24 h
  ])("a cap of 3 per 24 h with sends %j hours earlier → %j", (hoursBefore, expected) => {
    const sends = hoursBefore.map((hours) => hoursAfter(at, -hours));
    expect(capCheck(at, threePerDay, sends, "marketing")).toEqual(expected);
  });

  it.each([
    [{ maxMessages: 0, perHours: 16 }],
    [{ maxMessages: 1.5, perHours: 16 }],
    [{ maxMessages: 1, perHours: 0 }],
  ])("rejects an invalid cap %j", (cap) => {
    expect(() => capCheck(at, cap, [], "marketing")).toThrow(/Invalid frequency cap/);
  });
});

describe("pickChannel", () => {
  const everywhere: RecipientReach = {
    email: { contact: "jana@example.com", consent: "subscribed" },
    sms: { contact: "+420601123456", consent: "subscribed" },
    whatsapp: { contact: "+420601123456", consent: "subscribed" },
  };
  const reach = (overrides: Partial<RecipientReach>): RecipientReach => ({ ...everywhere, ...overrides });
  const emailSmsWhatsapp: Channel[] = ["email", "sms", "whatsapp"];

  it.each<[string, Channel[], RecipientReach, TriedChannel[], Channel, string]>([
    ["email first when it can be used", emailSmsWhatsapp, everywhere, [], "email", "jana@example.com"],
    [
      "SMS when email has no consent",
      emailSmsWhatsapp,
      reach({ email: { contact: "jana@example.com", consent: "unsubscribed" } }),
      [],
      "sms",
      "+420601123456",
    ],
    [
      "SMS when there is no email address",
      emailSmsWhatsapp,
      reach({ email: { contact: null, consent: "subscribed" } }),
      [],
      "sms",
      "+420601123456",
    ],
    [
      "WhatsApp when email has no contact and SMS consent is pending",
      emailSmsWhatsapp,
      reach({
        email: { contact: null, consent: "not_subscribed" },
        sms: { contact: "+420601123456", consent: "pending" },
        whatsapp: { contact: "+420777000111", consent: "subscribed" },
      }),
      [],
      "whatsapp",
      "+420777000111",
    ],
    [
      "SMS after email failed",
      emailSmsWhatsapp,
      everywhere,
      [{ channel: "email", outcome: "failed" }],
      "sms",
      "+420601123456",
    ],
    [
      "WhatsApp after email failed and SMS was not delivered in time",
      emailSmsWhatsapp,
      everywhere,
      [
        { channel: "email", outcome: "failed" },
        { channel: "sms", outcome: "not_delivered_in_time" },
      ],
      "whatsapp",
      "+420601123456",
    ],
    [
      "WhatsApp first in the merchant's order",
      ["whatsapp", "email", "sms"],
      everywhere,
      [],
      "whatsapp",
      "+420601123456",
    ],
    [
      "email after WhatsApp in a WhatsApp-first order",
      ["whatsapp", "email", "sms"],
      everywhere,
      [{ channel: "whatsapp", outcome: "failed" }],
      "email",
      "jana@example.com",
    ],
    [
      "SMS before email in an SMS-first subset",
      ["sms", "email"],
      reach({ sms: { contact: "+420601123456", consent: "subscribed" } }),
      [],
      "sms",
      "+420601123456",
    ],
  ])("marketing: %s", (_name, order, recipient, tried, channel, to) => {
    expect(pickChannel(order, recipient, "marketing", tried)).toEqual({ channel, to });
  });

  it.each<[string, RecipientReach, TriedChannel[], Channel, string]>([
    [
      "uses email without consent",
      reach({ email: { contact: "jana@example.com", consent: "unsubscribed" } }),
      [],
      "email",
      "jana@example.com",
    ],
    [
      "still skips channels without a contact",
      reach({
        email: { contact: null, consent: "subscribed" },
        sms: { contact: "  ", consent: "subscribed" },
        whatsapp: { contact: "+420777000111", consent: "not_subscribed" },
      }),
      [],
      "whatsapp",
      "+420777000111",
    ],
    [
      "still skips channels already tried",
      reach({ sms: { contact: "+420601123456", consent: "pending" } }),
      [{ channel: "email", outcome: "not_delivered_in_time" }],
      "sms",
      "+420601123456",
    ],
  ])("transactional: %s", (_name, recipient, tried, channel, to) => {
    expect(pickChannel(emailSmsWhatsapp, recipient, "transactional", tried)).toEqual({ channel, to });
  });

  it("lists why each channel was passed over when nothing is left", () => {
    const recipient = reach({
      sms: { contact: null, consent: "subscribed" },
      whatsapp: { contact: "+420601123456", consent: "not_subscribed" },
    });
    expect(
      pickChannel(emailSmsWhatsapp, recipient, "marketing", [{ channel: "email", outcome: "failed" }]),
    ).toEqual({
      channel: null,
      reasons: [
        { channel: "email", reason: "failed" },
        { channel: "sms", reason: "no_contact" },
        { channel: "whatsapp", reason: "no_consent" },
      ],
    });
  });

  it("lists only the merchant's channels, in their order, when all were tried", () => {
    const tried: TriedChannel[] = [
      { channel: "sms", outcome: "not_delivered_in_time" },
      { channel: "whatsapp", outcome: "failed" },
    ];
    expect(pickChannel(["whatsapp", "sms"], everywhere, "transactional", tried)).toEqual({
      channel: null,
      reasons: [
        { channel: "whatsapp", reason: "failed" },
        { channel: "sms", reason: "not_delivered_in_time" },
      ],
    });
  });

  it.each<[Channel[]]>([[["email", "sms", "email"]], [[]]])("rejects an invalid order %j", (order) => {
    expect(channelOrderSchema.safeParse(order).success).toBe(false);
    expect(() => pickChannel(order, everywhere, "marketing", [])).toThrow(/Invalid channel order/);
  });

  it.each([[["email"]], [["whatsapp", "sms"]], [["sms", "whatsapp", "email"]]])(
    "accepts the order %j",
    (order) => {
      expect(channelOrderSchema.parse(order)).toEqual(order);
    },
  );

  it("rejects an unknown channel", () => {
    expect(channelOrderSchema.safeParse(["email", "push"]).success).toBe(false);
  });
});

describe("deliveryDeadline", () => {
  it.each([
    ["2026-06-10T12:00:00Z", 30, "2026-06-10T12:30:00Z"],
    ["2026-06-10T23:50:00+02:00", 15, "2026-06-11T00:05:00+02:00"],
    ["2026-10-25T02:50:00+02:00", 20, "2026-10-25T02:10:00+01:00"], // elapsed time, not wall time
  ])("a message sent at %s waiting %s min is late after %s", (sentAt, minutes, expected) => {
    expect(deliveryDeadline(new Date(sentAt), minutes).toISOString()).toBe(iso(expected));
  });

  it.each([[0], [-5], [Number.NaN]])("rejects a wait of %s minutes", (minutes) => {
    expect(() => deliveryDeadline(new Date("2026-06-10T12:00:00Z"), minutes)).toThrow(/waitMinutes/);
  });
});
