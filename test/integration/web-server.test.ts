// The production web process over real HTTP: health, metrics, and the admin behind Shopify auth.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";
import { startWebServer, type RunningProcess } from "../support/processes";

const browserUserAgent =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";

describe(`web server on ${testProvider}`, () => {
  let database: TestDatabase;
  let server: RunningProcess & { baseUrl: string };

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startWebServer({ DATABASE_URL: database.url });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("answers /healthz with 200 when the database is reachable", async () => {
    const response = await fetch(`${server.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", database: testProvider });
  });

  it("serves Prometheus metrics including its own request timings", async () => {
    await fetch(`${server.baseUrl}/healthz`);
    const response = await fetch(`${server.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toMatch(
      /stayloop_http_request_duration_seconds_count\{route="\/healthz",method="GET",status="200"\} [1-9]/,
    );
    expect(text).toContain("process_cpu_seconds_total");
  });

  it("sends a visitor without a Shopify session to the login page", async () => {
    const response = await fetch(`${server.baseUrl}/app`, {
      redirect: "manual",
      // Shopify's library answers self-identified bots (node's fetch is one) with 410.
      headers: { "user-agent": browserUserAgent },
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toContain("/auth/login");
  });

  it("renders the Polaris login form", async () => {
    const response = await fetch(`${server.baseUrl}/auth/login`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Polaris-Page");
    expect(html).toContain('name="shop"');
  });
});

describe(`web server with an unreachable database (${testProvider})`, () => {
  it("answers /healthz with 503", async () => {
    const unreachable =
      testProvider === "sqlite"
        ? "file:/nonexistent-dir/stayloop.sqlite"
        : "postgresql://postgres@127.0.0.1:1/unreachable";
    const server = await startWebServer({ DATABASE_URL: unreachable });
    try {
      const response = await fetch(`${server.baseUrl}/healthz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: "unavailable", database: testProvider });
    } finally {
      await server.stop();
    }
  });
});
