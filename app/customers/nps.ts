// The post-purchase survey (R-POST): "How likely are you to recommend us?" answered with one click
// from the message — each score 0…10 is its own signed link, so nobody can answer for someone else
// and no login is needed. An answer belongs to the customer and the order the message was about (or
// the message itself when it was not about an order); a second click changes the score, an optional
// comment can follow. A new or changed score is announced as `nps.answered` (rescue flows, analytics).
import type { NpsAnswer } from "@prisma/client";
import { z } from "zod";
import type { Database } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { recordDomainEvent, type DomainEventSubscriber, type Tx } from "../events/domain-events";
import { chooseLocale, templateLocales, type TemplateLocale } from "../messaging/templates";
import { signTrackingToken, verifyTrackingToken } from "../messaging/tracking-links";

export const npsScores = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;
export const commentMaxLength = 2000;

/** Promoters answer 9–10, passives 7–8, detractors 0–6. */
export function npsCategory(score: number): "promoter" | "passive" | "detractor" {
  if (score >= 9) return "promoter";
  return score >= 7 ? "passive" : "detractor";
}

export interface NpsLinks {
  /** The page that asks the question (the score links are on it too). */
  question_url: string;
  links: { score: number; url: string }[];
  /** The same page: the scores again and a comment box. */
  comment_url: string;
}

function npsUrl(baseUrl: string, secret: string, messageId: string, score: number): string {
  return `${baseUrl.replace(/\/+$/, "")}/n/${signTrackingToken(secret, { k: "n", m: messageId, s: score })}`;
}

/** The signed one-click links of a message's survey. */
export function npsLinks(baseUrl: string, secret: string, messageId: string): NpsLinks {
  const links = npsScores.map((score) => ({ score, url: npsUrl(baseUrl, secret, messageId, score) }));
  // `?ask=1` shows the question without answering it (any of the message's links carries its id).
  const question = `${npsUrl(baseUrl, secret, messageId, 10)}?ask=1`;
  return { question_url: question, links, comment_url: question };
}

/** The message and score a survey link names; null for anything forged or malformed. */
export function npsLinkOf(secret: string, token: string): { messageId: string; score: number } | null {
  const payload = verifyTrackingToken(secret, token);
  return payload?.k === "n" ? { messageId: payload.m, score: payload.s } : null;
}

export interface NpsAnswerPage {
  shopName: string;
  locale: TemplateLocale;
  score: number;
  comment: string | null;
}

interface Subject {
  shopId: string;
  shopName: string;
  customerId: string;
  locale: TemplateLocale;
  orderId: string | null;
  subjectKey: string;
}

const triggerSchema = z.object({ orderId: z.string().nullable().optional() }).passthrough();

async function subjectOf(tx: Tx, messageId: string): Promise<Subject | null> {
  const message = await tx.message.findUnique({ where: { id: messageId }, include: { shop: true } });
  if (!message) return null;
  const customer = await tx.customer.findFirst({ where: { id: message.customerId, shopId: message.shopId } });
  if (!customer || customer.deletedAt || customer.redactedAt) return null;
  let orderId: string | null = null;
  if (message.flowRunId) {
    const run = await tx.flowRun.findFirst({ where: { id: message.flowRunId, shopId: message.shopId } });
    const trigger = triggerSchema.safeParse(run?.trigger);
    orderId = trigger.success ? (trigger.data.orderId ?? null) : null;
  }
  return {
    shopId: message.shopId,
    shopName: message.shop.name ?? message.shop.domain,
    customerId: customer.id,
    locale: chooseLocale(customer.locale ?? message.shop.locale, [...templateLocales], "en"),
    orderId,
    subjectKey: orderId ? `order:${orderId}` : `message:${message.id}`,
  };
}

function pageOf(subject: Subject, answer: NpsAnswer): NpsAnswerPage {
  return { shopName: subject.shopName, locale: subject.locale, score: answer.score, comment: answer.comment };
}

