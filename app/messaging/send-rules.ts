// When and through which channel a flow message may go out: quiet hours in the recipient's time zone
// (postponed, never dropped), the marketing frequency cap shared by all flows and channels, and the
// merchant's channel fallback chain (email → SMS → WhatsApp, or any order they choose). Pure
// functions: no database, no clock — the caller passes the current instant in.
import { z } from "zod";
import { channels, type Channel, type ConsentState, type MessagePurpose } from "./channels";

const minuteMs = 60_000;
const hourMs = 3_600_000;
const dayMs = 86_400_000;

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

function assertValidDate(value: Date, name: string): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new Error(`${name} must be a valid Date`);
  }
}

// ---------------------------------------------------------------------------------------------
// Quiet hours
// ---------------------------------------------------------------------------------------------

const wallTimeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'must be a 24-hour time "HH:MM" (00:00–23:59)' });

/**
 * Local wall-clock times in the recipient's zone. `start` is quiet, `end` is not: with 21:00–08:00,
 * 21:00 exactly is quiet and 08:00 exactly is allowed. The range may wrap midnight (21:00–08:00) or
 * not (13:00–14:00); `start === end` means there are no quiet hours.
 */
export const quietHoursSchema = z.object({ start: wallTimeSchema, end: wallTimeSchema });
export type QuietHours = z.infer<typeof quietHoursSchema>;

export const defaultQuietHours: QuietHours = { start: "21:00", end: "08:00" };

function parseQuietHours(quiet: QuietHours): { startMs: number; endMs: number } {
  const parsed = quietHoursSchema.safeParse(quiet);
  if (!parsed.success) throw new Error(`Invalid quiet hours: ${formatIssues(parsed.error)}`);
  const toMs = (time: string) => {
    const [hours, minutes] = time.split(":").map(Number);
    return (hours ?? 0) * hourMs + (minutes ?? 0) * minuteMs;
  };
  return { startMs: toMs(parsed.data.start), endMs: toMs(parsed.data.end) };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
    } catch {
      throw new Error(`Unknown time zone "${timeZone}" (expected an IANA name such as "Europe/Prague")`);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * The wall-clock time an instant shows in `timeZone`, expressed as milliseconds since the epoch
 * as if that wall-clock time were UTC ("wall ms"). Calendar arithmetic on wall ms is plain UTC math.
 */
export function wallMsAt(instantMs: number, timeZone: string): number {
  const wholeSecond = Math.floor(instantMs / 1000) * 1000;
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(wholeSecond))) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  const { year, month, day, hour, minute, second } = fields;
  if (
    year === undefined ||
    month === undefined ||
    day === undefined ||
    hour === undefined ||
    minute === undefined ||
    second === undefined
  ) {
    throw new Error(`Could not read the wall-clock time in "${timeZone}"`);
  }
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, 0);
  return utc.getTime() + (instantMs - wholeSecond);
}

/** The zone's UTC offset at an instant, in milliseconds (east of UTC is positive). */
function offsetMsAt(instantMs: number, timeZone: string): number {
  const wholeSecond = Math.floor(instantMs / 1000) * 1000;
  return wallMsAt(wholeSecond, timeZone) - wholeSecond;
}

/**
 * Every instant at which the zone's clocks show `wallMs`, earliest first: one normally, two when
 * the clocks are set back and the time repeats, none when it falls in a spring-forward gap.
 */
export function instantsForWallTime(wallMs: number, timeZone: string): number[] {
  const offsets = new Set([
    offsetMsAt(wallMs - dayMs, timeZone),
    offsetMsAt(wallMs, timeZone),
    offsetMsAt(wallMs + dayMs, timeZone),
  ]);
  const instants = [...offsets]
    .map((offset) => wallMs - offset)
    .filter((instant) => wallMsAt(instant, timeZone) === wallMs);
  return [...new Set(instants)].sort((a, b) => a - b);
}

/**
 * For a wall-clock time skipped by a spring-forward jump: the first instant after the gap (the
 * moment the clocks jumped, e.g. 03:00 CEST when Prague skips 02:00–03:00).
 */
