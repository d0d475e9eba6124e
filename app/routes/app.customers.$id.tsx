// /app/customers/:id — one customer: profile and intelligence, orders, messages received, the
// flows they are in (with "remove from flow" for an open run), loyalty balance and ledger, NPS
// answers. Another shop's customer or run: 404.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { adminActor, requireAdmin } from "../admin.server";
import { CustomerDetailPage } from "../components/customers/CustomerDetailPage";
import { NotFoundBoundary } from "../components/customers/NotFoundBoundary";
import { customerDetail, CustomerNotFoundError } from "../customers/customer-detail";
import { customersTitle } from "../components/customers/meta";
import prisma from "../db.server";
import { FlowRunNotFoundError, maxRemovalReasonLength, removeCustomerFromRun } from "../flows/run-removal";

export const meta = customersTitle("profileHeading");

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  try {
    const detail = await customerDetail(prisma, shop.id, params.id ?? "", shop.currency);
    return { detail, shop: { currency: shop.currency, timezone: shop.timezone } };
  } catch (error) {
    if (error instanceof CustomerNotFoundError) throw new Response("Customer not found", { status: 404 });
    throw error;
  }
};

const removalForm = z.object({
  intent: z.literal("remove"),
  runId: z.string().min(1).max(64),
  reason: z.string().max(maxRemovalReasonLength).default(""),
});

export const action = async ({ request, params, context }: ActionFunctionArgs) => {
  const admin = await requireAdmin(request);
  const parsed = removalForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success)
    return json({
      ok: false as const,
      errors: parsed.error.issues.map((issue) => ({ field: issue.path.join("."), message: issue.message })),
    });
  try {
    const removal = await removeCustomerFromRun(prisma, {
      shopId: admin.shop.id,
      customerId: params.id ?? "",
      runId: parsed.data.runId,
      staff: adminActor(admin),
      reason: parsed.data.reason,
      now: context.clock.now(),
    });
    return json({ ok: true as const, removal });
  } catch (error) {
    if (error instanceof FlowRunNotFoundError) throw new Response("Flow run not found", { status: 404 });
    throw error;
  }
};

export default function Customer() {
  return <CustomerDetailPage {...useLoaderData<typeof loader>()} />;
}

export const ErrorBoundary = NotFoundBoundary;
