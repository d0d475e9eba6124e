import path from "node:path";
import { describe, expect, it } from "vitest";
import { EnvironmentError, parseEnvironment } from "../../app/env.server";
import { splitSchemaParameter } from "../../app/db/adapters";
import { defaultSqlitePath, projectRoot, resolveDatabase } from "../../prisma/database.mjs";

const shopify = {
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: "secret",
  SHOPIFY_APP_URL: "https://stayloop.example.com",
  STAYLOOP_LINK_SECRET: "a-production-link-secret",
};

describe("environment", () => {
  it("defaults to the embedded SQLite database on loopback in development", () => {
    const env = parseEnvironment({});
    expect(env.database.provider).toBe("sqlite");
    expect(env.database.filePath).toBe(defaultSqlitePath);
    expect(env.host).toBe("127.0.0.1");
    expect(env.port).toBe(3000);
    expect(env.demo.enabled).toBe(false);
  });

  it("keeps processed webhook bodies 7 days unless STAYLOOP_INBOX_RETENTION_DAYS says otherwise (R-SEC-2)", () => {
    expect(parseEnvironment({}).privacy.inboxRetentionDays).toBe(7);
    expect(parseEnvironment({ STAYLOOP_INBOX_RETENTION_DAYS: "30" }).privacy.inboxRetentionDays).toBe(30);
    for (const bad of ["-1", "2.5", "seven", "1000"]) {
      expect(() => parseEnvironment({ STAYLOOP_INBOX_RETENTION_DAYS: bad })).toThrow(
        /STAYLOOP_INBOX_RETENTION_DAYS/,
      );
    }
  });

  it("runs the demo clock 600 simulated seconds per real second unless STAYLOOP_DEMO_SPEED says otherwise", () => {
    expect(parseEnvironment({}).demo.speed).toBe(600);
    expect(parseEnvironment({ STAYLOOP_DEMO_SPEED: "0" }).demo.speed).toBe(0);
    expect(parseEnvironment({ STAYLOOP_DEMO_SPEED: "60" }).demo.speed).toBe(60);
    for (const bad of ["-1", "fast", "1e9"]) {
      expect(() => parseEnvironment({ STAYLOOP_DEMO_SPEED: bad })).toThrow(/STAYLOOP_DEMO_SPEED/);
    }
  });

  it("requires the Shopify app credentials in production", () => {
    expect(() => parseEnvironment({ NODE_ENV: "production" })).toThrow(
      /SHOPIFY_API_KEY: SHOPIFY_API_KEY is required in production[\s\S]*SHOPIFY_API_SECRET[\s\S]*SHOPIFY_APP_URL/,
    );
    const env = parseEnvironment({
      NODE_ENV: "production",
      ...shopify,
      SCOPES: "read_orders, read_customers",
    });
    expect(env.host).toBe("0.0.0.0");
    expect(env.shopify.scopes).toEqual(["read_orders", "read_customers"]);
  });

  it("requires a link secret in production and complete provider settings", () => {
    const { STAYLOOP_LINK_SECRET: _secret, ...withoutSecret } = shopify;
    expect(() => parseEnvironment({ NODE_ENV: "production", ...withoutSecret })).toThrow(
      /STAYLOOP_LINK_SECRET is required in production/,
    );
    expect(() => parseEnvironment({ STAYLOOP_LINK_SECRET: "short" })).toThrow(/at least 16 characters/);
    expect(() => parseEnvironment({ STAYLOOP_SMS_ACCOUNT_SID: "AC1" })).toThrow(
      /SMS needs STAYLOOP_SMS_ACCOUNT_SID, STAYLOOP_SMS_AUTH_TOKEN and STAYLOOP_SMS_FROM together/,
    );
    const env = parseEnvironment({
      ...shopify,
      STAYLOOP_SMTP_URL: "smtp://mail.example.com:587",
      STAYLOOP_WHATSAPP_PHONE_NUMBER_ID: "1098",
      STAYLOOP_WHATSAPP_ACCESS_TOKEN: "token",
      STAYLOOP_WHATSAPP_APP_SECRET: "app-secret",
    });
    expect(env.messaging).toMatchObject({
      publicUrl: "https://stayloop.example.com",
      linkSecret: "a-production-link-secret",
      smtpUrl: "smtp://mail.example.com:587",
      sms: undefined,
      whatsapp: { baseUrl: "https://graph.facebook.com", apiVersion: "v21.0", phoneNumberId: "1098" },
    });
  });

  it("rejects bad values with the variable named", () => {
    expect(() => parseEnvironment({ PORT: "eighty" })).toThrow(/PORT/);
    expect(() => parseEnvironment({ SHOPIFY_APP_URL: "not a url" })).toThrow(/SHOPIFY_APP_URL/);
    expect(() => parseEnvironment({ DATABASE_URL: "mysql://x" })).toThrow(EnvironmentError);
    expect(() => parseEnvironment({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
  });

  it("reads PostgreSQL URLs, with Prisma's ?schema= convention", () => {
    const env = parseEnvironment({
      DATABASE_URL: "postgresql://app@db.internal:5432/stayloop?schema=tenant_a",
    });
    expect(env.database.provider).toBe("postgresql");
    expect(env.database.schemaPath).toBe(path.join(projectRoot, "prisma", "postgresql", "schema.prisma"));
    expect(splitSchemaParameter(env.database.url)).toEqual({
      connectionString: "postgresql://app@db.internal:5432/stayloop",
      schema: "tenant_a",
    });
    expect(() => splitSchemaParameter("postgresql://h/db?schema=a;drop")).toThrow(/plain identifier/);
  });

  it("resolves relative SQLite paths against the project root", () => {
    expect(resolveDatabase("file:./prisma/x.sqlite").filePath).toBe(
      path.join(projectRoot, "prisma", "x.sqlite"),
    );
    expect(resolveDatabase("file:/tmp/y.sqlite").filePath).toBe("/tmp/y.sqlite");
    expect(resolveDatabase("postgres://h/db").provider).toBe("postgresql");
  });
});
