import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "../admin.server";
import prisma from "../db.server";
import { ledgerCsv } from "../loyalty/adjustments";

// GET /app/loyalty/ledger.csv — the shop's points ledger for the merchant's books (R-LOY-9).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const csv = await ledgerCsv(prisma, shop.id);
  return new Response(csv, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="stayloop-ledger-${shop.domain}.csv"`,
    },
  });
};
