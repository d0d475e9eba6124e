// The message outbox (R-MSG-1, R-FLOW-3…5). A flow step or a test-send enqueues a message under an
// idempotency key — the same (run, step) twice is one message — and the worker's "message.send"
// job delivers it:
//   1. the customer must still exist; marketing waits out quiet hours (recipient's time zone, else
//      the shop's) and the frequency cap across all flows — postponed, never dropped;
//   2. the channel is the first in the merchant's order with content, a configured provider, a
//      contact and (for marketing) consent, that was not tried yet;
//   3. "sending" is written before the provider is called (the intent), then "sent" with the
//      provider's id. A message found "sending" afterwards (the worker died in between) is sent
//      again only through a provider that recognises repeats; otherwise it becomes "uncertain" —
//      never a second copy to the shopper;
//   4. a permanent refusal moves on to the next channel; a temporary one is retried by the job, and
//      when the job is parked as failed the channel counts as failed and the next one is tried (the
//      message ends "failed" with the reason when none is left) — never left "queued".
// The cap is decided at step 3, under the customer's row lock, counting messages sent, being sent
// and of unknown outcome, so concurrent workers never both pass it (R-FLOW-4).
// Delivery reports move sent → delivered / failed (a failure falls back to the next channel), and
// an SMS / WhatsApp message still undelivered after the shop's wait falls back too.
import { randomUUID } from "node:crypto";
import type { Customer, Message, Prisma, Shop } from "@prisma/client";
import { z } from "zod";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import type { Tx } from "../events/domain-events";
import type { JobHandler } from "../jobs/worker";
import { lastErrorText } from "../jobs/last-error";
import { channels, isChannel, type Channel, type MessagePurpose } from "./channels";
import { consentFor } from "./consent";
import { messagingSettingsFor, type MessagingSettingsView } from "./settings";
import type { DeliveryReport, EmailSender, OutgoingText, TextSender } from "./providers";
import { ProviderRejectedError } from "./providers";
import {
  capCheck,
  nextAllowedSendTime,
  pickChannel,
  type AttemptOutcome,
  type ChannelPick,
  type RecipientReach,
  type TriedChannel,
} from "./send-rules";
import { trackEmailHtml, unsubscribeHeaders, unsubscribeUrl } from "./tracking-links";
import { messageCostAfterDelivery, projectedMessageCost } from "./message-costs";
import { scheduleJobOnce, scheduleJobsOnce, type JobRequest } from "../jobs/schedule";
import { insertRows, type SqlTx } from "../db/sql";
import { ShopUnavailableError } from "../shopify/shop-admin";

export const sendMessageJobKind = "message.send";
export const deliveryDeadlineJobKind = "message.delivery-deadline";

const whatsappContent = z.union([
  z.object({
    template: z.object({
      name: z.string().min(1),
      language: z.string().min(2),
      parameters: z.array(z.string()),
    }),
    category: z.enum(["marketing", "utility", "authentication"]),
  }),
  z.object({ body: z.string().min(1), category: z.literal("service") }),
]);

export const messageContentSchema = z
  .object({
    email: z
      .object({ subject: z.string().min(1), html: z.string().min(1), text: z.string().min(1) })
      .optional(),
    sms: z.object({ body: z.string().min(1).max(1600) }).optional(),
    whatsapp: whatsappContent.optional(),
  })
  .refine((content) => Boolean(content.email ?? content.sms ?? content.whatsapp), {
    message: "a message needs content for at least one channel",
  });
export type MessageContent = z.infer<typeof messageContentSchema>;

export interface EnqueueRequest {
  /** Lets the caller render links that name the message (unsubscribe) before it is stored. */
  id?: string;
  shopId: string;
  customerId: string;
  idempotencyKey: string;
  flowId?: string | null;
  purpose: MessagePurpose;
  content: MessageContent;
  /** Defaults to the shop's channel order. */
  channelOrder?: readonly Channel[];
  notBefore: Date;
}

