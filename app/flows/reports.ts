// What flows earned (R-FLOW-6) and whether they earned it (R-FLOW-8), for the admin and the JSON
// API: per flow, per step and per split variant over a period [from, to), the control-group
// report, a flow's versions and changes, and its runs page by page. Every query is scoped by shop.
//
// Counting rules (docs/decisions/010-flow-attribution-and-control-groups.md):
// - recipients: distinct runs enrolled in the period (flow totals; both groups), distinct runs that
//   took the step in the period (steps), distinct runs that were assigned the variant in the period
//   (variants);
// - sent / delivered / opened / clicked: the flow's messages sent in the period (status sent or
//   delivered), of which delivered, opened, clicked at any time since;
// - converted / revenue / recovered checkouts: orders processed in the period that attribution
//   (attribution.ts) gave to this flow — to the step that sent the message, and to every variant
//   the run had been assigned before that message. Flow totals are the sum over attributed orders.
import { Prisma } from "@prisma/client";
import type { Database } from "../db/client";
import { encodePageCursor, type PageCursor } from "../db/page-cursor";
import {
  attributeOrders,
  attributionSettings,
  chunked,
  orderRevenueMinor,
  ordersOfCustomers,
  shopFilter,
  sentStatuses,
  type AttributionSettings,
  type OrderAttribution,
  type Period,
} from "./attribution";
import { compareGroups, type ControlComparison } from "./control-statistics";
import { storedDefinition, type FlowDefinition } from "./definition";

export class FlowReportNotFoundError extends Error {}

export interface MessageFunnel {
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
}

export interface Results extends MessageFunnel {
  recipients: number;
  /** Attributed orders. */
  converted: number;
  /** Sum of the attributed orders' revenue, integer minor units of the shop currency. */
  revenueMinor: number;
  recoveredCheckouts: number;
}

export interface StepResults extends Results {
  stepId: string;
  /** The step's type in the current version; null for a step only older versions have. */
  type: string | null;
  inCurrentVersion: boolean;
  /** Step-log rows in the period by outcome, e.g. { sent: 90, held_out: 10 }. */
  outcomes: Record<string, number>;
}

export interface VariantResults extends Results {
  splitStepId: string;
  variantId: string;
  /** The variant's weight in the current version; null when only older versions have it. */
  weight: number | null;
}

export interface FlowResults {
  period: Period;
  currency: string;
  attribution: AttributionSettings;
  totals: Results;
  steps: StepResults[];
  variants: VariantResults[];
}

export interface ControlReport extends ControlComparison {
  period: Period;
  currency: string;
  /** The share held out in the current version (percent). */
  controlPercent: number;
  /** Orders within this many minutes after a run's enrolment count for its group. */
  windowMinutes: number;
}

const emptyResults = (): Results => ({
  recipients: 0,
  sent: 0,
  delivered: 0,
  opened: 0,
  clicked: 0,
  converted: 0,
  revenueMinor: 0,
  recoveredCheckouts: 0,
});

/** A COUNT from a raw query: bigint on PostgreSQL, number (or bigint) on SQLite. */
function counted(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string") return Number(value);
  return 0;
}

function addAttribution(results: Results, attribution: OrderAttribution): void {
  results.converted += 1;
  results.revenueMinor += attribution.revenueMinor;
  if (attribution.recoveredCheckout) results.recoveredCheckouts += 1;
}

async function shopCurrency(db: Database, shopId: string): Promise<string> {
  const shop = await db.shop.findUnique({ where: { id: shopId }, select: { currency: true } });
  return shop?.currency ?? "USD";
}

// ---------------------------------------------------------------------------------------------
// All flows of a shop

