// Demo mode only: a few test-sends so the Messaging page has something to show. They go through
// the real outbox and worker to the demo's local SMTP server and fake SMS / WhatsApp provider.
import type { Database } from "../db/client";
import { fromStoredInteger } from "../money/stored";
import { composeMessage, type MessageTemplate } from "../messaging/compose";
import { enqueueMessage } from "../messaging/outbox";
import { sampleVariables } from "../messaging/templates";

const welcome: MessageTemplate = {
  versions: {
    en: {
      email: {
        subject: "Welcome to {{ shop.name }}, {{ customer.first_name }}",
        html: '<p>Hi {{ customer.first_name }},</p><p>You have {{ points.balance }} points. <a href="{{ shop.url }}">Visit the shop</a></p>',
        text: "Hi {{ customer.first_name }}, you have {{ points.balance }} points. {{ shop.url }}",
      },
      sms: { body: "{{ shop.name }}: welcome, {{ customer.first_name }}!" },
    },
  },
};

/** Enqueues one test-send per customer (at most `count`); repeated runs add nothing. */
export async function enqueueDemoTestSends(
  db: Database,
  shopId: string,
  count: number,
  now: Date,
): Promise<number> {
  const shop = await db.shop.findUniqueOrThrow({ where: { id: shopId } });
  const customers = await db.customer.findMany({
    where: { shopId, email: { not: null } },
    orderBy: { createdAt: "asc" },
    take: count,
    include: { loyaltyMembers: true },
  });
  let created = 0;
  for (const customer of customers) {
    const sample = sampleVariables("en");
    const content = await composeMessage(
      welcome,
      {
        ...sample,
        customer: {
          first_name: customer.firstName ?? "there",
          last_name: customer.lastName ?? "",
          email: customer.email ?? "",
          locale: customer.locale ?? "en",
        },
        shop: { name: shop.name ?? shop.domain, url: `https://${shop.domain}` },
        points: {
          balance: fromStoredInteger(customer.loyaltyMembers[0]?.pointsBalance ?? 0),
          pending: fromStoredInteger(customer.loyaltyMembers[0]?.pendingPoints ?? 0),
        },
      },
      "en",
    );
    const result = await enqueueMessage(db, {
      shopId,
      customerId: customer.id,
      idempotencyKey: `demo-test-send:${customer.id}`,
      purpose: "transactional",
      content,
      notBefore: now,
    });
    if (result.created) created += 1;
  }
  return created;
}
