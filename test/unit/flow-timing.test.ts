// When a wait step ends: after a number of minutes, or at the next given time of day (on given ISO
// weekdays) on the wall clock of the recipient's zone — the shop's when the recipient's is unknown,
// or when the step asks for the shop's. Across DST: a skipped time (spring forward) becomes the first
// instant after the gap, a repeated time (fall back) its first occurrence.
import { describe, expect, it } from "vitest";
import { waitStepSchema, type WaitStep } from "../../app/flows/definition";
import { waitEndsAt, waitZone } from "../../app/flows/timing";

const newYork = "America/New_York";
const prague = "Europe/Prague";

function wait(step: Record<string, unknown>): WaitStep {
  return waitStepSchema.parse({ id: "wait", type: "wait", next: null, ...step });
}

function until(time: string, weekdays?: number[], zone?: "recipient" | "shop"): WaitStep {
  return wait({ until: { time, ...(weekdays ? { weekdays } : {}), ...(zone ? { zone } : {}) } });
}

const at = (iso: string) => new Date(iso);

describe("waitEndsAt with minutes", () => {
  it("adds the minutes to now, whatever the zone", () => {
    const now = at("2026-01-09T22:00:00.000Z");
    expect(waitEndsAt(wait({ minutes: 60 }), now, newYork).toISOString()).toBe("2026-01-09T23:00:00.000Z");
    expect(waitEndsAt(wait({ minutes: 1 }), now, prague).toISOString()).toBe("2026-01-09T22:01:00.000Z");
    expect(waitEndsAt(wait({ minutes: 3 * 24 * 60 }), now, newYork).toISOString()).toBe(
      "2026-01-12T22:00:00.000Z",
    );
  });

  it("is elapsed time across a DST change (24 h of minutes is not 'same time tomorrow')", () => {
    // 2026-03-07 12:00 EST → 24 h later is 2026-03-08 13:00 EDT.
    expect(waitEndsAt(wait({ minutes: 24 * 60 }), at("2026-03-07T17:00:00Z"), newYork).toISOString()).toBe(
      "2026-03-08T17:00:00.000Z",
    );
  });

  it("refuses a step with neither minutes nor until", () => {
    const broken: WaitStep = { id: "broken", type: "wait", from: "step", next: null };
    expect(() => waitEndsAt(broken, at("2026-01-09T22:00:00Z"), newYork)).toThrow(/broken/);
  });
});

