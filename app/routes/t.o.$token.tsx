// GET /t/o/:token — the open pixel of a tracked e-mail (R-MSG-2). The token is signed, so opens
// cannot be forged; a bad token gets 404 and records nothing.
import type { LoaderFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { env } from "../env.server";
import { recordOpen } from "../messaging/engagement";
import { verifyTrackingToken } from "../messaging/tracking-links";

// The smallest transparent GIF.
const pixel = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

export const loader = async ({ params, context }: LoaderFunctionArgs) => {
  const payload = verifyTrackingToken(env.messaging.linkSecret, params.token ?? "");
  if (!payload || payload.k !== "o") return new Response("Not found", { status: 404 });
  await recordOpen(prisma, payload.m, context.clock.now());
  return new Response(pixel, {
    headers: { "content-type": "image/gif", "cache-control": "no-store, max-age=0" },
  });
};
