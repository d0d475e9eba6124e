// Demo mode only: four presets of the flow library are live in the demo shop, so the replayed
// store shows the flow engine at work on the demo's fast clock — abandoned checkouts get their
// reminders, new customers a welcome, buyers a thank-you, and lapsing customers a win-back — in
// English or Czech by the shopper's language. Later runs keep the flows as the merchant left them.
import type { Database } from "../db/client";
import { turnOnPreset } from "../flows/preset-flows";

export const demoPresets = ["abandoned-checkout", "welcome", "post-purchase-thank-you", "win-back"] as const;

/** Turns the demo's presets on the first time; returns the names of the flows it turned on. */
export async function ensureDemoFlows(db: Database, shopId: string, now: Date): Promise<string[]> {
  if ((await db.flow.count({ where: { shopId } })) > 0) return [];
  const names: string[] = [];
  for (const presetId of demoPresets) {
    names.push((await turnOnPreset(db, { shopId, presetId, staff: "demo merchant", now })).name);
  }
  return names;
}
