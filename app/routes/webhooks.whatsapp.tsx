// /webhooks/whatsapp — the WhatsApp Cloud API webhook: GET is Meta's subscription handshake (verify
// token), POST carries message statuses and inbound messages, checked against X-Hub-Signature-256
// (HMAC-SHA256 of the raw body with the app secret).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { env } from "../env.server";
import { applyProviderCallback } from "../messaging/provider-callbacks";
import {
  parseWhatsAppWebhook,
  verifyWhatsAppChallenge,
  verifyWhatsAppSignature,
} from "../messaging/whatsapp-provider";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const whatsapp = env.messaging.whatsapp;
  if (!whatsapp?.verifyToken) return new Response("WhatsApp is not configured", { status: 404 });
  const challenge = verifyWhatsAppChallenge(new URL(request.url).searchParams, whatsapp.verifyToken);
  return challenge === null
    ? new Response("Forbidden", { status: 403 })
    : new Response(challenge, { headers: { "content-type": "text/plain" } });
};

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const whatsapp = env.messaging.whatsapp;
  if (!whatsapp) return new Response("WhatsApp is not configured", { status: 404 });
  const body = await request.text();
  if (!verifyWhatsAppSignature(whatsapp.appSecret, body, request.headers.get("x-hub-signature-256"))) {
    return new Response("Invalid signature", { status: 403 });
  }
  let callbacks;
  try {
    callbacks = parseWhatsAppWebhook(JSON.parse(body) as unknown);
  } catch (error) {
    return new Response(error instanceof Error ? error.message : "Bad webhook", { status: 400 });
  }
  for (const callback of callbacks) await applyProviderCallback(prisma, callback, context.clock.now());
  return new Response("OK");
};
