// The flows and messaging section of the analytics report (R-ANA-6): per flow the engine's own
// results (app/flows/reports.ts — sent, delivered, opened, clicked, conversions, attributed revenue,
// recovered checkouts), incremental revenue where a control group runs, and per flow and channel
// the message funnel and the messaging cost (WhatsApp charges) of the period.
import type { Database } from "../db/client";
import type { Period } from "../flows/attribution";
import { controlReport, flowDetail, flowResults } from "../flows/reports";
import { currencyExponent } from "../money/money";
import { fromStoredInteger } from "../money/stored";
import { roundedQuotient } from "./metrics";

export interface ChannelFigures {
  channel: string;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  /** Charges in the provider's currency, minor units (null when nothing was charged). */
  cost: { amountMinor: number; currency: string } | null;
}

export interface FlowFigures {
  flowId: string;
  name: string;
  status: string;
  recipients: number;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  conversions: number;
  conversionRate: number | null;
  revenueMinor: number;
  recoveredCheckouts: number;
  controlPercent: number;
  /** Null without a control group, or while it has too little data. */
  incrementalRevenueMinor: number | null;
  channels: ChannelFigures[];
}

const sentStatuses = ["sent", "delivered"];

/** Micro-units of a currency as its minor units, rounded. */
function microsToMinor(micros: number, currency: string): number {
  return roundedQuotient(BigInt(micros) * 10n ** BigInt(currencyExponent(currency)), 1_000_000n);
}

export async function flowFigures(db: Database, shopId: string, period: Period): Promise<FlowFigures[]> {
  const flows = await db.flow.findMany({
    where: { shopId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true },
  });
  const channelRows = await db.message.groupBy({
    by: ["flowId", "channel", "costCurrency"],
    where: {
      shopId,
      flowId: { not: null },
      status: { in: sentStatuses },
      sentAt: { gte: period.from, lt: period.to },
    },
    _count: { _all: true, deliveredAt: true, openedAt: true, clickedAt: true },
    _sum: { costMicros: true },
  });
  const figures: FlowFigures[] = [];
  for (const { id } of flows) {
    const detail = await flowDetail(db, shopId, id);
    const results = await flowResults(db, shopId, id, period, { definition: detail.definition });
    const control =
      detail.definition.controlPercent > 0
        ? await controlReport(db, shopId, id, period, { definition: detail.definition })
        : null;
    const channels = new Map<string, ChannelFigures>();
    for (const row of channelRows.filter((candidate) => candidate.flowId === id)) {
      const channel = row.channel ?? "unknown";
      const entry = channels.get(channel) ?? {
        channel,
        sent: 0,
        delivered: 0,
        opened: 0,
        clicked: 0,
        cost: null,
      };
      entry.sent += row._count._all;
      entry.delivered += row._count.deliveredAt;
      entry.opened += row._count.openedAt;
      entry.clicked += row._count.clickedAt;
      const micros = fromStoredInteger(row._sum.costMicros ?? 0);
      if (micros > 0 && row.costCurrency) {
        const amountMinor = microsToMinor(micros, row.costCurrency);
        entry.cost = {
          amountMinor: (entry.cost?.amountMinor ?? 0) + amountMinor,
          currency: row.costCurrency,
        };
      }
      channels.set(channel, entry);
    }
    const { totals } = results;
    figures.push({
      flowId: id,
      name: detail.name,
      status: detail.status,
      recipients: totals.recipients,
      sent: totals.sent,
      delivered: totals.delivered,
      opened: totals.opened,
      clicked: totals.clicked,
      conversions: totals.converted,
      conversionRate:
        totals.recipients === 0
          ? null
          : roundedQuotient(BigInt(totals.converted) * 10_000n, BigInt(totals.recipients)) / 100,
      revenueMinor: totals.revenueMinor,
      recoveredCheckouts: totals.recoveredCheckouts,
      controlPercent: detail.definition.controlPercent,
      incrementalRevenueMinor: control?.incrementalRevenueMinor ?? null,
      channels: [...channels.values()].sort((a, b) => a.channel.localeCompare(b.channel)),
    });
  }
  return figures;
}
