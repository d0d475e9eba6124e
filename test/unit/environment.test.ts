import path from "node:path";
import { describe, expect, it } from "vitest";
import { EnvironmentError, parseEnvironment } from "../../app/env.server";
import { splitSchemaParameter } from "../../app/db/adapters";
import { defaultSqlitePath, projectRoot, resolveDatabase } from "../../prisma/database.mjs";

const shopify = {
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: "secret",
  SHOPIFY_APP_URL: "https://stayloop.example.com",
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
