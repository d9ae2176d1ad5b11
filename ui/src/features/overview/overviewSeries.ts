// The overview's chart inputs, from the server's trace metrics (one point per bucket).
import type { TraceMetrics } from "@ardea/api/types";
import { PALETTE, type ChartSpec } from "@ardea/components/charts/chartSpec";

export { formatValue, type ChartSpec, type Series } from "@ardea/components/charts/chartSpec";

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

