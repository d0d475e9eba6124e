// Segments (R-CUS-4): saved conditions over a customer's fields — lifecycle stage, RFM scores and
// segment, value band, orders, spend, predicted CLV, days since the last order, country, locale,
// tags, marketing consent per channel, loyalty tier. One definition, two readings that agree:
// segmentMatches decides for one customer's facts (flow conditions), segmentSql counts in the
// database (the preview).
import { notTestRecipientSql } from "./test-recipients";
import type { Segment } from "@prisma/client";
import { z } from "zod";
import { sqlConnectionOf, type Database } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { encodeValue, type SqlProvider } from "../db/sql";
import type { Tx } from "../events/domain-events";
import {
  choiceOperatorNames,
  consentStates,
  lifecycleStages,
  numberOperatorNames,
  rfmSegments,
  valueBands,
} from "./segment-fields";

export { consentStates, lifecycleStages, rfmSegments, valueBands };

export const choiceOperators = z.enum(choiceOperatorNames);
export const numberOperators = z.enum(numberOperatorNames);

function choiceCondition<Field extends string, Value extends z.ZodTypeAny>(field: Field, value: Value) {
  return z.object({
    field: z.literal(field),
    operator: choiceOperators,
    value: z.union([value, z.array(value).min(1).max(100)]),
  });
}

function numberCondition<Field extends string>(field: Field, max: number) {
  return z.object({
    field: z.literal(field),
    operator: numberOperators,
    value: z.number().int().min(0).max(max),
  });
}

const text = z.string().trim().min(1).max(100);
const maxAmount = Number.MAX_SAFE_INTEGER;

export const segmentCondition = z.discriminatedUnion("field", [
  choiceCondition("lifecycleStage", z.enum(lifecycleStages)),
  choiceCondition("rfmSegment", z.enum(rfmSegments)),
  choiceCondition("valueBand", z.enum(valueBands)),
  choiceCondition("emailConsent", z.enum(consentStates)),
  choiceCondition("smsConsent", z.enum(consentStates)),
  choiceCondition("whatsappConsent", z.enum(consentStates)),
  choiceCondition("countryCode", z.string().trim().toUpperCase().length(2)),
  choiceCondition("locale", text),
  // The tier id of the loyalty program's tier rules (app/loyalty/tiers.ts); members without a tier and
  // customers who are not members have none.
  choiceCondition("loyaltyTier", text),
  numberCondition("rfmRecency", 5),
  numberCondition("rfmFrequency", 5),
  numberCondition("rfmMonetary", 5),
  numberCondition("ordersCount", 1_000_000),
  numberCondition("totalSpentMinor", maxAmount),
  numberCondition("predictedClvMinor", maxAmount),
  numberCondition("lastOrderDaysAgo", 36_500),
  z.object({ field: z.literal("tags"), operator: z.enum(["has", "has_not"]), value: text }),
]);

export const segmentDefinition = z.object({
  match: z.enum(["all", "any"]),
  conditions: z.array(segmentCondition).min(1).max(50),
});

export type SegmentCondition = z.infer<typeof segmentCondition>;
export type SegmentDefinition = z.infer<typeof segmentDefinition>;

/** What a segment condition reads of a customer. */
export interface CustomerFacts {
  lifecycleStage: string;
  rfmSegment: string | null;
  valueBand: string | null;
  emailConsent: string;
  smsConsent: string;
  whatsappConsent: string;
  countryCode: string | null;
  locale: string | null;
  rfmRecency: number | null;
  rfmFrequency: number | null;
  rfmMonetary: number | null;
  ordersCount: number;
  totalSpentMinor: number;
  predictedClvMinor: number | null;
  lastOrderAt: Date | null;
  /** Shopify's comma-separated tags. */
  tags: string;
  /** Their loyalty tier id; absent or null: no tier. */
  loyaltyTierId?: string | null;
}

const dayMs = 86_400_000;

/** Lower case for ASCII letters only, as SQLite's lower() does (tags are compared this way). */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

/** Whether Shopify's "a, b, c" tags hold this tag (whole tags, ASCII case ignored). */
function hasTag(tags: string, tag: string): boolean {
  return `,${asciiLower(tags).replaceAll(", ", ",")},`.includes(`,${asciiLower(tag)},`);
}

function compare(actual: number | null, operator: z.infer<typeof numberOperators>, value: number): boolean {
  // No figure (a lead has no scores, no last order) matches no comparison.
  if (actual === null) return false;
  switch (operator) {
    case "eq":
      return actual === value;
    case "neq":
      return actual !== value;
    case "gt":
      return actual > value;
    case "gte":
      return actual >= value;
    case "lt":
      return actual < value;
    case "lte":
      return actual <= value;
  }
}

