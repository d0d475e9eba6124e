// /n/:token — the post-purchase survey's signed one-click answer (R-POST). GET records the score the
// link carries (a second click on another score changes it) and thanks the shopper; `?ask=1` only
// shows the question. POST adds the optional comment. A forged or unknown link is a 404.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { NpsPage } from "../components/nps/NpsPage";
import {
  answerNps,
  commentOnNps,
  npsCommentSchema,
  npsLinkOf,
  npsLinks,
  npsQuestionPage,
} from "../customers/nps";
import prisma from "../db.server";
import { env } from "../env.server";
import { domainEventSubscribers } from "../events/subscribers";

const notFound = () => new Response("This survey link is not valid.", { status: 404 });

function linkOf(token: string | undefined) {
  return npsLinkOf(env.messaging.linkSecret, token ?? "");
}

function scoreLinks(messageId: string) {
  return npsLinks(env.messaging.publicUrl, env.messaging.linkSecret, messageId).links;
}

export const loader = async ({ params, request, context }: LoaderFunctionArgs) => {
  const link = linkOf(params.token);
  if (!link) throw notFound();
  const ask = new URL(request.url).searchParams.get("ask") === "1";
  const page = ask
    ? await npsQuestionPage(prisma, link.messageId)
    : await answerNps(prisma, { ...link, now: context.clock.now(), subscribers: domainEventSubscribers });
  if (!page) throw notFound();
  return { ...page, links: scoreLinks(link.messageId) };
};

export const action = async ({ params, request, context }: ActionFunctionArgs) => {
  const link = linkOf(params.token);
  if (!link) return notFound();
  const comment = (await request.formData()).get("comment");
  const checked = npsCommentSchema.safeParse(typeof comment === "string" ? comment : "");
  if (!checked.success) return { saved: false, error: "invalid" as const };
  const page = await commentOnNps(prisma, {
    messageId: link.messageId,
    comment: checked.data,
    now: context.clock.now(),
  });
  if (!page) return notFound();
  return { saved: true, error: null };
};

export default function NpsAnswer() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <NpsPage {...page} commentSaved={result?.saved ?? false} invalidComment={result?.error === "invalid"} />
  );
}
