// /app/settings — the shop's analytics settings (activity window, expected lifespan, profit margin;
// ADR 013) with field errors, and links to the loyalty and messaging settings.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireAdmin } from "../admin.server";
import {
  AnalyticsSettingsError,
  analyticsSettingsFor,
  analyticsSettingsFormOf,
  analyticsSettingsFormSchema,
  saveAnalyticsSettings,
  type AnalyticsSettingsIssue,
} from "../analytics/settings";
import { SettingsPage } from "../components/settings/SettingsPage";
import prisma from "../db.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  return { form: analyticsSettingsFormOf(await analyticsSettingsFor(prisma, shop.id)) };
};

export type SettingsActionResult =
  { saved: true; rebuilding: boolean; errors: [] } | { saved: false; errors: AnalyticsSettingsIssue[] };

export const action = async ({ request, context }: ActionFunctionArgs): Promise<SettingsActionResult> => {
  const { shop } = await requireAdmin(request);
  const form = analyticsSettingsFormSchema.parse(Object.fromEntries(await request.formData()));
  try {
    const { rebuilding } = await saveAnalyticsSettings(prisma, shop.id, form, context.clock.now());
    return { saved: true, rebuilding, errors: [] };
  } catch (error) {
    if (error instanceof AnalyticsSettingsError) return { saved: false, errors: error.issues };
    throw error;
  }
};

export default function Settings() {
  return <SettingsPage {...useLoaderData<typeof loader>()} />;
}