function choose(
  actual: string | null,
  operator: z.infer<typeof choiceOperators>,
  value: string | string[],
): boolean {
  const values = Array.isArray(value) ? value : [value];
  const found = actual !== null && values.includes(actual);
  return operator === "is" || operator === "in" ? found : !found;
}

export function conditionMatches(condition: SegmentCondition, facts: CustomerFacts, now: Date): boolean {
  switch (condition.field) {
    case "tags": {
      const has = hasTag(facts.tags, condition.value);
      return condition.operator === "has" ? has : !has;
    }
    case "lastOrderDaysAgo": {
      const days =
        facts.lastOrderAt === null ? null : Math.floor((now.getTime() - facts.lastOrderAt.getTime()) / dayMs);
      return compare(days, condition.operator, condition.value);
    }
    case "rfmRecency":
    case "rfmFrequency":
    case "rfmMonetary":
    case "ordersCount":
    case "totalSpentMinor":
    case "predictedClvMinor":
      return compare(facts[condition.field], condition.operator, condition.value);
    case "loyaltyTier":
      return choose(facts.loyaltyTierId ?? null, condition.operator, condition.value);
    default:
      return choose(facts[condition.field], condition.operator, condition.value);
  }
}

/** Whether a customer with these facts is in the segment, as of `now`. */
export function segmentMatches(definition: SegmentDefinition, facts: CustomerFacts, now: Date): boolean {
  const results = definition.conditions.map((condition) => conditionMatches(condition, facts, now));
  return definition.match === "all" ? results.every(Boolean) : results.some(Boolean);
}

/** The customer's loyalty tier id (null: no tier, or not a member). */
const loyaltyTierColumn =
  `(SELECT m."tierId" FROM "LoyaltyMember" m` +
  ` WHERE m."shopId" = "Customer"."shopId" AND m."customerId" = "Customer".id)`;

const sqlOperators = { eq: "=", neq: "<>", gt: ">", gte: ">=", lt: "<", lte: "<=" } as const;

interface SqlFilter {
  sql: string;
  parameters: unknown[];
}

/** The condition as SQL over "Customer", matching exactly what conditionMatches decides. */
export function conditionSql(provider: SqlProvider, condition: SegmentCondition, now: Date): SqlFilter {
  switch (condition.field) {
    case "tags": {
      const find = provider === "postgresql" ? "strpos" : "instr";
      const has = `${find}(',' || replace(lower("tags"), ', ', ',') || ',', ?) > 0`;
      return {
        sql: condition.operator === "has" ? has : `NOT (${has})`,
        parameters: [`,${asciiLower(condition.value)},`],
      };
    }
    case "lastOrderDaysAgo": {
      const before = (days: number) =>
        encodeValue(provider, "DateTime", new Date(now.getTime() - days * dayMs));
      const days = condition.value;
      // floor(age) ≥ n ⇔ lastOrderAt ≤ now − n days; floor(age) < n ⇔ lastOrderAt > now − n days.
      switch (condition.operator) {
        case "gte":
          return { sql: `"lastOrderAt" <= ?`, parameters: [before(days)] };
        case "gt":
          return { sql: `"lastOrderAt" <= ?`, parameters: [before(days + 1)] };
        case "lt":
          return { sql: `"lastOrderAt" > ?`, parameters: [before(days)] };
        case "lte":
          return { sql: `"lastOrderAt" > ?`, parameters: [before(days + 1)] };
        case "eq":
          return {
            sql: `("lastOrderAt" <= ? AND "lastOrderAt" > ?)`,
            parameters: [before(days), before(days + 1)],
          };
        case "neq":
          return {
            sql: `("lastOrderAt" > ? OR "lastOrderAt" <= ?)`,
            parameters: [before(days), before(days + 1)],
          };
      }
      break;
    }
    case "rfmRecency":
    case "rfmFrequency":
    case "rfmMonetary":
    case "ordersCount":
    case "totalSpentMinor":
    case "predictedClvMinor":
      // NULL compares as unknown: no figure matches no comparison, as in conditionMatches.
      return {
        sql: `"${condition.field}" ${sqlOperators[condition.operator]} ?`,
        parameters: [condition.value],
      };
    default: {
      const values = Array.isArray(condition.value) ? condition.value : [condition.value];
      const column = condition.field === "loyaltyTier" ? loyaltyTierColumn : `"${condition.field}"`;
      const list = `${column} IN (${values.map(() => "?").join(", ")})`;
      if (condition.operator === "is" || condition.operator === "in")
        return { sql: list, parameters: values };
      // "is not" also takes customers without the field at all, as conditionMatches does.
      return { sql: `(${column} IS NULL OR NOT ${list})`, parameters: values };
    }
  }
  throw new Error("unreachable");
}

