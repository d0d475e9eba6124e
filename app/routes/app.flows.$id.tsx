// /app/flows/:id — the flow editor: steps, side panel, preview on sample data or a real customer,
// test-send, save as a new version, activate / pause, version history (R-ADM-2).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { adminActor, requireAdmin } from "../admin.server";
import type { EditorAction } from "../components/flows/editor-actions";
import { FlowEditor, type EditorFlow } from "../components/flows/FlowEditor";
import prisma from "../db.server";
import {
  FlowEditError,
  flowEditorData,
  flowExists,
  FlowNotFoundError,
  FlowReportNotFoundError,
  FlowStateError,
  PreviewCustomerNotFoundError,
  previewFlowTemplate,
  saveEditedFlow,
  searchCustomers,
  testSendFlowMessage,
  TestSendError,
} from "../flows/flow-admin";
import { setFlowStatus } from "../flows/flows";
import { channels } from "../messaging/channels";

const notFound = () => new Response("No such flow in this shop", { status: 404 });

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  try {
    const { flow, segments } = await flowEditorData(prisma, shop.id, params.id ?? "");
    return { flow, segments, currency: shop.currency, timeZone: shop.timezone };
  } catch (error) {
    if (error instanceof FlowReportNotFoundError) throw notFound();
    throw error;
  }
};

const json = z.string().transform((text, context) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    context.addIssue({ code: "custom", message: "is not readable" });
    return z.NEVER;
  }
});
const locale = z.enum(["en", "cs"]);
const input = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("save"), definition: json }),
  z.object({ intent: z.literal("status"), status: z.enum(["live", "paused"]) }),
  z.object({
    intent: z.literal("preview"),
    template: json,
    locale,
    customerId: z.string().max(64).optional(),
  }),
  z.object({ intent: z.literal("customers"), query: z.string().max(100) }),
  z.object({
    intent: z.literal("testSend"),
    template: json,
    locale,
    to: z.string().max(200),
    channels: z
      .string()
      .optional()
      .transform((text) =>
        text
          ? text
              .split(",")
              .filter((c): c is (typeof channels)[number] => (channels as readonly string[]).includes(c))
          : undefined,
      ),
  }),
]);

export const action = async ({ request, params, context }: ActionFunctionArgs): Promise<EditorAction> => {
  const admin = await requireAdmin(request);
  const shopId = admin.shop.id;
  const flowId = params.id ?? "";
  // Every intent is about this flow: another shop's flow (or none) is a 404 before anything runs.
  if (!(await flowExists(prisma, shopId, flowId))) throw notFound();
  const parsed = input.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success)
    return {
      intent: "invalid",
      ok: false,
      errors: parsed.error.issues.map((issue) => ({
        field: issue.path.join(".") || "intent",
        message: issue.message,
      })),
    };
  const form = parsed.data;
  const now = context.clock.now();
  try {
    switch (form.intent) {
      case "save": {
        const saved = await saveEditedFlow(prisma, {
          shopId,
          flowId,
          definition: form.definition,
          staff: adminActor(admin),
          now,
        });
        return { intent: "save", ok: true, version: saved.version };
      }
      case "status": {
        const flow = await setFlowStatus(prisma, {
          shopId,
          flowId,
          status: form.status,
          staff: adminActor(admin),
          now,
        });
        return { intent: "status", ok: true, status: flow.status };
      }
      case "preview":
        return {
          intent: "preview",
          ...(await previewFlowTemplate(prisma, shopId, {
            template: form.template,
            locale: form.locale,
            customerId: form.customerId || null,
          })),
        };
      case "customers":
        return { intent: "customers", customers: await searchCustomers(prisma, shopId, form.query) };
      case "testSend": {
        const sent = await testSendFlowMessage(prisma, {
          shopId,
          template: form.template,
          locale: form.locale,
          to: form.to,
          channels: form.channels,
          now,
        });
        return { intent: "testSend", ok: true, to: form.to.trim(), channel: sent.channel };
      }
    }
  } catch (error) {
    if (error instanceof FlowEditError) return { intent: "save", ok: false, problems: error.problems };
    if (error instanceof FlowStateError)
      return { intent: "status", ok: false, errors: [{ field: "status", message: error.message }] };
    if (error instanceof TestSendError)
      return { intent: "testSend", ok: false, errors: [{ field: error.field, message: error.message }] };
    if (error instanceof FlowNotFoundError || error instanceof PreviewCustomerNotFoundError) throw notFound();
    throw error;
  }
};

export default function FlowEditorRoute() {
  const { flow, segments, currency, timeZone } = useLoaderData<typeof loader>();
  const save = useFetcher<EditorAction>();
  const status = useFetcher<EditorAction>();
  return (
    <FlowEditor
      key={`${flow.id}@${flow.currentVersion}`}
      flow={flow as unknown as EditorFlow}
      segments={segments}
      currency={currency}
      timeZone={timeZone}
      save={save}
      status={status}
    />
  );
}
