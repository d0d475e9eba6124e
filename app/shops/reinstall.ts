// A shop installing Stayloop again (a new offline session, R-SEC-2): what uninstall paused resumes
// — points due for release are released, cashback is paid — while messages queued before are
// dropped rather than sent stale. Called from the OAuth callback (afterAuth) on every new session;
// only the first call after an uninstall changes anything.
import type { Shop } from "@prisma/client";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import { dropStaleQueuedMessages } from "../messaging/outbox";
import { findOrCreateShop } from "./registry";

export async function reinstallShop(db: Database, domain: string, clock: Clock): Promise<Shop> {
  const now = clock.now();
  return db.$transaction(async (tx) => {
    // A shop erased by shop/redact that comes back starts afresh.
    await tx.shopRedaction.deleteMany({ where: { domain } });
    const shop = await findOrCreateShop(tx, domain);
    const { count } = await tx.shop.updateMany({
      where: { id: shop.id, uninstalledAt: { not: null } },
      data: { uninstalledAt: null },
    });
    if (count === 0) return shop;
    await dropStaleQueuedMessages(tx, shop.id, now);
    await tx.job.updateMany({
      where: { shopId: shop.id, status: "paused" },
      data: { status: "scheduled", lastError: null },
    });
    return tx.shop.findUniqueOrThrow({ where: { id: shop.id } });
  });
}
