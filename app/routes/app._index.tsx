// /app — Home: onboarding until it is done, the shop's figures, the store history import and the
// analytics dashboard.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireAdmin } from "../admin.server";
import { HomePage } from "../components/home/HomePage";
import prisma from "../db.server";
import { requestStoreHistoryImport } from "../shopify/import-status";
import { homePageData } from "../shops/home.server";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  return homePageData(request, shop, context.clock);
};

const homeAction = z.object({ intent: z.literal("import-store-history") });

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  if (!homeAction.safeParse(Object.fromEntries(await request.formData())).success) {
    throw new Response("Unknown action", { status: 400 });
  }
  await requestStoreHistoryImport(prisma, shop.id, context.clock);
  return { requested: true };
};

export default function Home() {
  return <HomePage {...useLoaderData<typeof loader>()} />;
}