/**
 * The idempotency key of a flow run's step: enqueueing it again is the same message. `seq` (the
 * run's step count) tells apart the visits of a step that a loop passes more than once.
 */
export function flowStepMessageKey(runId: string, stepId: string, seq?: number): string {
  return `run:${runId}:step:${stepId}${seq === undefined ? "" : `:${seq}`}`;
}

export function newMessageId(): string {
  return randomUUID();
}

export class MessageRequestError extends Error {}

export function channelOrderOf(text: string): Channel[] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter(isChannel);
}

/** The send job for the message at `at`; `round` (channels tried so far) tells a fallback's job apart. */
function sendJob(message: Pick<Message, "id" | "shopId">, at: Date, round = 0): JobRequest {
  return {
    shopId: message.shopId,
    kind: sendMessageJobKind,
    key: `${message.id}/${round}/${at.getTime()}`,
    payload: { messageId: message.id },
    runAt: at,
  };
}

async function scheduleSend(
  tx: Tx | Database,
  message: Pick<Message, "id" | "shopId">,
  at: Date,
  round = 0,
): Promise<void> {
  await scheduleJobOnce(tx, sendJob(message, at, round));
}

/** Stores the message (once per idempotency key) and schedules its delivery. */
export async function enqueueMessage(
  db: Database,
  request: EnqueueRequest,
): Promise<{ message: Message; created: boolean }> {
  const content = messageContentSchema.safeParse(request.content);
  if (!content.success) {
    throw new MessageRequestError(
      `invalid message: ${content.error.issues.map((issue) => `${issue.path.join(".") || "content"}: ${issue.message}`).join("; ")}`,
    );
  }
  if (request.idempotencyKey.trim() === "" || request.idempotencyKey.length > 300) {
    throw new MessageRequestError("an idempotency key of 1–300 characters is required");
  }
  return db.$transaction(async (tx) => {
    const existing = await tx.message.findUnique({
      where: { shopId_idempotencyKey: { shopId: request.shopId, idempotencyKey: request.idempotencyKey } },
    });
    if (existing) return { message: existing, created: false };
    const customer = await tx.customer.findFirst({
      where: { id: request.customerId, shopId: request.shopId },
    });
    if (!customer) throw new MessageRequestError(`customer ${request.customerId} not found in this shop`);
    const settings = await messagingSettingsFor(tx, request.shopId);
    const order = request.channelOrder ?? channelOrderOf(settings.channelOrder);
    const message = await tx.message.create({
      data: {
        id: request.id ?? newMessageId(),
        shopId: request.shopId,
        customerId: customer.id,
        idempotencyKey: request.idempotencyKey,
        flowId: request.flowId ?? null,
        purpose: request.purpose,
        channelOrder: order.join(","),
        content: content.data,
        category: content.data.whatsapp?.category ?? null,
        scheduledFor: request.notBefore,
      },
    });
    await scheduleSend(tx, message, request.notBefore);
    return { message, created: true };
  });
}

/** A message a batch path queues (a flow step): content already composed, channel order resolved. */
export interface QueuedMessage {
  id: string;
  shopId: string;
  customerId: string;
  idempotencyKey: string;
  flowId: string | null;
  flowRunId: string | null;
  flowStepId: string | null;
  purpose: MessagePurpose;
  content: MessageContent;
  channelOrder: readonly Channel[];
  notBefore: Date;
}

/**
 * enqueueMessage for many messages at once, inside a batch path's transaction (app/db/sql.ts): one
 * statement for the messages (a repeated idempotency key is the message already there) and one for
 * the send jobs of those actually inserted. Returns the ids inserted.
 */
