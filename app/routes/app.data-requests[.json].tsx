import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "../admin.server";
import { customerDataExports } from "../customers/data-export";
import prisma from "../db.server";

// GET /app/data-requests.json — the shop's customer data requests still downloadable (R-SEC-2),
// each with the address of its export.
export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const exports = await customerDataExports(prisma, shop.id, context.clock.now());
  return Response.json(
    exports.map((found) => ({ ...found, download: `/app/data-requests/${found.id}.json` })),
    { headers: { "cache-control": "no-store" } },
  );
};
