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
  // Driver errors (app/db/sql.ts): SQLite's busy timeout, PostgreSQL's lock_timeout (55P03).
  return code === "P1008" || code === "P2028" || code === "SQLITE_BUSY" || code === "55P03";
}

/**
 * Two transactions raced for the same rows (a duplicate insert, a deadlock, a write conflict):
 * running the transaction again sees the other one's result and succeeds.
 */
export function isTransientConflict(error: unknown): boolean {
  if (isUniqueViolation(error)) return true;
  const code = (error as { code?: unknown } | null)?.code;
  // P2034 write conflict; driver errors: unique violation (SQLite, PostgreSQL 23505), deadlock
  // (40P01), serialization failure (40001).
  if (code === "P2034" || code === "23505" || code === "40P01" || code === "40001") return true;
  if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") return true;
  const message = error instanceof Error ? error.message : "";
  return /deadlock detected|could not serialize access|database is locked/i.test(message);
}

/**
 * The database refused a value itself (out of range, not representable, too long, invalid input):
 * the same statement fails the same way every time, so retrying it only delays the verdict.
 * Connection failures, lock timeouts and serialization conflicts are not among these.
 */
export function isPermanentDatabaseError(error: unknown): boolean {
  if (isLockTimeout(error) || isTransientConflict(error)) return false;
  const code = (error as { code?: unknown } | null)?.code;
  // P2000 value too long, P2006 invalid value, P2007 data validation, P2020 value out of range,
  // P2033 number beyond 64 bits.
  if (typeof code === "string" && ["P2000", "P2006", "P2007", "P2020", "P2033"].includes(code)) return true;
  const message = error instanceof Error ? error.message : "";
  // Driver errors surfaced by the adapters (PostgreSQL SQLSTATE class 22 "data exception").
  return /out of range|value too long|invalid input syntax|cannot be represented|does not fit into|overflow/i.test(
    message,
  );
}
