// Expiring offline access tokens for work done outside a request (worker jobs). Shopify's offline
// token lives an hour and comes with a refresh token that is replaced on every use
// (`expiringOfflineAccessTokens` in app/shopify.server.ts). The worker refreshes the token a few
// minutes before it expires, and once when Shopify answers 401, at
// POST https://{shop}/admin/oauth/access_token (grant_type=refresh_token, the app's client id and
// secret), and stores the new pair in the shop's offline Session row — compare-and-set on the
// token it replaced, so of two concurrent refreshers only one writes and the other uses the
// stored pair: the newest refresh token is never overwritten by an older one.
import { z } from "zod";
import type { Clock } from "../clock";
import type { Database } from "../db/client";

/** Refresh this long before the access token expires (Shopify: "a few minutes before"). */
export const refreshMarginMs = 5 * 60_000;

export interface OfflineTokenRefresher {
  clientId: string;
  clientSecret: string;
  clock: Clock;
  /** Shopify's token endpoint for the shop; the demo and tests point at the fake Admin API. */
  tokenUrl?: (shopDomain: string) => string;
  fetch?: typeof fetch;
}

export function shopifyTokenUrl(shopDomain: string): string {
  return `https://${shopDomain}/admin/oauth/access_token`;
}

/** Shopify refused the refresh token (revoked, expired, or replaced): the merchant must open the app. */
export class OfflineTokenRefusedError extends Error {
  override name = "OfflineTokenRefusedError";
}

const grantSchema = z.object({
  access_token: z.string().min(1),
  scope: z.string().optional(),
  expires_in: z.number().positive().optional(),
  refresh_token: z.string().min(1).optional(),
  refresh_token_expires_in: z.number().positive().optional(),
});

interface StoredTokens {
  id: string;
  accessToken: string;
  expires: Date | null;
  refreshToken: string | null;
  refreshTokenExpires: Date | null;
}

const storedTokenFields = {
  id: true,
  accessToken: true,
  expires: true,
  refreshToken: true,
  refreshTokenExpires: true,
} as const;

async function exchange(
  refresher: OfflineTokenRefresher,
  shopDomain: string,
  refreshToken: string,
): Promise<z.infer<typeof grantSchema>> {
  const response = await (refresher.fetch ?? fetch)((refresher.tokenUrl ?? shopifyTokenUrl)(shopDomain), {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({
      client_id: refresher.clientId,
      client_secret: refresher.clientSecret,
      grant_type: "refresh_token",
      refresh_token: refreshToken,
    }),
  });
  const text = await response.text();
  if (response.status === 400 || response.status === 401) {
    throw new OfflineTokenRefusedError(
      `Shopify refused to refresh the offline token of ${shopDomain} (HTTP ${response.status}): ${text.slice(0, 300)}`,
    );
  }
  if (!response.ok) {
    throw new Error(`Shopify's token endpoint answered HTTP ${response.status} for ${shopDomain}`);
  }
  const grant = grantSchema.safeParse(JSON.parse(text));
  if (!grant.success) throw new Error(`unexpected token response for ${shopDomain}: ${grant.error.message}`);
  return grant.data;
}

/**
 * Replaces the stored tokens with fresh ones from Shopify, unless someone else already did: then
 * their (newer) token is returned. Returns the access token to use.
 */
async function refreshStored(
  db: Database,
  refresher: OfflineTokenRefresher,
  shopDomain: string,
  stored: StoredTokens,
): Promise<string> {
  if (!stored.refreshToken) {
    throw new OfflineTokenRefusedError(
      `the offline token of ${shopDomain} expired and there is no refresh token: the merchant must open Stayloop`,
    );
  }
  let grant;
  try {
    grant = await exchange(refresher, shopDomain, stored.refreshToken);
  } catch (error) {
    // A concurrent refresher may have used the same refresh token first (it is replaced on use):
    // give it a moment to store the new pair, then use that.
    if (error instanceof OfflineTokenRefusedError) {
      for (let look = 0; look < 5; look += 1) {
        const now = await db.session.findUnique({ where: { id: stored.id }, select: storedTokenFields });
        if (now && now.refreshToken !== stored.refreshToken) return now.accessToken;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw error;
  }
  const at = refresher.clock.now().getTime();
  const { count } = await db.session.updateMany({
    where: { id: stored.id, accessToken: stored.accessToken, refreshToken: stored.refreshToken },
    data: {
      accessToken: grant.access_token,
      expires: grant.expires_in ? new Date(at + grant.expires_in * 1000) : null,
      refreshToken: grant.refresh_token ?? stored.refreshToken,
      refreshTokenExpires: grant.refresh_token_expires_in
        ? new Date(at + grant.refresh_token_expires_in * 1000)
        : stored.refreshTokenExpires,
      ...(grant.scope ? { scope: grant.scope } : {}),
    },
  });
  if (count === 1) return grant.access_token;
  // Someone else stored a newer pair meanwhile: theirs is the one to keep.
  const now = await db.session.findUniqueOrThrow({ where: { id: stored.id }, select: storedTokenFields });
  return now.accessToken;
}

/** The access token to call with now: the stored one, refreshed first when it expires within the margin. */
export async function currentAccessToken(
  db: Database,
  refresher: OfflineTokenRefresher | undefined,
  shopDomain: string,
  stored: StoredTokens,
): Promise<string> {
  if (!refresher || !stored.expires) return stored.accessToken;
  if (stored.expires.getTime() - refresher.clock.now().getTime() > refreshMarginMs) return stored.accessToken;
  return refreshStored(db, refresher, shopDomain, stored);
}

/**
 * Shopify answered 401 to `rejected`: a fresh token, or the newer one another worker stored
 * meanwhile; null when there is nothing to refresh with.
 */
export async function accessTokenAfterRejection(
  db: Database,
  refresher: OfflineTokenRefresher | undefined,
  shopDomain: string,
  sessionId: string,
  rejected: string,
): Promise<string | null> {
  if (!refresher) return null;
  const stored = await db.session.findUnique({ where: { id: sessionId }, select: storedTokenFields });
  if (!stored) return null;
  if (stored.accessToken !== rejected) return stored.accessToken;
  if (!stored.refreshToken) return null;
  return refreshStored(db, refresher, shopDomain, stored);
}

export { storedTokenFields };
