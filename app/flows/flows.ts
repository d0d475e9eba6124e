// Flows as the merchant manages them (R-FLOW-1): create, edit (every save is a new version; runs
// keep the version they started on), go live, pause (no new enrolments, runs and their queued
// messages held), resume, archive (runs end, queued messages are skipped). Every change is
// recorded with the staff member and the time. A definition that does not validate saves nothing.
import type { Flow, FlowVersion } from "@prisma/client";
import type { Database } from "../db/client";
import type { Tx } from "../events/domain-events";
import {
  cachedDefinition,
  InvalidFlowError,
  parseFlowDefinition,
  segmentIdsOf,
  storedDefinition,
  type FlowDefinition,
} from "./definition";

/** A definition may only refer to the shop's own saved segments; each unknown one is named. */
async function checkSegments(tx: Tx, shopId: string, definition: FlowDefinition): Promise<void> {
  const wanted = segmentIdsOf(definition);
  if (wanted.length === 0) return;
  const found = new Set(
    (await tx.segment.findMany({ where: { shopId, id: { in: wanted } }, select: { id: true } })).map(
      (row) => row.id,
    ),
  );
  const missing = wanted.filter((id) => !found.has(id));
  if (missing.length > 0)
    throw new InvalidFlowError(
      missing.map((id) => ({
        step: null,
        path: "segmentId",
        message: `refers to "${id}", which is not a segment of this shop`,
      })),
    );
}

export type FlowStatus = "draft" | "live" | "paused" | "archived";
export type FlowChangeAction = "created" | "edited" | "went_live" | "paused" | "resumed" | "archived";

export class FlowNotFoundError extends Error {}
export class FlowStateError extends Error {}

interface ChangeBy {
  shopId: string;
  staff: string;
  now: Date;
}

async function lockFlow(tx: Tx, shopId: string, flowId: string): Promise<Flow> {
  // Serialises changes of one flow (PostgreSQL row lock; SQLite's writer lock already does).
  const touched = await tx.flow.updateMany({
    where: { id: flowId, shopId },
    data: { updatedAt: new Date() },
  });
  if (touched.count !== 1) throw new FlowNotFoundError(`flow ${flowId} not found in this shop`);
  return tx.flow.findUniqueOrThrow({ where: { id: flowId } });
}

async function recordChange(
  tx: Tx,
  flow: Pick<Flow, "id" | "shopId">,
  action: FlowChangeAction,
  version: number,
  by: ChangeBy,
): Promise<void> {
  await tx.flowChange.create({
    data: { shopId: flow.shopId, flowId: flow.id, action, version, staff: by.staff, at: by.now },
  });
}

/** A new flow (draft) with its first version. */
export async function createFlow(
  db: Database,
  input: ChangeBy & { name: string; definition: unknown },
): Promise<Flow> {
  const definition = parseFlowDefinition(input.definition);
  const name = input.name.trim();
  if (name === "" || name.length > 120) throw new FlowStateError("a flow needs a name of 1–120 characters");
  return db.$transaction(async (tx) => {
    await checkSegments(tx, input.shopId, definition);
    const flow = await tx.flow.create({
      data: { shopId: input.shopId, name, currentVersion: 1, triggerEvent: definition.trigger.event },
    });
    await tx.flowVersion.create({
      data: {
        shopId: input.shopId,
        flowId: flow.id,
        version: 1,
        definition: definition as object,
        createdBy: input.staff,
        createdAt: input.now,
      },
    });
    await recordChange(tx, flow, "created", 1, input);
    return flow;
  });
}

/** Saves an edit as a new version; runs in progress stay on theirs. */
export async function saveFlowVersion(
  db: Database,
  input: ChangeBy & { flowId: string; definition: unknown },
): Promise<FlowVersion> {
  const definition = parseFlowDefinition(input.definition);
  return db.$transaction(async (tx) => {
    const flow = await lockFlow(tx, input.shopId, input.flowId);
    if (flow.status === "archived") throw new FlowStateError("an archived flow cannot be edited");
    await checkSegments(tx, input.shopId, definition);
    const version = flow.currentVersion + 1;
    const saved = await tx.flowVersion.create({
      data: {
        shopId: input.shopId,
        flowId: flow.id,
        version,
        definition: definition as object,
        createdBy: input.staff,
        createdAt: input.now,
      },
    });
    await tx.flow.update({
      where: { id: flow.id },
      data: { currentVersion: version, triggerEvent: definition.trigger.event },
    });
    await recordChange(tx, flow, "edited", version, input);
    return saved;
  });
}

const allowed: Record<FlowStatus, readonly FlowStatus[]> = {
  draft: ["live", "archived"],
  live: ["paused", "archived"],
  paused: ["live", "archived"],
  archived: [],
};

/**
 * live / paused / archived. Pausing holds the flow's runs (the scheduler and the send guard leave
 * them alone); resuming makes them active again (a wait that ran out meanwhile is due at once);
 * archiving ends them and skips their queued messages.
 */
export async function setFlowStatus(
  db: Database,
  input: ChangeBy & { flowId: string; status: Exclude<FlowStatus, "draft"> },
): Promise<Flow> {
  return db.$transaction(async (tx) => {
    const flow = await lockFlow(tx, input.shopId, input.flowId);
    if (flow.status === input.status) return flow;
    if (!allowed[flow.status as FlowStatus].includes(input.status))
      throw new FlowStateError(`a ${flow.status} flow cannot become ${input.status}`);
    const action: FlowChangeAction =
      input.status === "live" ? (flow.status === "paused" ? "resumed" : "went_live") : input.status;
    const runs = { shopId: input.shopId, flowId: flow.id };
    if (input.status === "paused") {
      await tx.flowRun.updateMany({
        where: { ...runs, status: "active" },
        data: { status: "held", updatedAt: input.now },
      });
    } else if (input.status === "live") {
      await tx.flowRun.updateMany({
        where: { ...runs, status: "held" },
        data: { status: "active", updatedAt: input.now },
      });
    } else {
      await tx.flowRun.updateMany({
        where: { ...runs, status: { in: ["active", "held"] } },
        data: {
          status: "ended",
          exitReason: "flow archived",
          wakeAt: null,
          endedAt: input.now,
          updatedAt: input.now,
        },
      });
      await tx.message.updateMany({
        where: { shopId: input.shopId, flowId: flow.id, status: "queued" },
        data: { status: "skipped", lastError: "not sent: the flow was archived" },
      });
    }
    const updated = await tx.flow.update({ where: { id: flow.id }, data: { status: input.status } });
    await recordChange(tx, flow, action, flow.currentVersion, input);
    return updated;
  });
}

/**
 * The definition of a flow version, read through the Prisma client (the outbox's and jobs'
 * transactions); null when the version does not exist. Versions never change, so one this
 * process parsed already is not read again.
 */
export async function versionDefinition(
  db: Database | Tx,
  flowId: string,
  version: number,
): Promise<FlowDefinition | null> {
  const cached = cachedDefinition(flowId, version);
  if (cached) return cached;
  const stored = await db.flowVersion.findUnique({
    where: { flowId_version: { flowId, version } },
    select: { definition: true },
  });
  return stored ? storedDefinition(flowId, version, stored.definition) : null;
}
