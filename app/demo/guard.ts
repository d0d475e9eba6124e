// Demo mode serves a fake shop without Shopify authentication, so it may only ever run on this
// machine and never in production (R-SEC-4).
import net from "node:net";

export class DemoRefusedError extends Error {}

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost") return true;
  if (net.isIPv4(bare)) return bare.split(".")[0] === "127";
  if (net.isIPv6(bare)) {
    if (bare === "::1" || bare === "0:0:0:0:0:0:0:1") return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
    return mapped?.[1] !== undefined && isLoopbackHost(mapped[1]);
  }
  return false;
}

export function assertDemoMayRun(settings: { nodeEnv: string; host: string }): void {
  if (settings.nodeEnv === "production") {
    throw new DemoRefusedError(
      "Refusing to start the demo with NODE_ENV=production: demo mode skips Shopify authentication.",
    );
  }
  if (!isLoopbackHost(settings.host)) {
    throw new DemoRefusedError(
      `Refusing to start the demo on ${settings.host}: it binds to loopback only (127.0.0.1, ::1 or localhost).`,
    );
  }
}