/** What every view of a flow starts with. */
export interface FlowIdentity {
  id: string;
  name: string;
  status: string;
  triggerEvent: string;
  currentVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

function identityOf(flow: FlowIdentity): FlowIdentity {
  const { id, name, status, triggerEvent, currentVersion, createdAt, updatedAt } = flow;
  return { id, name, status, triggerEvent, currentVersion, createdAt, updatedAt };
}

export interface FlowSummary extends FlowIdentity {
  recipients: number;
  sent: number;
  conversions: number;
  revenueMinor: number;
}

/** Every flow of the shop with its recipients, sends, conversions and revenue in the period. */
export async function flowSummaries(
  db: Database,
  shopId: string,
  period: Period,
): Promise<{ period: Period; currency: string; attribution: AttributionSettings; flows: FlowSummary[] }> {
  const settings = await attributionSettings(db, shopId);
  const [flows, runs, sends, attributions, currency] = await Promise.all([
    db.flow.findMany({ where: { shopId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
    db.flowRun.groupBy({
      by: ["flowId"],
      where: { shopId, startedAt: { gte: period.from, lt: period.to } },
      _count: { _all: true },
    }),
    db.message.groupBy({
      by: ["flowId"],
      where: {
        shopId,
        flowId: { not: null },
        status: { in: [...sentStatuses] },
        sentAt: { gte: period.from, lt: period.to },
      },
      _count: { _all: true },
    }),
    attributeOrders(db, shopId, period, { settings }),
    shopCurrency(db, shopId),
  ]);
  const recipients = new Map(runs.map((row) => [row.flowId, row._count._all]));
  const sent = new Map(sends.map((row) => [row.flowId, row._count._all]));
  const earned = new Map<string, { conversions: number; revenueMinor: number }>();
  for (const attribution of attributions) {
    const totals = earned.get(attribution.flowId) ?? { conversions: 0, revenueMinor: 0 };
    totals.conversions += 1;
    totals.revenueMinor += attribution.revenueMinor;
    earned.set(attribution.flowId, totals);
  }
  return {
    period,
    currency,
    attribution: settings,
    flows: flows.map((flow) => ({
      ...identityOf(flow),
      recipients: recipients.get(flow.id) ?? 0,
      sent: sent.get(flow.id) ?? 0,
      conversions: earned.get(flow.id)?.conversions ?? 0,
      revenueMinor: earned.get(flow.id)?.revenueMinor ?? 0,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// One flow: definition, versions, changes

export interface FlowDetail extends FlowIdentity {
  definition: FlowDefinition;
  versions: { version: number; createdBy: string; createdAt: Date }[];
  changes: { action: string; version: number; staff: string; at: Date }[];
}

/** The flow with its current definition, its versions and its changes (newest first). */
export async function flowDetail(db: Database, shopId: string, flowId: string): Promise<FlowDetail> {
  const flow = await db.flow.findFirst({ where: { id: flowId, shopId } });
  if (!flow) throw new FlowReportNotFoundError(`flow ${flowId} not found in this shop`);
  const [versions, current, changes] = await Promise.all([
    db.flowVersion.findMany({
      where: { shopId, flowId },
      orderBy: { version: "desc" },
      select: { version: true, createdBy: true, createdAt: true },
    }),
    db.flowVersion.findFirst({ where: { shopId, flowId, version: flow.currentVersion } }),
    db.flowChange.findMany({
      where: { shopId, flowId },
      orderBy: [{ at: "desc" }, { id: "desc" }],
      select: { action: true, version: true, staff: true, at: true },
    }),
  ]);
  if (!current) throw new FlowReportNotFoundError(`flow ${flowId} has no version ${flow.currentVersion}`);
  return {
    ...identityOf(flow),
    definition: storedDefinition(flow.id, current.version, current.definition),
    versions,
    changes,
  };
}

// ---------------------------------------------------------------------------------------------
// One flow: results per step and per variant

interface StepRecipientsRow {
  stepId: string;
  runs: unknown;
}
interface VariantRecipientsRow {
  splitStepId: string;
  variantId: string | null;
  runs: unknown;
}
interface VariantFunnelRow {
  splitStepId: string;
  variantId: string | null;
  sent: unknown;
  delivered: unknown;
  opened: unknown;
  clicked: unknown;
}

/**
 * The flow's results in the period: totals, one row per step (the current version's steps in
 * order, then steps only older versions had) and one per split variant.
 */
export async function flowResults(
  db: Database,
  shopId: string,
  flowId: string,
  period: Period,
  options: { settings?: AttributionSettings; definition?: FlowDefinition } = {},
): Promise<FlowResults> {
  const definition = options.definition ?? (await flowDetail(db, shopId, flowId)).definition;
  const settings = options.settings ?? (await attributionSettings(db, shopId));
  const { from, to } = period;

  const [
    enrolled,
    stepRecipients,
    stepOutcomes,
    funnel,
    variantRecipients,
    variantFunnel,
    attributions,
    currency,
  ] = await Promise.all([
    db.flowRun.count({ where: { shopId, flowId, startedAt: { gte: from, lt: to } } }),
    db.$queryRaw<StepRecipientsRow[]>(Prisma.sql`
        SELECT "stepId" AS "stepId", COUNT(DISTINCT "runId") AS "runs"
        FROM "FlowStepLog"
        WHERE "shopId" = ${shopId} AND "flowId" = ${flowId} AND "at" >= ${from} AND "at" < ${to}
        GROUP BY "stepId"`),
    db.flowStepLog.groupBy({
      by: ["stepId", "outcome"],
      where: { shopId, flowId, at: { gte: from, lt: to } },
      _count: { _all: true },
    }),
    db.message.groupBy({
      by: ["flowStepId"],
      where: { shopId, flowId, status: { in: [...sentStatuses] }, sentAt: { gte: from, lt: to } },
      _count: { _all: true, deliveredAt: true, openedAt: true, clickedAt: true },
    }),
    db.$queryRaw<VariantRecipientsRow[]>(Prisma.sql`
        SELECT "stepId" AS "splitStepId", "variant" AS "variantId", COUNT(DISTINCT "runId") AS "runs"
        FROM "FlowStepLog"
        WHERE "shopId" = ${shopId} AND "flowId" = ${flowId} AND "outcome" = 'variant'
          AND "at" >= ${from} AND "at" < ${to}
        GROUP BY "stepId", "variant"`),
    // A message counts for a variant when its run was assigned the variant before sending it.
    db.$queryRaw<VariantFunnelRow[]>(Prisma.sql`
        SELECT v."stepId" AS "splitStepId", v."variant" AS "variantId",
          COUNT(DISTINCT m."id") AS "sent",
          COUNT(DISTINCT CASE WHEN m."deliveredAt" IS NOT NULL THEN m."id" END) AS "delivered",
          COUNT(DISTINCT CASE WHEN m."openedAt" IS NOT NULL THEN m."id" END) AS "opened",
          COUNT(DISTINCT CASE WHEN m."clickedAt" IS NOT NULL THEN m."id" END) AS "clicked"
        FROM "Message" m
        JOIN "FlowStepLog" s ON s."runId" = m."flowRunId" AND s."messageId" = m."id"
        JOIN "FlowStepLog" v ON v."runId" = m."flowRunId" AND v."outcome" = 'variant' AND v."seq" < s."seq"
        WHERE m."shopId" = ${shopId} AND m."flowId" = ${flowId}
          AND m."status" IN (${Prisma.join([...sentStatuses])})
          AND m."sentAt" >= ${from} AND m."sentAt" < ${to}
        GROUP BY v."stepId", v."variant"`),
    attributeOrders(db, shopId, period, { flowId, settings }),
    shopCurrency(db, shopId),
  ]);

  // Steps: the current version's, in order, then any only older versions had.
  const steps = new Map<string, StepResults>();
  const stepRow = (stepId: string): StepResults => {
    let row = steps.get(stepId);
    if (!row) {
      row = { stepId, type: null, inCurrentVersion: false, outcomes: {}, ...emptyResults() };
      steps.set(stepId, row);
    }
    return row;
  };
  for (const step of definition.steps) {
    steps.set(step.id, {
      stepId: step.id,
      type: step.type,
      inCurrentVersion: true,
      outcomes: {},
      ...emptyResults(),
    });
  }
  for (const row of stepRecipients) stepRow(row.stepId).recipients = counted(row.runs);
  for (const row of stepOutcomes) stepRow(row.stepId).outcomes[row.outcome] = row._count._all;
  const totals = emptyResults();
  totals.recipients = enrolled;
  for (const row of funnel) {
    const counts: MessageFunnel = {
      sent: row._count._all,
      delivered: row._count.deliveredAt,
      opened: row._count.openedAt,
      clicked: row._count.clickedAt,
    };
    for (const key of ["sent", "delivered", "opened", "clicked"] as const) totals[key] += counts[key];
    if (row.flowStepId !== null) Object.assign(stepRow(row.flowStepId), counts);
  }
  for (const attribution of attributions) {
    addAttribution(totals, attribution);
    if (attribution.flowStepId !== null) addAttribution(stepRow(attribution.flowStepId), attribution);
  }

  // Variants: the current version's splits, then any only older versions had.
  const variants = new Map<string, VariantResults>();
  const variantKey = (splitStepId: string, variantId: string) => `${splitStepId}\u0000${variantId}`;
  const variantRow = (splitStepId: string, variantId: string): VariantResults => {
    const key = variantKey(splitStepId, variantId);
    let row = variants.get(key);
    if (!row) {
      row = { splitStepId, variantId, weight: null, ...emptyResults() };
      variants.set(key, row);
    }
    return row;
  };
  for (const step of definition.steps) {
    if (step.type !== "split") continue;
    for (const variant of step.variants) {
      variants.set(variantKey(step.id, variant.id), {
        splitStepId: step.id,
        variantId: variant.id,
        weight: variant.weight,
        ...emptyResults(),
      });
    }
  }
  for (const row of variantRecipients) {
    if (row.variantId !== null) variantRow(row.splitStepId, row.variantId).recipients = counted(row.runs);
  }
  for (const row of variantFunnel) {
    if (row.variantId === null) continue;
    Object.assign(variantRow(row.splitStepId, row.variantId), {
      sent: counted(row.sent),
      delivered: counted(row.delivered),
      opened: counted(row.opened),
      clicked: counted(row.clicked),
    });
  }
  for (const { attribution, assigned } of await variantsOfAttributions(db, shopId, attributions)) {
    for (const [splitStepId, variantId] of assigned)
      addAttribution(variantRow(splitStepId, variantId), attribution);
  }

  return {
    period,
    currency,
    attribution: settings,
    totals,
    steps: [...steps.values()],
    variants: [...variants.values()],
  };
}

/** For each attributed order: the variants its run had been assigned before the earning message. */
async function variantsOfAttributions(
  db: Database,
  shopId: string,
  attributions: readonly OrderAttribution[],
): Promise<{ attribution: OrderAttribution; assigned: Map<string, string> }[]> {
  const withRun = attributions.filter((attribution) => attribution.flowRunId !== null);
  const logsByRun = new Map<
    string,
    { seq: number; stepId: string; outcome: string; messageId: string | null; variant: string | null }[]
  >();
  for (const runIds of chunked(
    [...new Set(withRun.map((attribution) => attribution.flowRunId as string))],
    500,
  )) {
    const logs = await db.$queryRaw<
      {
        runId: string;
        seq: number;
        stepId: string;
        outcome: string;
        messageId: string | null;
        variant: string | null;
      }[]
    >(Prisma.sql`
      SELECT "runId", "seq", "stepId", "outcome", "messageId", "variant" FROM "FlowStepLog"
      WHERE "runId" IN (${Prisma.join(runIds)}) AND ${shopFilter('"shopId"', shopId)}
        AND ("outcome" = 'variant' OR "messageId" IS NOT NULL)
      ORDER BY "runId", "seq"`);
    for (const log of logs) {
      const list = logsByRun.get(log.runId) ?? [];
      list.push(log);
      logsByRun.set(log.runId, list);
    }
  }
  return withRun.map((attribution) => {
    const logs = logsByRun.get(attribution.flowRunId as string) ?? [];
    const sentAt = logs.find((log) => log.messageId === attribution.messageId)?.seq;
    const assigned = new Map<string, string>();
    if (sentAt !== undefined) {
      for (const log of logs) {
        if (log.seq < sentAt && log.outcome === "variant" && log.variant !== null)
          assigned.set(log.stepId, log.variant);
      }
    }
    return { attribution, assigned };
  });
}

// ---------------------------------------------------------------------------------------------
// One flow: the control group (R-FLOW-8)

/** Runs read per page (Prisma binds at most 999 values per statement on SQLite). */
const runPageSize = 500;

/**
 * Treatment against control for the runs enrolled in the period: a run converts when its customer
 * places an order within the attribution window after the run's enrolment
 * (`startedAt ≤ processedAt ≤ startedAt + window`); its revenue is those orders' revenue as of now.
 */
export async function controlReport(
  db: Database,
  shopId: string,
  flowId: string,
  period: Period,
  options: { settings?: AttributionSettings; definition?: FlowDefinition } = {},
): Promise<ControlReport> {
  const definition = options.definition ?? (await flowDetail(db, shopId, flowId)).definition;
  const settings = options.settings ?? (await attributionSettings(db, shopId));
  const windowMs = settings.windowMinutes * 60_000;
  const groups = {
    treatment: { recipients: 0, conversions: 0, revenueMinor: 0 },
    control: { recipients: 0, conversions: 0, revenueMinor: 0 },
  };

  // Keyset pages in the order of the (shop, flow, startedAt) index.
  let after: { startedAt: Date; id: string } | null = null;
  for (;;) {
    const keyset =
      after === null
        ? Prisma.sql`"startedAt" >= ${period.from}`
        : Prisma.sql`"startedAt" >= ${after.startedAt} AND ("startedAt" > ${after.startedAt} OR "id" > ${after.id})`;
    const runs = (
      await db.$queryRaw<{ id: string; customerId: string; startedAt: Date; runGroup: string }[]>(Prisma.sql`
        SELECT "id", "customerId", "startedAt", "runGroup" FROM "FlowRun"
        WHERE "shopId" = ${shopId} AND "flowId" = ${flowId} AND ${keyset} AND "startedAt" < ${period.to}
        ORDER BY "startedAt", "id"
        LIMIT ${runPageSize}`)
    ).map((run) => ({ ...run, startedAt: new Date(run.startedAt) }));
    if (runs.length === 0) break;
    const last = runs[runs.length - 1] as { id: string; startedAt: Date };
    after = { startedAt: last.startedAt, id: last.id };

    const earliest = Math.min(...runs.map((run) => run.startedAt.getTime()));
    const latest = Math.max(...runs.map((run) => run.startedAt.getTime()));
    const orders = await ordersOfCustomers(
      db,
      shopId,
      [...new Set(runs.map((run) => run.customerId))],
      new Date(earliest),
      new Date(latest + windowMs),
      true,
    );
    const ordersByCustomer = new Map<string, { at: number; revenueMinor: number }[]>();
    for (const order of orders) {
      if (!order.customerId) continue;
      const list = ordersByCustomer.get(order.customerId) ?? [];
      list.push({ at: new Date(order.processedAt).getTime(), revenueMinor: orderRevenueMinor(order) });
      ordersByCustomer.set(order.customerId, list);
    }
    for (const run of runs) {
      const group = run.runGroup === "control" ? groups.control : groups.treatment;
      group.recipients += 1;
      const start = run.startedAt.getTime();
      const within = (ordersByCustomer.get(run.customerId) ?? []).filter(
        (order) => order.at >= start && order.at <= start + windowMs,
      );
      if (within.length === 0) continue;
      group.conversions += 1;
      group.revenueMinor += within.reduce((sum, order) => sum + order.revenueMinor, 0);
    }
    if (runs.length < runPageSize) break;
  }

  return {
    period,
    currency: await shopCurrency(db, shopId),
    controlPercent: definition.controlPercent,
    windowMinutes: settings.windowMinutes,
    ...compareGroups(groups.treatment, groups.control),
  };
}

// ---------------------------------------------------------------------------------------------
// One flow: its runs, newest first

export const runStatuses = ["active", "held", "completed", "exited", "ended"] as const;
export type RunStatus = (typeof runStatuses)[number];

export interface RunListItem {
  id: string;
  customerId: string;
  version: number;
  status: string;
  stepId: string | null;
  wakeAt: Date | null;
  group: string;
  variants: unknown;
  exitReason: string | null;
  checkoutToken: string | null;
  startedAt: Date;
  endedAt: Date | null;
  stepsTaken: number;
  steps: {
    seq: number;
    stepId: string;
    outcome: string;
    detail: string | null;
    messageId: string | null;
    variant: string | null;
    at: Date;
  }[];
}

/** A page of the flow's runs, newest first, each with the steps it took. */
export async function listFlowRuns(
  db: Database,
  shopId: string,
  flowId: string,
  options: { status?: RunStatus; limit: number; cursor?: PageCursor | null },
): Promise<{ runs: RunListItem[]; nextCursor: string | null }> {
  const flow = await db.flow.findFirst({ where: { id: flowId, shopId }, select: { id: true } });
  if (!flow) throw new FlowReportNotFoundError(`flow ${flowId} not found in this shop`);
  const { cursor } = options;
  const rows = await db.flowRun.findMany({
    where: {
      shopId,
      flowId,
      ...(options.status ? { status: options.status } : {}),
      ...(cursor
        ? {
            startedAt: { lte: cursor.at },
            OR: [{ startedAt: { lt: cursor.at } }, { id: { lt: cursor.id } }],
          }
        : {}),
    },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: options.limit + 1,
    select: {
      id: true,
      customerId: true,
      version: true,
      status: true,
      stepId: true,
      wakeAt: true,
      runGroup: true,
      variants: true,
      exitReason: true,
      checkoutToken: true,
      startedAt: true,
      endedAt: true,
      steps: true,
    },
  });
  const page = rows.slice(0, options.limit);
  const logs =
    page.length === 0
      ? []
      : await db.$queryRaw<(RunListItem["steps"][number] & { runId: string })[]>(Prisma.sql`
          SELECT "runId", "seq", "stepId", "outcome", "detail", "messageId", "variant", "at" FROM "FlowStepLog"
          WHERE "runId" IN (${Prisma.join(page.map((run) => run.id))}) AND ${shopFilter('"shopId"', shopId)}
          ORDER BY "runId", "seq"`);
  const logsByRun = new Map<string, RunListItem["steps"]>();
  for (const { runId, ...log } of logs) {
    const list = logsByRun.get(runId) ?? [];
    log.at = new Date(log.at);
    list.push(log);
    logsByRun.set(runId, list);
  }
  const last = page[page.length - 1];
  return {
    runs: page.map((run) => ({
      id: run.id,
      customerId: run.customerId,
      version: run.version,
      status: run.status,
      stepId: run.stepId,
      wakeAt: run.wakeAt,
      group: run.runGroup,
      variants: run.variants,
      exitReason: run.exitReason,
      checkoutToken: run.checkoutToken,
      startedAt: run.startedAt,
      endedAt: run.endedAt,
      stepsTaken: run.steps,
      steps: logsByRun.get(run.id) ?? [],
    })),
    nextCursor:
      rows.length > options.limit && last ? encodePageCursor({ at: last.startedAt, id: last.id }) : null,
  };
}

/** The flow's detail with its results and control report for the period (GET /api/flows/:id). */
export async function flowReport(
  db: Database,
  shopId: string,
  flowId: string,
  period: Period,
): Promise<FlowDetail & { results: FlowResults; control: ControlReport }> {
  const detail = await flowDetail(db, shopId, flowId);
  const settings = await attributionSettings(db, shopId);
  const options = { settings, definition: detail.definition };
  const [results, control] = await Promise.all([
    flowResults(db, shopId, flowId, period, options),
    controlReport(db, shopId, flowId, period, options),
  ]);
  return { ...detail, results, control };
}
