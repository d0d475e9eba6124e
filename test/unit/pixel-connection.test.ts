// Connecting the browse pixel on install: created once, its endpoint updated when the app moved,
// left alone when it is right, and a refusal reported (the install itself goes on).
import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import {
  connectBrowsePixel,
  PixelConnectionError,
  pixelEndpoint,
  webPixelCreateMutation,
  webPixelQuery,
  webPixelUpdateMutation,
  type AdminGraphql,
} from "../../app/storefront/pixel-connection";

const endpoint = "https://app.stayloop.example/pixel/events";

/** A shop's Admin API as far as web pixels go: at most one pixel per app. */
function fakeShop(existing: { id: string; settings: unknown } | null) {
  const calls: { operation: string; variables: Record<string, unknown> | undefined }[] = [];
  let pixel = existing;
  const answer = (data: unknown) => Promise.resolve({ json: () => Promise.resolve({ data }) });
  const graphql: AdminGraphql = (query, options) => {
    const operation = /(?:mutation|query) (\w+)/.exec(query)?.[1] ?? "";
    calls.push({ operation, variables: options?.variables });
    const settings = (options?.variables?.webPixel as { settings: unknown } | undefined)?.settings;
    if (operation === "StayloopWebPixelCreate") {
      if (pixel) {
        return answer({
          webPixelCreate: { webPixel: null, userErrors: [{ code: "TAKEN", field: null, message: "taken" }] },
        });
      }
      pixel = { id: "gid://shopify/WebPixel/1", settings: JSON.stringify(settings) };
      return answer({ webPixelCreate: { webPixel: { id: pixel.id }, userErrors: [] } });
    }
    if (operation === "StayloopWebPixel") return answer({ webPixel: pixel });
    if (operation === "StayloopWebPixelUpdate" && pixel) {
      pixel = { ...pixel, settings: JSON.stringify(settings) };
      return answer({ webPixelUpdate: { webPixel: { id: pixel.id }, userErrors: [] } });
    }
    throw new Error(`unexpected ${operation}`);
  };
  return { graphql, calls, pixel: () => pixel };
}

describe("browse pixel connection", () => {
  it("sends valid GraphQL documents and builds the endpoint from the app URL", () => {
    for (const document of [webPixelCreateMutation, webPixelQuery, webPixelUpdateMutation]) {
      expect(() => parse(document)).not.toThrow();
    }
    expect(pixelEndpoint("https://app.stayloop.example/")).toBe(endpoint);
  });

  it("creates the pixel with the endpoint setting on a first install", async () => {
    const shop = fakeShop(null);
    expect(await connectBrowsePixel(shop.graphql, endpoint)).toBe("created");
    expect(shop.calls).toEqual([
      { operation: "StayloopWebPixelCreate", variables: { webPixel: { settings: { endpoint } } } },
    ]);
    expect(JSON.parse(String(shop.pixel()?.settings))).toEqual({ endpoint });
  });

  it("leaves a pixel with the right endpoint alone, and updates one with an old endpoint", async () => {
    const same = fakeShop({ id: "gid://shopify/WebPixel/7", settings: JSON.stringify({ endpoint }) });
    expect(await connectBrowsePixel(same.graphql, endpoint)).toBe("unchanged");
    expect(same.calls.map((call) => call.operation)).toEqual(["StayloopWebPixelCreate", "StayloopWebPixel"]);

    const moved = fakeShop({
      id: "gid://shopify/WebPixel/7",
      settings: { endpoint: "https://old.example/pixel/events" },
    });
    expect(await connectBrowsePixel(moved.graphql, endpoint)).toBe("updated");
    expect(moved.calls.at(-1)).toEqual({
      operation: "StayloopWebPixelUpdate",
      variables: { id: "gid://shopify/WebPixel/7", webPixel: { settings: { endpoint } } },
    });
    expect(JSON.parse(String(moved.pixel()?.settings))).toEqual({ endpoint });
  });

  it("reports Shopify's refusal", async () => {
    const graphql: AdminGraphql = () =>
      Promise.resolve({
        json: () =>
          Promise.resolve({
            data: {
              webPixelCreate: {
                webPixel: null,
                userErrors: [
                  { code: "INVALID_SETTINGS", field: ["settings"], message: "endpoint is required" },
                ],
              },
            },
          }),
      });
    await expect(connectBrowsePixel(graphql, endpoint)).rejects.toThrow(PixelConnectionError);
  });
});
