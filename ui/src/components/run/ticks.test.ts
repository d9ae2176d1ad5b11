import { describe, expect, it } from "vitest";
import { allIntegers, integerSplits, tickCount } from "./ticks";

describe("integerSplits", () => {
  it("ticks a short step axis on every integer, never on halves", () => {
    expect(integerSplits(0, 3, 10)).toEqual([0, 1, 2, 3]);
    expect(integerSplits(-0.2, 2.4, 8)).toEqual([0, 1, 2]);
    expect(integerSplits(0, 1, 12)).toEqual([0, 1]);
    for (const [lo, hi, n] of [[0, 7, 13], [3, 4, 20], [0, 599, 9], [10, 1_000_000, 7]] as const)
      expect(integerSplits(lo, hi, n).every(Number.isInteger)).toBe(true);
  });

  it("spaces longer axes at 1, 2 or 5 times a power of ten", () => {
    expect(integerSplits(0, 600, 6)).toEqual([0, 100, 200, 300, 400, 500, 600]);
    expect(integerSplits(0, 20, 4)).toEqual([0, 5, 10, 15, 20]);
    expect(integerSplits(7, 43, 4)).toEqual([10, 20, 30, 40]);
  });

  it("gives nothing for an empty or invalid range", () => {
    expect(integerSplits(0.2, 0.8, 5)).toEqual([]);
    expect(integerSplits(5, 1, 5)).toEqual([]);
    expect(integerSplits(Number.NaN, 1, 5)).toEqual([]);
  });
});

describe("allIntegers and tickCount", () => {
  it("tell integer axes apart and size tick counts", () => {
    expect(allIntegers([0, 1, 2, null, Number.NaN])).toBe(true);
    expect(allIntegers([0, 0.5])).toBe(false);
    expect(tickCount(600)).toBe(10);
    expect(tickCount(50)).toBe(2);
  });
});
