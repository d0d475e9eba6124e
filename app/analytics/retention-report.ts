// Retention figures of a shop for periods of whole local days, read from the rollups only
// (rollups.ts): S, E, N and the active counts from the daily rows' prefix sums, lost customers
// from the spells, distinct and repeat customers of a period from the order facts' previous-order
// times, cohorts from their own rollup. A handful of statements per report, whatever the period.
import { encodeValue, type SqlTx } from "../db/sql";
import { dayToIso, firstDayOfMonth, localDay, midnightOf, monthOfDay, monthToIso } from "./calendar";
import { cohortOffsets } from "./customer-rollup";
import {
  averageOrderValue,
  churnRate,
  customerLifetimeValue,
  customerRetentionRate,
  historicalCustomerValue,
  netPromoterScore,
  npsCounts,
  percentage,
  purchaseFrequency,
  repeatPurchaseRate,
  roundedQuotient,
  type NpsCounts,
} from "./metrics";
import type { AnalyticsSettingsValues } from "./rollups";

/** Whole local days [from, to): day numbers (calendar.ts). */
export interface DayPeriod {
  from: number;
  to: number;
}

export interface PeriodRetention {
  from: string;
  /** The first day after the period (excluded, like the API's `to`). */
  to: string;
  customersAtStart: number;
  customersAtEnd: number;
  newCustomers: number;
  retainedCustomers: number;
  lostCustomers: number;
  customerRetentionRate: number | null;
  churnRate: number | null;
  orders: number;
  revenueMinor: number;
  customers: number;
  repeatCustomers: number;
  repeatPurchaseRate: number | null;
  lifetimeCustomers: number;
  lifetimeRepeatCustomers: number;
  lifetimeRepeatPurchaseRate: number | null;
  averageOrderValueMinor: number | null;
  purchaseFrequency: number | null;
  /**
   * For CLV, the activity window before the period's end ((end − W, end], a year by default):
   * its orders and revenue, and its customers — exactly those active at the end. The frequency is
   * scaled to a year when W is not 365 days.
   */
  yearOrders: number;
  yearRevenueMinor: number;
  yearCustomers: number;
  yearPurchaseFrequency: number | null;
  customerLifetimeValueMinor: number | null;
  nps: NpsCounts & { answers: number; score: number | null };
}

export interface CohortRow {
  month: string;
  customers: number;
  /** Share (percent, two decimals) who ordered in month +1 … +12; null for months not begun. */
  retention: (number | null)[];
}

export interface SeriesPoint {
  month: string;
  customersAtStart: number;
  customersAtEnd: number;
  newCustomers: number;
  customerRetentionRate: number | null;
  churnRate: number | null;
  revenueMinor: number;
  orders: number;
}

export interface TopCustomer {
  customerId: string;
  name: string;
  orders: number;
  revenueMinor: number;
  historicalClvMinor: number;
}

export interface RetentionReport {
  periods: PeriodRetention[];
  cohorts: CohortRow[];
  series: SeriesPoint[];
  customersWithOrders: number;
  /** Every customer with a qualifying order, now: for members against non-members. */
  lifetimeTotals: { customers: number; repeatCustomers: number; orders: number; revenueMinor: number };
  averageHistoricalClvMinor: number | null;
  topCustomers: TopCustomer[];
}

const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));

interface DayRow {
  day: number;
  orders: number;
  revenueMinor: number;
  newCustomers: number;
  activeDelta: number;
  secondOrders: number;
  monthLost: number;
}

/** Sums over the daily rows: active customers at a midnight, totals over a day range. */
class DailyTotals {
  private readonly byDay: Map<number, DayRow>;

  constructor(private readonly rows: readonly DayRow[]) {
    this.byDay = new Map(rows.map((row) => [row.day, row]));
  }

  /** Customers active at the first midnight of the month starting on `day` and not at the next. */
  lostInMonthFrom(day: number): number {
    return this.byDay.get(day)?.monthLost ?? 0;
  }