export async function queueMessages(
  tx: SqlTx,
  messages: readonly QueuedMessage[],
  now: Date,
): Promise<string[]> {
  if (messages.length === 0) return [];
  const rows = messages.map((message) => {
    if (!(message.content.email ?? message.content.sms ?? message.content.whatsapp))
      throw new MessageRequestError(`message ${message.idempotencyKey} has no content for any channel`);
    return {
      id: message.id,
      shopId: message.shopId,
      customerId: message.customerId,
      idempotencyKey: message.idempotencyKey,
      flowId: message.flowId,
      flowRunId: message.flowRunId,
      flowStepId: message.flowStepId,
      purpose: message.purpose,
      channelOrder: message.channelOrder.join(","),
      content: message.content as Message["content"],
      status: "queued",
      channel: null,
      toAddress: null,
      tried: [] as Message["tried"],
      category: message.content.whatsapp?.category ?? null,
      scheduledFor: message.notBefore,
      attempts: 0,
      providerMessageId: null,
      lastError: null,
      sendingAt: null,
      sentAt: null,
      deliveredAt: null,
      failedAt: null,
      openedAt: null,
      clickedAt: null,
      opens: 0,
      clicks: 0,
      projectedCostMicros: null,
      costMicros: null,
      costCurrency: null,
      createdAt: now,
      updatedAt: now,
    };
  });
  const inserted = await insertRows<Message>(tx, "Message", rows, {
    conflict: ["shopId", "idempotencyKey"],
    returning: ["id"],
  });
  const ids = new Set(inserted.map((row) => String(row.id)));
  await scheduleJobsOnce(
    tx,
    messages.filter((message) => ids.has(message.id)).map((message) => sendJob(message, message.notBefore)),
    now,
  );
  return [...ids];
}

/**
 * What the sender of a message (a flow) says just before it is handed to a provider, inside the
 * transaction that moves it queued → sending: send it, skip it for good, or look again later.
 */
export type SendGuardDecision =
  | { action: "send" }
  | { action: "skip"; reason: string }
  | { action: "postpone"; until: Date; reason: string };
export type SendGuard = (tx: Tx, message: Message, now: Date) => Promise<SendGuardDecision>;

export interface OutboxDependencies {
  clock: Clock;
  senders: { email?: EmailSender; sms?: TextSender; whatsapp?: TextSender };
  /** Public base URL of the app (tracking links, provider callbacks) and the link-signing secret. */
  links: { baseUrl: string; secret: string };
  /** Sender address used when the shop has none set. */
  defaultFrom: string;
  /** Asked inside the queued → sending transaction of every message a flow run queued. */
  sendGuard?: SendGuard;
}

function reachOf(customer: Customer): RecipientReach {
  return {
    email: { contact: customer.email, consent: consentFor(customer, "email") },
    sms: { contact: customer.phone, consent: consentFor(customer, "sms") },
    whatsapp: { contact: customer.phone, consent: consentFor(customer, "whatsapp") },
  };
}

const triedSchema = z.array(
  z.object({ channel: z.enum(channels), outcome: z.enum(["failed", "not_delivered_in_time"]) }),
);

function triedOf(message: Message): TriedChannel[] {
  return triedSchema.parse(message.tried);
}

function triedJson(tried: readonly TriedChannel[]): Prisma.InputJsonArray {
  return tried.map(({ channel, outcome }) => ({ channel, outcome }));
}

/** A later send of a queued message (quiet hours, the cap): a new job at `at`, not a failure. */
async function postpone(db: Tx | Database, message: Message, at: Date, reason: string): Promise<boolean> {
  const { count } = await db.message.updateMany({
    where: { id: message.id, status: "queued" },
    data: { scheduledFor: at, lastError: reason },
  });
  if (count === 1) await scheduleSend(db, message, at, triedOf(message).length);
  return count === 1;
}

/** Short, but it may queue behind other writers (the customer's lock, SQLite's single writer). */
const capTransactionOptions = { maxWait: 10_000, timeout: 10_000 } as const;

/** Statuses of a marketing message that count toward the cap: handed (or being handed) to a provider. */
const handedOverStatuses = ["sending", "uncertain"];

