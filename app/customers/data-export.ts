// The merchant's side of a customers/data_request (R-SEC-2): the stored export, fetched from the
// admin to hand to the customer. Always read within one shop.
import type { CustomerDataExport } from "@prisma/client";
import type { Database } from "../db/client";

/** The shop's export, or null when it is not this shop's, expired, or erased by a redaction. */
export async function customerDataExportFor(
  db: Database,
  shopId: string,
  exportId: string,
  now: Date,
): Promise<CustomerDataExport | null> {
  return db.customerDataExport.findFirst({
    where: { id: exportId, shopId, expiresAt: { gt: now } },
  });
}

/** The shop's exports still downloadable, newest first (without their contents). */
export async function customerDataExports(db: Database, shopId: string, now: Date) {
  return db.customerDataExport.findMany({
    where: { shopId, expiresAt: { gt: now } },
    orderBy: { createdAt: "desc" },
    select: { id: true, customerShopifyId: true, createdAt: true, expiresAt: true },
  });
}
