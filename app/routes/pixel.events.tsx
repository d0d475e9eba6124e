// POST /pixel/events — browse events from the web pixel (extensions/browse-pixel, R-EVT-8): one event
// or an array of one shop's events. 400 when malformed, 404 for a shop without Stayloop, 429 when the
// pixel client sends too fast; nothing is stored in any of these cases. Called cross-origin from the
// storefront without cookies or credentials, so any origin may call it (the preflight is answered).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import {
  MalformedBrowseEvents,
  maxBrowseEventsPerRequest,
  parseBrowseEvents,
  recordBrowseEvents,
} from "../storefront/browse-events";
import { TokenBuckets } from "../storefront/rate-limit";

const cors = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, OPTIONS",
  "access-control-allow-headers": "content-type",
  "access-control-max-age": "86400",
};

// Per pixel client of a shop: a burst of a checkout's lines, then about one event a second.
const pixelClients = new TokenBuckets({ capacity: maxBrowseEventsPerRequest + 20, refillPerSecond: 1 });

function answer(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...cors, "cache-control": "no-store", ...headers } });
}

export const loader = ({ request }: LoaderFunctionArgs) => {
  if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: cors });
  return answer(405, { error: "POST browse events here" }, { allow: "POST, OPTIONS" });
};

export const action = async ({ request, context }: ActionFunctionArgs) => {
  if (request.method !== "POST")
    return answer(405, { error: "POST browse events here" }, { allow: "POST, OPTIONS" });
  let events;
  try {
    events = parseBrowseEvents(await request.text());
  } catch (error) {
    if (error instanceof MalformedBrowseEvents) return answer(400, { error: error.message });
    throw error;
  }
  const now = context.clock.now();
  const costs = new Map<string, number>();
  for (const event of events) {
    const key = `${event.shop} ${event.clientId}`;
    costs.set(key, (costs.get(key) ?? 0) + 1);
  }
  const limited = pixelClients.takeAll(costs, now);
  if (!limited.allowed) {
    return answer(
      429,
      { error: "too many events from this client" },
      { "retry-after": String(limited.retryAfterSeconds) },
    );
  }
  const outcome = await recordBrowseEvents(prisma, events, now);
  if (outcome.kind === "unknown-shop") return answer(404, { error: "this shop does not use Stayloop" });
  const { stored, duplicates, expired } = outcome;
  return answer(200, { stored, duplicates, expired });
};
