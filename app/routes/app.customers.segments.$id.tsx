// /app/customers/segments/:id — a saved segment in the builder: change and save it, or delete it.
// Another shop's segment: 404.
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireAdmin } from "../admin.server";
import { NotFoundBoundary } from "../components/customers/NotFoundBoundary";
import { SegmentEditorPage } from "../components/customers/SegmentEditorPage";
import { loyaltyTierChoices, saveSegmentForm } from "../customers/segment-admin";
import { segmentById, SegmentNotFoundError } from "../customers/segments";
import { deleteSegmentNotInUse, SegmentInUseError } from "../flows/segment-use";
import { customersTitle } from "../components/customers/meta";
import prisma from "../db.server";

function notFound(error: unknown): never {
  if (error instanceof SegmentNotFoundError) throw new Response("Segment not found", { status: 404 });
  throw error;
}

export const meta = customersTitle("segmentsTitle");

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const segment = await segmentById(prisma, shop.id, params.id ?? "").catch(notFound);
  return {
    segment: { id: segment.id, name: segment.name, definition: segment.definition },
    tiers: await loyaltyTierChoices(prisma, shop.id),
    currency: shop.currency,
  };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const form = await request.formData();
  const segmentId = params.id ?? "";
  if (form.get("intent") === "delete") {
    try {
      await deleteSegmentNotInUse(prisma, shop.id, segmentId);
    } catch (error) {
      if (error instanceof SegmentInUseError)
        return json({ intent: "delete" as const, errors: [], usedBy: error.flowNames });
      notFound(error);
    }
    return redirect("/app/customers/segments?deleted=1");
  }
  const result = await saveSegmentForm(prisma, shop, segmentId, form).catch(notFound);
  if (!result.ok) return json({ intent: "save" as const, errors: result.errors, usedBy: [] });
  return json({ intent: "save" as const, errors: [], usedBy: [] });
};

export default function Segment() {
  return <SegmentEditorPage {...useLoaderData<typeof loader>()} />;
}

export const ErrorBoundary = NotFoundBoundary;
