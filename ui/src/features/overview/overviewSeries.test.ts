import { describe, expect, it } from "vitest";
import type { TraceMetrics } from "@ardea/api/types";
import { formatValue, passRateChart, traceCharts } from "./overviewSeries";

const bucket = (start: number, count: number, p50: number | null) => ({
  start_ms: start,
  trace_count: count,
  error_count: count > 1 ? 1 : 0,
  latency_p50_ms: p50,
  latency_p90_ms: p50,
  latency_p99_ms: p50,
  input_tokens: 3 * count,
  output_tokens: 4 * count,
  cost: 0.5 * count,
});

const METRICS: TraceMetrics = {
  start_ms: 1_000_000,
  end_ms: 1_002_000,
  bucket_ms: 1000,
  buckets: [bucket(1_000_000, 2, 200), bucket(1_001_000, 0, null)],
  totals: bucket(1_000_000, 2, 200),
  assessments: [
    { name: "correct", count: 2, pass_count: 1, verdict_count: 2, pass_rate: 0.5, numeric_count: 0, numeric_mean: null, pass_rates: [0.5, null], pass_counts: [1, 0], verdict_counts: [2, 0] },
    { name: "score", count: 1, pass_count: 0, verdict_count: 0, pass_rate: null, numeric_count: 1, numeric_mean: 0.7, pass_rates: [null, null], pass_counts: [0, 0], verdict_counts: [0, 0] },
  ],
};

describe("traceCharts", () => {
  it("makes the five charts on bucket starts in seconds", () => {
    const charts = traceCharts(METRICS);
    expect(charts.map((c) => c.id)).toEqual(["traces", "latency", "errors", "tokens", "cost"]);
    expect(charts[0]!.x).toEqual([1000, 1001]);
    expect(charts[0]!.series[0]!.values).toEqual([2, 0]);
    expect(charts[1]!.series.map((s) => s.label)).toEqual(["p50", "p90", "p99"]);
    expect(charts[1]!.series[0]!.values).toEqual([200, null]);
    expect(charts[3]!.series[1]!.values).toEqual([8, 0]);
  });
});

describe("passRateChart", () => {
  it("has one series per feedback name with verdicts", () => {
    const chart = passRateChart(METRICS);
    expect(chart?.series.map((s) => s.label)).toEqual(["correct"]);
    expect(chart?.series[0]!.values).toEqual([0.5, null]);
  });

  it("is null without verdicts", () => {
    expect(passRateChart({ ...METRICS, assessments: [] })).toBeNull();
  });
});

describe("formatValue", () => {
  it("prints each unit", () => {
    expect(formatValue(850, "ms")).toBe("850 ms");
    expect(formatValue(1500, "ms")).toBe("1.50 s");
    expect(formatValue(0.6667, "ratio")).toBe("66.7%");
    expect(formatValue(12_345, "tokens")).toBe("12.3k");
    expect(formatValue(0.25, "cost")).toBe("0.25");
    expect(formatValue(null, "count")).toBe("");
  });
});
