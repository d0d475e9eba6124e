// /t/u/:token — unsubscribe (R-MSG-4). GET (the link in the message) and POST (RFC 8058 one-click
// from the mail client's List-Unsubscribe-Post header) withdraw marketing consent for the
// message's channel at once; Shopify's customer consent is updated by the worker right after.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { systemClock } from "../clock";
import prisma from "../db.server";
import { env } from "../env.server";
import { unsubscribeFromMessage } from "../messaging/engagement";
import { verifyTrackingToken } from "../messaging/tracking-links";

async function unsubscribe(token: string, source: "unsubscribe_link" | "one_click") {
  const payload = verifyTrackingToken(env.messaging.linkSecret, token);
  if (!payload || payload.k !== "u") return null;
  return unsubscribeFromMessage(prisma, payload.m, source, systemClock.now());
}

export const loader = async ({ params }: LoaderFunctionArgs) => {
  const result = await unsubscribe(params.token ?? "", "unsubscribe_link");
  if (!result) throw new Response("This unsubscribe link is not valid.", { status: 404 });
  return { shopName: result.shopName, channel: result.message.channel ?? "email" };
};

export const action = async ({ params }: ActionFunctionArgs) => {
  const result = await unsubscribe(params.token ?? "", "one_click");
  return new Response(result ? "Unsubscribed" : "Not found", {
    status: result ? 200 : 404,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
};

const channelWords: Record<string, string> = {
  email: "e-mails",
  sms: "text messages",
  whatsapp: "WhatsApp messages",
};

export default function Unsubscribed() {
  const { shopName, channel } = useLoaderData<typeof loader>();
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 480, margin: "64px auto", padding: 16 }}>
      <h1>You are unsubscribed</h1>
      <p>
        {shopName} will not send you marketing {channelWords[channel] ?? "messages"} any more. Order
        confirmations and other messages about your orders still reach you.
      </p>
    </main>
  );
}
