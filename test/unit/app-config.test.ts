// shopify.app.toml is what Shopify installs; these checks keep it in step with the requirements and
// the code (the Shopify CLI cannot run here to validate it).
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { complianceTopics, eventTopics } from "../../app/events/topics";
import { projectRoot } from "../../prisma/database.mjs";
import { postgresTwin } from "../../scripts/postgres-twin.mjs";

interface Subscription {
  topics?: string[];
  compliance_topics?: string[];
  uri: string;
}
interface AppConfig {
  embedded: boolean;
  access_scopes: { scopes: string };
  webhooks: { api_version: string; subscriptions: Subscription[] };
  app_proxy: { url: string; prefix: string; subpath: string };
}

const read = (file: string) => readFileSync(path.join(projectRoot, file), "utf8");
const app = parse(read("shopify.app.toml")) as unknown as AppConfig;

describe("shopify.app.toml", () => {
  it("subscribes every R-EVT-1 topic to the one /webhooks endpoint", () => {
    const topics = app.webhooks.subscriptions.flatMap((subscription) => subscription.topics ?? []);
    // app/events/topics.ts lists R-EVT-1's twelve topics; the toml must subscribe exactly those.
    expect(eventTopics).toHaveLength(12);
    expect(topics.sort()).toEqual([...eventTopics].sort());
    expect(new Set(app.webhooks.subscriptions.map((subscription) => subscription.uri))).toEqual(
      new Set(["/webhooks"]),
    );
  });

  it("declares the three mandatory compliance topics", () => {
    const compliance = app.webhooks.subscriptions.flatMap(
      (subscription) => subscription.compliance_topics ?? [],
    );
    expect(compliance.sort()).toEqual([...complianceTopics].sort());
    expect(complianceTopics).toEqual(["customers/data_request", "customers/redact", "shop/redact"]);
  });

  it("pins the same Admin API version as app/shopify.server.ts", () => {
    const server = read("app/shopify.server.ts");
    const pinned = /adminApiVersion = ApiVersion\.(\w+)/.exec(server)?.[1];
    const months: Record<string, string> = { January: "01", April: "04", July: "07", October: "10" };
    const [, month, year] = /^([A-Za-z]+)(\d\d)$/.exec(pinned ?? "") ?? [];
    expect(`20${year}-${months[month ?? ""]}`).toBe(app.webhooks.api_version);
  });

  it("proxies /apps/stayloop to /proxy and is embedded", () => {
    expect(app.app_proxy).toEqual({ url: "/proxy", prefix: "apps", subpath: "stayloop" });
    expect(app.embedded).toBe(true);
  });

  it("asks only for scopes the README explains", () => {
    const readme = read("README.md");
    const scopes = app.access_scopes.scopes.split(",");
    expect(scopes.length).toBeGreaterThan(0);
    for (const scope of scopes) expect(readme).toContain(`\`${scope}\``);
  });
});

describe("shopify.web.toml", () => {
  it("runs migrations and the dev server for the Shopify CLI", () => {
    const web = parse(read("shopify.web.toml")) as {
      roles: string[];
      commands: { predev: string; dev: string };
    };
    expect(web.roles).toEqual(["frontend", "backend"]);
    expect(web.commands.predev).toBe("npm run db:migrate");
    const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
    expect(scripts["db:migrate"]).toBeDefined();
    expect(scripts["dev:server"]).toBeDefined();
  });
});

describe("PostgreSQL schema twin", () => {
  it("is generated from prisma/schema.prisma and up to date", () => {
    const source = read("prisma/schema.prisma");
    expect(read("prisma/postgresql/schema.prisma")).toBe(postgresTwin(source));
    expect(postgresTwin(source)).toContain('provider = "postgresql"');
  });
});
