// /app/customers/segments — the shop's saved segments, each with how many customers it holds now.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireAdmin } from "../admin.server";
import { SegmentsListPage } from "../components/customers/SegmentsListPage";
import { segmentsWithCounts } from "../customers/segment-admin";
import { customersTitle } from "../components/customers/meta";
import prisma from "../db.server";

export const meta = customersTitle("segmentsTitle");

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const segments = await segmentsWithCounts(prisma, shop.id, context.clock.now());
  return {
    segments: segments.map((segment) => ({
      id: segment.id,
      name: segment.name,
      count: segment.count,
      conditions: segment.definition.conditions.length,
      match: segment.definition.match,
    })),
  };
};

export default function Segments() {
  return <SegmentsListPage {...useLoaderData<typeof loader>()} />;
}
