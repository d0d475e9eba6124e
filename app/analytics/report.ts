// The analytics report the API and the admin pages read (R-ANA-1…7): every metric of a period of
// whole days in the shop's time zone, optionally beside the previous period of the same length, the
// monthly CRR/churn series, the cohort matrix, historical CLV, and the loyalty and flows sections.
// Money is { amountMinor, currency } in the shop's currency; rates are percentages with two decimals.
import { z } from "zod";
import type { Database } from "../db/client";
import type { SqlConnection } from "../db/sql";
import { dayToIso, isoToDay, localDay, midnightOf } from "./calendar";
import { flowFigures, type FlowFigures } from "./flows-report";
import { loyaltyFigures, type CustomerGroupFigures } from "./loyalty-report";
import { retentionReport, type PeriodRetention } from "./retention-report";
import { analyticsSettingsOf } from "./rollups";

export interface Money {
  amountMinor: number;
  currency: string;
}

export const maxPeriodDays = 731;
export const defaultPeriodDays = 30;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date like 2026-11-01")
  .refine((text) => dayToIso(isoToDay(text)) === text, "must be a real calendar date");

/** ?from=YYYY-MM-DD&to=YYYY-MM-DD (to excluded) [&compare=previous]; default: the last 30 days. */
export const analyticsQuerySchema = z
  .object({
    from: isoDate.optional(),
    to: isoDate.optional(),
    compare: z.enum(["previous", "none"]).optional(),
  })
  .refine((query) => !query.from || !query.to || query.from < query.to, {
    message: "from must be before to",
    path: ["to"],
  })
  .refine((query) => !query.from || !query.to || isoToDay(query.to) - isoToDay(query.from) <= maxPeriodDays, {
    message: `a period is at most ${maxPeriodDays} days`,
    path: ["to"],
  });

export type AnalyticsQuery = z.infer<typeof analyticsQuerySchema>;

export interface MetricSet {
  from: string;
  to: string;
  customersAtStart: number;
  customersAtEnd: number;
  newCustomers: number;
  retainedCustomers: number;
  lostCustomers: number;
  customerRetentionRate: number | null;
  churnRate: number | null;
  orders: number;
  revenue: Money;
  customers: number;
  repeatCustomers: number;
  repeatPurchaseRate: number | null;
  lifetimeCustomers: number;
  lifetimeRepeatCustomers: number;
  lifetimeRepeatPurchaseRate: number | null;
  averageOrderValue: Money | null;
  purchaseFrequency: number | null;
  annualPurchaseFrequency: number | null;
  customerLifetimeValue: Money | null;
  nps: { score: number | null; promoters: number; passives: number; detractors: number; answers: number };
}

interface MoneyGroup extends Omit<CustomerGroupFigures, "revenueMinor" | "averageOrderValueMinor"> {
  revenue: Money;
  averageOrderValue: Money | null;
}

export interface AnalyticsReport {
  currency: string;
  timezone: string;
  period: { from: string; to: string };
  previousPeriod: { from: string; to: string } | null;
  settings: { activityWindowDays: number; expectedLifespanMonths: number; profitMarginPercent: number };
  metrics: MetricSet;
  previous: MetricSet | null;
  series: {
    month: string;
    customersAtStart: number;
    customersAtEnd: number;
    newCustomers: number;
    customerRetentionRate: number | null;
    churnRate: number | null;
    orders: number;
    revenue: Money;
  }[];
  cohorts: { month: string; customers: number; retention: (number | null)[] }[];
  historicalClv: {
    average: Money | null;
    topCustomers: {
      customerId: string;
      name: string;
      orders: number;
      revenue: Money;
      historicalClv: Money;
    }[];
  };
  loyalty: {
    programEnabled: boolean;
    members: number;
    activeMembers: number;
    pointsOutstanding: number;
    pendingPoints: number;
    liability: Money | null;
    liabilityRate: { pointsCost: number; amount: Money } | null;
    pointsEarned: number;
    pointsRedeemed: number;
    redemptionRate: number | null;
    tiers: { tierId: string | null; name: string; members: number }[];
    memberCustomers: MoneyGroup;
    nonMemberCustomers: MoneyGroup;
  };
  flows: (Omit<FlowFigures, "revenueMinor" | "incrementalRevenueMinor" | "channels"> & {
    attributedRevenue: Money;
    incrementalRevenue: Money | null;
    channels: (Omit<FlowFigures["channels"][number], "cost"> & { cost: Money | null })[];
    whatsappCost: Money | null;
  })[];
}

export class AnalyticsShopNotFoundError extends Error {}

