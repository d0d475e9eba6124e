// The loyalty program's daily run per shop (R-LOY-2, R-LOY-4, R-LOY-7): tier downgrades once their
// grace period is over, birthday points (the shop's local date), the "points expiring" warning and
// expiry itself. One durable job per shop and UTC day (its key is the day); each run ends by
// scheduling the next day's, and a run that crashed is retried whole — every step is idempotent
// (ledger keys, event dedupe keys), so a retried run changes nothing twice and the chain never breaks.
// Members and customers are read in pages (keyset by id, `pageSize` rows a query), each member in its
// own transaction, so a big shop's run holds one page in memory and a crash halfway resumes cleanly.
// Points never expire unannounced: expiry comes at the later of the expiry date and the warning
// period after the warning (a program that switches expiry on warns long-inactive members first).
import type { LoyaltyProgram } from "@prisma/client";
import { z } from "zod";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import { recordDomainEvent, type DomainEventSubscriber, type Tx } from "../events/domain-events";
import type { JobHandler } from "../jobs/worker";
import { awardBonus } from "./bonus";
import { fromStoredRow } from "../money/stored";
import { postLedgerEntry, type LoyaltyMember } from "./ledger";
import { loyaltyProgramFor, tierRulesOf } from "./program";
import { evaluateMemberTier } from "./vip";
import { scheduleJobOnce, type JobRequest } from "../jobs/schedule";

export const dailyLoyaltyJobKind = "loyalty.daily";

const dayMs = 86_400_000;
/** Members (or customers) read per query by the daily run. */
export const dailyRunPageSize = 200;

/** The UTC day (YYYY-MM-DD) a run belongs to. */
export function runDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Schedules the shop's daily run for the day of `at` (once: the key is the day). */
export async function scheduleDailyLoyaltyRun(tx: Tx | Database, shopId: string, at: Date): Promise<void> {
  await scheduleJobOnce(tx, dailyLoyaltyRun(shopId, at));
}

/** The shop's daily loyalty run for the day of `at`, due at `at`. */
export function dailyLoyaltyRun(shopId: string, at: Date): JobRequest {
  const day = runDay(at);
  return { shopId, kind: dailyLoyaltyJobKind, key: `${shopId}:${day}`, payload: { day }, runAt: at };
}

/** The start of the next UTC day after `at`. */
export function nextRunAt(at: Date): Date {
  return new Date(Math.floor(at.getTime() / dayMs) * dayMs + dayMs);
}

/** `at` plus whole calendar months (UTC), the day clamped to the month's length (Jan 31 + 1 = Feb 28). */
export function addMonths(at: Date, months: number): Date {
  const target = new Date(at);
  const day = target.getUTCDate();
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target;
}

/** When the member's points expire under the program, or null when they never do. */
export function pointsExpireAt(
  program: Pick<LoyaltyProgram, "expiryMonths">,
  member: Pick<LoyaltyMember, "lastActivityAt" | "createdAt">,
): Date | null {
  if (program.expiryMonths === null) return null;
  return addMonths(member.lastActivityAt ?? member.createdAt, program.expiryMonths);
}

/** The shop's local calendar date at `at` (YYYY-MM-DD). */
export function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(at);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Birthdays ("MM-DD" or "YYYY-MM-DD") celebrated on a local date; 29 February falls on the 28th in other years. */
export function birthdaysOn(date: string): string[] {
  const [year = "", month = "", day = ""] = date.split("-");
  const monthDay = `${month}-${day}`;
  return monthDay === "02-28" && !isLeapYear(Number(year)) ? ["02-28", "02-29"] : [monthDay];
}

export interface DailyRunOptions {
  clock: Clock;
  subscribers: readonly DomainEventSubscriber[];
  /** Rows read per query (default dailyRunPageSize). */
  pageSize?: number;
}

/**
 * Visits rows in keyset pages by id (at most `pageSize` per query), each row handled before the next
 * page is read, so a run over a big shop never loads it whole.
 */
async function forEachPage<Row extends { id: string }>(
  pageSize: number,
  page: (after: { id?: { gt: string } }, take: number) => Promise<Row[]>,
  handle: (row: Row) => Promise<unknown>,
): Promise<void> {
  let cursor: string | undefined;
  for (;;) {
    const rows = await page(cursor ? { id: { gt: cursor } } : {}, pageSize);
    for (const row of rows) await handle(row);
    if (rows.length < pageSize) return;
    cursor = rows.at(-1)?.id;
  }
}

async function downgradeTiers(db: Database, program: LoyaltyProgram, options: DailyRunOptions) {
  if (!tierRulesOf(program)) return;
  await forEachPage(
    options.pageSize ?? dailyRunPageSize,
    (after, take) =>
      db.loyaltyMember.findMany({
        where: { shopId: program.shopId, tierId: { not: null }, ...after },
        orderBy: { id: "asc" },
        take,
        select: { id: true },
      }),
    (member) =>
      db.$transaction((tx) =>
        evaluateMemberTier(tx, program, member.id, options.clock.now(), options.subscribers),
      ),
  );
}

