// What every embedded admin page starts with: the merchant's verified session and their shop.
import type { Shop } from "@prisma/client";
import type { Session } from "@shopify/shopify-app-remix/server";
import prisma from "./db.server";
import { loadDemoSession } from "./demo/session.server";
import { env } from "./env.server";
import { authenticate, sessionStorage } from "./shopify.server";
import { findOrCreateShop } from "./shops/registry";

export interface AdminContext {
  session: Session;
  shop: Shop;
}

export async function requireAdmin(request: Request): Promise<AdminContext> {
  const session = env.demo.enabled
    ? await loadDemoSession(requireSessionStorage(), env.demo.shopDomain)
    : (await authenticate.admin(request)).session;
  const shop = await findOrCreateShop(prisma, session.shop);
  return { session, shop };
}

/** Who did it, for the audit trail (R-LOY-9): the staff member's e-mail when the session is theirs. */
export function adminActor({ session }: AdminContext): string {
  const user = session.onlineAccessInfo?.associated_user;
  if (user?.email) return user.email;
  if (user?.id) return `staff ${user.id}`;
  return env.demo.enabled ? "demo merchant" : `${session.shop} admin`;
}

function requireSessionStorage() {
  if (!sessionStorage) throw new Error("shopifyApp has no session storage configured");
  return sessionStorage;
}
