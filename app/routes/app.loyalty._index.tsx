// /app/loyalty — the loyalty program's settings (R-LOY-2…8) and its figures. Saving validates the
// whole form first: a bad field is shown next to itself and nothing is saved.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireAdmin } from "../admin.server";
import { LoyaltySettingsPage } from "../components/loyalty/LoyaltySettingsPage";
import prisma from "../db.server";
import { loyaltySettingsPage, saveLoyaltySettingsForm } from "../loyalty/admin-pages";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  return loyaltySettingsPage(prisma, shop);
};

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  return saveLoyaltySettingsForm(prisma, shop, await request.json().catch(() => null), context.clock.now());
};

export default function LoyaltySettings() {
  return <LoyaltySettingsPage {...useLoaderData<typeof loader>()} />;
}