/**
 * queued → sending, the one step that hands a message to a provider. Marketing also passes the
 * frequency cap here, and the decision is serialised per customer: the customer's row is locked
 * (PostgreSQL; SQLite's transaction already holds the single writer lock) before the messages in
 * the window are counted — sent ones, and those being sent or of unknown outcome — so two workers
 * never both see room for one more. A capped message is postponed to when the window has room.
 */
async function claimForSending(
  db: Database,
  message: Message,
  settings: MessagingSettingsView,
  now: Date,
  data: Prisma.MessageUpdateManyMutationInput,
  guard: SendGuard | undefined,
): Promise<"claimed" | "postponed" | "lost"> {
  const claim = async (tx: Tx | Database) => {
    const { count } = await tx.message.updateMany({ where: { id: message.id, status: "queued" }, data });
    return count === 1 ? "claimed" : "lost";
  };
  // Only messages a flow run queued have a sender to ask.
  const guarding = message.flowRunId !== null ? guard : undefined;
  if (message.purpose !== "marketing" && !guarding) return claim(db);
  return db.$transaction(async (tx) => {
    if (guarding) {
      const decision = await guarding(tx, message, now);
      if (decision.action === "skip") {
        await tx.message.updateMany({
          where: { id: message.id, status: "queued" },
          data: { status: "skipped", lastError: `not sent: ${decision.reason}` },
        });
        return "lost";
      }
      if (decision.action === "postpone") {
        return (await postpone(tx, message, decision.until, `postponed: ${decision.reason}`))
          ? "postponed"
          : "lost";
      }
      if (message.purpose !== "marketing") return claim(tx);
    }
    await tx.$executeRaw`UPDATE "Customer" SET "shopId" = "shopId" WHERE id = ${message.customerId} AND "shopId" = ${message.shopId}`;
    const cap = { maxMessages: settings.capMessages, perHours: settings.capHours };
    const windowStart = new Date(now.getTime() - cap.perHours * 3_600_000);
    const recent = await tx.message.findMany({
      where: {
        shopId: message.shopId,
        customerId: message.customerId,
        purpose: "marketing",
        id: { not: message.id },
        OR: [
          { sentAt: { gt: windowStart } },
          { status: { in: handedOverStatuses }, sendingAt: { gt: windowStart } },
        ],
      },
      select: { sentAt: true, sendingAt: true },
    });
    const decision = capCheck(
      now,
      cap,
      recent.flatMap((other) => {
        const at = other.sentAt ?? other.sendingAt;
        return at ? [at] : [];
      }),
      "marketing",
    );
    if (decision.allowed) return claim(tx);
    const postponed = await postpone(tx, message, decision.retryAt, "postponed: frequency cap");
    return postponed ? "postponed" : "lost";
  }, capTransactionOptions);
}

/** Why the last channel failed, kept when the message runs out of channels. */
function lastProviderError(message: Message): string {
  if (triedOf(message).length === 0 || !message.lastError || message.lastError.startsWith("postponed"))
    return "";
  return ` (last error: ${message.lastError})`;
}

/** Channels this message can use at all: content for it and a configured provider. */
function usableOrder(message: Message, content: MessageContent, deps: OutboxDependencies): Channel[] {
  return channelOrderOf(message.channelOrder).filter(
    (channel) => content[channel] !== undefined && deps.senders[channel] !== undefined,
  );
}

