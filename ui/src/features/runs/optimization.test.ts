import { describe, expect, it } from "vitest";
import { changedPrompts, fmtEstimate, parseOptimization, startAndBest } from "./optimization";
import { optimization } from "./optimization.fixture";

describe("optimization record", () => {
  it("parses the artifact and finds the start, the winner and what changed", () => {
    const o = parseOptimization(JSON.stringify(optimization));
    const { start, best } = startAndBest(o);
    expect(start.index).toBe(0);
    expect(best.templates.qa).toContain("Reply with the number only.");
    expect(changedPrompts(o)).toEqual(["qa"]);
    expect(changedPrompts({ ...o, best_index: 0 })).toEqual([]);
  });

  it("refuses what is not an optimization record", () => {
    expect(() => parseOptimization("{}")).toThrow("no candidates");
    expect(() => parseOptimization(JSON.stringify({ candidates: [{ index: 0 }] }))).toThrow("without score");
    expect(() => parseOptimization("not json")).toThrow();
  });

  it("formats an estimate with its interval", () => {
    expect(fmtEstimate({ value: 0.5, low: 0.25, high: 0.75, n: 4 })).toBe("0.500 [0.250, 0.750]");
    expect(fmtEstimate({ value: 1, low: null, high: null, n: 1 })).toBe("1.000");
  });
});
