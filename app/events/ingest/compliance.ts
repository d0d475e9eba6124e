// Privacy compliance and uninstall (R-SEC-2, docs/decisions/005-data-retention.md):
// - customers/data_request: everything stored about the customer, kept as a download for the
//   merchant (CustomerDataExport) until it expires — never inside a domain event;
// - customers/redact: every copy of the customer's personal data erased (customer, orders,
//   checkouts, messages, ledger notes, exports, raw deliveries), anonymised aggregates kept;
// - shop/redact: the shop and all of its data erased, and a tombstone so no late delivery brings it back;
// - app/uninstalled: sessions deleted and scheduled work paused (not cancelled) until a reinstall.
import type { Prisma } from "@prisma/client";
import type { Tx } from "../domain-events";
import { inboxPurgeJobKind } from "../inbox-retention";
import type { IngestContext } from "./context";
import { storedIntegersAsNumbers } from "../../money/stored";

/** How long a data-request export stays downloadable. */
export const dataExportKeptDays = 30;

const dayMs = 86_400_000;

/** Deliveries already processed (their bodies are no longer needed to apply them). */
const processedStatuses = ["done", "failed"];

export async function exportCustomerData(
  context: IngestContext,
  request: { customerShopifyId: string; dataRequestId: string | null },
): Promise<{ exportId: string }> {
  const { tx, shop } = context;
  const now = context.clock.now();
  const customer = await tx.customer.findUnique({
    where: { shopId_shopifyId: { shopId: shop.id, shopifyId: request.customerShopifyId } },
  });
  const scoped = customer ? { shopId: shop.id, customerId: customer.id } : null;
  const orders = scoped ? await tx.order.findMany({ where: scoped, include: { lines: true } }) : [];
  const refunds =
    orders.length > 0
      ? await tx.refund.findMany({
          where: { shopId: shop.id, orderShopifyId: { in: orders.map((order) => order.shopifyId) } },
        })
      : [];
  const checkouts = scoped ? await tx.checkout.findMany({ where: scoped }) : [];
  const loyalty = scoped
    ? await tx.loyaltyMember.findUnique({
        where: { shopId_customerId: scoped },
        include: { entries: { orderBy: { occurredAt: "asc" } }, redemptions: true, referrals: true },
      })
    : null;
  const cashback = scoped ? await tx.cashbackCredit.findMany({ where: scoped }) : [];
  const messages = scoped ? await tx.message.findMany({ where: scoped, orderBy: { createdAt: "asc" } }) : [];
  const consentChanges = scoped
    ? await tx.consentChange.findMany({ where: scoped, orderBy: { occurredAt: "asc" } })
    : [];
  // When we expect them to run out of what they bought (app/customers/intelligence).
  const replenishments = scoped ? await tx.replenishment.findMany({ where: scoped }) : [];
  const data = JSON.parse(
    JSON.stringify(
      {
        customer,
        orders,
        refunds,
        checkouts,
        loyalty,
        cashback,
        messages,
        consentChanges,
        replenishments,
      },
      storedIntegersAsNumbers,
    ),
  ) as Prisma.InputJsonObject;
  const requestKey = request.dataRequestId ?? `${request.customerShopifyId}:${now.toISOString()}`;
  const stored = await tx.customerDataExport.upsert({
    where: { shopId_requestKey: { shopId: shop.id, requestKey } },
    create: {
      shopId: shop.id,
      customerShopifyId: request.customerShopifyId,
      requestKey,
      data,
      expiresAt: new Date(now.getTime() + dataExportKeptDays * dayMs),
    },
    update: {},
    select: { id: true },
  });
  await context.emit({
    type: "customer.data_requested",
    subjectId: customer?.id ?? request.customerShopifyId,
    dedupeKey: `customer.data_requested:${requestKey}`,
    payload: { customerShopifyId: request.customerShopifyId, exportId: stored.id },
    occurredAt: now,
  });
  return { exportId: stored.id };
}

export interface RedactionRequest {
  customerShopifyId: string;
  orderShopifyIds: string[];
  /** The contact details Shopify names in the request (the stored ones may already be gone). */
  email?: string | null;
  phone?: string | null;
}

