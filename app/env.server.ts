// The environment, validated once at start (zod). Every other module reads `env`, never process.env.
import { z } from "zod";
import { resolveDatabase, type ResolvedDatabase } from "../prisma/database.mjs";
import { demoSpeedSchema } from "./demo/demo-clock";

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
    // How long a client may take to send a request body before it is answered 408.
    STAYLOOP_BODY_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
    WORKER_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(400),
    WORKER_IDLE_MS: z.coerce.number().int().min(10).default(500),
    WORKER_STALE_AFTER_MS: z.coerce.number().int().min(100).default(60_000),
    WORKER_HEARTBEAT_MS: z.coerce.number().int().min(50).default(5_000),
    WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    STAYLOOP_DEMO: flag,
    STAYLOOP_DEMO_ADMIN_API_URL: z.url().optional(),
    STAYLOOP_DEMO_SHOP: z.string().default("stayloop-demo.myshopify.com"),
    // The demo's shared clock: simulated seconds per real second (0: moves only when advanced).
    STAYLOOP_DEMO_SPEED: demoSpeedSchema,
    // Messaging (R-MSG-1…5). Links in messages and provider callbacks use the public URL.
    STAYLOOP_PUBLIC_URL: z.url().optional(),
    STAYLOOP_LINK_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
    STAYLOOP_SMTP_URL: z.string().optional(),
    STAYLOOP_MAIL_FROM: z.string().min(3).default("Stayloop <no-reply@stayloop.local>"),
    STAYLOOP_SMS_API_URL: z.url().default("https://api.twilio.com"),
    STAYLOOP_SMS_ACCOUNT_SID: z.string().min(1).optional(),
    STAYLOOP_SMS_AUTH_TOKEN: z.string().min(1).optional(),
    STAYLOOP_SMS_FROM: z.string().min(1).optional(),
    STAYLOOP_WHATSAPP_API_URL: z.url().default("https://graph.facebook.com"),
    STAYLOOP_WHATSAPP_API_VERSION: z.string().default("v21.0"),
    STAYLOOP_WHATSAPP_PHONE_NUMBER_ID: z.string().min(1).optional(),
    STAYLOOP_WHATSAPP_ACCESS_TOKEN: z.string().min(1).optional(),
    STAYLOOP_WHATSAPP_APP_SECRET: z.string().min(1).optional(),
    STAYLOOP_WHATSAPP_VERIFY_TOKEN: z.string().min(1).optional(),
    // Privacy (R-SEC-2): days a processed webhook body is kept before it is erased.
    STAYLOOP_INBOX_RETENTION_DAYS: z.coerce.number().int().min(0).max(365).default(7),
    // Storefront App Proxy writes (redeem, referral, birthday): requests per minute per customer, per client address.
    STAYLOOP_PROXY_CUSTOMER_LIMIT: z.coerce.number().int().min(1).max(100_000).default(10),
    STAYLOOP_PROXY_ADDRESS_LIMIT: z.coerce.number().int().min(1).max(100_000).default(30),
  })
  .superRefine((value, context) => {
    if (value.NODE_ENV === "production" && !value.STAYLOOP_DEMO) {
      for (const key of ["SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "SHOPIFY_APP_URL"] as const) {
        if (!value[key]) {
          context.addIssue({ code: "custom", path: [key], message: `${key} is required in production` });
        }
      }
      if (!value.STAYLOOP_LINK_SECRET) {
        context.addIssue({
          code: "custom",
          path: ["STAYLOOP_LINK_SECRET"],
          message: "STAYLOOP_LINK_SECRET is required in production (it signs unsubscribe and tracking links)",
        });
      }
    }
    const sms = [value.STAYLOOP_SMS_ACCOUNT_SID, value.STAYLOOP_SMS_AUTH_TOKEN, value.STAYLOOP_SMS_FROM];
    if (sms.some(Boolean) && !sms.every(Boolean)) {
      context.addIssue({
        code: "custom",
        path: ["STAYLOOP_SMS_ACCOUNT_SID"],
        message: "SMS needs STAYLOOP_SMS_ACCOUNT_SID, STAYLOOP_SMS_AUTH_TOKEN and STAYLOOP_SMS_FROM together",
      });
    }
    const whatsapp = [
      value.STAYLOOP_WHATSAPP_PHONE_NUMBER_ID,
      value.STAYLOOP_WHATSAPP_ACCESS_TOKEN,
      value.STAYLOOP_WHATSAPP_APP_SECRET,
    ];
    if (whatsapp.some(Boolean) && !whatsapp.every(Boolean)) {
      context.addIssue({
        code: "custom",
        path: ["STAYLOOP_WHATSAPP_PHONE_NUMBER_ID"],
        message:
          "WhatsApp needs STAYLOOP_WHATSAPP_PHONE_NUMBER_ID, STAYLOOP_WHATSAPP_ACCESS_TOKEN and STAYLOOP_WHATSAPP_APP_SECRET together",
      });
    }
  });

export type Environment = {
  nodeEnv: "development" | "production" | "test";
  database: ResolvedDatabase;
  host: string;
  port: number;
  bodyTimeoutMs: number;
  shopify: {
    apiKey: string;
    apiSecret: string;
    appUrl: string;
    scopes: string[];
    customShopDomains: string[];
  };
  logLevel: z.infer<typeof environmentSchema>["LOG_LEVEL"];
  demo: { enabled: boolean; shopDomain: string; adminApiUrl: string | undefined; speed: number };
  messaging: MessagingConfig;
  privacy: { inboxRetentionDays: number };
  storefront: { customerLimitPerMinute: number; addressLimitPerMinute: number };
  worker: {
    batchSize: number;
    idleMs: number;
    staleAfterMs: number;
    heartbeatMs: number;
    metricsPort: number | undefined;
  };
};

/** Where messages go out and callbacks come in; a channel without its settings is not used. */
export interface MessagingConfig {
  publicUrl: string;
  linkSecret: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  sms: { baseUrl: string; accountSid: string; authToken: string; from: string } | undefined;
  whatsapp:
    | {
        baseUrl: string;
        apiVersion: string;
        phoneNumberId: string;
        accessToken: string;
        appSecret: string;
        verifyToken: string | undefined;
      }
    | undefined;
}

// Outside production a fixed secret keeps the demo's links working across restarts.
const developmentLinkSecret = "stayloop-development-link-secret";

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
    bodyTimeoutMs: value.STAYLOOP_BODY_TIMEOUT_MS,
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
      speed: value.STAYLOOP_DEMO_SPEED,
    },
    messaging: {
      publicUrl: (
        value.STAYLOOP_PUBLIC_URL ??
        value.SHOPIFY_APP_URL ??
        `http://${host}:${value.PORT}`
      ).replace(/\/+$/, ""),
      linkSecret: value.STAYLOOP_LINK_SECRET ?? developmentLinkSecret,
      smtpUrl: value.STAYLOOP_SMTP_URL,
      mailFrom: value.STAYLOOP_MAIL_FROM,
      sms:
        value.STAYLOOP_SMS_ACCOUNT_SID && value.STAYLOOP_SMS_AUTH_TOKEN && value.STAYLOOP_SMS_FROM
          ? {
              baseUrl: value.STAYLOOP_SMS_API_URL,
              accountSid: value.STAYLOOP_SMS_ACCOUNT_SID,
              authToken: value.STAYLOOP_SMS_AUTH_TOKEN,
              from: value.STAYLOOP_SMS_FROM,
            }
          : undefined,
      whatsapp:
        value.STAYLOOP_WHATSAPP_PHONE_NUMBER_ID &&
        value.STAYLOOP_WHATSAPP_ACCESS_TOKEN &&
        value.STAYLOOP_WHATSAPP_APP_SECRET
          ? {
              baseUrl: value.STAYLOOP_WHATSAPP_API_URL,
              apiVersion: value.STAYLOOP_WHATSAPP_API_VERSION,
              phoneNumberId: value.STAYLOOP_WHATSAPP_PHONE_NUMBER_ID,
              accessToken: value.STAYLOOP_WHATSAPP_ACCESS_TOKEN,
              appSecret: value.STAYLOOP_WHATSAPP_APP_SECRET,
              verifyToken: value.STAYLOOP_WHATSAPP_VERIFY_TOKEN,
            }
          : undefined,
    },
    privacy: { inboxRetentionDays: value.STAYLOOP_INBOX_RETENTION_DAYS },
    storefront: {
      customerLimitPerMinute: value.STAYLOOP_PROXY_CUSTOMER_LIMIT,
      addressLimitPerMinute: value.STAYLOOP_PROXY_ADDRESS_LIMIT,
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
