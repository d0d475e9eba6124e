// Shopify sessions survive a round trip through PrismaSessionStorage on both databases.
import { Session } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/client";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database";

describe(`Prisma session storage on ${testProvider}`, () => {
  let database: TestDatabase;
  let db: Database;
  let storage: PrismaSessionStorage<Database>;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.connect();
    storage = new PrismaSessionStorage(db);
    expect(await storage.isReady()).toBe(true);
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("stores and loads an offline session unchanged", async () => {
    const offline = new Session({
      id: "offline_alpha.myshopify.com",
      shop: "alpha.myshopify.com",
      state: "state-1",
      isOnline: false,
      scope: "read_customers,read_orders",
      accessToken: "shpat_offline",
    });
    expect(await storage.storeSession(offline)).toBe(true);
    const loaded = await storage.loadSession(offline.id);
    expect(loaded?.toObject()).toEqual(offline.toObject());
  });

  it("stores and loads an online session with its user and expiry", async () => {
    const expires = new Date("2026-12-01T10:00:00.000Z");
    const online = new Session({
      id: "alpha.myshopify.com_902541635",
      shop: "alpha.myshopify.com",
      state: "state-2",
      isOnline: true,
      scope: "read_customers",
      expires,
      accessToken: "shpua_online",
      onlineAccessInfo: {
        expires_in: 86_400,
        associated_user_scope: "read_customers",
        associated_user: {
          id: 902541635,
          first_name: "Jana",
          last_name: "Nováková",
          email: "jana@example.com",
          email_verified: true,
          account_owner: true,
          locale: "cs",
          collaborator: false,
        },
      },
    });
    await storage.storeSession(online);
    const loaded = await storage.loadSession(online.id);
    expect(loaded?.expires?.toISOString()).toBe(expires.toISOString());
    expect(loaded?.onlineAccessInfo?.associated_user.id).toBe(902541635);
    expect(loaded?.onlineAccessInfo?.associated_user.last_name).toBe("Nováková");
    expect(loaded?.onlineAccessInfo?.associated_user.locale).toBe("cs");
  });

  it("updates a stored session in place", async () => {
    const session = new Session({
      id: "offline_beta.myshopify.com",
      shop: "beta.myshopify.com",
      state: "s",
      isOnline: false,
      accessToken: "first-token",
    });
    await storage.storeSession(session);
    session.accessToken = "second-token";
    await storage.storeSession(session);
    expect((await storage.loadSession(session.id))?.accessToken).toBe("second-token");
    expect(await db.session.count({ where: { id: session.id } })).toBe(1);
  });

  it("finds sessions by shop without mixing two shops", async () => {
    const alpha = await storage.findSessionsByShop("alpha.myshopify.com");
    const beta = await storage.findSessionsByShop("beta.myshopify.com");
    expect(alpha.map((session) => session.id).sort()).toEqual([
      "alpha.myshopify.com_902541635",
      "offline_alpha.myshopify.com",
    ]);
    expect(beta.map((session) => session.id)).toEqual(["offline_beta.myshopify.com"]);
  });

  it("deletes sessions", async () => {
    await storage.deleteSessions(["alpha.myshopify.com_902541635", "offline_alpha.myshopify.com"]);
    expect(await storage.findSessionsByShop("alpha.myshopify.com")).toEqual([]);
    expect(await storage.loadSession("offline_beta.myshopify.com")).toBeDefined();
  });
});