  /** Customers whose first / second qualifying order was placed before the midnight of `day`. */
  customersBefore(day: number): { customers: number; repeatCustomers: number } {
    const totals = { customers: 0, repeatCustomers: 0 };
    for (const row of this.rows) {
      if (row.day >= day) continue;
      totals.customers += row.newCustomers;
      totals.repeatCustomers += row.secondOrders;
    }
    return totals;
  }

  activeAt(day: number): number {
    let active = 0;
    for (const row of this.rows) if (row.day <= day) active += row.activeDelta;
    return active;
  }

  sum(from: number, to: number): { orders: number; revenueMinor: number; newCustomers: number } {
    const totals = { orders: 0, revenueMinor: 0, newCustomers: 0 };
    for (const row of this.rows) {
      if (row.day < from || row.day >= to) continue;
      totals.orders += row.orders;
      totals.revenueMinor += row.revenueMinor;
      totals.newCustomers += row.newCustomers;
    }
    return totals;
  }
}

/**
 * A day number or instant written into a statement (integers from the calendar, never input): the
 * planner then sees the actual ranges instead of planning for parameters.
 */
function sqlInteger(value: number, what: string): string {
  if (!Number.isSafeInteger(value)) throw new Error(`not ${what}: ${value}`);
  return String(value);
}

/**
 * Customers lost between two midnights a < b: active at a (the spell covering a) and not at b —
 * that spell ends before b and no later spell of theirs covers b. Only spells ending in [a, b) are
 * read (an index range), so a window costs its spell ends, not the whole table. A customer with
 * no next spell by b (`nextFrom`) is lost without looking further; one whose next spell starts by
 * b is not, when b − a ≤ W: that spell starts after a and lasts at least W days, so it covers b.
 * Only longer windows look at the customer's later spells.
 */
async function lostCounts(
  tx: SqlTx,
  shopId: string,
  pairs: readonly { start: number; end: number }[],
  windowDays: number,
): Promise<number[]> {
  if (pairs.length === 0) return [];
  // Day numbers written into the statement (integers from the calendar, never input): the planner
  // then sees each range and walks the (activeUntil) index instead of a generic plan's scan.
  const day = (value: number) => sqlInteger(value, "a day number");
  const windows = pairs
    .map(
      (pair, index) =>
        `SELECT ${index} AS "i", ${day(pair.start)} AS "a", ${day(pair.end)} AS "b", ${pair.end - pair.start > windowDays ? 1 : 0} AS "long"`,
    )
    .join(" UNION ALL ");
  const rows = await tx.query<{ i: unknown; lost: unknown }>(
    `SELECT p."i" AS "i", COUNT(*) AS "lost"
     FROM (${windows}) p
     JOIN "AnalyticsSpell" e ON e."shopId" = ? AND e."activeUntil" >= p."a" AND e."activeUntil" < p."b" AND e."activeFrom" <= p."a"
     WHERE e."nextFrom" IS NULL OR e."nextFrom" > p."b" OR (p."long" = 1 AND NOT EXISTS (
       SELECT 1 FROM "AnalyticsSpell" l
       WHERE l."shopId" = e."shopId" AND l."customerId" = e."customerId" AND l."seq" > e."seq"
         AND l."activeFrom" <= p."b" AND l."activeUntil" >= p."b"))
     GROUP BY p."i"`,
    [shopId],
  );
  const lost = new Map(rows.map((row) => [num(row.i), num(row.lost)]));
  return pairs.map((_, index) => lost.get(index) ?? 0);
}

/**
 * Distinct customers and customers with two or more qualifying orders placed in each window
 * [from, to), all windows in one pass over the order facts of their combined span.
 */
