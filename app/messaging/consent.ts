// Marketing consent (R-MSG-4): a marketing message needs the customer's consent for its channel.
// An unsubscribe (link, one-click header, STOP reply) withdraws it at once in Stayloop's copy —
// the next send already sees it — and a "consent.sync" job writes it back to Shopify's customer
// consent through the Admin API (e-mail and SMS; WhatsApp opt-in is Stayloop's own). The latest
// change by time wins, ours or Shopify's (docs/decisions/006-consent-precedence.md): a write-back
// is retried until it lands — a parked job leaves a successor — and one overtaken by a later change
// is not written at all, so an old unsubscribe never overwrites a newer consent at Shopify.
import type { ConsentChange, Customer } from "@prisma/client";
import { z } from "zod";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import { scheduleJobOnce } from "../jobs/schedule";
import type { JobHandler } from "../jobs/worker";
import {
  customerEmailMarketingConsentUpdateMutation,
  customerSmsMarketingConsentUpdateMutation,
} from "../shopify/admin-operations";
import { shopAdminClient, ShopUnavailableError, type AdminClientFactory } from "../shopify/shop-admin";
import type { Channel, ConsentState } from "./channels";

export const consentSyncJobKind = "consent.sync";

export type ConsentSource = "unsubscribe_link" | "one_click" | "stop_keyword" | "start_keyword";

const consentField = {
  email: "emailConsent",
  sms: "smsConsent",
  whatsapp: "whatsappConsent",
} as const satisfies Record<Channel, keyof Customer>;

// When each channel's consent last changed; WhatsApp opt-in is Stayloop's alone, so undated.
const consentAtField = {
  email: "emailConsentAt",
  sms: "smsConsentAt",
} as const satisfies Partial<Record<Channel, keyof Customer>>;

export function consentFor(customer: Customer, channel: Channel): ConsentState {
  return customer[consentField[channel]] as ConsentState;
}

function consentDateFields(channel: Channel, at: Date) {
  return channel === "whatsapp" ? {} : { [consentAtField[channel]]: at };
}

export interface ConsentRequest {
  shopId: string;
  customerId: string;
  channel: Channel;
  state: "unsubscribed" | "subscribed";
  source: ConsentSource;
  messageId?: string | null;
}

/**
 * Sets the customer's consent for a channel now and queues the write-back to Shopify. Repeating it
 * (a second click on the same link) changes nothing and queues nothing.
 */
export async function changeConsent(
  db: Database,
  request: ConsentRequest,
  now: Date,
): Promise<ConsentChange | null> {
  return db.$transaction(async (tx) => {
    // Lock the row before reading the consent we decide on: a customers/update applying Shopify's
    // consent at the same moment waits for us (or we for it), never interleaves.
    const { count } = await tx.customer.updateMany({
      where: { id: request.customerId, shopId: request.shopId },
      data: { updatedAt: now },
    });
    if (count === 0) return null;
    const customer = await tx.customer.findUniqueOrThrow({ where: { id: request.customerId } });
    if (consentFor(customer, request.channel) === request.state) return null;
    await tx.customer.update({
      where: { id: customer.id },
      data: { [consentField[request.channel]]: request.state, ...consentDateFields(request.channel, now) },
    });
    const change = await tx.consentChange.create({
      data: {
        shopId: request.shopId,
        customerId: customer.id,
        channel: request.channel,
        state: request.state,
        source: request.source,
        messageId: request.messageId ?? null,
        occurredAt: now,
      },
    });
    await tx.job.create({
      data: {
        shopId: request.shopId,
        kind: consentSyncJobKind,
        key: change.id,
        payload: { consentChangeId: change.id },
        runAt: now,
      },
    });
    return change;
  });
}

const userErrors = z.array(z.object({ message: z.string() }));

class ConsentSyncRefusedError extends Error {}

/** True when a later change — ours, or Shopify's applied by a customers/update — took this one's place. */
function superseded(change: ConsentChange, customer: Customer): boolean {
  if (change.channel !== "email" && change.channel !== "sms") return false;
  const at = customer[consentAtField[change.channel]];
  return customer[consentField[change.channel]] !== change.state || (at !== null && at > change.occurredAt);
}

