// /app/customers — the shop's customers: search (name, e-mail, phone) and filters (lifecycle, RFM
// segment, value band, consent per channel, loyalty membership and tier, saved segment), in keyset
// pages of at most 100.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireAdmin } from "../admin.server";
import { describeQueryError } from "../api.server";
import { CustomersListPage } from "../components/customers/CustomersListPage";
import { CustomerListSegmentError, customerListQuery, listCustomers } from "../customers/customer-list";
import { loyaltyTierChoices } from "../customers/segment-admin";
import { listSegments } from "../customers/segments";
import { customersTitle } from "../components/customers/meta";
import prisma from "../db.server";

export const meta = customersTitle("customersTitle");

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const query = customerListQuery.safeParse(params);
  if (!query.success) throw new Response(describeQueryError(query.error), { status: 400 });
  try {
    const [page, tiers, segments] = await Promise.all([
      listCustomers(prisma, shop.id, query.data, context.clock.now()),
      loyaltyTierChoices(prisma, shop.id),
      listSegments(prisma, shop.id),
    ]);
    return {
      page,
      tiers,
      segments: segments.map((segment) => ({ id: segment.id, name: segment.name })),
      filters: params,
      shop: { currency: shop.currency, timezone: shop.timezone },
    };
  } catch (error) {
    if (error instanceof CustomerListSegmentError) throw new Response("No such segment", { status: 404 });
    throw error;
  }
};

export default function Customers() {
  return <CustomersListPage {...useLoaderData<typeof loader>()} />;
}
