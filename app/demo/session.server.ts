// Demo mode's stand-in for Shopify's admin authentication: the local demo shop's offline session,
// created by `npm run demo`. Only reachable when STAYLOOP_DEMO is on, which refuses production and
// non-loopback binds (app/demo/guard.ts).
import { Session } from "@shopify/shopify-app-remix/server";
import { offlineSessionId } from "../shops/registry";

interface SessionLoader {
  loadSession(id: string): Promise<Session | undefined>;
}

/** The demo shop's session is an offline session, as Shopify's would be after install. */
export const demoSessionId = offlineSessionId;

export function demoSession(shopDomain: string, scopes: string[]): Session {
  return new Session({
    id: demoSessionId(shopDomain),
    shop: shopDomain,
    state: "demo",
    isOnline: false,
    scope: scopes.join(","),
    accessToken: "demo-offline-token",
  });
}

export async function loadDemoSession(storage: SessionLoader, shopDomain: string): Promise<Session> {
  const session = await storage.loadSession(demoSessionId(shopDomain));
  if (!session) {
    throw new Error(`No demo session for ${shopDomain}: start the demo with \`npm run demo\`.`);
  }
  return session;
}
