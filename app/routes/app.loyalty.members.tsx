// /app/loyalty/members — find a member, see their points and tier, adjust their points with a
// reason (R-LOY-9). The adjustment is recorded with the staff member who made it; a resubmitted
// form (same adjustment id) is applied once.
import { randomUUID } from "node:crypto";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { adminActor, requireAdmin } from "../admin.server";
import { LoyaltyMembersPage } from "../components/loyalty/LoyaltyMembersPage";
import prisma from "../db.server";
import { adjustMemberPoints, type AdjustmentResult } from "../loyalty/admin-pages";
import { findMembers } from "../loyalty/members";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const search = new URL(request.url).searchParams.get("q") ?? "";
  return { search, members: await findMembers(prisma, shop.id, search), adjustmentId: randomUUID() };
};

const adjustmentForm = z.object({
  memberId: z.string().min(1, "choose a member"),
  points: z.string().regex(/^-?\d+$/, "points must be a whole number, e.g. 100 or -50"),
  reason: z.string(),
  adjustmentId: z.string().uuid(),
});

export const action = async ({ request, context }: ActionFunctionArgs): Promise<AdjustmentResult> => {
  const admin = await requireAdmin(request);
  const parsed = adjustmentForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    return {
      ok: false,
      problem: "invalid",
      message: parsed.error.issues.map((issue) => issue.message).join("; "),
    };
  }
  const result = await adjustMemberPoints(
    prisma,
    admin.shop.id,
    { ...parsed.data, points: Number(parsed.data.points), actor: adminActor(admin) },
    context.clock.now(),
  );
  // Another shop's member is not found here.
  if (!result.ok && result.problem === "not_in_shop") throw new Response("Not found", { status: 404 });
  return result;
};

export default function LoyaltyMembers() {
  return <LoyaltyMembersPage {...useLoaderData<typeof loader>()} />;
}
