import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "../admin.server";
import { customerDataExportFor } from "../customers/data-export";
import prisma from "../db.server";

// GET /app/data-requests/:id.json — what a customers/data_request found, for the merchant to hand
// over (R-SEC-2). Only the signed-in shop's exports; gone once expired or the customer is redacted.
export const loader = async ({ request, params, context }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const found = await customerDataExportFor(prisma, shop.id, params.id ?? "", context.clock.now());
  if (!found) return new Response("Not found", { status: 404 });
  const body = JSON.stringify(
    {
      customerShopifyId: found.customerShopifyId,
      requestedAt: found.createdAt,
      data: found.data,
    },
    null,
    2,
  );
  return new Response(body, {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="stayloop-data-request-${found.customerShopifyId}.json"`,
      "cache-control": "no-store",
    },
  });
};
