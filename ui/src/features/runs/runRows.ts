// Flatten wire runs into table rows once, so cells are cheap lookups (10,000 runs x N columns).
import type { Run } from "@ardea/api/types";
import { formatMetric, toNumber } from "@ardea/lib/format";

export interface RunRow {
  id: string;
  name: string;
  status: string;
  start: number;
  end: number;
  user: string;
  /** Display text per column id ("metrics.acc" -> "0.93"). */
  values: Map<string, string>;
}

/** One row per run. */
export function toRunRow(run: Run): RunRow {
  const values = new Map<string, string>();
  for (const m of run.data.metrics ?? []) values.set(`metrics.${m.key}`, formatMetric(m.value));
  for (const p of run.data.params ?? []) values.set(`params.${p.key}`, p.value ?? "");
  for (const t of run.data.tags ?? []) values.set(`tags.${t.key}`, t.value ?? "");
  return {
    id: run.info.run_id,
    name: run.info.run_name ?? "",
    status: run.info.status ?? "",
    start: toNumber(run.info.start_time),
    end: toNumber(run.info.end_time),
    user: run.info.user_id ?? "",
    values,
  };
}

/** The param, metric and tag keys present in `rows`, sorted. */
export function availableKeys(rows: RunRow[]): { params: string[]; metrics: string[]; tags: string[] } {
  const sets = { params: new Set<string>(), metrics: new Set<string>(), tags: new Set<string>() };
  // Keys rarely differ between runs; sampling keeps this cheap for 10,000 rows.
  const step = Math.max(1, Math.floor(rows.length / 2000));
  for (let i = 0; i < rows.length; i += step) {
    for (const id of rows[i]!.values.keys()) {
      const dot = id.indexOf(".");
      const entity = id.slice(0, dot) as keyof typeof sets;
      sets[entity].add(id.slice(dot + 1));
    }
  }
  const sorted = (s: Set<string>) => [...s].sort((a, b) => a.localeCompare(b));
  return { params: sorted(sets.params), metrics: sorted(sets.metrics), tags: sorted(sets.tags) };
}

/** Metric and param columns the table shows until columns are chosen (MLflow shows them all). */
export const DEFAULT_METRIC_COLUMNS = 8;
export const DEFAULT_PARAM_COLUMNS = 8;

/** The default columns: the first metrics, then the first params, by name. */
export function defaultColumns(available: { params: string[]; metrics: string[] }): string[] {
  return [
    ...available.metrics.slice(0, DEFAULT_METRIC_COLUMNS).map((k) => `metrics.${k}`),
    ...available.params.slice(0, DEFAULT_PARAM_COLUMNS).map((k) => `params.${k}`),
  ];
}