async function awardBirthdays(
  db: Database,
  program: LoyaltyProgram,
  timeZone: string,
  options: DailyRunOptions,
) {
  if (program.birthdayPoints <= 0) return;
  const now = options.clock.now();
  const today = localDate(now, timeZone);
  const monthDays = birthdaysOn(today);
  const year = today.slice(0, 4);
  await forEachPage(
    options.pageSize ?? dailyRunPageSize,
    (after, take) =>
      db.customer.findMany({
        where: {
          shopId: program.shopId,
          deletedAt: null,
          redactedAt: null,
          OR: monthDays.flatMap((monthDay) => [
            { birthday: monthDay },
            { birthday: { endsWith: `-${monthDay}` } },
          ]),
          ...after,
        },
        orderBy: { id: "asc" },
        take,
        select: { id: true },
      }),
    (customer) => db.$transaction((tx) => awardBonus(tx, program, customer.id, "birthday", year, now)),
  );
}

async function expirePoints(db: Database, program: LoyaltyProgram, options: DailyRunOptions) {
  if (program.expiryMonths === null) return;
  const now = options.clock.now();
  // Members whose points expire within the warning period (or already): inactive since the cutoff.
  const warnFrom = addMonths(
    new Date(now.getTime() + program.expiryWarningDays * dayMs),
    -program.expiryMonths,
  );
  await forEachPage(
    options.pageSize ?? dailyRunPageSize,
    (after, take) =>
      db.loyaltyMember.findMany({
        where: {
          shopId: program.shopId,
          pointsBalance: { gt: 0 },
          OR: [{ lastActivityAt: { lte: warnFrom } }, { lastActivityAt: null, createdAt: { lte: warnFrom } }],
          ...after,
        },
        orderBy: { id: "asc" },
        take,
      }),
    (member) => warnOrExpire(db, program, fromStoredRow(member), options, now),
  );
}

/** The warning for one member whose points are about to expire, or the expiry once warned long enough. */
async function warnOrExpire(
  db: Database,
  program: LoyaltyProgram,
  member: LoyaltyMember,
  options: DailyRunOptions,
  now: Date,
): Promise<void> {
  const expiresAt = pointsExpireAt(program, member);
  if (!expiresAt) return;
  const activity = member.lastActivityAt ?? member.createdAt;
  const warningKey = `loyalty.points_expiring:${member.id}:${activity.toISOString()}`;
  await db.$transaction(async (tx) => {
    const warning = await tx.domainEvent.findUnique({
      where: { shopId_dedupeKey: { shopId: program.shopId, dedupeKey: warningKey } },
      select: { occurredAt: true },
    });
    if (warning) {
      const warnedUntil = new Date(warning.occurredAt.getTime() + program.expiryWarningDays * dayMs);
      if (now < expiresAt || now < warnedUntil) return;
      await postLedgerEntry(tx, program.shopId, {
        memberId: member.id,
        kind: "expire",
        source: "expiry",
        // One expiry per inactivity spell: new activity starts a new spell.
        sourceId: activity.toISOString(),
        pointsDelta: -member.pointsBalance,
        whenShort: "floor",
        reason: `No points earned or spent for ${program.expiryMonths} months`,
        occurredAt: now,
      });
      return;
    }
    const announcedExpiry = new Date(
      Math.max(expiresAt.getTime(), now.getTime() + program.expiryWarningDays * dayMs),
    );
    await recordDomainEvent(
      tx,
      program.shopId,
      {
        type: "loyalty.points_expiring",
        subjectId: member.customerId,
        dedupeKey: warningKey,
        payload: {
          memberId: member.id,
          customerId: member.customerId,
          points: member.pointsBalance,
          expiresAt: announcedExpiry.toISOString(),
        },
        occurredAt: now,
      },
      options.subscribers,
      now,
    );
  });
}

/** One shop's daily run, now. */
export async function runDailyLoyalty(db: Database, shopId: string, options: DailyRunOptions): Promise<void> {
  const shop = await db.shop.findUnique({ where: { id: shopId } });
  if (!shop || shop.uninstalledAt) return;
  const program = await db.$transaction((tx) => loyaltyProgramFor(tx, shopId));
  if (!program.enabled) return;
  await downgradeTiers(db, program, options);
  await awardBirthdays(db, program, shop.timezone, options);
  await expirePoints(db, program, options);
}

const dailyPayload = z.object({ day: z.string() });

/** The worker's handler for "loyalty.daily" jobs: the run, then tomorrow's job (while the program is on). */
export function dailyLoyaltyJobHandler(options: DailyRunOptions): JobHandler {
  return async (job, db) => {
    dailyPayload.parse(job.payload);
    await runDailyLoyalty(db, job.shopId, options);
    const program = await db.loyaltyProgram.findUnique({ where: { shopId: job.shopId } });
    if (program?.enabled) {
      await scheduleDailyLoyaltyRun(db, job.shopId, nextRunAt(options.clock.now()));
    }
  };
}
