// Connects the browse pixel (extensions/browse-pixel) to a shop: Shopify runs an app's web pixel on a
// shop only once the app has created it there with its settings (`webPixelCreate`). Called on every
// install (afterAuth): creates the pixel pointing at our /pixel/events, or, when the shop already
// has it (TAKEN), updates its endpoint if it changed. Idempotent; a failure never blocks the install.
import { z } from "zod";

/** The Admin GraphQL call of the install's session (`admin.graphql` in afterAuth). */
export type AdminGraphql = (
  query: string,
  options?: { variables?: Record<string, unknown> },
) => Promise<{ json(): Promise<unknown> }>;

export const webPixelCreateMutation = `#graphql
  mutation StayloopWebPixelCreate($webPixel: WebPixelInput!) {
    webPixelCreate(webPixel: $webPixel) {
      webPixel {
        id
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`;

export const webPixelQuery = `#graphql
  query StayloopWebPixel {
    webPixel {
      id
      settings
    }
  }
`;

export const webPixelUpdateMutation = `#graphql
  mutation StayloopWebPixelUpdate($id: ID!, $webPixel: WebPixelInput!) {
    webPixelUpdate(id: $id, webPixel: $webPixel) {
      webPixel {
        id
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`;

const userErrors = z.array(z.object({ code: z.string().nullish(), message: z.string() }));
const createAnswer = z.object({
  data: z.object({
    webPixelCreate: z.object({ webPixel: z.object({ id: z.string() }).nullish(), userErrors }),
  }),
});
const pixelAnswer = z.object({
  data: z.object({ webPixel: z.object({ id: z.string(), settings: z.unknown() }) }),
});
const updateAnswer = z.object({
  data: z.object({ webPixelUpdate: z.object({ userErrors }) }),
});

export class PixelConnectionError extends Error {}

/** Where the pixel sends its events for an app served at `appUrl`. */
export function pixelEndpoint(appUrl: string): string {
  return `${appUrl.replace(/\/+$/, "")}/pixel/events`;
}

function endpointOf(settings: unknown): string | null {
  const value: unknown = typeof settings === "string" ? JSON.parse(settings) : settings;
  const parsed = z.object({ endpoint: z.string() }).safeParse(value);
  return parsed.success ? parsed.data.endpoint : null;
}

/** Makes sure the shop runs the pixel with `endpoint`; says what it did. */
export async function connectBrowsePixel(
  graphql: AdminGraphql,
  endpoint: string,
): Promise<"created" | "updated" | "unchanged"> {
  const webPixel = { settings: { endpoint } };
  const created = createAnswer.parse(
    await (await graphql(webPixelCreateMutation, { variables: { webPixel } })).json(),
  ).data.webPixelCreate;
  if (created.webPixel) return "created";
  if (!created.userErrors.some((error) => error.code === "TAKEN")) {
    throw new PixelConnectionError(created.userErrors.map((error) => error.message).join("; "));
  }
  const existing = pixelAnswer.parse(await (await graphql(webPixelQuery)).json()).data.webPixel;
  if (endpointOf(existing.settings) === endpoint) return "unchanged";
  const updated = updateAnswer.parse(
    await (await graphql(webPixelUpdateMutation, { variables: { id: existing.id, webPixel } })).json(),
  ).data.webPixelUpdate;
  if (updated.userErrors.length > 0) {
    throw new PixelConnectionError(updated.userErrors.map((error) => error.message).join("; "));
  }
  return "updated";
}
