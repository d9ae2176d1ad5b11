// The rows of the compare view: one per param or metric key, one value per run.
import type { Run } from "@ardea/api/types";
import { formatMetric } from "@ardea/lib/format";

/** One compare-table row. */
export interface DiffRow {
  id: string;
  label: string;
  values: string[];
  differs: boolean;
}

/** One row per key of `entity` across `runs`, sorted; "" where a run lacks the key. */
export function diffRows(runs: Run[], entity: "params" | "metrics"): DiffRow[] {
  const keys = new Set<string>();
  const maps = runs.map((r) => {
    const m = new Map<string, string>();
    if (entity === "params") for (const p of r.data.params ?? []) m.set(p.key, p.value ?? "");
    else for (const x of r.data.metrics ?? []) m.set(x.key, formatMetric(x.value));
    m.forEach((_, k) => keys.add(k));
    return m;
  });
  return [...keys]
    .sort((a, b) => a.localeCompare(b))
    .map((key) => {
      const values = maps.map((m) => m.get(key) ?? "");
      return { id: `${entity}.${key}`, label: key, values, differs: new Set(values).size > 1 };
    });
}
