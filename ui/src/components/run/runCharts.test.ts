import { describe, expect, it } from "vitest";
import type { Metric } from "@ardea/api/types";
import { metric, run } from "@ardea/test/wire";
import { barData, barRange, chartSpecs, latestValues, lineData } from "./runCharts";

describe("chartSpecs", () => {
  it("draws a metric with steps as a line and one logged once as bars, by name", () => {
    const a = run({ run_id: "a" }, { metrics: { acc: 0.9, loss: 0.1 } });
    const b = run({ run_id: "b" }, { metrics: { acc: 0.7 } });
    b.data.metrics!.push(metric("loss", 0.2, 42));
    expect(chartSpecs([a, b])).toEqual([
      { key: "acc", kind: "bar" },
      { key: "loss", kind: "line" },
    ]);
    expect(latestValues([a, b, run({ run_id: "c" })], "acc")).toEqual([0.9, 0.7, null]);
  });
});

describe("bar charts", () => {
  it("give each run its own series so each bar has its colour", () => {
    expect(barData([0.9, null, 0.2])).toEqual([[0, 1, 2], [0.9, null, null], [null, null, null], [null, null, 0.2]]);
  });
  it("start at zero and leave room above the tallest bar", () => {
    expect(barRange([0.5, 1])).toEqual([0, 1.08]);
    expect(barRange([-2, 1])[0]).toBeLessThan(-2);
    expect(barRange([null])).toEqual([0, 1]);
    expect(barRange([0, 0])).toEqual([0, 1]);
  });
});

describe("lineData", () => {
  it("joins runs on their steps, the later point winning a step", () => {
    const pts: Metric[] = [
      { ...metric("loss", 1, 0, 10), run_id: "a" },
      { ...metric("loss", 0.5, 1, 11), run_id: "a" },
      { ...metric("loss", 0.4, 1, 12), run_id: "a" },
      { ...metric("loss", 0.8, 2, 10), run_id: "b" },
      { ...metric("loss", 9, 0, 10), run_id: "other" },
      { ...metric("loss", "NaN", 3, 10), run_id: "b" },
    ];
    expect(lineData(pts, ["a", "b"])).toEqual([
      [0, 1, 2, 3],
      [1, 0.4, null, null],
      [null, null, 0.8, null],
    ]);
  });
});
