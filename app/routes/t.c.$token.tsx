// GET /t/c/:token — a tracked link in an e-mail (R-MSG-2): records the click and redirects to the
// link's target. Only signed targets are followed, so this is no open redirect.
import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { env } from "../env.server";
import { recordClick } from "../messaging/engagement";
import { verifyTrackingToken } from "../messaging/tracking-links";

export const loader = async ({ params, context }: LoaderFunctionArgs) => {
  const payload = verifyTrackingToken(env.messaging.linkSecret, params.token ?? "");
  if (!payload || payload.k !== "c") return new Response("Not found", { status: 404 });
  await recordClick(prisma, payload.m, context.clock.now());
  return redirect(payload.u, { status: 302, headers: { "cache-control": "no-store" } });
};
