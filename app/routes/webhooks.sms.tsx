// POST /webhooks/sms — Twilio's delivery status callbacks and inbound SMS (STOP / START), checked
// against X-Twilio-Signature (HMAC of our public URL and the parameters with the auth token).
import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { env } from "../env.server";
import { applyProviderCallback } from "../messaging/provider-callbacks";
import { parseTwilioCallback, verifyTwilioSignature } from "../messaging/sms-provider";

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const sms = env.messaging.sms;
  if (!sms) return new Response("SMS is not configured", { status: 404 });
  const url = new URL(request.url);
  const publicUrl = `${env.messaging.publicUrl}${url.pathname}${url.search}`;
  const params = Object.fromEntries(new URLSearchParams(await request.text()));
  if (!verifyTwilioSignature(sms.authToken, publicUrl, params, request.headers.get("x-twilio-signature"))) {
    return new Response("Invalid signature", { status: 403 });
  }
  let callback;
  try {
    callback = parseTwilioCallback(params, context.clock.now());
  } catch (error) {
    return new Response(error instanceof Error ? error.message : "Bad callback", { status: 400 });
  }
  if (callback) await applyProviderCallback(prisma, callback, context.clock.now());
  return new Response("<Response></Response>", { headers: { "content-type": "text/xml" } });
};
