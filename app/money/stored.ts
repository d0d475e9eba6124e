// Money amounts and points are stored as 64-bit integers (Prisma BigInt), and Prisma reads those
// back as `bigint`. The app computes with `number` (integer minor units, exact up to
// Number.MAX_SAFE_INTEGER — 10^12 minor units is far below), so every read of such a column goes
// through this one conversion, which refuses a value a number cannot hold exactly.

/** A stored BigInt amount (or a number, e.g. an SQLite aggregate) as an exact number. */
export function fromStoredInteger(value: bigint | number): number {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new RangeError(`stored amount ${value} is not a safe integer`);
    return value;
  }
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`stored amount ${value} is beyond the exact range of a number`);
  }
  return Number(value);
}

/** The same for a nullable column. */
export function fromStoredIntegerOrNull(value: bigint | number | null): number | null {
  return value === null ? null : fromStoredInteger(value);
}

/** A row type with its BigInt columns read as numbers. */
export type FromStored<T> = {
  [K in keyof T]: T[K] extends bigint ? number : T[K] extends bigint | null ? number | null : T[K];
};

/** A row with every BigInt column converted by fromStoredInteger (top level only, not relations). */
export function fromStoredRow<T extends object>(row: T): FromStored<T>;
export function fromStoredRow<T extends object>(row: T | null): FromStored<T> | null;
export function fromStoredRow<T extends object>(row: T | null): FromStored<T> | null {
  if (row === null) return null;
  const converted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    converted[key] = typeof value === "bigint" ? fromStoredInteger(value) : value;
  }
  return converted as FromStored<T>;
}

/** A JSON.stringify replacer for rows read from the database: BigInt columns become JSON numbers. */
export function storedIntegersAsNumbers(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? fromStoredInteger(value) : value;
}
