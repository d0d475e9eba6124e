// The admin in demo mode for route tests: the demo shop's offline session as `npm run demo` stores
// it, and the built server started in demo mode on a test database (admin open on loopback, no
// Shopify session token). Needs `npm run build` first.
import type { Database } from "../../app/db/client";
import { startWebServer, type RunningProcess } from "./processes";

export const demoShop = "stayloop-demo.myshopify.com";

export async function createDemoSession(db: Database, scope = "read_customers,read_orders"): Promise<void> {
  await db.session.create({
    data: {
      id: `offline_${demoShop}`,
      shop: demoShop,
      state: "demo",
      isOnline: false,
      scope,
      accessToken: "demo-offline-token",
    },
  });
}

export function startDemoServer(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<RunningProcess & { baseUrl: string }> {
  return startWebServer({
    DATABASE_URL: databaseUrl,
    NODE_ENV: "development",
    STAYLOOP_DEMO: "1",
    STAYLOOP_DEMO_SHOP: demoShop,
    ...env,
  });
}
