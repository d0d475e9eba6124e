// Money beyond 32 bits (issue 12, item 1): amounts are parsed exactly or refused, stored BigInt
// columns are read back as exact numbers, and floor(a × b ÷ c) stays exact past 2^53.
import { describe, expect, it } from "vitest";
import { MoneyError, multiplyDivideFloor, toMinorUnits } from "../../app/money/money";
import { fromStoredInteger, fromStoredRow, storedIntegersAsNumbers } from "../../app/money/stored";

const maxSafe = Number.MAX_SAFE_INTEGER; // 9,007,199,254,740,991

describe("toMinorUnits at the edge of exact numbers", () => {
  it("parses 10^12 minor units exactly in zero-, two- and three-decimal currencies", () => {
    expect(toMinorUnits("1000000000000", "JPY")).toBe(1_000_000_000_000);
    expect(toMinorUnits("10000000000.00", "USD")).toBe(1_000_000_000_000);
    expect(toMinorUnits("1000000000.000", "KWD")).toBe(1_000_000_000_000);
    expect(toMinorUnits("25000000.00", "UZS")).toBe(2_500_000_000);
  });

  it("parses the largest exact amount", () => {
    expect(toMinorUnits("9007199254740991", "JPY")).toBe(maxSafe);
    expect(toMinorUnits("90071992547409.91", "USD")).toBe(maxSafe);
    expect(toMinorUnits("9007199254740.991", "KWD")).toBe(maxSafe);
  });

  it.each([
    ["9007199254740992", "JPY"],
    ["90071992547409.92", "USD"],
    ["9007199254740.992", "KWD"],
    ["9007199254740993", "JPY"],
    ["123456789012345678901234567890", "USD"],
    ["99999999999999999999999999", "JPY"],
  ])(
    "refuses %s %s, beyond Number.MAX_SAFE_INTEGER minor units, with a clear MoneyError",
    (amount, currency) => {
      const parse = () => toMinorUnits(amount, currency);
      expect(parse).toThrow(MoneyError);
      expect(parse).toThrow(/too large: at most 9007199254740991 minor units/);
    },
  );
});

describe("fromStoredInteger", () => {
  it("reads a stored BigInt as the exact number", () => {
    expect(fromStoredInteger(1_000_000_000_000n)).toBe(1_000_000_000_000);
    expect(fromStoredInteger(-250_000_000_360n)).toBe(-250_000_000_360);
    expect(fromStoredInteger(BigInt(maxSafe))).toBe(maxSafe);
    expect(fromStoredInteger(BigInt(-maxSafe))).toBe(-maxSafe);
    expect(fromStoredInteger(42)).toBe(42);
  });

  it("throws on a value a number cannot hold exactly", () => {
    expect(() => fromStoredInteger(BigInt(maxSafe) + 1n)).toThrow(RangeError);
    expect(() => fromStoredInteger(-(BigInt(maxSafe) + 1n))).toThrow(RangeError);
    expect(() => fromStoredInteger(2n ** 63n - 1n)).toThrow(/beyond the exact range/);
    expect(() => fromStoredInteger(2 ** 53)).toThrow(RangeError);
    expect(() => fromStoredInteger(1.5)).toThrow(RangeError);
  });

  it("converts the BigInt columns of a row and, as a JSON replacer, of nested rows", () => {
    const row = { id: "o1", totalMinor: 1_000_000_000_000n, basisMinor: null, quantity: 2 };
    expect(fromStoredRow(row)).toEqual({
      id: "o1",
      totalMinor: 1_000_000_000_000,
      basisMinor: null,
      quantity: 2,
    });
    expect(fromStoredRow(null)).toBeNull();
    expect(() => JSON.stringify({ orders: [row] })).toThrow(TypeError);
    expect(JSON.stringify({ orders: [row] }, storedIntegersAsNumbers)).toBe(
      '{"orders":[{"id":"o1","totalMinor":1000000000000,"basisMinor":null,"quantity":2}]}',
    );
    expect(() => JSON.stringify({ big: 2n ** 60n }, storedIntegersAsNumbers)).toThrow(RangeError);
  });
});

describe("multiplyDivideFloor", () => {
  it("is exact where the product passes 2^53 and where a floating-point share is off by one", () => {
    // 999,999,999,999 minor units × 9,999 basis points ÷ 10,000 = 999,899,999,999.9001…
    expect(multiplyDivideFloor(999_999_999_999, 9_999, 10_000)).toBe(999_899_999_999);
    expect(multiplyDivideFloor(1_000_000_000_000, 250_000_000_360, 1_000_000_000_000)).toBe(250_000_000_360);
    expect(multiplyDivideFloor(25_000_000_000, 333_333_333_920, 1_000_000_000_000)).toBe(8_333_333_348);
    // The same in floating point (amount × (part ÷ whole)), as refunds were computed before:
    expect(Math.floor(25_000_000_000 * (333_333_333_920 / 1_000_000_000_000))).toBe(8_333_333_347);
  });

  it("floors toward minus infinity and refuses what a number cannot hold", () => {
    expect(multiplyDivideFloor(-7, 1, 2)).toBe(-4);
    expect(multiplyDivideFloor(7, 1, 2)).toBe(3);
    expect(() => multiplyDivideFloor(maxSafe, 2, 1)).toThrow(MoneyError);
    expect(() => multiplyDivideFloor(1, 1, 0)).toThrow(MoneyError);
  });
});