export async function redactCustomer(context: IngestContext, request: RedactionRequest): Promise<void> {
  const { tx, shop } = context;
  const now = context.clock.now();
  const customer = await tx.customer.findUnique({
    where: { shopId_shopifyId: { shopId: shop.id, shopifyId: request.customerShopifyId } },
    select: { id: true, email: true, phone: true },
  });
  if (customer) {
    // Their WhatsApp messages to the shop (sender and time) go too: the number identifies them.
    const numbers = await tx.message.findMany({
      where: { shopId: shop.id, customerId: customer.id, channel: "whatsapp", toAddress: { not: null } },
      select: { toAddress: true },
      distinct: ["toAddress"],
    });
    const senders = [customer.phone, ...numbers.map((message) => message.toAddress)].filter(
      (number): number is string => number !== null,
    );
    if (senders.length > 0) {
      await tx.inboundMessage.deleteMany({ where: { shopId: shop.id, fromAddress: { in: senders } } });
    }
    await tx.customer.update({
      where: { id: customer.id },
      data: {
        email: null,
        phone: null,
        firstName: null,
        lastName: null,
        birthday: null,
        tags: "",
        timezone: null,
        redactedAt: now,
      },
    });
    const scoped = { shopId: shop.id, customerId: customer.id };
    // What they browsed (pixel events linked to them) goes too.
    await tx.browseEvent.deleteMany({ where: scoped });
    await tx.checkout.updateMany({
      where: scoped,
      data: { email: null, phone: null, abandonedCheckoutUrl: null },
    });
    // What was sent stays counted (costs, attribution); to whom and what it said does not.
    await tx.message.updateMany({
      where: scoped,
      data: { toAddress: null, content: {}, lastError: null },
    });
    // Ledger amounts stay (balances and sums); a merchant's free-text note may name the customer.
    await tx.loyaltyLedgerEntry.updateMany({
      where: { shopId: shop.id, member: { customerId: customer.id }, reason: { not: null } },
      data: { reason: null },
    });
    await tx.domainEvent.updateMany({
      where: { shopId: shop.id, subjectId: customer.id, type: "customer.data_requested" },
      data: { payload: { customerShopifyId: request.customerShopifyId } },
    });
  }
  await tx.order.updateMany({
    where: {
      shopId: shop.id,
      OR: [
        { shopifyId: { in: request.orderShopifyIds } },
        ...(customer ? [{ customerId: customer.id }] : []),
      ],
    },
    data: { email: null, shippingAddressKey: null },
  });
  await tx.customerDataExport.deleteMany({
    where: { shopId: shop.id, customerShopifyId: request.customerShopifyId },
  });
  // Raw deliveries already applied that mention the customer lose their bodies now, not after
  // the retention period. (Pending ones are still needed to apply them; retention erases those.)
  const mentions = [
    request.customerShopifyId,
    customer?.email,
    request.email,
    request.email?.toLowerCase(),
    customer?.phone,
    request.phone,
  ].filter((text): text is string => typeof text === "string" && text.length > 0);
  await tx.webhookInbox.updateMany({
    where: {
      shopDomain: shop.domain,
      status: { in: processedStatuses },
      payloadPurgedAt: null,
      OR: [...new Set(mentions)].map((text) => ({ payload: { contains: text } })),
    },
    data: { payload: "", payloadPurgedAt: now },
  });
  await context.emit({
    type: "customer.redacted",
    subjectId: customer?.id ?? request.customerShopifyId,
    dedupeKey: `customer.redacted:${request.customerShopifyId}`,
    payload: { customerShopifyId: request.customerShopifyId },
    occurredAt: now,
  });
}

/**
 * Erases a shop: its rows (cascade), sessions and stored deliveries other than this one, and
 * leaves a tombstone so a delivery arriving later does not create the shop again.
 */
export async function redactShop(tx: Tx, shopDomain: string, keepInboxId: string, now: Date): Promise<void> {
  await tx.shop.deleteMany({ where: { domain: shopDomain } });
  await tx.session.deleteMany({ where: { shop: shopDomain } });
  await tx.webhookInbox.deleteMany({ where: { shopDomain, id: { not: keepInboxId } } });
  await tx.shopRedaction.upsert({
    where: { domain: shopDomain },
    create: { domain: shopDomain, redactedAt: now },
    update: {},
  });
}

export async function uninstallShop(context: IngestContext): Promise<void> {
  const { tx, shop } = context;
  const now = context.clock.now();
  await tx.session.deleteMany({ where: { shop: shop.domain } });
  await tx.shop.update({ where: { id: shop.id }, data: { uninstalledAt: now } });
  // Paused, not cancelled: the shop's loyalty obligations resume on reinstall (reinstallShop).
  // Erasing old deliveries is not the shop's work but ours, and goes on.
  await tx.job.updateMany({
    where: { shopId: shop.id, status: "scheduled", kind: { not: inboxPurgeJobKind } },
    data: { status: "paused", lastError: "paused: app uninstalled" },
  });
  await context.emit({
    type: "shop.uninstalled",
    subjectId: shop.id,
    dedupeKey: `shop.uninstalled:${now.toISOString()}`,
    payload: { domain: shop.domain },
    occurredAt: now,
  });
}
