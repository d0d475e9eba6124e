// /app/flows — every preset and every flow of the shop with status and the period's figures, and a
// one-click "Turn on" for presets (R-ADM-2).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { adminActor, requireAdmin } from "../admin.server";
import { FlowsList } from "../components/flows/FlowsList";
import prisma from "../db.server";
import { flowPeriodOf, flowsOverview, periodOfDays } from "../flows/flow-admin";
import { turnOnPreset, UnknownPresetError } from "../flows/preset-flows";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const days = flowPeriodOf(new URL(request.url).searchParams.get("period"));
  if (!days) throw new Response("period must be 7, 30, 90 or 365", { status: 400 });
  const overview = await flowsOverview(prisma, shop.id, periodOfDays(days, context.clock.now()));
  return { days, currency: overview.currency, rows: overview.rows };
};

const turnOnInput = z.object({ intent: z.literal("turnOn"), presetId: z.string().min(1).max(80) });

export type FlowsListAction =
  | { ok: true; flowId: string; presetId: string }
  | { ok: false; errors: { field: string; message: string }[] };

export const action = async ({ request, context }: ActionFunctionArgs): Promise<FlowsListAction> => {
  const admin = await requireAdmin(request);
  const input = turnOnInput.safeParse(Object.fromEntries(await request.formData()));
  if (!input.success)
    return {
      ok: false,
      errors: input.error.issues.map((issue) => ({
        field: issue.path.join(".") || "form",
        message: issue.message,
      })),
    };
  try {
    const flow = await turnOnPreset(prisma, {
      shopId: admin.shop.id,
      presetId: input.data.presetId,
      staff: adminActor(admin),
      now: context.clock.now(),
    });
    return { ok: true, flowId: flow.id, presetId: input.data.presetId };
  } catch (error) {
    if (error instanceof UnknownPresetError)
      return { ok: false, errors: [{ field: "presetId", message: error.message }] };
    throw error;
  }
};

export default function Flows() {
  return <FlowsList {...useLoaderData<typeof loader>()} result={useActionData<typeof action>() ?? null} />;
}
