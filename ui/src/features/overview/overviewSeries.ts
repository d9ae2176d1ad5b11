// The overview's chart inputs, from the server's trace metrics (one point per bucket).
import type { TraceMetrics } from "@ardea/api/types";

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
}

export interface ChartSpec {
  id: string;
  title: string;
  /** uPlot's x axis: bucket starts in epoch seconds. */
  x: number[];
  series: Series[];
  /** How to print a value on the axis and in the legend. */
  unit: "count" | "ms" | "tokens" | "cost" | "ratio";
}

const C = {
  blue: "#2563eb",
  red: "#dc2626",
  green: "#16a34a",
  amber: "#d97706",
  purple: "#9333ea",
  cyan: "#0891b2",
  pink: "#db2777",
  lime: "#65a30d",
};
export const PALETTE = Object.values(C);

/** The five trace charts: count, latency percentiles, errors, tokens and cost. */
export function traceCharts(m: TraceMetrics): ChartSpec[] {
  const x = m.buckets.map((b) => b.start_ms / 1000);
  const pick = (f: (b: TraceMetrics["buckets"][number]) => number | null) => m.buckets.map(f);
  return [
    { id: "traces", title: "Traces", x, unit: "count", series: [{ label: "traces", color: C.blue, values: pick((b) => b.trace_count) }] },
    {
      id: "latency",
      title: "Latency",
      x,
      unit: "ms",
      series: [
        { label: "p50", color: C.green, values: pick((b) => b.latency_p50_ms) },
        { label: "p90", color: C.amber, values: pick((b) => b.latency_p90_ms) },
        { label: "p99", color: C.red, values: pick((b) => b.latency_p99_ms) },
      ],
    },
    { id: "errors", title: "Errors", x, unit: "count", series: [{ label: "errors", color: C.red, values: pick((b) => b.error_count) }] },
    {
      id: "tokens",
      title: "Tokens",
      x,
      unit: "tokens",
      series: [
        { label: "input", color: C.purple, values: pick((b) => b.input_tokens) },
        { label: "output", color: C.cyan, values: pick((b) => b.output_tokens) },
      ],
    },
    { id: "cost", title: "Cost", x, unit: "cost", series: [{ label: "cost", color: C.lime, values: pick((b) => b.cost) }] },
  ];
}

/** Pass rate over time, one series per feedback name that has pass/fail verdicts (or null). */
export function passRateChart(m: TraceMetrics): ChartSpec | null {
  const named = m.assessments.filter((a) => a.verdict_count > 0);
  if (!named.length) return null;
  return {
    id: "pass-rate",
    title: "Assessment pass rate",
    x: m.buckets.map((b) => b.start_ms / 1000),
    unit: "ratio",
    series: named.map((a, i) => ({ label: a.name, color: PALETTE[i % PALETTE.length]!, values: a.pass_rates })),
  };
}

/** A value as the chart's unit prints it ("" for none). */
export function formatValue(value: number | null | undefined, unit: ChartSpec["unit"]): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "";
  switch (unit) {
    case "ms":
      return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(value < 10_000 ? 2 : 1)} s`;
    case "ratio":
      return `${Math.round(value * 1000) / 10}%`;
    case "cost":
      return value === 0 ? "0" : value < 0.01 ? value.toExponential(2) : value.toFixed(2);
    case "tokens":
    case "count":
      return value >= 1e6 ? `${(value / 1e6).toFixed(1)}M` : value >= 1e4 ? `${(value / 1e3).toFixed(1)}k` : String(Math.round(value));
  }
}
