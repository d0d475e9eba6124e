// The admin's customers list (R-ADM, issue 18): search by name, e-mail or phone; filters over the
// intelligence fields (lifecycle, RFM segment, value band), marketing consent per channel, loyalty
// membership and tier, or a saved segment; newest customers first, in keyset pages of at most 100.
// One statement per page (the customers with their loyalty member joined), always of one shop.
import { notTestRecipientSql } from "./test-recipients";
import { z } from "zod";
import { sqlConnectionOf, type Database } from "../db/client";
import { decodePageCursor, encodePageCursor, type PageCursor } from "../db/page-cursor";
import type { Customer } from "@prisma/client";
import { decodeRow, encodeValue, type SqlTx } from "../db/sql";
import { fromStoredInteger, type FromStored } from "../money/stored";
import {
  conditionSql,
  consentStates,
  lifecycleStages,
  rfmSegments,
  segmentById,
  SegmentNotFoundError,
  segmentSql,
  valueBands,
  type SavedSegment,
  type SegmentCondition,
} from "./segments";

export const maxCustomerPageSize = 100;
export const defaultCustomerPageSize = 25;

const cursor = z
  .string()
  .max(300)
  .transform((text, context): PageCursor => {
    const decoded = decodePageCursor(text);
    if (!decoded) {
      context.addIssue({ code: "custom", message: "is not a cursor this page handed out" });
      return z.NEVER;
    }
    return decoded;
  });

/** "" (an unset filter in a form) reads as no filter. */
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((value) => (value === "" || value === null ? undefined : value), schema.optional());

/** The list's query, as the page's URL carries it. */
export const customerListQuery = z.object({
  q: optional(z.string().trim().max(100, "at most 100 characters")),
  lifecycle: optional(z.enum(lifecycleStages)),
  rfm: optional(z.enum(rfmSegments)),
  value: optional(z.enum(valueBands)),
  email: optional(z.enum(consentStates)),
  sms: optional(z.enum(consentStates)),
  whatsapp: optional(z.enum(consentStates)),
  /** member | not_member */
  membership: optional(z.enum(["member", "not_member"])),
  /** A tier id of the program's tier rules. */
  tier: optional(z.string().trim().min(1).max(100)),
  segment: optional(z.string().trim().min(1).max(64)),
  after: optional(cursor),
  before: optional(cursor),
  limit: optional(
    z.coerce
      .number()
      .int("must be a whole number")
      .min(1, `must be 1 to ${maxCustomerPageSize}`)
      .max(maxCustomerPageSize, `must be 1 to ${maxCustomerPageSize}`),
  ),
});
export type CustomerListQuery = z.infer<typeof customerListQuery>;

export interface CustomerListRow {
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  lifecycleStage: string;
  rfmSegment: string | null;
  valueBand: string | null;
  emailConsent: string;
  smsConsent: string;
  whatsappConsent: string;
  ordersCount: number;
  totalSpentMinor: number;
  currency: string | null;
  lastOrderAt: Date | null;
  createdAt: Date;
  /** Null: not a loyalty member. */
  loyalty: { tierId: string | null; pointsBalance: number } | null;
}

export interface CustomerListPage {
  customers: CustomerListRow[];
  /** Fetches the next (older) page; null on the last one. */
  nextCursor: string | null;
  /** Fetches the previous (newer) page; null on the first one. */
  previousCursor: string | null;
}

export class CustomerListSegmentError extends Error {}

interface Filter {
  sql: string;
  parameters: unknown[];
}

/** `%term%` for LIKE, with the term's own % _ \ taken literally. */
function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/**
 * Search over e-mail, "first last" and phone. Letters compare case-insensitively (on SQLite only
 * ASCII letters: its lower() leaves others as they are); a phone number typed with spaces, dashes
 * or brackets matches the stored E.164 form.
 */
function searchFilter(term: string): Filter {
  const lowered = likePattern(term.toLowerCase());
  const name = `lower(COALESCE("firstName", '') || ' ' || COALESCE("lastName", ''))`;
  const digits = term.replace(/[\s().-]/g, "");
  return {
    sql: `(lower(COALESCE("email", '')) LIKE ? ESCAPE '\\' OR ${name} LIKE ? ESCAPE '\\' OR COALESCE("phone", '') LIKE ? ESCAPE '\\')`,
    parameters: [lowered, lowered, likePattern(digits === "" ? term : digits)],
  };
}

function fieldFilters(query: CustomerListQuery): SegmentCondition[] {
  const conditions: SegmentCondition[] = [];
  if (query.lifecycle) conditions.push({ field: "lifecycleStage", operator: "is", value: query.lifecycle });
  if (query.rfm) conditions.push({ field: "rfmSegment", operator: "is", value: query.rfm });
  if (query.value) conditions.push({ field: "valueBand", operator: "is", value: query.value });
  if (query.email) conditions.push({ field: "emailConsent", operator: "is", value: query.email });
  if (query.sms) conditions.push({ field: "smsConsent", operator: "is", value: query.sms });
  if (query.whatsapp) conditions.push({ field: "whatsappConsent", operator: "is", value: query.whatsapp });
  if (query.tier) conditions.push({ field: "loyaltyTier", operator: "is", value: query.tier });
  return conditions;
}

