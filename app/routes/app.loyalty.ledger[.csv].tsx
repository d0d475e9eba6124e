import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "../admin.server";
import prisma from "../db.server";
import { ledgerCsvStream } from "../loyalty/adjustments";

// GET /app/loyalty/ledger.csv — the shop's points ledger for the merchant's books (R-LOY-9).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  // Streamed page by page: a big shop's ledger is never loaded whole.
  return new Response(ledgerCsvStream(prisma, shop.id), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="stayloop-ledger-${shop.domain}.csv"`,
    },
  });
};
