// Headless Debian Chromium driven by playwright-core (scripts/ensure-chromium.mjs installs it).
// playwright-core gives every launch a fresh, temporary profile.
import { chromium, type Browser } from "playwright-core";

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      // Without these Chromium keeps calling home on a closed network.
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