/** Writes one consent change to Shopify's customer (e-mail or SMS marketing consent). */
export async function syncConsentChange(
  db: Database,
  consentChangeId: string,
  options: { clock: Clock; adminClientFor: AdminClientFactory },
): Promise<void> {
  const change = await db.consentChange.findUnique({ where: { id: consentChangeId } });
  if (!change || change.syncedAt || change.supersededAt) return;
  const customer = await db.customer.findFirst({ where: { id: change.customerId, shopId: change.shopId } });
  // WhatsApp opt-in lives only in Stayloop; a customer gone from the shop has nothing to update.
  if (change.channel === "whatsapp" || !customer || customer.redactedAt || customer.deletedAt) {
    await db.consentChange.update({ where: { id: change.id }, data: { syncedAt: options.clock.now() } });
    return;
  }
  if (superseded(change, customer)) {
    await db.consentChange.update({ where: { id: change.id }, data: { supersededAt: options.clock.now() } });
    return;
  }
  const { adminClient } = await shopAdminClient(db, change.shopId, options.adminClientFor);
  const consent = {
    marketingState: change.state === "unsubscribed" ? "UNSUBSCRIBED" : "SUBSCRIBED",
    consentUpdatedAt: change.occurredAt.toISOString(),
    ...(change.state === "subscribed" ? { marketingOptInLevel: "SINGLE_OPT_IN" } : {}),
  };
  const customerId = `gid://shopify/Customer/${customer.shopifyId}`;
  const errors =
    change.channel === "email"
      ? (
          await adminClient.request(customerEmailMarketingConsentUpdateMutation, {
            variables: { input: { customerId, emailMarketingConsent: consent } },
            schema: z.object({ customerEmailMarketingConsentUpdate: z.object({ userErrors }) }),
          })
        ).customerEmailMarketingConsentUpdate.userErrors
      : (
          await adminClient.request(customerSmsMarketingConsentUpdateMutation, {
            variables: { input: { customerId, smsMarketingConsent: consent } },
            schema: z.object({ customerSmsMarketingConsentUpdate: z.object({ userErrors }) }),
          })
        ).customerSmsMarketingConsentUpdate.userErrors;
  if (errors.length > 0) {
    throw new ConsentSyncRefusedError(
      `Shopify refused the consent update: ${errors.map((error) => error.message).join("; ")}`,
    );
  }
  await db.consentChange.update({ where: { id: change.id }, data: { syncedAt: options.clock.now() } });
}

const syncPayload = z.object({ consentChangeId: z.string(), generation: z.number().int().min(1).optional() });

/** How long after a failure the next generation of a write-back starts, should this one be parked. */
export const consentRetryLaterMs = 6 * 60 * 60 * 1000;

/**
 * The worker's handler for "consent.sync" jobs, retried with the worker's backoff. A write-back is
 * never dropped: its first failure also schedules the next generation (once per generation), due
 * later, so a job parked after its last attempt still has a successor; one that runs after the
 * change landed finds it synced and does nothing.
 */
export function consentSyncJobHandler(options: {
  clock: Clock;
  adminClientFor: AdminClientFactory;
}): JobHandler {
  return async (job, db) => {
    const { consentChangeId, generation = 1 } = syncPayload.parse(job.payload);
    try {
      await syncConsentChange(db, consentChangeId, options);
    } catch (error) {
      // An uninstalled or erased shop: the worker pauses the job until a reinstall (or the shop is
      // gone); a successor would only fail the same way.
      if (error instanceof ShopUnavailableError) throw error;
      const next = generation + 1;
      await scheduleJobOnce(db, {
        shopId: job.shopId,
        kind: consentSyncJobKind,
        key: `${consentChangeId}:${next}`,
        payload: { consentChangeId, generation: next },
        runAt: new Date(options.clock.now().getTime() + consentRetryLaterMs),
      });
      throw error;
    }
  };
}
