// What the shopper's loyalty panel shows (R-WID-1, R-WID-2): the storefront widget (through the
// signed App Proxy) and the customer-account extension read the same data from here.
//
// The panel is read on every opening of the widget, so it is read on the driver connection beside
// Prisma (app/db/sql.ts `read`): a handful of small, indexed statements, no transaction, no write
// lock. The one write a panel may cause is the member's referral code on the first view (through
// referralCodeFor, once per member).
import type { Customer, LoyaltyProgram, Shop } from "@prisma/client";
import { sqlConnectionOf, type Database } from "../db/client";
import { decodeRow, encodeValue, type SqlTx } from "../db/sql";
import { currencyExponent } from "../money/money";
import type { FromStored } from "../money/stored";
import { pointsExpireAt } from "./daily";
import { pointsForAmount } from "./earning";
import type { LedgerEntry, LoyaltyMember } from "./ledger";
import { tierRulesOf } from "./program";
import { referralCodeFor } from "./referrals";
import type { LoyaltyReward } from "./rewards";
import {
  periodStart,
  qualifyingValue,
  withTierMultiplier,
  type TierDefinition,
  type TierRules,
} from "./tiers";
import { memberTier, tierActivities, type TierEntry } from "./vip";

/** The shop as the panel needs it (a Prisma row or a row read by this module). */
export type PanelShop = Pick<Shop, "id" | "domain" | "currency">;
/** The customer as the panel needs it. */
export type PanelCustomer = Pick<Customer, "id" | "shopId" | "firstName" | "birthday">;

export const panelHistoryLength = 10;
export const panelRedemptionsLength = 5;
const pendingBatchesLength = 20;
const dayMs = 86_400_000;

export interface PanelProgram {
  enabled: boolean;
  currency: string;
  /** Points per one unit of the shop currency (before a tier's multiplier). */
  pointsPerCurrencyUnit: number;
  signupPoints: number;
  birthdayPoints: number;
  referrerPoints: number;
  friendPoints: number;
  pendingDays: number;
}

export interface PanelReward {
  id: string;
  name: string;
  kind: string;
  pointsCost: number;
  amountMinor: number | null;
  currency: string | null;
  percentOff: number | null;
  minimumSubtotalMinor: number | null;
  validDays: number | null;
  /** Whether the shopper's spendable balance covers it (always false for a guest). */
  affordable: boolean;
}

export interface PanelTier {
  metric: TierRules["metric"];
  period: TierRules["period"];
  /** What counts so far in the period: minor units of the shop currency for "spend". */
  value: number;
  current: { id: string; name: string; perks: string[]; earnMultiplierPercent: number } | null;
  next: { id: string; name: string; threshold: number; remaining: number } | null;
  /** 0–100: the way from the current tier's threshold to the next one's (100 at the top tier). */
  progressPercent: number;
}

export interface PanelEarnPreview {
  amountMinor: number;
  currency: string;
  points: number;
}

export interface ShopperPanel {
  kind: "member";
  program: PanelProgram;
  customer: { firstName: string | null };
  balance: number;
  lifetimePoints: number;
  pending: { points: number; batches: { points: number; spendableAt: string }[] };
  /** When the balance expires without activity (null: never). */
  expiresAt: string | null;
  tier: PanelTier | null;
  rewards: PanelReward[];
  /** The shopper's latest issued codes, so a code is never lost with the page. */
  redemptions: { code: string; rewardName: string; createdAt: string; endsAt: string | null }[];
  history: {
    at: string;
    kind: string;
    source: string;
    pointsDelta: number;
    pendingDelta: number;
    reason: string | null;
  }[];
  referral: { code: string; url: string } | null;
  birthday: { set: boolean; points: number };
  /** Points an order of `amountMinor` would earn (when the widget asked with an amount). */
  earn: PanelEarnPreview | null;
}

export interface GuestPanel {
  kind: "guest";
  program: PanelProgram;
  /** The cheapest rewards, to show what joining leads to. */
  rewards: PanelReward[];
  tiers: { name: string; threshold: number; perks: string[] }[];
  tierMetric: TierRules["metric"] | null;
  earn: PanelEarnPreview | null;
  /** Storefront paths (under the shop's locale root) to sign in and to create an account. */
  loginPath: string;
  registerPath: string;
}

export type Panel = ShopperPanel | GuestPanel;

export interface PanelOptions {
  /** An order amount (minor units of the shop currency) to say what it would earn: a product's price, the cart. */
  amountMinor?: number | null;
}

const defaultProgram = (shop: PanelShop): PanelProgram => ({
  enabled: false,
  currency: shop.currency,
  pointsPerCurrencyUnit: 1,
  signupPoints: 0,
  birthdayPoints: 0,
  referrerPoints: 0,
  friendPoints: 0,
  pendingDays: 0,
});