export function endOfGap(wallMs: number, timeZone: string): number {
  const before = offsetMsAt(wallMs - dayMs, timeZone);
  const after = offsetMsAt(wallMs + dayMs, timeZone);
  if (after <= before) {
    throw new Error(`No instant shows this wall-clock time in "${timeZone}", and no gap was found`);
  }
  // At wallMs - after the old offset still applies; at wallMs - before the new one does.
  // Binary search (in whole seconds) for the first instant with the new offset.
  let lo = Math.floor((wallMs - after) / 1000);
  let hi = Math.ceil((wallMs - before) / 1000);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetMsAt(mid * 1000, timeZone) === before) lo = mid;
    else hi = mid;
  }
  return hi * 1000;
}

/**
 * When a message scheduled for `at` may go out: `at` itself if it is outside quiet hours in the
 * recipient's time zone (the shop's when the recipient's is unknown — null or empty), otherwise
 * the first instant at which the quiet hours end there. Messages are postponed, never dropped.
 *
 * DST: the end is found in the zone's actual offsets, not the offset at `at`. If the end time does
 * not exist that night (spring-forward gap, e.g. "02:30" in Prague on 2026-03-29), the result is
 * the first valid instant after the gap (03:00 local). If it occurs twice (fall-back), the result
 * is the first occurrence that is not before `at`.
 *
 * Throws on invalid quiet hours, an invalid `at`, or an unknown time zone.
 */
export function nextAllowedSendTime(
  at: Date,
  quiet: QuietHours,
  recipientTimeZone: string | null,
  shopTimeZone: string,
): Date {
  assertValidDate(at, "at");
  const { startMs, endMs } = parseQuietHours(quiet);
  const timeZone = recipientTimeZone && recipientTimeZone.trim() !== "" ? recipientTimeZone : shopTimeZone;
  formatterFor(timeZone); // validates the zone even when there are no quiet hours
  if (startMs === endMs) return at;

  const atMs = at.getTime();
  const wallMs = wallMsAt(atMs, timeZone);
  const localDayStart = Math.floor(wallMs / dayMs) * dayMs;
  const timeOfDay = wallMs - localDayStart;

  let endDayStart: number;
  if (startMs < endMs) {
    // Same-day quiet hours, e.g. 13:00–14:00.
    if (timeOfDay < startMs || timeOfDay >= endMs) return at;
    endDayStart = localDayStart;
  } else if (timeOfDay >= startMs) {
    // Wrapping quiet hours, evening part: they end tomorrow.
    endDayStart = localDayStart + dayMs;
  } else if (timeOfDay < endMs) {
    // Wrapping quiet hours, early-morning part: they end today.
    endDayStart = localDayStart;
  } else {
    return at;
  }

  const endWallMs = endDayStart + endMs;
  const candidates = instantsForWallTime(endWallMs, timeZone);
  if (candidates.length === 0) return new Date(endOfGap(endWallMs, timeZone));
  const next = candidates.find((instant) => instant >= atMs);
  if (next === undefined) {
    throw new Error(`Quiet hours end before ${at.toISOString()} in "${timeZone}"; this should not happen`);
  }
  return new Date(next);
}

// ---------------------------------------------------------------------------------------------
// Frequency cap
// ---------------------------------------------------------------------------------------------

export const frequencyCapSchema = z.object({
  maxMessages: z.number().int().min(1),
  perHours: z.number().positive().finite(),
});
export type FrequencyCap = z.infer<typeof frequencyCapSchema>;

export const defaultFrequencyCap: FrequencyCap = { maxMessages: 1, perHours: 16 };

export type CapDecision = { allowed: true } | { allowed: false; retryAt: Date };

/**
 * Whether a message may go out at `at` under the marketing frequency cap. Transactional messages
 * are always allowed. A marketing message is allowed when fewer than `cap.maxMessages` of this
 * customer's marketing messages (any channel, any flow — `recentMarketingSends`) were sent in the
 * window (at − perHours, at]; sends after `at` are ignored.
 *
 * Otherwise `retryAt` is the moment enough sends have left the window for one more message — with
 * the default cap of 1, the oldest send in the window + perHours. This function does not decide
 * whether a capped message is postponed or skipped: the caller postpones it to `retryAt` if the
 * flow wants that and skips it otherwise. `retryAt` is returned either way. It only accounts for
 * the sends known now; re-check at `retryAt`.
 */