async function callProvider(
  message: Message,
  shop: Shop,
  settings: MessagingSettingsView,
  content: MessageContent,
  deps: OutboxDependencies,
): Promise<string> {
  const channel = message.channel as Channel;
  const to = message.toAddress ?? "";
  if (channel === "email" && content.email && deps.senders.email) {
    const unsubscribe = unsubscribeUrl(deps.links.baseUrl, deps.links.secret, message.id);
    const from = settings.fromEmail
      ? `${settings.fromName ?? shop.name ?? shop.domain} <${settings.fromEmail}>`
      : deps.defaultFrom;
    const accepted = await deps.senders.email.send({
      to,
      from,
      ...(settings.replyTo ? { replyTo: settings.replyTo } : {}),
      subject: content.email.subject,
      html: trackEmailHtml(content.email.html, { ...deps.links, messageId: message.id }),
      text: `${content.email.text}\n\n${message.purpose === "marketing" ? `Unsubscribe: ${unsubscribe}\n` : ""}`,
      headers: message.purpose === "marketing" ? unsubscribeHeaders(unsubscribe) : {},
      idempotencyKey: message.id,
    });
    return accepted.providerMessageId;
  }
  const sender = channel === "sms" ? deps.senders.sms : deps.senders.whatsapp;
  if (!sender || channel === "email") throw new Error(`no provider for ${channel}`);
  const outgoing: OutgoingText = {
    channel,
    to,
    idempotencyKey: message.id,
    statusCallbackUrl: `${deps.links.baseUrl}/webhooks/${channel}`,
  };
  if (channel === "sms" && content.sms) outgoing.body = content.sms.body;
  if (channel === "whatsapp" && content.whatsapp) {
    if ("template" in content.whatsapp) outgoing.template = content.whatsapp.template;
    else outgoing.body = content.whatsapp.body;
  }
  const accepted = await sender.send(outgoing);
  return accepted.providerMessageId;
}

