// The runs page's chart view: one small chart per metric, the charted runs overlaid. A metric
// logged over steps is a line chart of its history; one logged once (every run's latest value at
// step 0) is a bar chart of the latest values, as MLflow's chart view draws them.
import type { Metric, Run } from "@ardea/api/types";
import { toNumber } from "@ardea/lib/format";

export type ChartKind = "line" | "bar";

/** One chart of the grid: a metric key and how it is drawn. */
export interface MetricChartSpec {
  key: string;
  kind: ChartKind;
}

/** The charts for `runs`: every metric key any of them has, by name; a line when any has steps. */
export function chartSpecs(runs: readonly Run[]): MetricChartSpec[] {
  const stepped = new Map<string, boolean>();
  for (const r of runs)
    for (const m of r.data.metrics ?? []) stepped.set(m.key, (stepped.get(m.key) ?? false) || toNumber(m.step) > 0);
  return [...stepped.keys()].sort((a, b) => a.localeCompare(b)).map((key) => ({ key, kind: stepped.get(key) ? "line" : "bar" }));
}

/** Each run's latest value of `key` (null when it has none, or it is not finite). */
export function latestValues(runs: readonly Run[], key: string): (number | null)[] {
  return runs.map((r) => {
    const m = r.data.metrics?.find((x) => x.key === key);
    const v = m === undefined ? Number.NaN : toNumber(m.value);
    return Number.isFinite(v) ? v : null;
  });
}

/**
 * Bars as uPlot data: x = the run's index, one series per run that has a value only at its own
 * index (so each bar takes its run's colour).
 */
export function barData(values: readonly (number | null)[]): [number[], ...(number | null)[][]] {
  const xs = values.map((_, i) => i);
  return [xs, ...values.map((v, i) => xs.map((j) => (j === i ? v : null)))];
}

/** A bar chart's value range: from 0 (or below it) to a little above the largest bar. */
export function barRange(values: readonly (number | null)[]): [number, number] {
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) return [0, 1];
  const lo = Math.min(0, ...present);
  const hi = Math.max(0, ...present);
  const pad = (hi - lo || Math.abs(hi) || 1) * 0.08;
  return [lo < 0 ? lo - pad : 0, hi > 0 ? hi + pad : hi === 0 && lo === 0 ? 1 : 0];
}

/**
 * Points of several runs (each with its `run_id`, as the bulk history read answers) as uPlot
 * data: the union of their steps, then one series per run of `runIds` (null where it has no
 * point; of two points at one step, the later one).
 */
export function lineData(points: readonly Metric[], runIds: readonly string[]): [number[], ...(number | null)[][]] {
  const byRun = new Map<string, Map<number, { t: number; v: number }>>(runIds.map((id) => [id, new Map()]));
  const steps = new Set<number>();
  for (const p of points) {
    const series = p.run_id ? byRun.get(p.run_id) : undefined;
    const step = toNumber(p.step);
    const value = toNumber(p.value);
    if (!series || !Number.isFinite(step)) continue;
    const t = toNumber(p.timestamp);
    const prev = series.get(step);
    if (!prev || t >= prev.t) series.set(step, { t, v: value });
    steps.add(step);
  }
  const xs = [...steps].sort((a, b) => a - b);
  return [xs, ...runIds.map((id) => xs.map((x) => {
    const v = byRun.get(id)!.get(x)?.v;
    return v === undefined || !Number.isFinite(v) ? null : v;
  }))];
}