async function windowCustomers(
  tx: SqlTx,
  shopId: string,
  windows: readonly { from: number; to: number }[],
): Promise<{ customers: number; repeatCustomers: number }[]> {
  if (windows.length === 0) return [];
  // Instants written into the statement (integers from the calendar, never input), as in
  // lostCounts: with them as parameters PostgreSQL settles on a generic plan that reads the facts
  // twice as slowly as the one it picks for the actual range.
  const at = (value: number) => sqlInteger(value, "an instant");
  const columns = windows
    .map(({ from, to }, index) => {
      const [a, b] = [at(from), at(to)];
      return (
        `SUM(CASE WHEN "placedAt" >= ${a} AND "placedAt" < ${b} AND ("previousAt" IS NULL OR "previousAt" < ${a}) THEN 1 ELSE 0 END) AS "c${index}", ` +
        `SUM(CASE WHEN "placedAt" >= ${a} AND "placedAt" < ${b} AND "previousAt" >= ${a} AND ("secondPreviousAt" IS NULL OR "secondPreviousAt" < ${a}) THEN 1 ELSE 0 END) AS "r${index}"`
      );
    })
    .join(", ");
  const [row] = await tx.query<Record<string, unknown>>(
    `SELECT ${columns} FROM "AnalyticsOrder" WHERE "shopId" = ? AND "placedAt" >= ${at(Math.min(...windows.map((window) => window.from)))} AND "placedAt" < ${at(Math.max(...windows.map((window) => window.to)))}`,
    [shopId],
  );
  return windows.map((_, index) => ({
    customers: num(row?.[`c${index}`]),
    repeatCustomers: num(row?.[`r${index}`]),
  }));
}

const noOrders = { orders: 0, revenueMinor: 0 };

/** Qualifying orders placed exactly at these instants (window edges), by instant. */
async function ordersAtInstants(
  tx: SqlTx,
  shopId: string,
  instants: readonly number[],
): Promise<Map<number, { orders: number; revenueMinor: number }>> {
  const distinct = [...new Set(instants)];
  if (distinct.length === 0) return new Map();
  const rows = await tx.query<Record<string, unknown>>(
    `SELECT "placedAt", COUNT(*) AS "orders", SUM("revenueMinor") AS "revenueMinor" FROM "AnalyticsOrder"
     WHERE "shopId" = ? AND "placedAt" IN (${distinct.map(() => "?").join(", ")}) GROUP BY "placedAt"`,
    [shopId, ...distinct],
  );
  return new Map(
    rows.map((row) => [num(row.placedAt), { orders: num(row.orders), revenueMinor: num(row.revenueMinor) }]),
  );
}

async function npsOf(tx: SqlTx, shopId: string, from: number, to: number) {
  const rows = await tx.query<{ score: unknown; answers: unknown }>(
    `SELECT "score", COUNT(*) AS "answers" FROM "NpsAnswer" WHERE "shopId" = ? AND "answeredAt" >= ? AND "answeredAt" < ? GROUP BY "score"`,
    [
      shopId,
      encodeValue(tx.provider, "DateTime", new Date(from)),
      encodeValue(tx.provider, "DateTime", new Date(to)),
    ],
  );
  const counts = npsCounts(rows.map((row) => ({ score: num(row.score), count: num(row.answers) })));
  return {
    ...counts,
    answers: counts.promoters + counts.passives + counts.detractors,
    score: netPromoterScore(counts),
  };
}

export interface RetentionOptions {
  shopId: string;
  zone: string;
  settings: AnalyticsSettingsValues;
  periods: readonly DayPeriod[];
  now: Date;
}

