// /t/u/:token — unsubscribe (R-MSG-4, RFC 8058). GET (the link in the message) only shows a page
// with a confirm button: link scanners open every link, so a GET never changes consent. POST — the
// button, or the mail client's one-click `List-Unsubscribe=One-Click` — withdraws marketing consent
// for the message's channel at once; the signed token guards both. Shopify's customer consent is
// updated by the worker right after.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { UnsubscribePage } from "../components/unsubscribe/UnsubscribePage";
import prisma from "../db.server";
import { env } from "../env.server";
import { unsubscribeFromMessage, unsubscribePageFor } from "../messaging/engagement";
import { verifyTrackingToken } from "../messaging/tracking-links";

function messageIdOf(token: string | undefined): string | null {
  const payload = verifyTrackingToken(env.messaging.linkSecret, token ?? "");
  return payload?.k === "u" ? payload.m : null;
}

const notFound = () => new Response("This unsubscribe link is not valid.", { status: 404 });

export const loader = async ({ params }: LoaderFunctionArgs) => {
  const messageId = messageIdOf(params.token);
  const page = messageId ? await unsubscribePageFor(prisma, messageId) : null;
  if (!page) throw notFound();
  return page;
};

async function isOneClick(request: Request): Promise<boolean> {
  try {
    return (await request.formData()).get("List-Unsubscribe") === "One-Click";
  } catch {
    return false; // no form body: still a POST to a signed link, i.e. a confirmation
  }
}

export const action = async ({ params, request, context }: ActionFunctionArgs) => {
  const messageId = messageIdOf(params.token);
  if (!messageId) return notFound();
  const oneClick = await isOneClick(request);
  const result = await unsubscribeFromMessage(
    prisma,
    messageId,
    oneClick ? "one_click" : "unsubscribe_link",
    context.clock.now(),
  );
  if (!result) return notFound();
  // The mail client wants an answer, not a page; the confirm button gets the page (loader again).
  if (oneClick) {
    return new Response("Unsubscribed", { headers: { "content-type": "text/plain; charset=utf-8" } });
  }
  return { unsubscribed: true };
};

export default function Unsubscribe() {
  return <UnsubscribePage {...useLoaderData<typeof loader>()} />;
}
