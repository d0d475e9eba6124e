// Member tags (R-LOY-9): a member's VIP tier is mirrored to their Shopify customer as a tag
// ("stayloop-tier-gold"), so merchants can use it in segments, discounts and other apps. The job
// sets the tags from the member's tier at the time it runs (not at the time it was scheduled), so
// retries and out-of-order runs converge on the current tier.
import { z } from "zod";
import type { JobHandler } from "../jobs/worker";
import { tagsAddMutation, tagsRemoveMutation } from "../shopify/admin-operations";
import { shopAdminClient, type AdminClientFactory } from "../shopify/shop-admin";
import { tierRulesOf } from "./program";
import { memberTier, tierTag } from "./vip";

const memberTagsPayload = z.object({ memberId: z.string() });

const tagsResult = z.object({
  node: z.object({ id: z.string() }).nullable(),
  userErrors: z.array(z.object({ field: z.array(z.string()).nullable(), message: z.string() })),
});

export class MemberTagsError extends Error {}

/** The worker's handler for "loyalty.member-tags" jobs. */
export function memberTagsJobHandler(options: { adminClientFor: AdminClientFactory }): JobHandler {
  return async (job, db) => {
    const { memberId } = memberTagsPayload.parse(job.payload);
    const member = await db.loyaltyMember.findFirst({
      where: { id: memberId, shopId: job.shopId },
      include: { customer: true },
    });
    if (!member || member.customer.deletedAt || member.customer.redactedAt) return;
    const program = await db.loyaltyProgram.findUnique({ where: { shopId: job.shopId } });
    const rules = program ? tierRulesOf(program) : null;
    if (!rules) return;
    const current = memberTier(rules, member);
    const remove = rules.tiers.filter((tier) => tier.id !== current?.id).map(tierTag);
    const { adminClient } = await shopAdminClient(db, job.shopId, options.adminClientFor);
    const id = `gid://shopify/Customer/${member.customer.shopifyId}`;
    const answers = [];
    if (remove.length > 0) {
      const data = await adminClient.request(tagsRemoveMutation, {
        variables: { id, tags: remove },
        schema: z.object({ tagsRemove: tagsResult }),
      });
      answers.push(data.tagsRemove);
    }
    if (current) {
      const data = await adminClient.request(tagsAddMutation, {
        variables: { id, tags: [tierTag(current)] },
        schema: z.object({ tagsAdd: tagsResult }),
      });
      answers.push(data.tagsAdd);
    }
    const errors = answers.flatMap((answer) => answer.userErrors.map((error) => error.message));
    if (errors.length > 0) throw new MemberTagsError(`tag sync for ${id} refused: ${errors.join("; ")}`);
  };
}
