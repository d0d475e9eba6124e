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
