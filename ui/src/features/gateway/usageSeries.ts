// The gateway usage charts' inputs, from the server's usage rollup (one point per bucket
// with requests): every bucket of the range on the x axis, zero where nothing was asked.
import type { GatewayUsage, GatewayUsageMeasures } from "@ardea/api/types";
import { PALETTE, type ChartSpec } from "@ardea/components/charts/chartSpec";

/** Groups charted one by one; the rest are summed as "other". */
export const MAX_SERIES = 8;

/** The bucket a range is charted in: minutes up to 6 hours, hours up to 31 days, else days. */
export function bucketFor(startMs: number, endMs: number): "minute" | "hour" | "day" {
  const span = endMs - startMs;
  if (span <= 6 * 3_600_000) return "minute";
  if (span <= 31 * 86_400_000) return "hour";
  return "day";
}

/** How a group reads in a legend or a table ("" is "(none)": no key, an anonymous caller). */
export function groupLabel(group: string): string {
  return group === "" ? "(none)" : group;
}

type Pick = (m: GatewayUsageMeasures) => number;

/** The requests, tokens and cost charts of a usage answer, one series per group. */
export function usageCharts(u: GatewayUsage): ChartSpec[] {
  const size = u.bucket_ms;
  const first = Math.floor(u.start_ms / size) * size;
  const x: number[] = [];
  for (let t = first; t < u.end_ms; t += size) x.push(t / 1000);
  const index = new Map(x.map((s, i) => [s * 1000, i]));
  const shown = u.groups.slice(0, MAX_SERIES);
  const rest = u.groups.slice(MAX_SERIES);
  const series = (pick: Pick) => {
    const out = shown.map((g, i) => {
      const values: number[] = x.map(() => 0);
      for (const p of g.points) {
        const at = index.get(p.start_ms);
        if (at !== undefined) values[at] = (values[at] ?? 0) + pick(p);
      }
      return { label: groupLabel(g.group), color: PALETTE[i % PALETTE.length]!, values: values as (number | null)[] };
    });
    if (rest.length) {
      const values: number[] = x.map(() => 0);
      for (const g of rest)
        for (const p of g.points) {
          const at = index.get(p.start_ms);
          if (at !== undefined) values[at] = (values[at] ?? 0) + pick(p);
        }
      out.push({ label: `other (${rest.length})`, color: "#888888", values });
    }
    return out;
  };
  return [
    { id: "requests", title: "Requests", x, unit: "count", series: series((m) => m.requests) },
    { id: "tokens", title: "Tokens (input + output)", x, unit: "tokens", series: series((m) => m.input_tokens + m.output_tokens) },
    { id: "cost", title: "Cost (USD)", x, unit: "cost", series: series((m) => m.cost_usd) },
  ];
}

/** A cost in USD as the tables print it ("—" when unknown). */
export function formatUsd(value: number | null | undefined, unpriced = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const text = value === 0 ? "$0" : value < 0.01 ? `$${value.toPrecision(2)}` : `$${value.toFixed(2)}`;
  return unpriced > 0 ? `${text} + ${unpriced} unpriced` : text;
}
