// Every table of the analytics report, built once for the page (DataTable) and for the CSV export,
// so both show the same rows. Cells keep their kind: the page formats money and rates for the
// merchant's language, the CSV writes plain decimals.
import type { AnalyticsReport, Money, MetricSet } from "../../analytics/report";
import { toDecimalAmount } from "../../money/money";
import type { AnalyticsStrings } from "../../i18n/messages/analytics";

export type Cell = string | number | null | Money | { rate: number | null };

export interface AnalyticsTable {
  id: TableId;
  title: string;
  headers: string[];
  rows: Cell[][];
}

export const tableIds = [
  "metrics",
  "retention",
  "cohorts",
  "customers",
  "loyalty",
  "tiers",
  "flows",
  "channels",
] as const;
export type TableId = (typeof tableIds)[number];

const rate = (value: number | null): Cell => ({ rate: value });

type MetricRow = [keyof AnalyticsStrings, (set: MetricSet) => Cell];

const metricRows: MetricRow[] = [
  ["customerRetentionRate", (set) => rate(set.customerRetentionRate)],
  ["churnRate", (set) => rate(set.churnRate)],
  ["customersAtStart", (set) => set.customersAtStart],
  ["customersAtEnd", (set) => set.customersAtEnd],
  ["newCustomers", (set) => set.newCustomers],
  ["retainedCustomers", (set) => set.retainedCustomers],
  ["lostCustomers", (set) => set.lostCustomers],
  ["repeatPurchaseRate", (set) => rate(set.repeatPurchaseRate)],
  ["lifetimeRepeatPurchaseRate", (set) => rate(set.lifetimeRepeatPurchaseRate)],
  ["revenue", (set) => set.revenue],
  ["orders", (set) => set.orders],
  ["customers", (set) => set.customers],
  ["averageOrderValue", (set) => set.averageOrderValue],
  ["purchaseFrequency", (set) => set.purchaseFrequency],
  ["customerLifetimeValue", (set) => set.customerLifetimeValue],
  ["nps", (set) => set.nps.score],
];