function panelProgram(shop: PanelShop, program: LoyaltyProgram | null): PanelProgram {
  if (!program) return defaultProgram(shop);
  return {
    enabled: program.enabled,
    currency: shop.currency,
    pointsPerCurrencyUnit: program.pointsPerCurrencyUnit,
    signupPoints: program.signupPoints,
    birthdayPoints: program.birthdayPoints,
    referrerPoints: program.referrerPoints,
    friendPoints: program.friendPoints,
    pendingDays: program.pendingDays,
  };
}

function panelReward(reward: LoyaltyReward, balance: number | null): PanelReward {
  return {
    id: reward.id,
    name: reward.name,
    kind: reward.kind,
    pointsCost: reward.pointsCost,
    amountMinor: reward.amountMinor,
    currency: reward.currency,
    percentOff: reward.percentOff,
    minimumSubtotalMinor: reward.minimumSubtotalMinor,
    validDays: reward.validDays,
    affordable: balance !== null && balance >= reward.pointsCost,
  };
}

function earnPreview(
  shop: PanelShop,
  program: LoyaltyProgram | null,
  amountMinor: number | null | undefined,
  tier: TierDefinition | null,
): PanelEarnPreview | null {
  if (!program?.enabled || amountMinor === null || amountMinor === undefined) return null;
  const base = pointsForAmount(amountMinor, shop.currency, program.pointsPerCurrencyUnit);
  return { amountMinor, currency: shop.currency, points: withTierMultiplier(base, tier) };
}

function tierProgress(
  rules: TierRules,
  current: TierDefinition | null,
  entries: readonly TierEntry[],
  now: Date,
): PanelTier {
  const value = qualifyingValue(rules, tierActivities(entries), now);
  const currentIndex = current ? rules.tiers.findIndex((tier) => tier.id === current.id) : -1;
  const next = rules.tiers.slice(currentIndex + 1).find((tier) => tier.threshold > value) ?? null;
  const nextAbove = rules.tiers[currentIndex + 1] ?? null;
  // The next tier to reach: the first above the current one the shopper does not qualify for yet.
  const target = next ?? (nextAbove && nextAbove.threshold > value ? nextAbove : null);
  const from = current?.threshold ?? 0;
  const progressPercent = target
    ? Math.max(0, Math.min(100, Math.floor(((value - from) * 100) / Math.max(1, target.threshold - from))))
    : 100;
  return {
    metric: rules.metric,
    period: rules.period,
    value,
    current: current
      ? {
          id: current.id,
          name: current.name,
          perks: current.perks,
          earnMultiplierPercent: current.earnMultiplierPercent,
        }
      : null,
    next: target
      ? { id: target.id, name: target.name, threshold: target.threshold, remaining: target.threshold - value }
      : null,
    progressPercent,
  };
}

/** The storefront URL that carries a referral code (the widget and the theme read `?ref=`). */
export function referralUrl(shopDomain: string, code: string): string {
  return `https://${shopDomain}/?ref=${encodeURIComponent(code)}`;
}

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

// ---------------------------------------------------------------------------------------------
// Reads (driver connection)

async function one<T>(tx: SqlTx, model: Parameters<typeof decodeRow>[0], sql: string, parameters: unknown[]) {
  const rows = await tx.query<Record<string, unknown>>(sql, parameters);
  return rows[0] ? decodeRow<T>(model, rows[0]) : null;
}

async function many<T>(
  tx: SqlTx,
  model: Parameters<typeof decodeRow>[0],
  sql: string,
  parameters: unknown[],
) {
  const rows = await tx.query<Record<string, unknown>>(sql, parameters);
  return rows.map((row) => decodeRow<T>(model, row));
}

const readProgram = (tx: SqlTx, shopId: string) =>
  one<LoyaltyProgram>(tx, "LoyaltyProgram", `SELECT * FROM "LoyaltyProgram" WHERE "shopId" = ?`, [shopId]);

const readRewards = (tx: SqlTx, shopId: string, limit: number) =>
  many<LoyaltyReward>(
    tx,
    "LoyaltyReward",
    `SELECT * FROM "LoyaltyReward" WHERE "shopId" = ? AND "active" = ? ORDER BY "pointsCost", "id" LIMIT ?`,
    [shopId, encodeValue(tx.provider, "Boolean", true), limit],
  );

