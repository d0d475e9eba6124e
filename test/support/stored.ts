// Test reads of BigInt money and points columns as numbers, the way the app reads them
// (app/money/stored.ts): rows, lists of rows with their relations, and aggregates.
import { fromStoredInteger } from "../../app/money/stored";

export type Numbers<T> = T extends bigint
  ? number
  : T extends Date
    ? T
    : T extends readonly (infer Item)[]
      ? Numbers<Item>[]
      : T extends object
        ? { [K in keyof T]: Numbers<T[K]> }
        : T;

/** The value with every bigint in it (at any depth) converted by fromStoredInteger. */
export function numbers<T>(value: T): Numbers<T> {
  if (typeof value === "bigint") return fromStoredInteger(value) as Numbers<T>;
  if (Array.isArray(value)) return value.map((item: unknown) => numbers(item)) as Numbers<T>;
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, numbers(item as unknown)]),
    ) as Numbers<T>;
  }
  return value as Numbers<T>;
}
