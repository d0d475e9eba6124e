// The one Admin GraphQL client for calls made outside a request (worker, backfill). It respects
// Shopify's cost-based rate limit: it tracks the leaky bucket reported in every response's
// `extensions.cost.throttleStatus`, waits before a query the bucket cannot pay for yet, retries a
// THROTTLED answer once the bucket has refilled, retries network errors and 5xx with exponential
// backoff, and never retries a query Shopify refused as invalid.
import { ClientError, GraphQLClient } from "graphql-request";
import { z } from "zod";

export const adminApiVersion = "2026-10";

export function adminApiEndpoint(shopDomain: string): string {
  return `https://${shopDomain}/admin/api/${adminApiVersion}/graphql.json`;
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

const throttleStatusSchema = z.object({
  maximumAvailable: z.number(),
  currentlyAvailable: z.number(),
  restoreRate: z.number(),
});

const costSchema = z.object({
  requestedQueryCost: z.number(),
  actualQueryCost: z.number().nullable().optional(),
  throttleStatus: throttleStatusSchema,
});
export type QueryCost = z.infer<typeof costSchema>;

const graphqlErrorSchema = z.object({
  message: z.string(),
  extensions: z.object({ code: z.string().optional() }).passthrough().optional(),
});
export type AdminGraphqlErrorDetail = z.infer<typeof graphqlErrorSchema>;

/** Our estimate of the shop's bucket between two responses (the response is the truth). */
export class ThrottleBucket {
  private status: ThrottleStatus | null = null;
  private observedAt = 0;

  constructor(private readonly now: () => number) {}

  /** Records the bucket as Shopify reported it. */
  observe(status: ThrottleStatus): void {
    this.status = { ...status };
    this.observedAt = this.now();
  }

  known(): ThrottleStatus | null {
    return this.status ? { ...this.status, currentlyAvailable: this.available() } : null;
  }

  /** Points available now: the last report plus what has leaked back since, capped at the maximum. */
  available(): number {
    if (!this.status) return Number.POSITIVE_INFINITY;
    const elapsedSeconds = Math.max(0, this.now() - this.observedAt) / 1000;
    return Math.min(
      this.status.maximumAvailable,
      this.status.currentlyAvailable + elapsedSeconds * this.status.restoreRate,
    );
  }

  /** How long to wait before a query costing `cost` can be paid for (0 when it can, or unknown). */
  waitMs(cost: number): number {
    if (!this.status || this.status.restoreRate <= 0) return 0;
    // A query dearer than the whole bucket can only wait for a full one.
    const needed = Math.min(cost, this.status.maximumAvailable);
    const deficit = needed - this.available();
    return deficit > 0 ? Math.ceil((deficit / this.status.restoreRate) * 1000) : 0;
  }

  /** Takes `cost` points from the estimate, so concurrent calls do not all spend the same points. */
  reserve(cost: number): void {
    if (!this.status) return;
    const available = this.available();
    this.status = { ...this.status, currentlyAvailable: available - cost };
    this.observedAt = this.now();
  }
}

/** Shopify answered with GraphQL errors that retrying cannot fix (invalid query, access denied …). */
export class AdminGraphqlError extends Error {
  constructor(readonly errors: AdminGraphqlErrorDetail[]) {
    super(`Admin API refused the query: ${errors.map((error) => error.message).join("; ")}`);
    this.name = "AdminGraphqlError";
  }
}

/** An HTTP answer that is not worth retrying (401, 403, 404 …) or retries ran out. */
export class AdminHttpError extends Error {
  constructor(
    readonly status: number | null,
    message: string,
  ) {
    super(message);
    this.name = "AdminHttpError";
  }
}

/** The response did not have the shape the operation expects. */
export class AdminResponseError extends Error {
  override name = "AdminResponseError";
}

export interface AdminClientStats {
  requests: number;
  /** THROTTLED answers that were retried after waiting for the bucket. */
  throttledRetries: number;
  /** Network / 5xx failures that were retried. */
  transientRetries: number;
  /** Waits before sending because the bucket could not pay for the query yet. */
  throttleWaits: number;
  waitedMs: number;
  /** Highest cost estimate a query was sent with. */
  maxRequestedCost: number;
}

export interface AdminClientOptions {
  shopDomain: string;
  accessToken: string;
  /** Overrides the Admin API URL (tests and the demo point at a local fake over http). */
  endpoint?: string;
  sleep?: (ms: number) => Promise<void>;
  /** Monotonic milliseconds for the bucket estimate. */
  now?: () => number;
  fetch?: typeof fetch;
  /**
   * A request with no answer after this long is abandoned and retried like a network failure
   * (default 30 s): a hung connection must not hold a worker forever.
   */
  requestTimeoutMs?: number;
  /** Attempts for one query on network errors / 5xx (the first try included). */
  maxAttempts?: number;
  /** Attempts for one query answered THROTTLED (each after waiting for the bucket). */
  maxThrottledAttempts?: number;
  retryBaseMs?: number;
  maxRetryDelayMs?: number;
  /** Cost assumed for a document never sent before (Shopify reports the real one afterwards). */
  defaultQueryCost?: number;
}

export interface RequestOptions<S extends z.ZodType> {
  variables?: Record<string, unknown>;
  /** zod schema of `data`: the response is checked at the edge. */
  schema: S;
  /** Known cost estimate; otherwise the last requested cost seen for this document. */
  expectedCost?: number;
  /**
   * False for mutations Shopify does not deduplicate (store credit): after a 5xx or a network
   * failure the change may have been made, so it is not sent again. Throttled answers are still
   * retried — Shopify did not run those.
   */
  retryTransient?: boolean;
}

export interface AdminClient {
  readonly shopDomain: string;
  readonly stats: AdminClientStats;
  request<S extends z.ZodType>(document: string, options: RequestOptions<S>): Promise<z.infer<S>>;
  /** The bucket as we currently estimate it; null before the first response. */
  throttleStatus(): ThrottleStatus | null;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Attempt =
  | { kind: "ok"; data: unknown }
  | { kind: "throttled"; waitMs: number }
  | { kind: "transient"; message: string; status: number | null; retryAfterMs: number | null };

export function createAdminClient(options: AdminClientOptions): AdminClient {
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? (() => performance.now());
  const maxAttempts = options.maxAttempts ?? 5;
  const maxThrottledAttempts = options.maxThrottledAttempts ?? 20;
  const retryBaseMs = options.retryBaseMs ?? 500;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
  const defaultQueryCost = options.defaultQueryCost ?? 10;
  const bucket = new ThrottleBucket(now);
  const lastCost = new Map<string, number>();
  const stats: AdminClientStats = {
    requests: 0,
    throttledRetries: 0,
    transientRetries: 0,
    throttleWaits: 0,
    waitedMs: 0,
    maxRequestedCost: 0,
  };
  const baseFetch = options.fetch ?? fetch;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const timedFetch: typeof fetch = (input, init) => {
    const timeout = AbortSignal.timeout(requestTimeoutMs);
    return baseFetch(input, {
      ...init,
      signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout,
    });
  };
  const client = new GraphQLClient(options.endpoint ?? adminApiEndpoint(options.shopDomain), {
    headers: { "X-Shopify-Access-Token": options.accessToken },
    errorPolicy: "all",
    fetch: timedFetch,
  });

  async function wait(ms: number): Promise<void> {
    if (ms <= 0) return;
    stats.waitedMs += ms;
    await sleep(ms);
  }

  function recordCost(document: string, extensions: unknown): QueryCost | null {
    const parsed = z.object({ cost: costSchema }).safeParse(extensions);
    if (!parsed.success) return null;
    bucket.observe(parsed.data.cost.throttleStatus);
    lastCost.set(document, parsed.data.cost.requestedQueryCost);
    return parsed.data.cost;
  }

  /** Time for the bucket to hold `cost` again, from the status Shopify sent with a THROTTLED answer. */
  function restoreWaitMs(cost: QueryCost | null, estimate: number): number {
    if (!cost || cost.throttleStatus.restoreRate <= 0) return retryBaseMs;
    const needed = Math.min(cost.requestedQueryCost || estimate, cost.throttleStatus.maximumAvailable);
    const deficit = Math.max(0, needed - cost.throttleStatus.currentlyAvailable);
    // Never spin: at least the time one point takes to come back.
    return Math.max(
      Math.ceil((deficit / cost.throttleStatus.restoreRate) * 1000),
      Math.ceil(1000 / cost.throttleStatus.restoreRate),
    );
  }

  async function attempt(
    document: string,
    variables: Record<string, unknown> | undefined,
    estimate: number,
  ): Promise<Attempt> {
    stats.requests += 1;
    let response;
    try {
      response = await client.rawRequest<unknown>(document, variables);
    } catch (error) {
      if (error instanceof ClientError) {
        const status = error.response.status;
        const cost = recordCost(document, error.response.extensions);
        if (status === 429) {
          const retryAfter = Number(error.response.headers?.get("retry-after"));
          return {
            kind: "throttled",
            waitMs:
              Number.isFinite(retryAfter) && retryAfter > 0
                ? retryAfter * 1000
                : restoreWaitMs(cost, estimate),
          };
        }
        if (status >= 500) {
          return { kind: "transient", message: `HTTP ${status}`, status, retryAfterMs: null };
        }
        const errors = z.array(graphqlErrorSchema).safeParse(error.response.errors);
        if (errors.success && errors.data.length > 0) throw new AdminGraphqlError(errors.data);
        throw new AdminHttpError(status, `Admin API answered HTTP ${status} for ${options.shopDomain}`);
      }
      if (error instanceof SyntaxError) {
        throw new AdminResponseError(`Admin API answered something that is not JSON: ${error.message}`);
      }
      // fetch() rejects on network failures (connection refused, reset, DNS).
      const message = error instanceof Error ? error.message : String(error);
      return { kind: "transient", message, status: null, retryAfterMs: null };
    }
    const cost = recordCost(document, response.extensions);
    const errors = z.array(graphqlErrorSchema).safeParse(response.errors ?? []);
    const details = errors.success ? errors.data : [{ message: "unreadable errors" }];
    if (details.length > 0) {
      if (details.some((error) => error.extensions?.code === "THROTTLED")) {
        return { kind: "throttled", waitMs: restoreWaitMs(cost, estimate) };
      }
      throw new AdminGraphqlError(details);
    }
    return { kind: "ok", data: response.data };
  }

  return {
    shopDomain: options.shopDomain,
    stats,
    throttleStatus: () => bucket.known(),
    async request(document, requestOptions) {
      const estimate = requestOptions.expectedCost ?? lastCost.get(document) ?? defaultQueryCost;
      let transientFailures = 0;
      let throttledAnswers = 0;
      for (;;) {
        const waitMs = bucket.waitMs(estimate);
        if (waitMs > 0) {
          stats.throttleWaits += 1;
          await wait(waitMs);
        }
        bucket.reserve(estimate);
        stats.maxRequestedCost = Math.max(stats.maxRequestedCost, estimate);
        const result = await attempt(document, requestOptions.variables, estimate);
        if (result.kind === "ok") {
          const parsed = requestOptions.schema.safeParse(result.data);
          if (!parsed.success) {
            throw new AdminResponseError(`unexpected Admin API response: ${parsed.error.message}`);
          }
          return parsed.data;
        }
        if (result.kind === "throttled") {
          throttledAnswers += 1;
          if (throttledAnswers >= maxThrottledAttempts) {
            throw new AdminHttpError(
              null,
              `Admin API kept throttling ${options.shopDomain} (${throttledAnswers} times)`,
            );
          }
          stats.throttledRetries += 1;
          await wait(result.waitMs);
          continue;
        }
        transientFailures += 1;
        if (transientFailures >= maxAttempts || requestOptions.retryTransient === false) {
          throw new AdminHttpError(
            result.status,
            `Admin API unreachable for ${options.shopDomain} after ${transientFailures} attempts: ${result.message}`,
          );
        }
        stats.transientRetries += 1;
        await wait(
          result.retryAfterMs ?? Math.min(maxRetryDelayMs, retryBaseMs * 2 ** (transientFailures - 1)),
        );
      }
    },
  };
}
