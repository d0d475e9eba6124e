// Recognising database errors the domain reacts to, the same way on both providers.
import { Prisma } from "@prisma/client";

/** A unique constraint refused the write (Prisma P2002; with driver adapters the detail is in meta). */
export function isUniqueViolation(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError) return error.code === "P2002";
  // The PostgreSQL client is a separately generated module: its error class is not the same object.
  return (
    typeof error === "object" &&
    error !== null &&
    (error as { code?: unknown }).code === "P2002" &&
    (error as { name?: unknown }).name === "PrismaClientKnownRequestError"
  );
}

/** The database stayed locked past the busy timeout (P1008) or no transaction could start in time (P2028). */
export function isLockTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "P1008" || code === "P2028";
}

/**
 * Two transactions raced for the same rows (a duplicate insert, a deadlock, a write conflict):
 * running the transaction again sees the other one's result and succeeds.
 */
export function isTransientConflict(error: unknown): boolean {
  if (isUniqueViolation(error)) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "P2034") return true;
  const message = error instanceof Error ? error.message : "";
  return /deadlock detected|could not serialize access|database is locked/i.test(message);
}
