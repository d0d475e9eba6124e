// The segment pages' services (issue 18, R-CUS-4): the builder's choices (the shop's tiers), saving
// a submitted builder form (a new segment or an edit; refused whole with each field's mistake),
// the live count of a form that is not saved, and the saved segments with how many customers each
// holds now — counted for all of them in one statement.
import { sqlConnectionOf, type Database } from "../db/client";
import { tierRulesOf } from "../loyalty/program";
import {
  conditionSql,
  createSegment,
  listSegments,
  segmentCount,
  SegmentInputError,
  segmentDefinition,
  updateSegment,
  type SavedSegment,
} from "./segments";
import { segmentFormOf, segmentFromForm, type SegmentFormError } from "./segment-form";

export interface SegmentShop {
  id: string;
  currency: string;
}

export interface TierChoice {
  id: string;
  name: string;
}

/** The shop's loyalty tiers (the choices of the "loyalty tier" field and filter). */
export async function loyaltyTierChoices(db: Database, shopId: string): Promise<TierChoice[]> {
  const program = await db.loyaltyProgram.findUnique({ where: { shopId }, select: { tierRules: true } });
  const rules = program ? tierRulesOf(program) : null;
  return rules ? rules.tiers.map((tier) => ({ id: tier.id, name: tier.name })) : [];
}

export type SegmentSaveResult =
  { ok: true; segment: SavedSegment } | { ok: false; errors: SegmentFormError[] };

/**
 * Saves the submitted builder form as a new segment (segmentId null) or over the shop's segment;
 * SegmentNotFoundError when that is not the shop's. Nothing is saved on any mistake.
 */
export async function saveSegmentForm(
  db: Database,
  shop: SegmentShop,
  segmentId: string | null,
  entries: Iterable<[string, FormDataEntryValue]>,
): Promise<SegmentSaveResult> {
  const tiers = await loyaltyTierChoices(db, shop.id);
  const parsed = segmentFromForm(segmentFormOf(entries), {
    currency: shop.currency,
    tierIds: tiers.map((tier) => tier.id),
  });
  if (!parsed.ok) return parsed;
  const input = { name: parsed.name, definition: parsed.definition };
  try {
    const segment = segmentId
      ? await updateSegment(db, shop.id, segmentId, input)
      : await createSegment(db, shop.id, input);
    return { ok: true, segment };
  } catch (error) {
    if (!(error instanceof SegmentInputError)) throw error;
    // The builder checks what segments.ts checks; what is left is a name another segment has.
    return {
      ok: false,
      errors: error.issues.map((issue) =>
        issue.path === "name"
          ? { field: "name", code: "nameTaken" as const }
          : { field: issue.path.replace(/^definition\./, ""), code: "fieldInvalid" as const },
      ),
    };
  }
}

export type SegmentCountResult = { ok: true; count: number } | { ok: false; errors: SegmentFormError[] };

/** How many of the shop's customers the builder's conditions hold for now (nothing is saved). */
export async function countSegmentForm(
  db: Database,
  shop: SegmentShop,
  entries: Iterable<[string, FormDataEntryValue]>,
  now: Date,
): Promise<SegmentCountResult> {
  const tiers = await loyaltyTierChoices(db, shop.id);
  const form = segmentFormOf(entries);
  // The count does not need a name yet.
  const parsed = segmentFromForm(
    { ...form, name: "count" },
    { currency: shop.currency, tierIds: tiers.map((tier) => tier.id) },
  );
  if (!parsed.ok) return parsed;
  const definition = segmentDefinition.safeParse(parsed.definition);
  if (!definition.success) return { ok: false, errors: [{ field: "conditions", code: "fieldInvalid" }] };
  return { ok: true, count: await segmentCount(db, shop.id, definition.data, now) };
}

export interface SegmentWithCount extends SavedSegment {
  count: number;
}

/** The shop's segments by name, each with its number of customers now (one counting statement). */
export async function segmentsWithCounts(
  db: Database,
  shopId: string,
  now: Date,
): Promise<SegmentWithCount[]> {
  const segments = await listSegments(db, shopId);
  if (segments.length === 0) return [];
  const counts = await sqlConnectionOf(db).read(async (tx) => {
    const parameters: unknown[] = [];
    const sums = segments.map((segment, index) => {
      const parts = segment.definition.conditions.map((condition) =>
        conditionSql(tx.provider, condition, now),
      );
      parameters.push(...parts.flatMap((part) => part.parameters));
      const joined = parts
        .map((part) => `(${part.sql})`)
        .join(segment.definition.match === "all" ? " AND " : " OR ");
      return `SUM(CASE WHEN ${joined} THEN 1 ELSE 0 END) AS s${index}`;
    });
    const [row] = await tx.query<Record<string, unknown>>(
      `SELECT ${sums.join(", ")} FROM "Customer" WHERE "shopId" = ? AND "deletedAt" IS NULL`,
      [...parameters, shopId],
    );
    return segments.map((_, index) => Number(row?.[`s${index}`] ?? 0));
  });
  return segments.map((segment, index) => ({ ...segment, count: counts[index] ?? 0 }));
}
