// The demo clock's arithmetic (app/demo/demo-clock.ts), with a real-time source the test moves.
import { describe, expect, it } from "vitest";
import {
  AnchoredClock,
  assertAdvanceMinutes,
  DemoClockError,
  demoSpeedSchema,
  reanchored,
  simulatedTimeAt,
  type DemoClockAnchor,
} from "../../app/demo/demo-clock";

const start = Date.parse("2026-12-04T10:00:00.000Z");
const simulatedStart = "2026-12-01T08:00:00.000Z";

/** Real time as the test says. */
function realTime(at = start) {
  let now = at;
  return {
    read: () => now,
    pass(milliseconds: number) {
      now += milliseconds;
    },
    set(value: number) {
      now = value;
    },
  };
}

function anchor(speed: number, simulated = simulatedStart, realAt = start): DemoClockAnchor {
  return { simulated: new Date(simulated), realAt: new Date(realAt), speed };
}

const minute = 60_000;
const hour = 60 * minute;

describe("demo clock arithmetic", () => {
  it("speed 0 stands still however much real time passes", () => {
    const real = realTime();
    const clock = new AnchoredClock(anchor(0), real.read);
    expect(clock.now().toISOString()).toBe(simulatedStart);
    real.pass(3 * hour);
    expect(clock.now().toISOString()).toBe(simulatedStart);
  });

  it("speed 600 makes an hour pass in 6 real seconds", () => {
    const real = realTime();
    const clock = new AnchoredClock(anchor(600), real.read);
    real.pass(6_000);
    expect(clock.now().toISOString()).toBe("2026-12-01T09:00:00.000Z");
    real.pass(144_000);
    expect(clock.now().toISOString()).toBe("2026-12-02T09:00:00.000Z");
  });

  it("speed 1 follows real time; fractional speeds round down to the millisecond", () => {
    expect(simulatedTimeAt(anchor(1), start + 1234)).toBe(Date.parse(simulatedStart) + 1234);
    expect(simulatedTimeAt(anchor(0.5), start + 3)).toBe(Date.parse(simulatedStart) + 1);
  });

  it("an advance re-anchors on the time shown plus the minutes, and keeps the speed", () => {
    const real = realTime();
    const first = anchor(600);
    real.pass(1_000); // 10 simulated minutes
    const advanced = reanchored(first, real.read(), { minutes: 90 });
    expect(advanced).toEqual({
      simulated: new Date("2026-12-01T09:40:00.000Z"),
      realAt: new Date(real.read()),
      speed: 600,
    });
    // From there it runs on at the same speed.
    expect(simulatedTimeAt(advanced, real.read() + 6_000)).toBe(Date.parse("2026-12-01T10:40:00.000Z"));
  });

  it("re-anchoring without minutes keeps the same line, so the time shown does not jump", () => {
    const first = anchor(600);
    for (const realMs of [start - 5_000, start + 1, start + 777_777]) {
      const again = reanchored(first, realMs);
      for (const later of [start + 10_000, start + 99_999]) {
        expect(simulatedTimeAt(again, later)).toBe(simulatedTimeAt(first, later));
      }
    }
  });

  it("a speed change re-anchors at the time shown", () => {
    const first = anchor(600);
    const changed = reanchored(first, start + 6_000, { speed: 0 });
    expect(changed.simulated.toISOString()).toBe("2026-12-01T09:00:00.000Z");
    expect(simulatedTimeAt(changed, start + 600_000)).toBe(Date.parse("2026-12-01T09:00:00.000Z"));
  });

  it("two advances made from the same reading both count when applied one after the other", () => {
    const first = anchor(0);
    const one = reanchored(first, start, { minutes: 30 });
    const both = reanchored(one, start + 10, { minutes: 45 });
    expect(both.simulated.toISOString()).toBe("2026-12-01T09:15:00.000Z");
  });

  it("adopting an advanced anchor moves now() forward by the minutes", () => {
    const real = realTime();
    const clock = new AnchoredClock(anchor(0), real.read);
    clock.adopt(reanchored(clock.anchor, real.read(), { minutes: 60 * 24 }));
    expect(clock.now().toISOString()).toBe("2026-12-02T08:00:00.000Z");
  });

  it("never goes backwards: not for an anchor behind the time shown, nor for real time stepping back", () => {
    const real = realTime();
    const clock = new AnchoredClock(anchor(600), real.read);
    real.pass(6_000);
    const shown = clock.now().getTime();
    expect(shown).toBe(Date.parse("2026-12-01T09:00:00.000Z"));

    // Another process's anchor, a few simulated minutes behind: held until time catches up.
    clock.adopt(anchor(600, "2026-12-01T08:55:00.000Z", real.read()));
    expect(clock.now().getTime()).toBe(shown);
    real.pass(1_000); // +10 simulated minutes on the new line: 09:05
    expect(clock.now().toISOString()).toBe("2026-12-01T09:05:00.000Z");

    // The system clock steps back an hour (NTP): the demo clock holds.
    const before = clock.now().getTime();
    real.set(real.read() - hour);
    expect(clock.now().getTime()).toBe(before);

    // Many readings with the real time jittering around: never a smaller value.
    let previous = clock.now().getTime();
    for (let step = 0; step < 1_000; step += 1) {
      real.pass(step % 3 === 0 ? -7 : 5);
      const now = clock.now().getTime();
      expect(now).toBeGreaterThanOrEqual(previous);
      previous = now;
    }
  });

  it("refuses advances that are not a whole number of minutes from 1 to a year", () => {
    for (const minutes of [1, 60, 525_600]) expect(() => assertAdvanceMinutes(minutes)).not.toThrow();
    for (const minutes of [0, -5, 1.5, 525_601, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => assertAdvanceMinutes(minutes)).toThrow(DemoClockError);
    }
  });
});

describe("STAYLOOP_DEMO_SPEED", () => {
  it("defaults to 600 when unset or empty, and reads 0 and fractions", () => {
    expect(demoSpeedSchema.parse(undefined)).toBe(600);
    expect(demoSpeedSchema.parse("")).toBe(600);
    expect(demoSpeedSchema.parse("0")).toBe(0);
    expect(demoSpeedSchema.parse("2.5")).toBe(2.5);
  });

  it.each(["-1", "fast", "1e9", "Infinity"])("refuses %s", (value) => {
    expect(demoSpeedSchema.safeParse(value).success).toBe(false);
  });
});
