// Privacy compliance and uninstall (R-SEC-2):
// - customers/data_request: everything stored about the customer, recorded as an export event;
// - customers/redact: personal data erased, anonymised aggregates (totals, counts) kept;
// - shop/redact: the shop and all of its data erased;
// - app/uninstalled: sessions deleted and scheduled work stopped at once.
import type { Prisma } from "@prisma/client";
import type { Tx } from "../domain-events";
import type { IngestContext } from "./context";

export async function exportCustomerData(
  context: IngestContext,
  request: { customerShopifyId: string; dataRequestId: string | null },
): Promise<Prisma.InputJsonObject> {
  const { tx, shop } = context;
  const customer = await tx.customer.findUnique({
    where: { shopId_shopifyId: { shopId: shop.id, shopifyId: request.customerShopifyId } },
  });
  const orders = customer
    ? await tx.order.findMany({
        where: { shopId: shop.id, customerId: customer.id },
        include: { lines: true },
      })
    : [];
  const checkouts = customer
    ? await tx.checkout.findMany({ where: { shopId: shop.id, customerId: customer.id } })
    : [];
  const exported = JSON.parse(JSON.stringify({ customer, orders, checkouts })) as Prisma.InputJsonObject;
  await context.emit({
    type: "customer.data_requested",
    subjectId: customer?.id ?? request.customerShopifyId,
    dedupeKey: `customer.data_requested:${request.dataRequestId ?? `${request.customerShopifyId}:${context.clock.now().toISOString()}`}`,
    payload: { customerShopifyId: request.customerShopifyId, data: exported },
    occurredAt: context.clock.now(),
  });
  return exported;
}

export async function redactCustomer(
  context: IngestContext,
  request: { customerShopifyId: string; orderShopifyIds: string[] },
): Promise<void> {
  const { tx, shop } = context;
  const now = context.clock.now();
  const customer = await tx.customer.findUnique({
    where: { shopId_shopifyId: { shopId: shop.id, shopifyId: request.customerShopifyId } },
    select: { id: true, phone: true },
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
    await tx.checkout.updateMany({
      where: { shopId: shop.id, customerId: customer.id },
      data: { email: null, phone: null, abandonedCheckoutUrl: null },
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
    data: { email: null },
  });
  await context.emit({
    type: "customer.redacted",
    subjectId: customer?.id ?? request.customerShopifyId,
    dedupeKey: `customer.redacted:${request.customerShopifyId}`,
    payload: { customerShopifyId: request.customerShopifyId },
    occurredAt: now,
  });
}

/** Erases a shop: its rows (cascade), sessions and stored deliveries other than this one. */
export async function redactShop(tx: Tx, shopDomain: string, keepInboxId: string): Promise<void> {
  await tx.shop.deleteMany({ where: { domain: shopDomain } });
  await tx.session.deleteMany({ where: { shop: shopDomain } });
  await tx.webhookInbox.deleteMany({ where: { shopDomain, id: { not: keepInboxId } } });
}

export async function uninstallShop(context: IngestContext): Promise<void> {
  const { tx, shop } = context;
  const now = context.clock.now();
  await tx.session.deleteMany({ where: { shop: shop.domain } });
  await tx.shop.update({ where: { id: shop.id }, data: { uninstalledAt: now } });
  await tx.job.updateMany({
    where: { shopId: shop.id, status: "scheduled" },
    data: { status: "cancelled", finishedAt: now, lastError: "app uninstalled" },
  });
  await context.emit({
    type: "shop.uninstalled",
    subjectId: shop.id,
    dedupeKey: `shop.uninstalled:${now.toISOString()}`,
    payload: { domain: shop.domain },
    occurredAt: now,
  });
}
