// Layout for the parallel-coordinates and scatter plots: one axis per param/metric.
import type { Run } from "@ardea/api/types";
import { toNumber } from "@ardea/lib/format";

/** A plot dimension: "param:<key>" or "metric:<key>" (the URL form). */
export type Dim = string;

/** A numeric axis scaled min..max, or a categorical one with evenly spaced categories. */
export type Axis =
  | { dim: Dim; label: string; kind: "numeric"; min: number; max: number }
  | { dim: Dim; label: string; kind: "categorical"; categories: string[] };

/** The raw value of `dim` in `run` (a param string, a latest-metric number), or undefined. */
export function dimValue(run: Run, dim: Dim): string | number | undefined {
  const colon = dim.indexOf(":");
  const kind = dim.slice(0, colon);
  const key = dim.slice(colon + 1);
  if (kind === "param") return run.data.params?.find((p) => p.key === key)?.value;
  if (kind === "metric") {
    const m = run.data.metrics?.find((x) => x.key === key);
    return m === undefined ? undefined : toNumber(m.value);
  }
  return undefined;
}

/** Every dim any of `runs` has: params first, then metrics, each sorted. */
export function availableDims(runs: Run[]): Dim[] {
  const params = new Set<string>();
  const metrics = new Set<string>();
  for (const r of runs) {
    for (const p of r.data.params ?? []) params.add(p.key);
    for (const m of r.data.metrics ?? []) metrics.add(m.key);
  }
  const sorted = (s: Set<string>) => [...s].sort((a, b) => a.localeCompare(b));
  return [...sorted(params).map((k) => `param:${k}`), ...sorted(metrics).map((k) => `metric:${k}`)];
}

/**
 * The axis for `values` (one per run; undefined = missing): numeric when every present value is
 * a finite number, else categorical with the distinct values sorted.
 */
export function buildAxis(dim: Dim, values: (string | number | undefined)[]): Axis {
  const label = dim.slice(dim.indexOf(":") + 1);
  const present = values.filter((v): v is string | number => v !== undefined && v !== "");
  const nums = present.map((v) => (typeof v === "number" ? v : Number(v)));
  if (present.length > 0 && nums.every((n) => Number.isFinite(n))) {
    return { dim, label, kind: "numeric", min: Math.min(...nums), max: Math.max(...nums) };
  }
  const categories = [...new Set(present.map(String))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return { dim, label, kind: "categorical", categories };
}

/**
 * Where `value` sits on `axis`, 0 (bottom/left) .. 1 (top/right); a one-value numeric axis puts
 * it at 0.5, categories are spaced evenly (a single one at 0.5). null when missing or not on it.
 */
export function axisPosition(axis: Axis, value: string | number | undefined): number | null {
  if (value === undefined || value === "") return null;
  if (axis.kind === "numeric") {
    const n = typeof value === "number" ? value : Number(value);
    if (!Number.isFinite(n)) return null;
    return axis.max === axis.min ? 0.5 : (n - axis.min) / (axis.max - axis.min);
  }
  const i = axis.categories.indexOf(String(value));
  if (i < 0) return null;
  return axis.categories.length === 1 ? 0.5 : i / (axis.categories.length - 1);
}

/** A few labelled positions along `axis` (min/mid/max, or every category up to `maxTicks`). */
export function axisTicks(axis: Axis, maxTicks = 8): { pos: number; label: string }[] {
  if (axis.kind === "numeric") {
    if (axis.min === axis.max) return [{ pos: 0.5, label: fmt(axis.min) }];
    return [0, 0.5, 1].map((t) => ({ pos: t, label: fmt(axis.min + t * (axis.max - axis.min)) }));
  }
  const n = axis.categories.length;
  const every = Math.max(1, Math.ceil(n / maxTicks));
  return axis.categories
    .map((c, i) => ({ pos: n === 1 ? 0.5 : i / (n - 1), label: c }))
    .filter((_, i) => i % every === 0);
}

function fmt(n: number): string {
  return Math.abs(n) >= 1e5 || (n !== 0 && Math.abs(n) < 1e-3) ? n.toExponential(2) : String(Math.round(n * 1e4) / 1e4);
}

/** Axes for `dims` over `runs`, and each run's positions (one per axis, null = missing). */
export function parallelLayout(runs: Run[], dims: Dim[]): { axes: Axis[]; lines: (number | null)[][] } {
  const axes = dims.map((d) => buildAxis(d, runs.map((r) => dimValue(r, d))));
  const lines = runs.map((r) => axes.map((a) => axisPosition(a, dimValue(r, a.dim))));
  return { axes, lines };
}

/** Whether `dim` takes more than one value over `runs` (missing values count as none). */
export function dimVaries(runs: readonly Run[], dim: Dim): boolean {
  let first: string | undefined;
  for (const r of runs) {
    const v = dimValue(r, dim);
    if (v === undefined || v === "" || (typeof v === "number" && Number.isNaN(v))) continue;
    const s = String(v);
    if (first === undefined) first = s;
    else if (s !== first) return true;
  }
  return false;
}

/**
 * The scatter plot's default axes: x a param that varies over the runs (else a varying metric,
 * else the first dim), y a varying metric other than x (else any other metric). A param every
 * run shares would put all the dots on one vertical line.
 */
export function defaultScatterAxes(runs: readonly Run[], dims: readonly Dim[]): { x: Dim; y: Dim } {
  const varying = dims.filter((d) => dimVaries(runs, d));
  const metrics = dims.filter((d) => d.startsWith("metric:"));
  const x = varying.find((d) => d.startsWith("param:")) ?? varying[0] ?? dims.find((d) => d.startsWith("param:")) ?? dims[0] ?? "";
  const y =
    varying.find((d) => d.startsWith("metric:") && d !== x) ?? metrics.find((d) => d !== x) ?? metrics[0] ?? "";
  return { x, y };
}