/** A shop that uses Stayloop (installed), by its *.myshopify.com domain. */
export async function storefrontShopByDomain(db: Database, domain: string): Promise<FromStored<Shop> | null> {
  return sqlConnectionOf(db).read((tx) =>
    one<FromStored<Shop>>(tx, "Shop", `SELECT * FROM "Shop" WHERE "domain" = ? AND "uninstalledAt" IS NULL`, [
      domain,
    ]),
  );
}

/** The shop's customer with this Shopify id (not deleted, not redacted), or null. */
export async function storefrontCustomer(
  db: Database,
  shopId: string,
  shopifyId: string,
): Promise<FromStored<Customer> | null> {
  return sqlConnectionOf(db).read((tx) =>
    one<FromStored<Customer>>(
      tx,
      "Customer",
      `SELECT * FROM "Customer" WHERE "shopId" = ? AND "shopifyId" = ? AND "deletedAt" IS NULL AND "redactedAt" IS NULL`,
      [shopId, shopifyId],
    ),
  );
}

/** Pending earnings not yet released, oldest first, with when each becomes spendable. */
async function pendingBatches(
  tx: SqlTx,
  member: LoyaltyMember,
  program: LoyaltyProgram,
): Promise<{ points: number; spendableAt: string }[]> {
  const rows = await tx.query<Record<string, unknown>>(
    `SELECT e."pendingDelta" AS "pendingDelta", e."occurredAt" AS "occurredAt", o."processedAt" AS "processedAt"
       FROM "LoyaltyLedgerEntry" e
       LEFT JOIN "Order" o ON e."source" = 'order' AND o."id" = e."sourceId" AND o."shopId" = e."shopId"
      WHERE e."shopId" = ? AND e."memberId" = ? AND e."kind" = 'earn' AND e."pendingDelta" > 0
        AND NOT EXISTS (
          SELECT 1 FROM "LoyaltyLedgerEntry" r
           WHERE r."shopId" = e."shopId" AND r."memberId" = e."memberId" AND r."kind" = 'release'
             AND r."source" = e."source" AND r."sourceId" = e."sourceId")
      ORDER BY e."occurredAt", e."id"
      LIMIT ?`,
    [member.shopId, member.id, pendingBatchesLength],
  );
  // Reversals may have taken some pending points back: the batches never add up to more than the
  // member's pending balance (the latest are trimmed).
  let left = member.pendingPoints;
  const batches: { points: number; spendableAt: string }[] = [];
  for (const row of rows) {
    const entry = decodeRow<Pick<LedgerEntry, "pendingDelta" | "occurredAt">>("LoyaltyLedgerEntry", row);
    const processedAt = decodeRow<{ processedAt: Date | null }>("Order", { processedAt: row.processedAt });
    const points = Math.min(entry.pendingDelta, left);
    if (points <= 0) break;
    left -= points;
    const from = processedAt.processedAt ?? entry.occurredAt;
    batches.push({
      points,
      spendableAt: new Date(from.getTime() + program.pendingDays * dayMs).toISOString(),
    });
  }
  return batches;
}

/**
 * The logged-in shopper's panel: balance, pending points and when they become spendable, tier and
 * the way to the next, rewards (affordable ones marked), latest codes, history, referral link and
 * whether their birthday is set. `shop` and `customer` must be the verified shopper's (the App
 * Proxy's signed shop and `logged_in_customer_id`, or a customer-account session token's `sub`);
 * a customer of another shop is refused. Stable signature: the customer-account endpoint calls it.
 */
