// The browser tests' setting: `npm run demo` (already built) on a free loopback port with its own
// SQLite file, and headless Chromium to drive it.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { launchBrowser } from "./browser";
import { runProcess, waitForOutput, type RunningProcess } from "./processes";

export interface DemoInBrowser {
  baseUrl: string;
  /** The demo's SQLite database, for checking what the pages saved. */
  databaseUrl: string;
  demo: RunningProcess;
  browser: Browser;
  close(): Promise<void>;
}

export async function startDemoInBrowser(name: string): Promise<DemoInBrowser> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), `stayloop-e2e-${name}-`));
  const databaseUrl = `file:${path.join(scratch, "demo.sqlite")}`;
  const demo = runProcess(path.join("node_modules", ".bin", "tsx"), ["scripts/demo.ts", "--skip-build"], {
    PORT: "0",
    DEMO_DATABASE_URL: databaseUrl,
  });
  const [, baseUrl = ""] = await waitForOutput(demo, /"url":"(http:\/\/127\.0\.0\.1:\d+)"/, 60_000);
  const browser = await launchBrowser();
  return {
    baseUrl,
    databaseUrl,
    demo,
    browser,
    async close() {
      await browser.close();
      await demo.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
