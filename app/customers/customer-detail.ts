// One customer as the admin's customer page shows them (issue 18): the profile with its
// intelligence (lifecycle, RFM, predicted CLV, value band, when they turn at risk), their latest
// orders, the messages they received, the flows they are in (open runs first), their loyalty
// balance and ledger, their NPS answers. A few statements per page, each of one shop.
import type { Database } from "../db/client";
import { tierRulesOf } from "../loyalty/program";
import { memberTier } from "../loyalty/vip";
import { fromStoredInteger, fromStoredIntegerOrNull } from "../money/stored";

export class CustomerNotFoundError extends Error {}

/** Rows shown per list on the page (the newest). */
export const customerDetailListSize = 25;

export interface CustomerDetail {
  profile: {
    id: string;
    shopifyId: string;
    firstName: string | null;
    lastName: string | null;
    email: string | null;
    phone: string | null;
    locale: string | null;
    countryCode: string | null;
    tags: string[];
    emailConsent: string;
    smsConsent: string;
    whatsappConsent: string;
    ordersCount: number;
    totalSpentMinor: number;
    averageOrderValueMinor: number;
    /** The currency of their orders; the shop's when they have none. */
    currency: string;
    firstOrderAt: Date | null;
    lastOrderAt: Date | null;
    lifecycleStage: string;
    rfm: { recency: number; frequency: number; monetary: number } | null;
    rfmSegment: string | null;
    /** Shop currency. */
    predictedClvMinor: number | null;
    valueBand: string | null;
    atRiskAt: Date | null;
    intelligenceAt: Date | null;
    redacted: boolean;
    createdAt: Date;
  };
  orders: {
    id: string;
    name: string;
    processedAt: Date;
    totalMinor: number;
    refundedMinor: number;
    currency: string;
    financialStatus: string | null;
    fulfillmentStatus: string | null;
    cancelled: boolean;
  }[];
  messages: {
    id: string;
    flowName: string | null;
    channel: string | null;
    status: string;
    purpose: string;
    subject: string | null;
    at: Date;
    openedAt: Date | null;
    clickedAt: Date | null;
  }[];
  runs: {
    id: string;
    flowId: string;
    flowName: string;
    version: number;
    status: string;
    group: string;
    stepId: string | null;
    wakeAt: Date | null;
    startedAt: Date;
    endedAt: Date | null;
    exitReason: string | null;
  }[];
  loyalty: {
    pointsBalance: number;
    pendingPoints: number;
    lifetimePoints: number;
    tierName: string | null;
    ledger: {
      id: string;
      kind: string;
      source: string;
      pointsDelta: number;
      pendingDelta: number;
      balanceAfter: number;
      reason: string | null;
      occurredAt: Date;
    }[];
  } | null;
  nps: { id: string; score: number; comment: string | null; orderName: string | null; answeredAt: Date }[];
}

function subjectOf(content: unknown): string | null {
  if (content === null || typeof content !== "object") return null;
  const email = (content as { email?: { subject?: unknown } }).email;
  return typeof email?.subject === "string" ? email.subject : null;
}

