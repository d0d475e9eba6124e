// What the JSON API routes (app/routes/api.*) share: the query schemas (a period, a page), the
// answers (JSON, never cached; 400 naming what is wrong with the query; 404) — so each route stays
// a parse, a service call and an answer.
import { z } from "zod";
import { decodePageCursor, type PageCursor } from "./db/page-cursor";
import type { Period } from "./flows/attribution";

const noStore = { "cache-control": "no-store" };

export function apiJson(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: noStore });
}

export function badRequest(message: string): Response {
  return apiJson({ error: "bad_request", message }, 400);
}

export function notFound(message = "not found"): Response {
  return apiJson({ error: "not_found", message }, 404);
}

/** The query string as a plain object (a repeated parameter keeps its last value). */
export function queryOf(request: Request): Record<string, string> {
  return Object.fromEntries(new URL(request.url).searchParams);
}

/** "from: must be …; limit: …" — every problem of a query, naming the parameter. */
export function describeQueryError(error: z.ZodError): string {
  return error.issues
    .map((issue) =>
      issue.path.length > 0 ? `${issue.path.map(String).join(".")}: ${issue.message}` : issue.message,
    )
    .join("; ");
}

export const defaultPeriodDays = 30;
export const maxPeriodDays = 731;
const dayMs = 86_400_000;

const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar day (no 30 February). */
function isCalendarDate(text: string): boolean {
  const match = dateOnly.exec(text.slice(0, 10));
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** An ISO 8601 date (midnight UTC) or date-time with a zone (Z or an offset); null otherwise. */
export function parseInstant(text: string): Date | null {
  if (!isCalendarDate(text)) return null;
  if (dateOnly.test(text)) return new Date(`${text}T00:00:00Z`);
  if (!z.iso.datetime({ offset: true }).safeParse(text).success) return null;
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : new Date(time);
}

const instant = z.string().transform((text, context): Date => {
  const parsed = parseInstant(text.trim());
  if (!parsed) {
    context.addIssue({
      code: "custom",
      message: "must be an ISO 8601 date (2026-11-01) or date-time with a zone (2026-11-01T00:00:00Z)",
    });
    return z.NEVER;
  }
  return parsed;
});

/** `from` (included) and `to` (excluded); by default the 30 days before now. */
export function periodSchema(now: Date) {
  return z
    .object({ from: instant.optional(), to: instant.optional() })
    .transform(({ from, to }): Period => {
      const end = to ?? (from ? new Date(Math.max(now.getTime(), from.getTime() + dayMs)) : now);
      return { from: from ?? new Date(end.getTime() - defaultPeriodDays * dayMs), to: end };
    })
    .refine((period) => period.from.getTime() < period.to.getTime(), {
      message: "from must be before to",
      path: ["from"],
    })
    .refine((period) => period.to.getTime() - period.from.getTime() <= maxPeriodDays * dayMs, {
      message: `the period may span at most ${maxPeriodDays} days`,
      path: ["to"],
    });
}

/** `limit` (1–100) and an opaque `cursor` from the previous page's `nextCursor`. */
export function pageSchema(defaultLimit: number) {
  return z.object({
    limit: z
      .string()
      .regex(/^\d{1,3}$/, "must be a whole number from 1 to 100")
      .transform(Number)
      .refine((limit) => limit >= 1 && limit <= 100, "must be a whole number from 1 to 100")
      .optional()
      .transform((limit) => limit ?? defaultLimit),
    cursor: z
      .string()
      .max(300, "is not a cursor this API handed out")
      .transform((text, context): PageCursor => {
        const cursor = decodePageCursor(text);
        if (!cursor) {
          context.addIssue({ code: "custom", message: "is not a cursor this API handed out" });
          return z.NEVER;
        }
        return cursor;
      })
      .optional(),
  });
}
