// Marketing consent (R-MSG-4): a marketing message needs the customer's consent for its channel.
// An unsubscribe (link, one-click header, STOP reply) withdraws it at once in Stayloop's copy —
// the next send already sees it — and a "consent.sync" job writes it back to Shopify's customer
// consent through the Admin API (e-mail and SMS; WhatsApp opt-in is Stayloop's own).
import type { ConsentChange, Customer } from "@prisma/client";
import { z } from "zod";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import type { JobHandler } from "../jobs/worker";
import {
  customerEmailMarketingConsentUpdateMutation,
  customerSmsMarketingConsentUpdateMutation,
} from "../shopify/admin-operations";
import { shopAdminClient, type AdminClientFactory } from "../shopify/shop-admin";
import type { Channel, ConsentState } from "./channels";

export const consentSyncJobKind = "consent.sync";

export type ConsentSource = "unsubscribe_link" | "one_click" | "stop_keyword" | "start_keyword";

const consentField = {
  email: "emailConsent",
  sms: "smsConsent",
  whatsapp: "whatsappConsent",
} as const satisfies Record<Channel, keyof Customer>;

export function consentFor(customer: Customer, channel: Channel): ConsentState {
  return customer[consentField[channel]] as ConsentState;
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
    const customer = await tx.customer.findFirst({
      where: { id: request.customerId, shopId: request.shopId },
    });
    if (!customer || consentFor(customer, request.channel) === request.state) return null;
    await tx.customer.update({
      where: { id: customer.id },
      data: { [consentField[request.channel]]: request.state },
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

/** Writes one consent change to Shopify's customer (e-mail or SMS marketing consent). */
export async function syncConsentChange(
  db: Database,
  consentChangeId: string,
  options: { clock: Clock; adminClientFor: AdminClientFactory },
): Promise<void> {
  const change = await db.consentChange.findUnique({ where: { id: consentChangeId } });
  if (!change || change.syncedAt) return;
  const customer = await db.customer.findFirst({ where: { id: change.customerId, shopId: change.shopId } });
  // WhatsApp opt-in lives only in Stayloop; a customer gone from the shop has nothing to update.
  if (change.channel === "whatsapp" || !customer || customer.redactedAt || customer.deletedAt) {
    await db.consentChange.update({ where: { id: change.id }, data: { syncedAt: options.clock.now() } });
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

const syncPayload = z.object({ consentChangeId: z.string() });

/** The worker's handler for "consent.sync" jobs (retried with backoff when Shopify is unreachable). */
export function consentSyncJobHandler(options: {
  clock: Clock;
  adminClientFor: AdminClientFactory;
}): JobHandler {
  return async (job, db) => {
    const { consentChangeId } = syncPayload.parse(job.payload);
    await syncConsentChange(db, consentChangeId, options);
  };
}
