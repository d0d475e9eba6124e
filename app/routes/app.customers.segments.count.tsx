// GET /app/customers/segments/count?match=…&conditions.0.field=… — how many customers the segment
// builder's conditions hold for now, without saving anything (the builder's live count).
import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "../admin.server";
import { countSegmentForm } from "../customers/segment-admin";
import prisma from "../db.server";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const result = await countSegmentForm(
    prisma,
    shop,
    new URL(request.url).searchParams.entries(),
    context.clock.now(),
  );
  return json(result, { headers: { "cache-control": "no-store" } });
};
