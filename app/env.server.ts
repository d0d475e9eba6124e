// The environment, validated once at start (zod). Every other module reads `env`, never process.env.
import { z } from "zod";
import { resolveDatabase, type ResolvedDatabase } from "../prisma/database.mjs";

const flag = z
  .enum(["1", "0", "true", "false", ""])
  .optional()
  .transform((value) => value === "1" || value === "true");

const environmentSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: z.string().optional(),
    HOST: z.string().min(1).optional(),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    SHOPIFY_API_KEY: z.string().min(1).optional(),
    SHOPIFY_API_SECRET: z.string().min(1).optional(),
    SHOPIFY_APP_URL: z.url().optional(),
    SCOPES: z.string().optional(),
    SHOP_CUSTOM_DOMAIN: z.string().optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    WORKER_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(50),
    WORKER_IDLE_MS: z.coerce.number().int().min(10).default(500),
    WORKER_STALE_AFTER_MS: z.coerce.number().int().min(100).default(60_000),
    WORKER_HEARTBEAT_MS: z.coerce.number().int().min(50).default(5_000),
    WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    STAYLOOP_DEMO: flag,
    STAYLOOP_DEMO_ADMIN_API_URL: z.url().optional(),
    STAYLOOP_DEMO_SHOP: z.string().default("stayloop-demo.myshopify.com"),
  })
  .superRefine((value, context) => {
    if (value.NODE_ENV === "production" && !value.STAYLOOP_DEMO) {
      for (const key of ["SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "SHOPIFY_APP_URL"] as const) {
        if (!value[key]) {
          context.addIssue({ code: "custom", path: [key], message: `${key} is required in production` });
        }
      }
    }
  });

export type Environment = {
  nodeEnv: "development" | "production" | "test";
  database: ResolvedDatabase;
  host: string;
  port: number;
  shopify: {
    apiKey: string;
    apiSecret: string;
    appUrl: string;
    scopes: string[];
    customShopDomains: string[];
  };
  logLevel: z.infer<typeof environmentSchema>["LOG_LEVEL"];
  demo: { enabled: boolean; shopDomain: string; adminApiUrl: string | undefined };
  worker: {
    batchSize: number;
    idleMs: number;
    staleAfterMs: number;
    heartbeatMs: number;
    metricsPort: number | undefined;
  };
};

export class EnvironmentError extends Error {}

export function parseEnvironment(source: Record<string, string | undefined>): Environment {
  const parsed = environmentSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new EnvironmentError(`Invalid environment:\n${problems.join("\n")}`);
  }
  const value = parsed.data;
  let database: ResolvedDatabase;
  try {
    database = resolveDatabase(value.DATABASE_URL);
  } catch (error) {
    throw new EnvironmentError(`Invalid environment:\n  DATABASE_URL: ${(error as Error).message}`);
  }
  const host = value.HOST ?? (value.NODE_ENV === "production" ? "0.0.0.0" : "127.0.0.1");
  return {
    nodeEnv: value.NODE_ENV,
    database,
    host,
    port: value.PORT,
    shopify: {
      apiKey: value.SHOPIFY_API_KEY ?? "",
      apiSecret: value.SHOPIFY_API_SECRET ?? "",
      appUrl: value.SHOPIFY_APP_URL ?? `http://${host}:${value.PORT}`,
      scopes: (value.SCOPES ?? "")
        .split(",")
        .map((scope) => scope.trim())
        .filter(Boolean),
      customShopDomains: value.SHOP_CUSTOM_DOMAIN ? [value.SHOP_CUSTOM_DOMAIN] : [],
    },
    logLevel: value.LOG_LEVEL,
    demo: {
      enabled: value.STAYLOOP_DEMO,
      shopDomain: value.STAYLOOP_DEMO_SHOP,
      // The demo's stand-in for Shopify's Admin API; never used outside demo mode.
      adminApiUrl: value.STAYLOOP_DEMO ? value.STAYLOOP_DEMO_ADMIN_API_URL : undefined,
    },
    worker: {
      batchSize: value.WORKER_BATCH_SIZE,
      idleMs: value.WORKER_IDLE_MS,
      staleAfterMs: value.WORKER_STALE_AFTER_MS,
      heartbeatMs: value.WORKER_HEARTBEAT_MS,
      metricsPort: value.WORKER_METRICS_PORT,
    },
  };
}

export const env: Environment = parseEnvironment(process.env);