describe("waitEndsAt until a time of day", () => {
  it("from Friday 17:00 in New York until 09:00 on weekdays → Monday 09:00 local", () => {
    // 2026-01-09 is a Friday; EST is UTC−5. Monday 2026-01-12 09:00 EST = 14:00Z.
    const fridayEvening = at("2026-01-09T22:00:00Z");
    expect(waitEndsAt(until("09:00", [1, 2, 3, 4, 5]), fridayEvening, newYork).toISOString()).toBe(
      "2026-01-12T14:00:00.000Z",
    );
  });

  it("keeps 09:00 local across a weekend that changes the clocks", () => {
    // Friday 2026-03-06 17:00 EST (22:00Z); DST starts on Sunday 03-08. Monday 09:00 EDT = 13:00Z.
    expect(
      waitEndsAt(until("09:00", [1, 2, 3, 4, 5]), at("2026-03-06T22:00:00Z"), newYork).toISOString(),
    ).toBe("2026-03-09T13:00:00.000Z");
  });

  it("ends later today when the time has not passed yet", () => {
    // Friday 2026-01-09 08:00 EST (13:00Z) → 09:00 EST the same day.
    expect(waitEndsAt(until("09:00"), at("2026-01-09T13:00:00Z"), newYork).toISOString()).toBe(
      "2026-01-09T14:00:00.000Z",
    );
    expect(waitEndsAt(until("09:00", [5]), at("2026-01-09T13:00:00Z"), newYork).toISOString()).toBe(
      "2026-01-09T14:00:00.000Z",
    );
  });

  it("ends tomorrow when the time has already passed today (or is now)", () => {
    // Friday 2026-01-09 10:00 EST (15:00Z) → Saturday 09:00 EST.
    expect(waitEndsAt(until("09:00"), at("2026-01-09T15:00:00Z"), newYork).toISOString()).toBe(
      "2026-01-10T14:00:00.000Z",
    );
    // Exactly 09:00: the wait ends after now, so tomorrow.
    expect(waitEndsAt(until("09:00"), at("2026-01-09T14:00:00Z"), newYork).toISOString()).toBe(
      "2026-01-10T14:00:00.000Z",
    );
  });

  it("uses the zone's date, not the UTC date", () => {
    // 2026-01-10 03:00Z is still Friday 22:00 in New York: 23:30 that evening is later today.
    expect(waitEndsAt(until("23:30"), at("2026-01-10T03:00:00Z"), newYork).toISOString()).toBe(
      "2026-01-10T04:30:00.000Z",
    );
    // …and in Prague it is Saturday 04:00: 09:00 CET today = 08:00Z.
    expect(waitEndsAt(until("09:00"), at("2026-01-10T03:00:00Z"), prague).toISOString()).toBe(
      "2026-01-10T08:00:00.000Z",
    );
  });

  it("waits up to a week for the only allowed weekday", () => {
    // Friday 2026-01-09 10:00 EST, Fridays only, 09:00 → the next Friday.
    expect(waitEndsAt(until("09:00", [5]), at("2026-01-09T15:00:00Z"), newYork).toISOString()).toBe(
      "2026-01-16T14:00:00.000Z",
    );
    // Sundays only (7) → Sunday 2026-01-11.
    expect(waitEndsAt(until("09:00", [7]), at("2026-01-09T15:00:00Z"), newYork).toISOString()).toBe(
      "2026-01-11T14:00:00.000Z",
    );
  });

  it("spring forward: 02:30 on 2026-03-08 in New York does not exist → 03:00 EDT (07:00Z)", () => {
    // Clocks jump from 02:00 EST (07:00Z) to 03:00 EDT.
    expect(waitEndsAt(until("02:30"), at("2026-03-08T05:00:00Z"), newYork).toISOString()).toBe(
      "2026-03-08T07:00:00.000Z",
    );
  });

  it("fall back: 01:30 on 2026-11-01 in New York occurs twice → the first (01:30 EDT, 05:30Z)", () => {
    // Midnight EDT (04:00Z); 01:30 occurs at 05:30Z (EDT) and again at 06:30Z (EST).
    expect(waitEndsAt(until("01:30"), at("2026-11-01T04:00:00Z"), newYork).toISOString()).toBe(
      "2026-11-01T05:30:00.000Z",
    );
  });

  it("the day after a fall-back is still 09:00 local", () => {
    // Saturday 2026-10-31 12:00 EDT (16:00Z) → Sunday 09:00 EST (14:00Z), 25 h later.
    expect(waitEndsAt(until("09:00"), at("2026-10-31T16:00:00Z"), newYork).toISOString()).toBe(
      "2026-11-01T14:00:00.000Z",
    );
  });
});

describe("waitZone", () => {
  const recipientWait = until("09:00");
  const shopWait = until("09:00", undefined, "shop");

  it("defaults an until-wait to the recipient's zone", () => {
    expect(recipientWait.until?.zone).toBe("recipient");
    expect(waitZone(recipientWait, prague, newYork)).toBe(prague);
  });

  it("falls back to the shop's zone when the recipient's is null or empty", () => {
    expect(waitZone(recipientWait, null, newYork)).toBe(newYork);
    expect(waitZone(recipientWait, "", newYork)).toBe(newYork);
    expect(waitZone(recipientWait, "   ", newYork)).toBe(newYork);
  });

  it("uses the shop's zone when the step says so, even when the recipient's is known", () => {
    expect(waitZone(shopWait, prague, newYork)).toBe(newYork);
    expect(waitZone(shopWait, null, newYork)).toBe(newYork);
  });

  it("gives different end instants for the recipient's and the shop's zone", () => {
    const now = at("2026-01-09T06:00:00Z");
    // Prague 07:00 CET → 09:00 CET = 08:00Z; New York 01:00 EST → 09:00 EST = 14:00Z.
    expect(waitEndsAt(recipientWait, now, waitZone(recipientWait, prague, newYork)).toISOString()).toBe(
      "2026-01-09T08:00:00.000Z",
    );
    expect(waitEndsAt(shopWait, now, waitZone(shopWait, prague, newYork)).toISOString()).toBe(
      "2026-01-09T14:00:00.000Z",
    );
    expect(waitEndsAt(recipientWait, now, waitZone(recipientWait, null, newYork)).toISOString()).toBe(
      "2026-01-09T14:00:00.000Z",
    );
  });
});

describe("waitZone with a zone the runtime does not know", () => {
  it("uses the shop's zone instead of a customer's unknown one", () => {
    const step = {
      id: "w",
      type: "wait" as const,
      from: "step" as const,
      until: { time: "09:00", zone: "recipient" as const },
      next: null,
    };
    expect(waitZone(step, "Mars/Olympus_Mons", "Europe/Prague")).toBe("Europe/Prague");
    expect(waitZone(step, "America/New_York", "Europe/Prague")).toBe("America/New_York");
  });
});