/** The customer's page; CustomerNotFoundError when they are not this shop's (or were deleted). */
export async function customerDetail(
  db: Database,
  shopId: string,
  customerId: string,
  shopCurrency: string,
): Promise<CustomerDetail> {
  const customer = await db.customer.findFirst({ where: { id: customerId, shopId, deletedAt: null } });
  if (!customer) throw new CustomerNotFoundError(`no customer ${customerId} in this shop`);
  const take = customerDetailListSize;
  const [orders, messages, openRuns, endedRuns, member, program, answers] = await Promise.all([
    db.order.findMany({
      where: { shopId, customerId },
      orderBy: [{ processedAt: "desc" }, { id: "desc" }],
      take,
    }),
    db.message.findMany({
      where: { shopId, customerId },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take,
      select: {
        id: true,
        flowId: true,
        channel: true,
        status: true,
        purpose: true,
        content: true,
        createdAt: true,
        sentAt: true,
        openedAt: true,
        clickedAt: true,
      },
    }),
    db.flowRun.findMany({
      where: { shopId, customerId, status: { in: ["active", "held"] } },
      orderBy: [{ startedAt: "desc" }, { id: "desc" }],
      include: { flow: { select: { name: true } } },
    }),
    db.flowRun.findMany({
      where: { shopId, customerId, status: { notIn: ["active", "held"] } },
      orderBy: [{ startedAt: "desc" }, { id: "desc" }],
      take,
      include: { flow: { select: { name: true } } },
    }),
    db.loyaltyMember.findUnique({ where: { shopId_customerId: { shopId, customerId } } }),
    db.loyaltyProgram.findUnique({ where: { shopId } }),
    db.npsAnswer.findMany({ where: { shopId, customerId }, orderBy: { answeredAt: "desc" }, take }),
  ]);
  const flowIds = [...new Set(messages.flatMap((message) => (message.flowId ? [message.flowId] : [])))];
  const orderIds = [...new Set(answers.flatMap((answer) => (answer.orderId ? [answer.orderId] : [])))];
  const [flows, answeredOrders, ledger] = await Promise.all([
    flowIds.length > 0
      ? db.flow.findMany({ where: { shopId, id: { in: flowIds } }, select: { id: true, name: true } })
      : [],
    orderIds.length > 0
      ? db.order.findMany({ where: { shopId, id: { in: orderIds } }, select: { id: true, name: true } })
      : [],
    member
      ? db.loyaltyLedgerEntry.findMany({
          where: { shopId, memberId: member.id },
          orderBy: [{ occurredAt: "desc" }, { createdAt: "desc" }, { id: "desc" }],
          take,
        })
      : [],
  ]);
  const flowNames = new Map(flows.map((flow) => [flow.id, flow.name]));
  const orderNames = new Map(answeredOrders.map((order) => [order.id, order.name]));
  const rules = program ? tierRulesOf(program) : null;
  const hasRfm =
    customer.rfmRecency !== null && customer.rfmFrequency !== null && customer.rfmMonetary !== null;
  return {
    profile: {
      id: customer.id,
      shopifyId: customer.shopifyId,
      firstName: customer.firstName,
      lastName: customer.lastName,
      email: customer.email,
      phone: customer.phone,
      locale: customer.locale,
      countryCode: customer.countryCode,
      tags: customer.tags
        .split(",")
        .map((tag) => tag.trim())
        .filter((tag) => tag !== ""),
      emailConsent: customer.emailConsent,
      smsConsent: customer.smsConsent,
      whatsappConsent: customer.whatsappConsent,
      ordersCount: customer.ordersCount,
      totalSpentMinor: fromStoredInteger(customer.totalSpentMinor),
      averageOrderValueMinor: fromStoredInteger(customer.averageOrderValueMinor),
      currency: customer.currency ?? shopCurrency,
      firstOrderAt: customer.firstOrderAt,
      lastOrderAt: customer.lastOrderAt,
      lifecycleStage: customer.lifecycleStage,
      rfm: hasRfm
        ? {
            recency: customer.rfmRecency as number,
            frequency: customer.rfmFrequency as number,
            monetary: customer.rfmMonetary as number,
          }
        : null,
      rfmSegment: customer.rfmSegment,
      predictedClvMinor: fromStoredIntegerOrNull(customer.predictedClvMinor),
      valueBand: customer.valueBand,
      atRiskAt: customer.atRiskAt,
      intelligenceAt: customer.intelligenceAt,
      redacted: customer.redactedAt !== null,
      createdAt: customer.createdAt,
    },
    orders: orders.map((order) => ({
      id: order.id,
      name: order.name,
      processedAt: order.processedAt,
      totalMinor: fromStoredInteger(order.totalMinor),
      refundedMinor: fromStoredInteger(order.refundedMinor),
      currency: order.currency,
      financialStatus: order.financialStatus,
      fulfillmentStatus: order.fulfillmentStatus,
      cancelled: order.cancelledAt !== null,
    })),
    messages: messages.map((message) => ({
      id: message.id,
      flowName: message.flowId ? (flowNames.get(message.flowId) ?? null) : null,
      channel: message.channel,
      status: message.status,
      purpose: message.purpose,
      subject: subjectOf(message.content),
      at: message.sentAt ?? message.createdAt,
      openedAt: message.openedAt,
      clickedAt: message.clickedAt,
    })),
    runs: [...openRuns, ...endedRuns].map((run) => ({
      id: run.id,
      flowId: run.flowId,
      flowName: run.flow.name,
      version: run.version,
      status: run.status,
      group: run.runGroup,
      stepId: run.stepId,
      wakeAt: run.wakeAt,
      startedAt: run.startedAt,
      endedAt: run.endedAt,
      exitReason: run.exitReason,
    })),
    loyalty: member
      ? {
          pointsBalance: fromStoredInteger(member.pointsBalance),
          pendingPoints: fromStoredInteger(member.pendingPoints),
          lifetimePoints: fromStoredInteger(member.lifetimePoints),
          tierName: memberTier(rules, member)?.name ?? null,
          ledger: ledger.map((entry) => ({
            id: entry.id,
            kind: entry.kind,
            source: entry.source,
            pointsDelta: fromStoredInteger(entry.pointsDelta),
            pendingDelta: fromStoredInteger(entry.pendingDelta),
            balanceAfter: fromStoredInteger(entry.balanceAfter),
            reason: entry.reason,
            occurredAt: entry.occurredAt,
          })),
        }
      : null,
    nps: answers.map((answer) => ({
      id: answer.id,
      score: answer.score,
      comment: answer.comment,
      orderName: answer.orderId ? (orderNames.get(answer.orderId) ?? null) : null,
      answeredAt: answer.answeredAt,
    })),
  };
}
