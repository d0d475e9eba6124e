// What the provider callback routes do with a verified callback: delivery reports move messages
// on (and fall back on failure), inbound texts are stored (WhatsApp: they open the service window)
// and checked for STOP / START.
import type { Database } from "../db/client";
import { handleInboundText } from "./engagement";
import { recordInboundMessage } from "./inbound-messages";
import { recordDeliveryReport } from "./outbox";
import type { DeliveryReport, InboundText } from "./providers";

export async function applyProviderCallback(
  db: Database,
  callback: DeliveryReport | InboundText,
  now: Date,
): Promise<void> {
  if ("status" in callback) await recordDeliveryReport(db, callback, now);
  else {
    await recordInboundMessage(db, callback);
    await handleInboundText(db, callback, now);
  }
}