/** The definition as a WHERE clause over the shop's live customers. */
export function segmentSql(
  provider: SqlProvider,
  shopId: string,
  definition: SegmentDefinition,
  now: Date,
): SqlFilter {
  const parts = definition.conditions.map((condition) => conditionSql(provider, condition, now));
  const joined = parts.map((part) => `(${part.sql})`).join(definition.match === "all" ? " AND " : " OR ");
  return {
    sql: `"shopId" = ? AND "deletedAt" IS NULL AND ${notTestRecipientSql} AND (${joined})`,
    parameters: [shopId, ...parts.flatMap((part) => part.parameters)],
  };
}

/** How many of the shop's customers are in the segment now (counted by the database). */
export async function segmentCount(
  db: Database,
  shopId: string,
  definition: SegmentDefinition,
  now: Date,
): Promise<number> {
  return sqlConnectionOf(db).transaction(async (tx) => {
    const where = segmentSql(tx.provider, shopId, definition, now);
    const [row] = await tx.query<{ count: unknown }>(
      `SELECT COUNT(*) AS count FROM "Customer" WHERE ${where.sql}`,
      where.parameters,
    );
    return Number(row?.count ?? 0);
  });
}

// ---------------------------------------------------------------------------------------------
// Saved segments

export class SegmentInputError extends Error {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}
export class SegmentNotFoundError extends Error {}

export const segmentInput = z.object({
  name: z.string().trim().min(1, "A segment needs a name").max(100, "At most 100 characters"),
  definition: segmentDefinition,
});

export interface SavedSegment {
  id: string;
  name: string;
  definition: SegmentDefinition;
  createdAt: Date;
  updatedAt: Date;
}

function parseInput(input: unknown): z.infer<typeof segmentInput> {
  const parsed = segmentInput.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new SegmentInputError(
    "The segment is not valid",
    parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
  );
}

function savedSegment(row: Segment): SavedSegment {
  // Stored definitions were validated on the way in; a row that no longer parses is reported.
  const definition = segmentDefinition.parse(row.definition);
  return { id: row.id, name: row.name, definition, createdAt: row.createdAt, updatedAt: row.updatedAt };
}

async function uniqueName<T>(write: () => Promise<T>, name: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error))
      throw new SegmentInputError(`A segment named "${name}" already exists`, [
        { path: "name", message: "Already taken by another segment" },
      ]);
    throw error;
  }
}

export async function createSegment(db: Database, shopId: string, input: unknown): Promise<SavedSegment> {
  const { name, definition } = parseInput(input);
  const row = await uniqueName(() => db.segment.create({ data: { shopId, name, definition } }), name);
  return savedSegment(row);
}

export async function updateSegment(
  db: Database,
  shopId: string,
  segmentId: string,
  input: unknown,
): Promise<SavedSegment> {
  const { name, definition } = parseInput(input);
  const result = await uniqueName(
    () => db.segment.updateMany({ where: { id: segmentId, shopId }, data: { name, definition } }),
    name,
  );
  if (result.count === 0) throw new SegmentNotFoundError(`No segment ${segmentId} in this shop`);
  return savedSegment(await db.segment.findFirstOrThrow({ where: { id: segmentId, shopId } }));
}

export async function deleteSegment(db: Database, shopId: string, segmentId: string): Promise<void> {
  const result = await db.segment.deleteMany({ where: { id: segmentId, shopId } });
  if (result.count === 0) throw new SegmentNotFoundError(`No segment ${segmentId} in this shop`);
}

export async function listSegments(db: Database | Tx, shopId: string): Promise<SavedSegment[]> {
  const rows = await db.segment.findMany({ where: { shopId }, orderBy: { name: "asc" } });
  return rows.map(savedSegment);
}

export async function segmentById(
  db: Database | Tx,
  shopId: string,
  segmentId: string,
): Promise<SavedSegment> {
  const row = await db.segment.findFirst({ where: { id: segmentId, shopId } });
  if (!row) throw new SegmentNotFoundError(`No segment ${segmentId} in this shop`);
  return savedSegment(row);
}