/** Delivers a queued message (the "message.send" job). Safe to run again at any point. */
export async function sendMessage(
  db: Database,
  messageId: string,
  deps: OutboxDependencies,
): Promise<Message | null> {
  let message = await db.message.findUnique({ where: { id: messageId } });
  if (!message) return null;
  if (message.status === "sending") {
    // The worker stopped between the provider call and recording its answer.
    const sender = isChannel(message.channel) ? deps.senders[message.channel] : undefined;
    if (!sender?.dedupesRepeats) {
      return db.message.update({
        where: { id: message.id },
        data: {
          status: "uncertain",
          lastError:
            "The worker stopped while this message was being handed to the provider; it was not sent again.",
        },
      });
    }
    await db.message.update({ where: { id: message.id }, data: { status: "queued" } });
    message = { ...message, status: "queued" };
  }
  if (message.status !== "queued") return message;
  const now = deps.clock.now();
  if (message.scheduledFor > now) return message; // an earlier job of a postponed message

  const [shop, customer, settings] = await Promise.all([
    db.shop.findUniqueOrThrow({ where: { id: message.shopId } }),
    db.customer.findFirst({ where: { id: message.customerId, shopId: message.shopId } }),
    messagingSettingsFor(db, message.shopId),
  ]);
  // Uninstalled: nothing goes out; the worker pauses the job, and a reinstall drops the message.
  if (shop.uninstalledAt) throw new ShopUnavailableError(`${shop.domain} uninstalled Stayloop`);
  if (!customer || customer.deletedAt || customer.redactedAt) {
    return db.message.update({
      where: { id: message.id },
      data: { status: "skipped", lastError: "the customer no longer exists" },
    });
  }
  if (message.purpose === "marketing") {
    const quiet = { start: settings.quietStart, end: settings.quietEnd };
    const allowedAt = nextAllowedSendTime(now, quiet, customer.timezone, shop.timezone);
    if (allowedAt > now) {
      await postpone(db, message, allowedAt, "postponed: quiet hours");
      return db.message.findUnique({ where: { id: message.id } });
    }
  }

  const content = messageContentSchema.parse(message.content);
  const order = usableOrder(message, content, deps);
  for (;;) {
    const tried = triedOf(message);
    const pick: ChannelPick | null =
      order.length === 0
        ? null
        : pickChannel(order, reachOf(customer), message.purpose as MessagePurpose, tried);
    if (!pick || pick.channel === null) {
      const reasons = pick?.channel === null ? pick.reasons : [];
      return db.message.update({
        where: { id: message.id },
        data: {
          status: tried.length > 0 ? "failed" : "skipped",
          failedAt: tried.length > 0 ? now : null,
          lastError:
            reasons.length > 0
              ? `no channel left: ${reasons.map((reason) => `${reason.channel} ${reason.reason.replace(/_/g, " ")}`).join(", ")}${lastProviderError(message)}`
              : "no channel has content and a configured provider",
        },
      });
    }
    const projected =
      pick.channel === "whatsapp"
        ? await projectedMessageCost(db, message, pick.to, settings, now)
        : { micros: null, currency: null };
    // The intent, before the call: only one worker gets past this line for this message, and for
    // marketing only while the customer's frequency cap allows it.
    const claim = await claimForSending(
      db,
      message,
      settings,
      now,
      {
        status: "sending",
        channel: pick.channel,
        toAddress: pick.to,
        sendingAt: now,
        attempts: { increment: 1 },
        projectedCostMicros: projected.micros,
        costCurrency: projected.currency,
      },
      deps.sendGuard,
    );
    if (claim !== "claimed") return db.message.findUnique({ where: { id: message.id } });
    message = await db.message.findUniqueOrThrow({ where: { id: message.id } });
    try {
      const providerMessageId = await callProvider(message, shop, settings, content, deps);
      const sent = await db.message.update({
        where: { id: message.id },
        data: { status: "sent", providerMessageId, sentAt: deps.clock.now(), lastError: null },
      });
      if (pick.channel !== "email" && order.indexOf(pick.channel) < order.length - 1) {
        const wait = settings.fallbackAfterMinutes * 60_000;
        await db.job.create({
          data: {
            shopId: sent.shopId,
            kind: deliveryDeadlineJobKind,
            key: `${sent.id}:${sent.attempts}`,
            payload: { messageId: sent.id, attempt: sent.attempts },
            runAt: new Date(now.getTime() + wait),
          },
        });
      }
      return sent;
    } catch (error) {
      if (error instanceof ProviderRejectedError && error.permanent) {
        // Refused for good (bad address, blocked number): the next channel in the order.
        message = await db.message.update({
          where: { id: message.id },
          data: {
            status: "queued",
            tried: triedJson([...tried, { channel: pick.channel, outcome: "failed" }]),
            lastError: `${pick.channel}: ${lastErrorText(error)}`,
          },
        });
        continue;
      }
      if (error instanceof ProviderRejectedError || deps.senders[pick.channel]?.dedupesRepeats) {
        // Refused for now (rate limit, provider down), or a provider that recognises repeats.
        await db.message.update({
          where: { id: message.id },
          data: { status: "queued", lastError: `${pick.channel}: ${lastErrorText(error)}` },
        });
        throw error;
      }
      // No answer: the provider may have taken it. Not sent again (no second copy to the shopper).
      return db.message.update({
        where: { id: message.id },
        data: {
          status: "uncertain",
          lastError: `${pick.channel}: no answer from the provider, so the message was not sent again (${lastErrorText(error)})`,
        },
      });
    }
  }
}

/** Falls back to the next channel: the current one failed or did not deliver in time. */
async function fallBack(db: Database, message: Message, outcome: AttemptOutcome, now: Date): Promise<void> {
  if (!message.channel) return;
  const tried = [...triedOf(message), { channel: message.channel as Channel, outcome }];
  const { count } = await db.message.updateMany({
    where: { id: message.id, status: message.status, attempts: message.attempts },
    data: {
      status: "queued",
      tried: triedJson(tried),
      scheduledFor: now,
      ...(outcome === "failed" ? { failedAt: now } : {}),
    },
  });
  if (count === 1) await scheduleSend(db, message, now, tried.length);
}

