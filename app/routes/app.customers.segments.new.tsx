// /app/customers/segments/new — the segment builder for a new segment; saved, it opens as its own
// page. A form with mistakes saves nothing and answers each field's mistake.
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireAdmin } from "../admin.server";
import { SegmentEditorPage } from "../components/customers/SegmentEditorPage";
import { loyaltyTierChoices, saveSegmentForm } from "../customers/segment-admin";
import { customersTitle } from "../components/customers/meta";
import prisma from "../db.server";

export const meta = customersTitle("segmentNewTitle");

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  return {
    segment: null,
    tiers: await loyaltyTierChoices(prisma, shop.id),
    currency: shop.currency,
  };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const result = await saveSegmentForm(prisma, shop, null, await request.formData());
  if (!result.ok) return json({ intent: "save" as const, errors: result.errors });
  return redirect(`/app/customers/segments/${result.segment.id}?saved=1`);
};

export default function NewSegment() {
  return <SegmentEditorPage {...useLoaderData<typeof loader>()} />;
}
