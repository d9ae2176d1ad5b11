// Quality over time as charts: one chart per judge, a pass-rate line per group (one line when
// not grouped), each with its Wilson interval as a band between two thin dashed edges.
import { PALETTE, type ChartSpec, type Series } from "@ardea/components/charts/chartSpec";
import type { QualityResponse, QualitySeries } from "@ardea/api/types";

/** The label of a series' group (`none` for traces without a value). */
export function groupLabel(group: string | null | undefined, groupBy: string): string {
  if (!groupBy) return "pass rate";
  return group ?? "none";
}

/** One chart per judge: per group its pass rate, and its interval as a band. */
export function qualityCharts(q: QualityResponse): ChartSpec[] {
  const byJudge = new Map<string, QualitySeries[]>();
  for (const s of q.series) byJudge.set(s.judge, [...(byJudge.get(s.judge) ?? []), s]);
  const x = q.series.length ? q.series[0]!.buckets.map((b) => b.start_ms / 1000) : [];
  return [...byJudge.entries()].map(([judge, groups]) => {
    const series: Series[] = [];
    const bands: NonNullable<ChartSpec["bands"]> = [];
    groups.forEach((g, i) => {
      const color = PALETTE[i % PALETTE.length]!;
      const label = groupLabel(g.group, q.group_by);
      const base = series.length;
      series.push({ label, color, values: g.buckets.map((b) => b.rate ?? null) });
      series.push({ label: `${label} high`, color, edge: true, values: g.buckets.map((b) => b.high ?? null) });
      series.push({ label: `${label} low`, color, edge: true, values: g.buckets.map((b) => b.low ?? null) });
      bands.push({ upper: base + 1, lower: base + 2, color });
    });
    return { id: `quality-${judge}`, title: `${judge}: pass rate (${Math.round(q.confidence * 100)}% interval)`, x, unit: "ratio", series, bands };
  });
}

/** What the "Group by" selector offers, and the `group_by` each choice sends. */
export const GROUP_BY_CHOICES = [
  { value: "", label: "Nothing" },
  { value: "prompt", label: "Prompt version" },
  { value: "model", label: "Model" },
  { value: "tag", label: "Tag…" },
] as const;

/** The `group_by` parameter for a choice (and the tag key when the choice is "tag"). */
export function groupByParam(choice: string, tagKey: string): string {
  if (choice === "tag") return tagKey.trim() ? `tag:${tagKey.trim()}` : "";
  return choice;
}
