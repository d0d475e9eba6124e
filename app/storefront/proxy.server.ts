// The storefront's App Proxy (R-WID-3): Shopify forwards https://{shop}/apps/stayloop/* to
// /proxy/* with a signed query. Every route under app/routes/proxy.* goes through here: the
// signature and its timestamp are verified (401 otherwise), the shop is the signed `shop` (404 when
// it does not use Stayloop), the customer is the signed `logged_in_customer_id` and nothing else —
// ids in the body or in other parameters are never read. Writes are rate-limited per customer and
// per client address (429 with Retry-After) before the database is touched. Answers are JSON and
// never cached (`cache-control: no-store`). Shopify strips cookies: nothing here reads them.
import type { AppLoadContext } from "@remix-run/node";
import { z } from "zod";
import type { Customer, Shop } from "@prisma/client";
import { systemClock, type Clock } from "../clock";
import prisma from "../db.server";
import type { Database } from "../db/client";
import { env } from "../env.server";
import { InsufficientPointsError } from "../loyalty/ledger";
import { RedemptionError, RedemptionFailedError } from "../loyalty/redemption";
import { ReferralError } from "../loyalty/referrals";
import {
  StorefrontConflictError,
  StorefrontRewardNotFoundError,
  StorefrontShopperError,
  type StorefrontShopper,
} from "../loyalty/storefront";
import { storefrontCustomer, storefrontShopByDomain } from "../loyalty/widget-data";
import type { FromStored } from "../money/stored";
import { processAdminClientFactory } from "../shopify/process-admin-client";
import { ShopUnavailableError, type AdminClientFactory } from "../shopify/shop-admin";
import { verifyProxyQuery } from "./proxy-signature";
import { TokenBuckets } from "./rate-limit";

/** A bucket of `capacity` requests that fills up again over a minute. */
const perMinute = (capacity: number) => new TokenBuckets({ capacity, refillPerSecond: capacity / 60 });

const noStore = { "cache-control": "no-store" };

export function proxyJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...noStore, ...headers } });
}

export function proxyError(
  status: number,
  error: string,
  message: string,
  headers: Record<string, string> = {},
) {
  return proxyJson({ error, message }, status, headers);
}

/** What a proxy request was verified to be. */
export interface ProxyCaller {
  shop: FromStored<Shop>;
  /** The logged-in customer Stayloop knows; null for a guest (or a customer not imported yet, see `signedIn`). */
  customer: FromStored<Customer> | null;
  /** Whether Shopify says a customer is logged in (even one Stayloop does not know yet). */
  signedIn: boolean;
  now: Date;
}

export interface ProxyDependencies {
  db: Database;
  /**
   * Real time, for the signature's timestamp and the rate limits: Shopify signs with its own clock,
   * so even in demo mode (whose shared clock runs faster) freshness is real time — as offline-token
   * lifetimes are. The loyalty data itself follows the process's clock (the load context's).
   */
  wallClock: Clock;
  secret: string;
  adminClientFor: AdminClientFactory;
  customerLimiter: TokenBuckets;
  addressLimiter: TokenBuckets;
}

let defaults: ProxyDependencies | null = null;

/** The web process's dependencies, from the environment (built on first use). */
export function proxyDependencies(): ProxyDependencies {
  defaults ??= {
    db: prisma,
    wallClock: systemClock,
    secret: env.shopify.apiSecret,
    adminClientFor: processAdminClientFactory(env),
    customerLimiter: perMinute(env.storefront.customerLimitPerMinute),
    addressLimiter: perMinute(env.storefront.addressLimitPerMinute),
  };
  return defaults;
}

/** The shopper's address: the first X-Forwarded-For entry (as the proxy forwards it), else the peer. */
export function clientAddressOf(request: Request, context: Pick<AppLoadContext, "clientAddress">): string {
  const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || context.clientAddress || "unknown";
}

type Verified = { ok: true; caller: ProxyCaller } | { ok: false; response: Response };

/**
 * Verifies the signature and its timestamp (real time), applies the write limits, then finds the
 * signed shop and customer. `clock` is the process's clock: the caller's `now` for the loyalty data.
 */