const isMember =
  `EXISTS (SELECT 1 FROM "LoyaltyMember" lm` +
  ` WHERE lm."shopId" = "Customer"."shopId" AND lm."customerId" = "Customer".id)`;

function keysetFilter(tx: SqlTx, position: PageCursor, direction: "older" | "newer"): Filter {
  const at = encodeValue(tx.provider, "DateTime", position.at);
  const comparison = direction === "older" ? "<" : ">";
  return {
    sql: `("createdAt" ${comparison} ? OR ("createdAt" = ? AND id ${comparison} ?))`,
    parameters: [at, at, position.id],
  };
}

const columns = [
  "id",
  "firstName",
  "lastName",
  "email",
  "phone",
  "lifecycleStage",
  "rfmSegment",
  "valueBand",
  "emailConsent",
  "smsConsent",
  "whatsappConsent",
  "ordersCount",
  "totalSpentMinor",
  "currency",
  "lastOrderAt",
  "createdAt",
  "shopId",
] as const;

function integerOf(value: unknown): number {
  return fromStoredInteger(typeof value === "string" ? BigInt(value) : (value as number | bigint));
}

function rowOf(raw: Record<string, unknown>): CustomerListRow {
  const { memberId, tierId, pointsBalance, ...customer } = raw;
  const row = decodeRow<FromStored<Customer>>("Customer", customer);
  return {
    id: row.id,
    firstName: row.firstName,
    lastName: row.lastName,
    email: row.email,
    phone: row.phone,
    lifecycleStage: row.lifecycleStage,
    rfmSegment: row.rfmSegment,
    valueBand: row.valueBand,
    emailConsent: row.emailConsent,
    smsConsent: row.smsConsent,
    whatsappConsent: row.whatsappConsent,
    ordersCount: row.ordersCount,
    totalSpentMinor: row.totalSpentMinor,
    currency: row.currency,
    lastOrderAt: row.lastOrderAt,
    createdAt: row.createdAt,
    loyalty:
      memberId === null || memberId === undefined
        ? null
        : { tierId: tierId === null ? null : String(tierId), pointsBalance: integerOf(pointsBalance) },
  };
}

/**
 * One page of the shop's customers matching the query, newest first. A saved segment named by the
 * query must be the shop's (CustomerListSegmentError otherwise).
 */
export async function listCustomers(
  db: Database,
  shopId: string,
  query: CustomerListQuery,
  now: Date,
): Promise<CustomerListPage> {
  const limit = query.limit ?? defaultCustomerPageSize;
  let segment: SavedSegment | null = null;
  if (query.segment) {
    segment = await segmentById(db, shopId, query.segment).catch((error: unknown) => {
      if (error instanceof SegmentNotFoundError) return null;
      throw error;
    });
    if (!segment) throw new CustomerListSegmentError(`No segment ${query.segment} in this shop`);
  }
  return sqlConnectionOf(db).read(async (tx) => {
    const filters: Filter[] = [
      { sql: `"shopId" = ? AND "deletedAt" IS NULL AND ${notTestRecipientSql}`, parameters: [shopId] },
      ...fieldFilters(query).map((condition) => conditionSql(tx.provider, condition, now)),
    ];
    if (query.q) filters.push(searchFilter(query.q));
    if (query.membership === "member") filters.push({ sql: isMember, parameters: [] });
    if (query.membership === "not_member") filters.push({ sql: `NOT ${isMember}`, parameters: [] });
    if (segment) filters.push(segmentSql(tx.provider, shopId, segment.definition, now));
    // Paging back (before) reads the newer rows nearest the cursor, then shows them newest first.
    const backwards = query.before !== undefined && query.after === undefined;
    const position = backwards ? query.before : query.after;
    if (position) filters.push(keysetFilter(tx, position, backwards ? "newer" : "older"));
    const order = backwards ? `"createdAt" ASC, id ASC` : `"createdAt" DESC, id DESC`;
    const rows = await tx.query<Record<string, unknown>>(
      `SELECT c.*, m.id AS "memberId", m."tierId" AS "tierId", m."pointsBalance" AS "pointsBalance"
         FROM (SELECT ${columns.map((column) => `"${column}"`).join(", ")} FROM "Customer"
                WHERE ${filters.map((filter) => `(${filter.sql})`).join(" AND ")}
                ORDER BY ${order} LIMIT ?) c
         LEFT JOIN "LoyaltyMember" m ON m."shopId" = c."shopId" AND m."customerId" = c.id
        ORDER BY c."createdAt" ${backwards ? "ASC" : "DESC"}, c.id ${backwards ? "ASC" : "DESC"}`,
      [...filters.flatMap((filter) => filter.parameters), limit + 1],
    );
    const more = rows.length > limit;
    const page = rows.slice(0, limit).map(rowOf);
    if (backwards) page.reverse();
    const first = page[0];
    const last = page[page.length - 1];
    const cursorOf = (row: CustomerListRow | undefined) =>
      row ? encodePageCursor({ at: row.createdAt, id: row.id }) : null;
    return {
      customers: page,
      nextCursor: backwards ? (position ? cursorOf(last) : null) : more ? cursorOf(last) : null,
      previousCursor: backwards ? (more ? cursorOf(first) : null) : position ? cursorOf(first) : null,
    };
  });
}
