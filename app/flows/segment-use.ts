// A saved segment that a flow's current version still uses (trigger filter, flow filter or
// condition step) is not deleted: the merchant is told which flows use it. Runs on older versions
// treat a deleted segment as having no members (the engine's rule).
import type { Database } from "../db/client";
import { deleteSegment } from "../customers/segments";
import { segmentIdsOf, storedDefinition } from "./definition";

export class SegmentInUseError extends Error {
  constructor(readonly flowNames: string[]) {
    super(`the segment is used by ${flowNames.map((name) => `"${name}"`).join(", ")}`);
  }
}

/** Names of the shop's flows (not archived) whose current version uses the segment. */
export async function flowsUsingSegment(db: Database, shopId: string, segmentId: string): Promise<string[]> {
  const flows = await db.flow.findMany({
    where: { shopId, status: { not: "archived" } },
    select: { id: true, name: true, currentVersion: true },
    orderBy: { name: "asc" },
  });
  if (flows.length === 0) return [];
  const versions = await db.flowVersion.findMany({
    where: { shopId, OR: flows.map((flow) => ({ flowId: flow.id, version: flow.currentVersion })) },
    select: { flowId: true, version: true, definition: true },
  });
  const using = new Set(
    versions
      .filter((row) =>
        segmentIdsOf(storedDefinition(row.flowId, row.version, row.definition)).includes(segmentId),
      )
      .map((row) => row.flowId),
  );
  return flows.filter((flow) => using.has(flow.id)).map((flow) => flow.name);
}

/** Deletes the segment unless a flow uses it (SegmentInUseError naming the flows). */
export async function deleteSegmentNotInUse(db: Database, shopId: string, segmentId: string): Promise<void> {
  const flowNames = await flowsUsingSegment(db, shopId, segmentId);
  if (flowNames.length > 0) throw new SegmentInUseError(flowNames);
  await deleteSegment(db, shopId, segmentId);
}