export async function analyticsReport(
  db: Database,
  sql: SqlConnection,
  shopId: string,
  query: AnalyticsQuery,
  now: Date,
): Promise<AnalyticsReport> {
  const shop = await db.shop.findUnique({
    where: { id: shopId },
    select: { currency: true, timezone: true },
  });
  if (!shop) throw new AnalyticsShopNotFoundError(`no shop ${shopId}`);
  const { currency, timezone: zone } = shop;
  const money = (amountMinor: number): Money => ({ amountMinor, currency });
  const maybeMoney = (amountMinor: number | null): Money | null =>
    amountMinor === null ? null : money(amountMinor);

  const today = localDay(now.getTime(), zone);
  const to = query.to
    ? isoToDay(query.to)
    : query.from
      ? isoToDay(query.from) + defaultPeriodDays
      : today + 1;
  const from = query.from ? isoToDay(query.from) : to - defaultPeriodDays;
  const length = to - from;
  const previous = query.compare === "previous" ? { from: from - length, to: from } : null;
  const instants = { from: midnightOf(from, zone), to: midnightOf(to, zone) };

  const { settings, retention, loyalty } = await sql.transaction(async (tx) => {
    // PostgreSQL's JIT compiles these few aggregate statements on every call because their
    // estimated cost crosses its threshold: ~25 ms of compiling per statement for statements that
    // run in tens of milliseconds (docs/benchmarks.md). The report's transaction runs without it.
    if (tx.provider === "postgresql") await tx.execute("SET LOCAL jit = off");
    const settings = await analyticsSettingsOf(tx, shopId);
    const retention = await retentionReport(tx, {
      shopId,
      zone,
      settings,
      periods: previous ? [{ from, to }, previous] : [{ from, to }],
      now,
    });
    const loyalty = await loyaltyFigures(db, tx, shopId, instants, retention.lifetimeTotals);
    return { settings, retention, loyalty };
  });
  const flows = await flowFigures(db, shopId, { from: new Date(instants.from), to: new Date(instants.to) });

  const metricSet = (period: PeriodRetention): MetricSet => ({
    from: period.from,
    to: period.to,
    customersAtStart: period.customersAtStart,
    customersAtEnd: period.customersAtEnd,
    newCustomers: period.newCustomers,
    retainedCustomers: period.retainedCustomers,
    lostCustomers: period.lostCustomers,
    customerRetentionRate: period.customerRetentionRate,
    churnRate: period.churnRate,
    orders: period.orders,
    revenue: money(period.revenueMinor),
    customers: period.customers,
    repeatCustomers: period.repeatCustomers,
    repeatPurchaseRate: period.repeatPurchaseRate,
    lifetimeCustomers: period.lifetimeCustomers,
    lifetimeRepeatCustomers: period.lifetimeRepeatCustomers,
    lifetimeRepeatPurchaseRate: period.lifetimeRepeatPurchaseRate,
    averageOrderValue: maybeMoney(period.averageOrderValueMinor),
    purchaseFrequency: period.purchaseFrequency,
    annualPurchaseFrequency: period.yearPurchaseFrequency,
    customerLifetimeValue: maybeMoney(period.customerLifetimeValueMinor),
    nps: {
      score: period.nps.score,
      promoters: period.nps.promoters,
      passives: period.nps.passives,
      detractors: period.nps.detractors,
      answers: period.nps.answers,
    },
  });
  const [main, before] = retention.periods;
  if (!main) throw new Error("the report has no period");
  const group = (figures: CustomerGroupFigures): MoneyGroup => ({
    customers: figures.customers,
    repeatCustomers: figures.repeatCustomers,
    repeatPurchaseRate: figures.repeatPurchaseRate,
    orders: figures.orders,
    revenue: money(figures.revenueMinor),
    averageOrderValue: maybeMoney(figures.averageOrderValueMinor),
  });
  return {
    currency,
    timezone: zone,
    period: { from: dayToIso(from), to: dayToIso(to) },
    previousPeriod: previous ? { from: dayToIso(previous.from), to: dayToIso(previous.to) } : null,
    settings: {
      activityWindowDays: settings.activityWindowDays,
      expectedLifespanMonths: settings.expectedLifespanMonths,
      profitMarginPercent: settings.profitMarginBasisPoints / 100,
    },
    metrics: metricSet(main),
    previous: before ? metricSet(before) : null,
    series: retention.series.map((point) => ({
      month: point.month,
      customersAtStart: point.customersAtStart,
      customersAtEnd: point.customersAtEnd,
      newCustomers: point.newCustomers,
      customerRetentionRate: point.customerRetentionRate,
      churnRate: point.churnRate,
      orders: point.orders,
      revenue: money(point.revenueMinor),
    })),
    cohorts: retention.cohorts,
    historicalClv: {
      average: maybeMoney(retention.averageHistoricalClvMinor),
      topCustomers: retention.topCustomers.map((customer) => ({
        customerId: customer.customerId,
        name: customer.name,
        orders: customer.orders,
        revenue: money(customer.revenueMinor),
        historicalClv: money(customer.historicalClvMinor),
      })),
    },
    loyalty: {
      programEnabled: loyalty.programEnabled,
      members: loyalty.members,
      activeMembers: loyalty.activeMembers,
      pointsOutstanding: loyalty.pointsOutstanding,
      pendingPoints: loyalty.pendingPoints,
      liability: maybeMoney(loyalty.liabilityMinor),
      liabilityRate: loyalty.cheapestRate
        ? { pointsCost: loyalty.cheapestRate.pointsCost, amount: money(loyalty.cheapestRate.amountMinor) }
        : null,
      pointsEarned: loyalty.pointsEarned,
      pointsRedeemed: loyalty.pointsRedeemed,
      redemptionRate: loyalty.redemptionRate,
      tiers: loyalty.tiers,
      memberCustomers: group(loyalty.memberCustomers),
      nonMemberCustomers: group(loyalty.nonMembers),
    },
    flows: flows.map(({ revenueMinor, incrementalRevenueMinor, channels, ...flow }) => {
      const whatsapp = channels.find((channel) => channel.channel === "whatsapp")?.cost ?? null;
      return {
        ...flow,
        attributedRevenue: money(revenueMinor),
        incrementalRevenue: maybeMoney(incrementalRevenueMinor),
        channels,
        whatsappCost: whatsapp,
      };
    }),
  };
}
