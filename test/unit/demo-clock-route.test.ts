// GET / POST /demo/clock (server/demo-clock-route.ts): who may use it and what input it takes.
// Over real HTTP a non-loopback client cannot reach a demo server (it binds loopback only), so the
// refusals by address are checked here; test/integration/demo-clock.test.ts covers the rest.
import { describe, expect, it } from "vitest";
import { answerDemoClock, type DemoClockControl, type DemoClockRequest } from "../../server/demo-clock-route";

function stubClock(start = "2026-12-01T08:00:00.000Z") {
  let now = Date.parse(start);
  const calls = { refresh: 0, advance: [] as number[] };
  const clock: DemoClockControl = {
    now: () => new Date(now),
    speed: 600,
    refresh: async () => {
      calls.refresh += 1;
    },
    advance: async (minutes) => {
      calls.advance.push(minutes);
      now += minutes * 60_000;
      return new Date(now);
    },
  };
  return { clock, calls };
}

function request(overrides: Partial<DemoClockRequest> & { json?: unknown } = {}): DemoClockRequest {
  const { json, ...rest } = overrides;
  return {
    method: "POST",
    remoteAddress: "127.0.0.1",
    host: "127.0.0.1:3000",
    origin: undefined,
    body: Buffer.from(json === undefined ? "" : JSON.stringify(json)),
    ...rest,
  };
}

describe("/demo/clock", () => {
  it("GET reloads the shared anchor and answers the time and speed", async () => {
    const { clock, calls } = stubClock();
    const answer = await answerDemoClock(clock, request({ method: "GET" }));
    expect(answer).toEqual({ status: 200, body: { now: "2026-12-01T08:00:00.000Z", speed: 600 } });
    expect(calls.refresh).toBe(1);
  });

  it("POST advances by whole minutes and answers the new time", async () => {
    const { clock, calls } = stubClock();
    const answer = await answerDemoClock(clock, request({ json: { advanceMinutes: 90 } }));
    expect(answer).toEqual({ status: 200, body: { now: "2026-12-01T09:30:00.000Z", speed: 600 } });
    expect(calls.advance).toEqual([90]);
  });

  it.each([
    ["::1", "[::1]:3000"],
    ["::ffff:127.0.0.1", "localhost:3000"],
    ["127.0.0.1", "127.0.0.1"],
  ])("answers a loopback client %s (Host %s)", async (remoteAddress, host) => {
    const { clock } = stubClock();
    expect((await answerDemoClock(clock, request({ method: "GET", remoteAddress, host }))).status).toBe(200);
  });

  it.each([
    { remoteAddress: "192.168.1.20" },
    { remoteAddress: "10.0.0.1" },
    { remoteAddress: "::ffff:10.0.0.1" },
    { remoteAddress: undefined },
    // DNS rebinding: a loopback peer, but a page of another site's name.
    { host: "attacker.example:3000" },
    { host: undefined },
    // A cross-site form or fetch from a browser on this machine.
    { origin: "https://attacker.example" },
    { origin: "null" },
  ])("refuses %o with 403 and changes nothing", async (overrides) => {
    for (const method of ["GET", "POST"]) {
      const { clock, calls } = stubClock();
      const answer = await answerDemoClock(
        clock,
        request({ method, json: { advanceMinutes: 5 }, ...overrides }),
      );
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual({ error: "the demo clock answers requests from this machine only" });
      expect(calls).toEqual({ refresh: 0, advance: [] });
    }
  });

  it("accepts a page served from the demo itself (a loopback Origin)", async () => {
    const { clock } = stubClock();
    const answer = await answerDemoClock(
      clock,
      request({ json: { advanceMinutes: 1 }, origin: "http://127.0.0.1:3000" }),
    );
    expect(answer.status).toBe(200);
  });

  it.each([
    ["no body", ""],
    ["not JSON", "advanceMinutes=5"],
    ["an array", "[5]"],
    ["zero", '{"advanceMinutes":0}'],
    ["negative", '{"advanceMinutes":-10}'],
    ["a fraction", '{"advanceMinutes":1.5}'],
    ["a string", '{"advanceMinutes":"60"}'],
    ["more than a year", '{"advanceMinutes":525601}'],
    ["missing", "{}"],
    ["an unknown field", '{"advanceMinutes":5,"speed":0}'],
  ])("answers %s with 400, a message naming the expected body, and no advance", async (_label, body) => {
    const { clock, calls } = stubClock();
    const answer = await answerDemoClock(clock, request({ body: Buffer.from(body) }));
    expect(answer.status).toBe(400);
    expect("error" in answer.body && answer.body.error).toMatch(
      /"advanceMinutes": N\} with N a whole number from 1 to 525600/,
    );
    expect(calls.advance).toEqual([]);
  });
});