export function analyticsTables(report: AnalyticsReport, t: AnalyticsStrings): AnalyticsTable[] {
  const previous = report.previous;
  return [
    {
      id: "metrics",
      title: t.analyticsTitle,
      headers: previous ? [t.metric, t.value, t.previousValue] : [t.metric, t.value],
      rows: metricRows.map(([key, read]) =>
        previous ? [t[key], read(report.metrics), read(previous)] : [t[key], read(report.metrics)],
      ),
    },
    {
      id: "retention",
      title: t.retentionOverTime,
      headers: [
        t.month,
        t.customersAtStart,
        t.customersAtEnd,
        t.newCustomers,
        t.customerRetentionRate,
        t.churnRate,
        t.orders,
        t.revenue,
      ],
      rows: report.series.map((point) => [
        point.month,
        point.customersAtStart,
        point.customersAtEnd,
        point.newCustomers,
        rate(point.customerRetentionRate),
        rate(point.churnRate),
        point.orders,
        point.revenue,
      ]),
    },
    {
      id: "cohorts",
      title: t.cohorts,
      headers: [
        t.cohortMonth,
        t.cohortCustomers,
        ...Array.from({ length: 12 }, (_, index) => `+${index + 1}`),
      ],
      rows: report.cohorts.map((row) => [row.month, row.customers, ...row.retention.map(rate)]),
    },
    {
      id: "customers",
      title: t.topCustomers,
      headers: [t.name, t.orders, t.revenue, t.historicalClv],
      rows: report.historicalClv.topCustomers.map((customer) => [
        customer.name,
        customer.orders,
        customer.revenue,
        customer.historicalClv,
      ]),
    },
    {
      id: "loyalty",
      title: t.loyalty,
      headers: [t.metric, t.value],
      rows: [
        [t.members, report.loyalty.members],
        [t.activeMembers, report.loyalty.activeMembers],
        [t.pointsOutstanding, report.loyalty.pointsOutstanding],
        [t.pendingPoints, report.loyalty.pendingPoints],
        [t.loyaltyLiability, report.loyalty.liability],
        [t.pointsEarned, report.loyalty.pointsEarned],
        [t.pointsRedeemed, report.loyalty.pointsRedeemed],
        [t.redemptionRate, rate(report.loyalty.redemptionRate)],
        [
          `${t.memberGroup}: ${t.repeatPurchaseRate}`,
          rate(report.loyalty.memberCustomers.repeatPurchaseRate),
        ],
        [
          `${t.nonMemberGroup}: ${t.repeatPurchaseRate}`,
          rate(report.loyalty.nonMemberCustomers.repeatPurchaseRate),
        ],
        [`${t.memberGroup}: ${t.averageOrderValue}`, report.loyalty.memberCustomers.averageOrderValue],
        [`${t.nonMemberGroup}: ${t.averageOrderValue}`, report.loyalty.nonMemberCustomers.averageOrderValue],
      ],
    },
    {
      id: "tiers",
      title: t.tiers,
      headers: [t.tier, t.members],
      rows: report.loyalty.tiers.map((tier) => [tier.tierId ? tier.name : t.noTier, tier.members]),
    },
    {
      id: "flows",
      title: t.flows,
      headers: [
        t.flow,
        t.recipients,
        t.sent,
        t.delivered,
        t.opened,
        t.clicked,
        t.conversions,
        t.conversionRate,
        t.attributedRevenue,
        t.recoveredCheckouts,
        t.incrementalRevenue,
        t.whatsappCost,
      ],
      rows: report.flows.map((flow) => [
        flow.name,
        flow.recipients,
        flow.sent,
        flow.delivered,
        flow.opened,
        flow.clicked,
        flow.conversions,
        rate(flow.conversionRate),
        flow.attributedRevenue,
        flow.recoveredCheckouts,
        flow.incrementalRevenue,
        flow.whatsappCost,
      ]),
    },
    {
      id: "channels",
      title: `${t.flows}: ${t.channel}`,
      headers: [t.flow, t.channel, t.sent, t.delivered, t.opened, t.clicked, t.cost],
      rows: report.flows.flatMap((flow) =>
        flow.channels.map((channel) => [
          flow.name,
          channel.channel,
          channel.sent,
          channel.delivered,
          channel.opened,
          channel.clicked,
          channel.cost,
        ]),
      ),
    },
  ];
}

function isMoney(cell: Cell): cell is Money {
  return typeof cell === "object" && cell !== null && "amountMinor" in cell;
}

/** A cell for the merchant: money in their currency, rates with a percent sign. */
export function formatCell(cell: Cell, locale: string): string {
  if (cell === null) return "—";
  if (typeof cell === "string") return cell;
  if (typeof cell === "number") return cell.toLocaleString(locale);
  if (isMoney(cell)) return formatMoney(cell, locale);
  return cell.rate === null
    ? "—"
    : `${cell.rate.toLocaleString(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 })} %`;
}

export function formatMoney(money: Money, locale: string): string {
  const decimal = Number(toDecimalAmount(money.amountMinor, money.currency));
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency: money.currency }).format(decimal);
  } catch {
    return `${toDecimalAmount(money.amountMinor, money.currency)} ${money.currency}`;
  }
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The table as CSV (RFC 4180): money as a decimal amount with its currency column beside it. */
export function tableCsv(table: AnalyticsTable): string {
  const moneyColumns = new Set<number>();
  for (const row of table.rows) row.forEach((cell, index) => isMoney(cell) && moneyColumns.add(index));
  const headers = table.headers.flatMap((header, index) =>
    moneyColumns.has(index) ? [header, `${header} (currency)`] : [header],
  );
  const lines = [headers.map(csvField).join(",")];
  for (const row of table.rows) {
    const fields = row.flatMap((cell, index): string[] => {
      const money = moneyColumns.has(index);
      if (cell === null) return money ? ["", ""] : [""];
      if (isMoney(cell)) return [toDecimalAmount(cell.amountMinor, cell.currency), cell.currency];
      const text = typeof cell === "object" ? (cell.rate === null ? "" : cell.rate.toFixed(2)) : String(cell);
      return money ? [text, ""] : [text];
    });
    lines.push(fields.map(csvField).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}