async function writeScore(
  tx: Tx,
  subject: Subject,
  messageId: string,
  score: number,
  now: Date,
): Promise<{ answer: NpsAnswer; changed: boolean }> {
  const key = { shopId: subject.shopId, customerId: subject.customerId, subjectKey: subject.subjectKey };
  const existing = await tx.npsAnswer.findUnique({ where: { shopId_customerId_subjectKey: key } });
  if (existing) {
    if (existing.score === score) return { answer: existing, changed: false };
    // Compare-and-set on the score read: a concurrent click that changed it first wins.
    const updated = await tx.npsAnswer.updateMany({
      where: { id: existing.id, score: existing.score },
      data: { score, answeredAt: now, updatedAt: now },
    });
    const answer = await tx.npsAnswer.findUniqueOrThrow({ where: { id: existing.id } });
    return { answer, changed: updated.count === 1 };
  }
  const answer = await tx.npsAnswer.create({
    data: { ...key, orderId: subject.orderId, messageId, score, answeredAt: now, updatedAt: now },
  });
  return { answer, changed: true };
}

/**
 * Stores the score a survey link carries (once; a different score replaces it) and announces a new
 * or changed score. Null when the message or its customer is gone.
 */
export async function answerNps(
  db: Database,
  input: { messageId: string; score: number; now: Date; subscribers: readonly DomainEventSubscriber[] },
): Promise<NpsAnswerPage | null> {
  const attempt = () =>
    db.$transaction(async (tx) => {
      const subject = await subjectOf(tx, input.messageId);
      if (!subject) return null;
      const { answer, changed } = await writeScore(tx, subject, input.messageId, input.score, input.now);
      if (changed) {
        await recordDomainEvent(
          tx,
          subject.shopId,
          {
            type: "nps.answered",
            subjectId: subject.customerId,
            dedupeKey: `nps.answered:${answer.id}:${answer.score}:${input.now.toISOString()}`,
            payload: {
              customerId: subject.customerId,
              orderId: subject.orderId,
              score: answer.score,
              category: npsCategory(answer.score),
              answerId: answer.id,
            },
            occurredAt: input.now,
          },
          input.subscribers,
          input.now,
        );
      }
      return pageOf(subject, answer);
    });
  try {
    return await attempt();
  } catch (error) {
    // Two first clicks at once: one created the answer, the other now finds it.
    if (isUniqueViolation(error)) return attempt();
    throw error;
  }
}

/** What the survey page shows for a link without recording anything (the "answer later" page). */
export async function npsQuestionPage(db: Database, messageId: string): Promise<NpsAnswerPage | null> {
  return db.$transaction(async (tx) => {
    const subject = await subjectOf(tx, messageId);
    if (!subject) return null;
    const existing = await tx.npsAnswer.findUnique({
      where: {
        shopId_customerId_subjectKey: {
          shopId: subject.shopId,
          customerId: subject.customerId,
          subjectKey: subject.subjectKey,
        },
      },
    });
    return {
      shopName: subject.shopName,
      locale: subject.locale,
      score: existing?.score ?? -1,
      comment: existing?.comment ?? null,
    };
  });
}

export const npsCommentSchema = z
  .string()
  .trim()
  .min(1, "Write a comment first.")
  .max(commentMaxLength, `A comment has at most ${commentMaxLength} characters.`);

/** Adds (or replaces) the comment of an answered survey; null when there is no answer to comment on. */
export async function commentOnNps(
  db: Database,
  input: { messageId: string; comment: string; now: Date },
): Promise<NpsAnswerPage | null> {
  const comment = npsCommentSchema.parse(input.comment);
  return db.$transaction(async (tx) => {
    const subject = await subjectOf(tx, input.messageId);
    if (!subject) return null;
    const key = { shopId: subject.shopId, customerId: subject.customerId, subjectKey: subject.subjectKey };
    const existing = await tx.npsAnswer.findUnique({ where: { shopId_customerId_subjectKey: key } });
    if (!existing) return null;
    const answer = await tx.npsAnswer.update({
      where: { id: existing.id },
      data: { comment, updatedAt: input.now },
    });
    return pageOf(subject, answer);
  });
}