export async function retentionReport(tx: SqlTx, options: RetentionOptions): Promise<RetentionReport> {
  const { shopId, zone, settings, periods } = options;
  const today = localDay(options.now.getTime(), zone);
  const dayRows = (
    await tx.query<Record<string, unknown>>(
      `SELECT "day", "orders", "revenueMinor", "newCustomers", "activeDelta", "secondOrders", "monthLost" FROM "AnalyticsDay" WHERE "shopId" = ? ORDER BY "day"`,
      [shopId],
    )
  ).map((row) => ({
    day: num(row.day),
    orders: num(row.orders),
    revenueMinor: num(row.revenueMinor),
    newCustomers: num(row.newCustomers),
    activeDelta: num(row.activeDelta),
    secondOrders: num(row.secondOrders),
    monthLost: num(row.monthLost),
  }));
  const daily = new DailyTotals(dayRows);

  // Monthly series: the twelve months up to the first period's last month, those begun by today.
  const main = periods[0] ?? { from: today, to: today + 1 };
  const lastMonth = monthOfDay(main.to - 1);
  const months: number[] = [];
  for (let month = lastMonth - 11; month <= lastMonth; month += 1) {
    if (firstDayOfMonth(month) <= today) months.push(month);
  }
  const seriesPeriods = months.map((month) => ({
    from: firstDayOfMonth(month),
    to: firstDayOfMonth(month + 1),
  }));
  // The periods' lost customers from the spells; the months' from their own rollup column.
  const lost = await lostCounts(
    tx,
    shopId,
    periods.map((period) => ({ start: period.from, end: period.to })),
    settings.activityWindowDays,
  );
  // Every customer with a qualifying order, now (first and second orders are day rollups).
  const lifetime = daily.customersBefore(Number.MAX_SAFE_INTEGER);
  const lifetimeOrders = daily.sum(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);

  // Distinct and repeat customers of each period, counted in one pass.
  const counted = await windowCustomers(
    tx,
    shopId,
    periods.map((period) => ({ from: midnightOf(period.from, zone), to: midnightOf(period.to, zone) })),
  );
  const window = settings.activityWindowDays;
  const atMidnights = await ordersAtInstants(
    tx,
    shopId,
    periods.flatMap((period) => [midnightOf(period.to - window, zone), midnightOf(period.to, zone)]),
  );
  const results: PeriodRetention[] = [];
  for (const [index, period] of periods.entries()) {
    const start = midnightOf(period.from, zone);
    const end = midnightOf(period.to, zone);
    const atStart = daily.activeAt(period.from);
    const atEnd = daily.activeAt(period.to);
    const totals = daily.sum(period.from, period.to);
    const retainedCustomers = atStart - (lost[index] ?? 0);
    const counts = { atStart, atEnd, acquired: totals.newCustomers, retained: retainedCustomers };
    const inPeriod = counted[index] ?? { customers: 0, repeatCustomers: 0 };
    // (end − W, end]: the day rows of [end − W, end) hold [midnight(end − W), midnight(end)), so
    // orders placed exactly at the window's first midnight leave and those at its last one join.
    const days = daily.sum(period.to - window, period.to);
    const leaving = atMidnights.get(midnightOf(period.to - window, zone)) ?? noOrders;
    const joining = atMidnights.get(end) ?? noOrders;
    const year = {
      orders: days.orders - leaving.orders + joining.orders,
      revenueMinor: days.revenueMinor - leaving.revenueMinor + joining.revenueMinor,
    };
    const yearCustomers = atEnd;
    const { customers: lifetimeCustomers, repeatCustomers: lifetimeRepeatCustomers } = daily.customersBefore(
      period.to,
    );
    results.push({
      from: dayToIso(period.from),
      to: dayToIso(period.to),
      customersAtStart: atStart,
      customersAtEnd: atEnd,
      newCustomers: totals.newCustomers,
      retainedCustomers,
      lostCustomers: atStart - retainedCustomers,
      customerRetentionRate: customerRetentionRate(counts),
      churnRate: churnRate(counts),
      orders: totals.orders,
      revenueMinor: totals.revenueMinor,
      customers: inPeriod.customers,
      repeatCustomers: inPeriod.repeatCustomers,
      repeatPurchaseRate: repeatPurchaseRate(inPeriod.repeatCustomers, inPeriod.customers),
      lifetimeCustomers,
      lifetimeRepeatCustomers,
      lifetimeRepeatPurchaseRate: repeatPurchaseRate(lifetimeRepeatCustomers, lifetimeCustomers),
      averageOrderValueMinor: averageOrderValue(totals.revenueMinor, totals.orders),
      purchaseFrequency: purchaseFrequency(totals.orders, inPeriod.customers),
      yearOrders: year.orders,
      yearRevenueMinor: year.revenueMinor,
      yearCustomers,
      yearPurchaseFrequency: purchaseFrequency(year.orders * 365, yearCustomers * window),
      customerLifetimeValueMinor: customerLifetimeValue(year.revenueMinor, yearCustomers, settings, window),
      nps: await npsOf(tx, shopId, start, end),
    });
  }

  const series: SeriesPoint[] = seriesPeriods.map((period) => {
    const atStart = daily.activeAt(period.from);
    const atEnd = daily.activeAt(period.to);
    const totals = daily.sum(period.from, period.to);
    const retainedCustomers = atStart - daily.lostInMonthFrom(period.from);
    return {
      month: monthToIso(monthOfDay(period.from)),
      customersAtStart: atStart,
      customersAtEnd: atEnd,
      newCustomers: totals.newCustomers,
      customerRetentionRate: customerRetentionRate({ atStart, atEnd, acquired: totals.newCustomers }),
      churnRate: churnRate({ atStart, retained: retainedCustomers }),
      revenueMinor: totals.revenueMinor,
      orders: totals.orders,
    };
  });

  // Cohorts: the twelve first-order months up to the period's last month.
  const currentMonth = monthOfDay(today);
  const cohortRows = await tx.query<Record<string, unknown>>(
    `SELECT "cohortMonth", "offset", "customers" FROM "AnalyticsCohort" WHERE "shopId" = ? AND "cohortMonth" >= ? AND "cohortMonth" <= ?`,
    [shopId, lastMonth - 11, lastMonth],
  );
  const cohortCells = new Map(
    cohortRows.map((row) => [`${num(row.cohortMonth)}:${num(row.offset)}`, num(row.customers)]),
  );
  const cohorts: CohortRow[] = [];
  for (let month = lastMonth - 11; month <= lastMonth; month += 1) {
    const customers = cohortCells.get(`${month}:0`) ?? 0;
    if (customers === 0) continue;
    cohorts.push({
      month: monthToIso(month),
      customers,
      retention: Array.from({ length: cohortOffsets }, (_, index) => {
        const offset = index + 1;
        if (month + offset > currentMonth) return null;
        return percentage(cohortCells.get(`${month}:${offset}`) ?? 0, customers);
      }),
    });
  }

  const top = await tx.query<Record<string, unknown>>(
    `SELECT a."customerId", a."orders", a."revenueMinor", c."firstName", c."lastName", c."email"
     FROM "AnalyticsCustomer" a JOIN "Customer" c ON c."id" = a."customerId"
     WHERE a."shopId" = ? ORDER BY a."revenueMinor" DESC, a."customerId" LIMIT 10`,
    [shopId],
  );
  const customersWithOrders = lifetime.customers;
  return {
    periods: results,
    cohorts,
    series,
    customersWithOrders,
    lifetimeTotals: {
      customers: customersWithOrders,
      repeatCustomers: lifetime.repeatCustomers,
      orders: lifetimeOrders.orders,
      revenueMinor: lifetimeOrders.revenueMinor,
    },
    averageHistoricalClvMinor:
      customersWithOrders === 0
        ? null
        : roundedQuotient(
            BigInt(lifetimeOrders.revenueMinor) * BigInt(settings.profitMarginBasisPoints),
            BigInt(customersWithOrders) * 10_000n,
          ),
    topCustomers: top.map((row) => ({
      customerId: String(row.customerId),
      name:
        [row.firstName, row.lastName].filter((part) => typeof part === "string" && part).join(" ") ||
        (typeof row.email === "string" ? row.email : "—"),
      orders: num(row.orders),
      revenueMinor: num(row.revenueMinor),
      historicalClvMinor: historicalCustomerValue(num(row.revenueMinor), settings.profitMarginBasisPoints),
    })),
  };
}
