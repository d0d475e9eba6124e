// Runs Stayloop's own entry points as child processes, the way production and the demo run them.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { projectRoot } from "../../prisma/database.mjs";

export const testShopifyEnv = {
  SHOPIFY_API_KEY: "test-api-key",
  SHOPIFY_API_SECRET: "test-api-secret",
  SHOPIFY_APP_URL: "http://127.0.0.1:3000",
  SCOPES: "read_customers,read_orders",
  LOG_LEVEL: "info",
  STAYLOOP_LINK_SECRET: "test-link-secret-0123456789",
};

export interface RunningProcess {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

export function runProcess(
  command: string,
  args: string[],
  env: Record<string, string | undefined>,
): RunningProcess {
  const child = spawn(command, args, {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

export async function waitForOutput(
  running: RunningProcess,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = running.output().match(pattern);
    if (match) return match;
    if (running.child.exitCode !== null) {
      throw new Error(
        `process exited (${running.child.exitCode}) before printing ${pattern}:\n${running.output()}`,
      );
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${running.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts the built production server (build/server.js) on a free loopback port. */
export async function startWebServer(
  env: Record<string, string | undefined>,
): Promise<RunningProcess & { baseUrl: string }> {
  const running = runProcess(process.execPath, [path.join("build", "server.js")], {
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: "0",
    ...testShopifyEnv,
    ...env,
  });
  const match = await waitForOutput(running, /"url":"(http:\/\/[^"]+)","database"/);
  return { ...running, baseUrl: match[1] ?? "" };
}

/** A TCP port free on 127.0.0.1 right now (for a process whose own URL must be known up front). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== "object" || !address) throw new Error("no port");
  return address.port;
}
