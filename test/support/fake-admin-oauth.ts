// Expiring offline access tokens for the fake Admin API, the way Shopify issues them: an access
// token lives `accessTokenSeconds` (Shopify: 3600), and POST /admin/oauth/access_token with
// grant_type=refresh_token, the app's client id and secret and the current refresh token answers a
// new access token and a new refresh token (the used one stops working: strict rotation, so a lost
// rotation shows up as invalid_grant). Errors are shaped like Shopify's OAuth errors.
import { randomBytes } from "node:crypto";
import type http from "node:http";

export interface FakeOfflineTokensOptions {
  clientId: string;
  clientSecret: string;
  accessTokenSeconds?: number;
  refreshTokenSeconds?: number;
  /** The fake's clock (ms); tests pass their ManualClock so tokens expire without waiting. */
  now: () => number;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  /** When the access token stops working (ms). */
  expiresAt: number;
  refreshTokenExpiresAt: number;
}

export class FakeOfflineTokens {
  /** Refresh requests answered with new tokens, and refused ones (bad client, used or unknown token). */
  readonly stats = { refreshed: 0, refused: 0 };
  private readonly accessTokens = new Map<string, number>();
  private readonly refreshTokens = new Map<string, number>();

  constructor(private readonly options: FakeOfflineTokensOptions) {}

  /** A fresh pair, as OAuth at install would hand out. */
  issue(): IssuedTokens {
    const now = this.options.now();
    const tokens: IssuedTokens = {
      accessToken: `shpat_${randomBytes(12).toString("hex")}`,
      refreshToken: `shprt_${randomBytes(12).toString("hex")}`,
      expiresAt: now + (this.options.accessTokenSeconds ?? 3600) * 1000,
      refreshTokenExpiresAt: now + (this.options.refreshTokenSeconds ?? 90 * 86_400) * 1000,
    };
    this.accessTokens.set(tokens.accessToken, tokens.expiresAt);
    this.refreshTokens.set(tokens.refreshToken, tokens.refreshTokenExpiresAt);
    return tokens;
  }

  /** Whether an Admin API request with this X-Shopify-Access-Token is let through. */
  accepts(accessToken: string | undefined): boolean {
    const expiresAt = accessToken ? this.accessTokens.get(accessToken) : undefined;
    return expiresAt !== undefined && this.options.now() < expiresAt;
  }

  /** Makes a token stop working before its time (revoked), so the next call answers 401. */
  revoke(accessToken: string): void {
    this.accessTokens.delete(accessToken);
  }

  /** Whether this refresh token would still be exchanged. */
  refreshable(refreshToken: string | null | undefined): boolean {
    const expiresAt = refreshToken ? this.refreshTokens.get(refreshToken) : undefined;
    return expiresAt !== undefined && this.options.now() < expiresAt;
  }

  /** POST /{shop}/admin/oauth/access_token. */
  async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: Record<string, unknown>;
    try {
      body = (request.headers["content-type"] ?? "").includes("json")
        ? (JSON.parse(text) as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(text));
    } catch {
      return this.refuse(response, 400, "invalid_request", "The request body is not JSON.");
    }
    if (body.client_id !== this.options.clientId || body.client_secret !== this.options.clientSecret) {
      return this.refuse(response, 401, "invalid_client", "Client authentication failed.");
    }
    if (body.grant_type !== "refresh_token" || typeof body.refresh_token !== "string") {
      return this.refuse(response, 400, "unsupported_grant_type", "Only refresh_token is supported here.");
    }
    if (!this.refreshable(body.refresh_token)) {
      return this.refuse(response, 400, "invalid_grant", "Token has been expired or revoked.");
    }
    this.refreshTokens.delete(body.refresh_token);
    const tokens = this.issue();
    this.stats.refreshed += 1;
    const now = this.options.now();
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        access_token: tokens.accessToken,
        scope: "read_customers,write_customers",
        expires_in: Math.round((tokens.expiresAt - now) / 1000),
        refresh_token: tokens.refreshToken,
        refresh_token_expires_in: Math.round((tokens.refreshTokenExpiresAt - now) / 1000),
      }),
    );
  }

  private refuse(response: http.ServerResponse, status: number, error: string, description: string): void {
    this.stats.refused += 1;
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify({ error, error_description: description }));
  }
}
