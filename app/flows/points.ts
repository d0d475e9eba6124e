// A flow's points step (R-FLOW-1): the run's step queues a "flow.points" job in the same
// transaction as the step, and the job posts the points to the loyalty ledger under the run's step
// key (source "flow", source id run:step:seq), so a job run twice awards once. Nothing is awarded
// while the shop's loyalty program is off, or to a customer who no longer exists.
import { z } from "zod";
import type { Clock } from "../clock";
import type { DomainEventSubscriber } from "../events/domain-events";
import type { JobRequest } from "../jobs/schedule";
import type { JobHandler } from "../jobs/worker";
import { loyaltyMemberFor, postLedgerEntry } from "../loyalty/ledger";
import { loyaltyProgramFor } from "../loyalty/program";
import { evaluateMemberTier } from "../loyalty/vip";
import type { PointsDecision, RunRow } from "./engine";

export const flowPointsJobKind = "flow.points";

const payloadSchema = z.object({
  runId: z.string(),
  flowId: z.string(),
  stepId: z.string(),
  seq: z.number().int(),
  customerId: z.string(),
  points: z.number().int().positive(),
  reason: z.string(),
});

export function flowPointsJob(run: RunRow, award: PointsDecision, now: Date): JobRequest {
  return {
    shopId: run.shopId,
    kind: flowPointsJobKind,
    key: `${run.id}:${award.stepId}:${award.seq}`,
    payload: {
      runId: run.id,
      flowId: run.flowId,
      stepId: award.stepId,
      seq: award.seq,
      customerId: run.customerId,
      points: award.points,
      reason: award.reason,
    },
    runAt: now,
  };
}

export function flowPointsJobHandler(options: {
  clock: Clock;
  subscribers: readonly DomainEventSubscriber[];
}): JobHandler {
  return async (job, db) => {
    const award = payloadSchema.parse(job.payload);
    await db.$transaction(async (tx) => {
      const program = await loyaltyProgramFor(tx, job.shopId);
      if (!program.enabled) return;
      const customer = await tx.customer.findFirst({
        where: { id: award.customerId, shopId: job.shopId, deletedAt: null, redactedAt: null },
        select: { id: true },
      });
      if (!customer) return;
      const member = await loyaltyMemberFor(tx, job.shopId, award.customerId);
      const { created } = await postLedgerEntry(tx, job.shopId, {
        memberId: member.id,
        kind: "earn",
        source: "flow",
        sourceId: `${award.runId}:${award.stepId}:${award.seq}`,
        pointsDelta: award.points,
        reason: award.reason,
        occurredAt: options.clock.now(),
      });
      if (created) await evaluateMemberTier(tx, program, member.id, options.clock.now(), options.subscribers);
    });
  };
}
