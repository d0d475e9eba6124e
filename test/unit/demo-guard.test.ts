import { describe, expect, it } from "vitest";
import { assertDemoMayRun, DemoRefusedError, isLoopbackHost } from "../../app/demo/guard";

describe("demo guard (R-SEC-4)", () => {
  it.each(["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]", "::ffff:127.0.0.1"])(
    "treats %s as loopback",
    (host) => expect(isLoopbackHost(host)).toBe(true),
  );

  it.each(["0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "example.com", "128.0.0.1", "::ffff:10.0.0.1", ""])(
    "treats %s as reachable from elsewhere",
    (host) => expect(isLoopbackHost(host)).toBe(false),
  );

  it("allows development on loopback", () => {
    expect(() => assertDemoMayRun({ nodeEnv: "development", host: "127.0.0.1" })).not.toThrow();
  });

  it("refuses production even on loopback", () => {
    expect(() => assertDemoMayRun({ nodeEnv: "production", host: "127.0.0.1" })).toThrow(DemoRefusedError);
  });

  it("refuses a non-loopback bind", () => {
    expect(() => assertDemoMayRun({ nodeEnv: "development", host: "0.0.0.0" })).toThrow(/loopback only/);
  });
});