export function capCheck(
  at: Date,
  cap: FrequencyCap,
  recentMarketingSends: Date[],
  purpose: MessagePurpose,
): CapDecision {
  assertValidDate(at, "at");
  const parsed = frequencyCapSchema.safeParse(cap);
  if (!parsed.success) throw new Error(`Invalid frequency cap: ${formatIssues(parsed.error)}`);
  if (purpose === "transactional") return { allowed: true };

  const atMs = at.getTime();
  const windowMs = parsed.data.perHours * hourMs;
  const inWindow = recentMarketingSends
    .map((sentAt) => {
      assertValidDate(sentAt, "recentMarketingSends[]");
      return sentAt.getTime();
    })
    .filter((sentMs) => sentMs > atMs - windowMs && sentMs <= atMs)
    .sort((a, b) => a - b);
  if (inWindow.length < parsed.data.maxMessages) return { allowed: true };

  // A send at s is in the window until s + windowMs (exclusive). One more message fits once
  // inWindow.length - maxMessages + 1 of the oldest sends have left.
  const leaving = inWindow[inWindow.length - parsed.data.maxMessages];
  if (leaving === undefined) throw new Error("unreachable: the window holds at least maxMessages sends");
  return { allowed: false, retryAt: new Date(leaving + windowMs) };
}

// ---------------------------------------------------------------------------------------------
// Channel fallback chain
// ---------------------------------------------------------------------------------------------

/** The merchant's channel order: any permutation or subset of the channels, no duplicates. */
export const channelOrderSchema = z
  .array(z.enum(channels))
  .min(1, { message: "choose at least one channel" })
  .refine((order) => new Set(order).size === order.length, { message: "a channel appears twice" });
export type ChannelOrder = z.infer<typeof channelOrderSchema>;

/**
 * How a customer can be reached on each channel: the address (email, or E.164 phone number for
 * SMS and WhatsApp) and marketing consent. The caller maps a WhatsApp opt-in to consent
 * "subscribed" for whatsapp.
 */
export type RecipientReach = Record<Channel, { contact: string | null; consent: ConsentState }>;

export type AttemptOutcome = "failed" | "not_delivered_in_time";
export interface TriedChannel {
  channel: Channel;
  outcome: AttemptOutcome;
}

export type SkipReason = "no_contact" | "no_consent" | AttemptOutcome;

export type ChannelPick =
  { channel: Channel; to: string } | { channel: null; reasons: { channel: Channel; reason: SkipReason }[] };

/**
 * The first channel in the merchant's order that was not tried yet, has a contact, and — for
 * marketing — has consent "subscribed" (transactional messages need only a contact). When none is
 * left, every channel in the order is listed with why it was passed over (an earlier attempt's
 * outcome first, then a missing contact, then missing consent). Throws on an invalid order.
 */
export function pickChannel(
  order: readonly Channel[],
  reach: RecipientReach,
  purpose: MessagePurpose,
  tried: readonly TriedChannel[],
): ChannelPick {
  const parsed = channelOrderSchema.safeParse(order);
  if (!parsed.success) throw new Error(`Invalid channel order: ${formatIssues(parsed.error)}`);

  const reasons: { channel: Channel; reason: SkipReason }[] = [];
  for (const channel of parsed.data) {
    const attempt = [...tried].reverse().find((entry) => entry.channel === channel);
    if (attempt) {
      reasons.push({ channel, reason: attempt.outcome });
      continue;
    }
    const { contact, consent } = reach[channel];
    if (contact === null || contact.trim() === "") {
      reasons.push({ channel, reason: "no_contact" });
      continue;
    }
    if (purpose === "marketing" && consent !== "subscribed") {
      reasons.push({ channel, reason: "no_consent" });
      continue;
    }
    return { channel, to: contact };
  }
  return { channel: null, reasons };
}

/**
 * The moment after which a message sent at `sentAt` counts as "not delivered in time" and the next
 * channel in the chain may be tried (outcome "not_delivered_in_time").
 */
export function deliveryDeadline(sentAt: Date, waitMinutes: number): Date {
  assertValidDate(sentAt, "sentAt");
  if (!Number.isFinite(waitMinutes) || waitMinutes <= 0) {
    throw new Error(`waitMinutes must be a positive number of minutes, got ${waitMinutes}`);
  }
  return new Date(sentAt.getTime() + waitMinutes * minuteMs);
}