export async function shopperPanel(
  db: Database,
  shop: PanelShop,
  customer: PanelCustomer,
  now: Date,
  options: PanelOptions = {},
): Promise<ShopperPanel> {
  if (customer.shopId !== shop.id)
    throw new Error(`customer ${customer.id} is not a customer of ${shop.domain}`);
  const read = await sqlConnectionOf(db).read(async (tx) => {
    const program = await readProgram(tx, shop.id);
    const member = await one<LoyaltyMember>(
      tx,
      "LoyaltyMember",
      `SELECT * FROM "LoyaltyMember" WHERE "shopId" = ? AND "customerId" = ?`,
      [shop.id, customer.id],
    );
    const rewards = await readRewards(tx, shop.id, 50);
    const rules = program ? tierRulesOf(program) : null;
    if (!member || !program)
      return { program, member, rewards, rules, entries: [], history: [], codes: [], batches: [] };
    const history = await many<LedgerEntry>(
      tx,
      "LoyaltyLedgerEntry",
      `SELECT "kind", "source", "pointsDelta", "pendingDelta", "reason", "occurredAt" FROM "LoyaltyLedgerEntry"
        WHERE "memberId" = ? AND "shopId" || '' = ? AND ("pointsDelta" <> 0 OR "pendingDelta" <> 0)
        ORDER BY "occurredAt" DESC, "createdAt" DESC LIMIT ?`,
      // The member's own index, not the shop's ledger index (`|| ''` keeps the planner off it).
      [member.id, shop.id, panelHistoryLength],
    );
    const codes = await tx.query<Record<string, unknown>>(
      `SELECT r."code" AS "code", r."createdAt" AS "createdAt", r."endsAt" AS "endsAt", w."name" AS "name"
         FROM "Redemption" r JOIN "LoyaltyReward" w ON w."id" = r."rewardId"
        WHERE r."shopId" = ? AND r."memberId" = ? AND r."status" = 'issued'
          AND (r."endsAt" IS NULL OR r."endsAt" > ?)
        ORDER BY r."createdAt" DESC LIMIT ?`,
      [shop.id, member.id, encodeValue(tx.provider, "DateTime", now), panelRedemptionsLength],
    );
    let entries: TierEntry[] = [];
    if (rules) {
      const start = periodStart(rules.period, now);
      entries = await many<TierEntry>(
        tx,
        "LoyaltyLedgerEntry",
        `SELECT "kind", "source", "sourceId", "pointsDelta", "pendingDelta", "shortfall", "basisMinor", "occurredAt"
           FROM "LoyaltyLedgerEntry"
          WHERE "shopId" = ? AND "memberId" = ? AND "kind" IN ('earn', 'adjust', 'reversal')
            ${start ? `AND "occurredAt" >= ?` : ""}`,
        start ? [shop.id, member.id, encodeValue(tx.provider, "DateTime", start)] : [shop.id, member.id],
      );
    }
    const batches = member.pendingPoints > 0 ? await pendingBatches(tx, member, program) : [];
    return { program, member, rewards, rules, entries, history, codes, batches };
  });
  const { program, member, rewards, rules, entries, history, codes, batches } = read;
  const balance = member?.pointsBalance ?? 0;
  const tier = rules && member ? memberTier(rules, member) : null;
  const enabled = program?.enabled ?? false;
  let referralCode = member?.referralCode ?? null;
  if (enabled && !referralCode) referralCode = await referralCodeFor(db, shop.id, customer.id);
  return {
    kind: "member",
    program: panelProgram(shop, program),
    customer: { firstName: customer.firstName },
    balance,
    lifetimePoints: member?.lifetimePoints ?? 0,
    pending: { points: member?.pendingPoints ?? 0, batches },
    expiresAt: program && member && balance > 0 ? iso(pointsExpireAt(program, member)) : null,
    tier: rules ? tierProgress(rules, tier, entries, now) : null,
    rewards: rewards.map((reward) => panelReward(reward, balance)),
    redemptions: codes.map((row) => {
      const decoded = decodeRow<{ code: string; createdAt: Date; endsAt: Date | null }>("Redemption", row);
      return {
        code: decoded.code,
        rewardName: String(row.name),
        createdAt: decoded.createdAt.toISOString(),
        endsAt: iso(decoded.endsAt),
      };
    }),
    history: history.map((entry) => ({
      at: entry.occurredAt.toISOString(),
      kind: entry.kind,
      source: entry.source,
      pointsDelta: entry.pointsDelta,
      pendingDelta: entry.pendingDelta,
      reason: entry.reason,
    })),
    referral: referralCode ? { code: referralCode, url: referralUrl(shop.domain, referralCode) } : null,
    birthday: { set: customer.birthday !== null, points: program?.enabled ? program.birthdayPoints : 0 },
    earn: earnPreview(shop, program, options.amountMinor, tier),
  };
}

/** A guest's panel: how to join, what joining leads to, and what this product or cart would earn. */
export async function guestPanel(
  db: Database,
  shop: PanelShop,
  options: PanelOptions = {},
): Promise<GuestPanel> {
  const { program, rewards } = await sqlConnectionOf(db).read(async (tx) => ({
    program: await readProgram(tx, shop.id),
    rewards: await readRewards(tx, shop.id, 3),
  }));
  const rules = program ? tierRulesOf(program) : null;
  return {
    kind: "guest",
    program: panelProgram(shop, program),
    rewards: program?.enabled ? rewards.map((reward) => panelReward(reward, null)) : [],
    tiers: rules
      ? rules.tiers.map((tier) => ({ name: tier.name, threshold: tier.threshold, perks: tier.perks }))
      : [],
    tierMetric: rules?.metric ?? null,
    earn: earnPreview(shop, program, options.amountMinor, null),
    loginPath: "account/login",
    registerPath: "account/register",
  };
}

/** The largest amount (minor units) a preview accepts: beyond any real cart. */
export function maxPreviewAmountMinor(currency: string): number {
  return 10_000_000 * 10 ** currencyExponent(currency);
}