export async function verifyProxyCaller(
  request: Request,
  clock: Clock,
  deps: ProxyDependencies,
  limit?: { clientAddress: string },
): Promise<Verified> {
  const realNow = deps.wallClock.now();
  const verification = verifyProxyQuery(new URL(request.url).searchParams, deps.secret, realNow);
  if (!verification.ok) {
    const message =
      verification.reason === "stale"
        ? "the request's timestamp is more than 90 seconds off"
        : "the request is not signed by Shopify's App Proxy";
    return { ok: false, response: proxyError(401, "unauthorized", message) };
  }
  const { shopDomain, loggedInCustomerId } = verification.request;
  if (limit) {
    // Before any database work: a flood costs a map lookup.
    const byAddress = deps.addressLimiter.take(`address:${limit.clientAddress}`, realNow);
    const byCustomer = loggedInCustomerId
      ? deps.customerLimiter.take(`customer:${shopDomain}:${loggedInCustomerId}`, realNow)
      : ({ allowed: true } as const);
    const refused = !byCustomer.allowed ? byCustomer : !byAddress.allowed ? byAddress : null;
    if (refused) {
      const retryAfter = String(refused.retryAfterSeconds);
      return {
        ok: false,
        response: proxyError(429, "rate_limited", `too many requests; try again in ${retryAfter} s`, {
          "retry-after": retryAfter,
        }),
      };
    }
  }
  const shop = await storefrontShopByDomain(deps.db, shopDomain);
  if (!shop)
    return { ok: false, response: proxyError(404, "shop_not_found", `${shopDomain} does not use Stayloop`) };
  const customer = loggedInCustomerId ? await storefrontCustomer(deps.db, shop.id, loggedInCustomerId) : null;
  return { ok: true, caller: { shop, customer, signedIn: loggedInCustomerId !== null, now: clock.now() } };
}

/** The caller as the loyalty domain's verified shopper (the Prisma row types; ids are what matter). */
export function shopperOf(caller: ProxyCaller & { customer: FromStored<Customer> }): StorefrontShopper {
  return { shop: caller.shop as unknown as Shop, customer: caller.customer as unknown as Customer };
}

/** A JSON body (at most what the server's body limit let through); null when it is not JSON. */
export async function jsonBody(request: Request): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) return null;
  try {
    return (await request.json()) as unknown;
  } catch {
    return null;
  }
}

export const idempotencyKeySchema = z
  .string()
  .trim()
  .min(8, "must be 8–100 characters")
  .max(100, "must be 8–100 characters")
  .regex(/^[A-Za-z0-9_.:-]+$/, "may use letters, digits, and _ . : -");

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) =>
      issue.path.length > 0 ? `${issue.path.map(String).join(".")}: ${issue.message}` : issue.message,
    )
    .join("; ");
}

/**
 * A proxy write: POST only, verified and rate-limited, a signed-in customer Stayloop knows, a JSON
 * body parsed by `schema`; the domain's refusals become clear answers and change nothing.
 */
export async function proxyWrite<T>(
  request: Request,
  context: AppLoadContext,
  schema: z.ZodType<T>,
  work: (
    shopper: StorefrontShopper,
    input: T,
    caller: ProxyCaller,
    deps: ProxyDependencies,
  ) => Promise<Response>,
  deps: ProxyDependencies = proxyDependencies(),
): Promise<Response> {
  if (request.method !== "POST") {
    return proxyError(405, "method_not_allowed", "use POST", { allow: "POST" });
  }
  const verified = await verifyProxyCaller(request, context.clock, deps, {
    clientAddress: clientAddressOf(request, context),
  });
  if (!verified.ok) return verified.response;
  const { caller } = verified;
  if (!caller.signedIn) return proxyError(401, "sign_in_required", "sign in to your account first");
  if (!caller.customer) {
    return proxyError(404, "customer_not_found", "your account is not known to the rewards program yet");
  }
  const body = await jsonBody(request);
  if (body === null) return proxyError(400, "bad_request", "the body must be a JSON object");
  const parsed = schema.safeParse(body);
  if (!parsed.success) return proxyError(400, "bad_request", describeIssues(parsed.error));
  try {
    return await work(shopperOf({ ...caller, customer: caller.customer }), parsed.data, caller, deps);
  } catch (error) {
    return refusal(error);
  }
}

function refusal(error: unknown): Response {
  if (error instanceof StorefrontRewardNotFoundError)
    return proxyError(404, "reward_not_found", error.message);
  if (error instanceof StorefrontShopperError) return proxyError(404, "customer_not_found", error.message);
  if (error instanceof StorefrontConflictError) return proxyError(409, error.code, error.message);
  if (error instanceof InsufficientPointsError) {
    return proxyJson(
      {
        error: "insufficient_points",
        message: error.message,
        available: error.available,
        required: error.requested,
      },
      409,
    );
  }
  if (error instanceof RedemptionFailedError) {
    return proxyError(
      502,
      "reward_not_issued",
      "the code could not be created; your points are back. Try again.",
    );
  }
  if (error instanceof RedemptionError) return proxyError(400, "bad_request", error.message);
  if (error instanceof ReferralError) return proxyError(404, "referral_code_not_found", error.message);
  if (error instanceof ShopUnavailableError) {
    return proxyError(503, "shop_unavailable", "the shop cannot issue rewards right now", {
      "retry-after": "60",
    });
  }
  throw error;
}