/** A provider's delivery report (signature already checked): sent → delivered / failed. */
export async function recordDeliveryReport(
  db: Database,
  report: DeliveryReport,
  now: Date,
): Promise<Message | null> {
  const message = await db.message.findFirst({
    where: { channel: report.channel, providerMessageId: report.providerMessageId },
  });
  if (!message) return null;
  if (report.status === "failed") {
    if (message.status !== "sent") return message;
    await db.message.update({
      where: { id: message.id },
      data: { lastError: `${report.channel}: ${report.error ?? "not delivered"}` },
    });
    await fallBack(db, message, "failed", now);
    return db.message.findUnique({ where: { id: message.id } });
  }
  if (report.status === "delivered" || report.status === "read") {
    if (message.status !== "sent" && message.status !== "delivered") return message;
    const cost = message.channel === "whatsapp" ? await messageCostAfterDelivery(db, message) : null;
    return db.message.update({
      where: { id: message.id },
      data: {
        status: "delivered",
        deliveredAt: message.deliveredAt ?? report.at,
        ...(report.status === "read" ? { openedAt: message.openedAt ?? report.at } : {}),
        ...(cost ? { costMicros: cost.micros, costCurrency: cost.currency } : {}),
      },
    });
  }
  return message;
}

/**
 * On reinstall: what was queued before it is not sent stale (consent and contacts may have changed
 * while the app was gone) — skipped, with its paused send and fallback jobs cancelled.
 */
export async function dropStaleQueuedMessages(tx: Tx, shopId: string, at: Date): Promise<number> {
  // Everything still queued when the reinstall commits was queued before it.
  const { count } = await tx.message.updateMany({
    where: { shopId, status: "queued" },
    data: { status: "skipped", lastError: "not sent: queued before Stayloop was reinstalled" },
  });
  await tx.job.updateMany({
    where: { shopId, status: "paused", kind: { in: [sendMessageJobKind, deliveryDeadlineJobKind] } },
    data: { status: "cancelled", finishedAt: at },
  });
  return count;
}

const sendPayload = z.object({ messageId: z.string() });
const deadlinePayload = z.object({ messageId: z.string(), attempt: z.number().int() });

/**
 * The send job ran out of attempts (a provider refusing for now, every time). The channel it was
 * sending on counts as failed and the next one in the order is tried; when the job failed before
 * any channel was tried in this round, the message fails with the job's error. Never left queued.
 */
async function giveUpSending(db: Database, messageId: string, error: unknown, now: Date): Promise<void> {
  const message = await db.message.findUnique({ where: { id: messageId } });
  // Sent, failed, … or postponed to a later job: not this job's to settle.
  if (!message || message.status !== "queued" || message.scheduledFor > now) return;
  const tried = triedOf(message);
  const current = isChannel(message.channel) ? message.channel : null;
  const unchanged = { id: message.id, status: "queued", attempts: message.attempts };
  if (current && !tried.some((attempt) => attempt.channel === current)) {
    const next = [...tried, { channel: current, outcome: "failed" as const }];
    const { count } = await db.message.updateMany({
      where: unchanged,
      data: { tried: triedJson(next), scheduledFor: now, lastError: `${current}: ${lastErrorText(error)}` },
    });
    if (count === 1) await scheduleSend(db, message, now, next.length);
    return;
  }
  await db.message.updateMany({
    where: unchanged,
    data: { status: "failed", failedAt: now, lastError: lastErrorText(error) },
  });
}

/** The worker's handlers: "message.send" and "message.delivery-deadline". */
export function outboxJobHandlers(deps: OutboxDependencies): Record<string, JobHandler> {
  const send: JobHandler = async (job, db) => {
    const { messageId } = sendPayload.parse(job.payload);
    await sendMessage(db, messageId, deps);
  };
  send.onParked = async (job, db, error) => {
    const { messageId } = sendPayload.parse(job.payload);
    await giveUpSending(db, messageId, error, deps.clock.now());
  };
  return {
    [sendMessageJobKind]: send,
    [deliveryDeadlineJobKind]: async (job, db) => {
      const { messageId, attempt } = deadlinePayload.parse(job.payload);
      const message = await db.message.findUnique({ where: { id: messageId } });
      // Delivered (or already moved on): nothing to do.
      if (!message || message.status !== "sent" || message.attempts !== attempt) return;
      await fallBack(db, message, "not_delivered_in_time", deps.clock.now());
    },
  };
}
