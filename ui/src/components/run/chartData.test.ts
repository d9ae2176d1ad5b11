import { describe, expect, it } from "vitest";
import type { Metric } from "@ardea/api/types";
import { metric } from "@ardea/test/wire";
import { chartPoints, chartSeries, parseSmoothing, parseXAxis, smoothEma, visibleSeries } from "./chartData";

const m = (step: number, value: Metric["value"], timestamp = 1000 + step) => metric("loss", value, step, timestamp);

describe("chartSeries", () => {
  it("sorts by step and parses wire values", () => {
    const out = chartSeries([m(2, 0.5), m(0, 1.5), m(1, 1)], "step", false, 800);
    expect(out.x).toEqual([0, 1, 2]);
    expect(out.y).toEqual([1.5, 1, 0.5]);
    // Doubles JSON has no number for arrive as strings.
    expect(chartPoints([m(0, "NaN"), m(1, "Infinity"), m(2, "-Infinity")], "step", false).y).toEqual([
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]);
  });

  it("uses seconds on a time axis", () => {
    const out = chartSeries([m(0, 1, 5000), m(1, 2, 7000)], "time", false, 800);
    expect(out.x).toEqual([5, 7]);
  });

  it("drops values a log scale cannot show and counts them", () => {
    const out = chartSeries([m(0, 0), m(1, -1), m(2, 10)], "step", true, 800);
    expect(out.y).toEqual([10]);
    expect(out.dropped).toBe(2);
  });

  it("bounds 100,000 points to about two per pixel, keeping the peak", () => {
    const history = Array.from({ length: 100_000 }, (_, i) => m(i, i === 54_321 ? 99 : Math.random()));
    const out = chartSeries(history, "step", false, 400);
    expect(out.x.length).toBeLessThanOrEqual(800);
    expect(Math.max(...out.y)).toBe(99);
  });
});

describe("visibleSeries", () => {
  it("re-samples a zoomed window at full detail, one point beyond each edge", () => {
    const all = { x: Array.from({ length: 100_000 }, (_, i) => i), y: Array.from({ length: 100_000 }, (_, i) => i % 10) };
    const out = visibleSeries(all, 400, 1000, 1100);
    expect(out.x[0]).toBe(999);
    expect(out.x[out.x.length - 1]).toBe(1100);
    expect(out.x).toHaveLength(102); // 102 points fit in 400 buckets: nothing dropped
  });
});

describe("relative time axis", () => {
  it("counts seconds since the run's first point", () => {
    const out = chartSeries([m(1, 2, 7000), m(0, 1, 5000)], "relative", false, 800);
    expect(out.x).toEqual([0, 2]);
  });
});

describe("smoothEma", () => {
  it("is the identity at 0", () => {
    expect(smoothEma([1, 5, 2], 0)).toEqual([1, 5, 2]);
  });

  it("is debiased (a constant series stays constant) and lags a step", () => {
    const flat = smoothEma([3, 3, 3, 3], 0.9);
    for (const v of flat) expect(v).toBeCloseTo(3);
    const step = smoothEma([0, 0, 10, 10], 0.5);
    expect(step[2]).toBeGreaterThan(0);
    expect(step[2]).toBeLessThan(10);
    expect(step[3]).toBeGreaterThan(step[2]!);
  });

  it("clamps the weight and passes non-finite values through", () => {
    const out = smoothEma([1, Number.NaN, 1], 5);
    expect(out[0]).toBeCloseTo(1);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBeCloseTo(1);
  });
});

describe("URL parsing", () => {
  it("parses axis and smoothing", () => {
    expect(parseXAxis("relative")).toBe("relative");
    expect(parseXAxis("bogus")).toBe("step");
    expect(parseSmoothing("0.5")).toBe(0.5);
    expect(parseSmoothing("7")).toBe(0.99);
    expect(parseSmoothing("x")).toBe(0);
  });
});
