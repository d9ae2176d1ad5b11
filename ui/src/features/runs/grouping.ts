// Group the loaded runs by a param or tag value into collapsible group rows (runs page).
import { formatMetric } from "@ardea/lib/format";
import type { RunRow } from "./runRows";

/** The label of the group of runs that lack the group-by key. */
export const NO_VALUE = "(none)";

/** A group header row: its value, how many runs, the mean of each metric column. */
export interface GroupItem {
  kind: "group";
  /** Stable id for the row ("group:<value>"). */
  id: string;
  value: string;
  count: number;
  /** Mean per metric column id ("metrics.acc" -> "0.91"); finite values only. */
  means: Map<string, string>;
  collapsed: boolean;
}

/** A run row inside a group (or in the plain list). */
export interface RunItem {
  kind: "run";
  row: RunRow;
}

export type DisplayItem = GroupItem | RunItem;

/**
 * The rows to show: with `groupBy` ("params.lr" / "tags.team") the runs grouped by that column's
 * value (groups sorted by value, numbers numerically, runs keeping their order, the no-value
 * group last), each preceded by its header and hidden when its value is in `collapsed`.
 * Without `groupBy`, one run item per row.
 */
export function groupRows(rows: RunRow[], groupBy: string, columns: string[], collapsed: ReadonlySet<string>): DisplayItem[] {
  if (!groupBy) return rows.map((row) => ({ kind: "run", row }));
  const groups = new Map<string, RunRow[]>();
  for (const row of rows) {
    const value = row.values.get(groupBy) || NO_VALUE;
    let list = groups.get(value);
    if (!list) groups.set(value, (list = []));
    list.push(row);
  }
  const values = [...groups.keys()].sort((a, b) =>
    a === NO_VALUE ? 1 : b === NO_VALUE ? -1 : a.localeCompare(b, undefined, { numeric: true }),
  );
  const metricCols = columns.filter((c) => c.startsWith("metrics."));
  const out: DisplayItem[] = [];
  for (const value of values) {
    const members = groups.get(value)!;
    const means = new Map<string, string>();
    for (const col of metricCols) {
      let sum = 0;
      let n = 0;
      for (const r of members) {
        const text = r.values.get(col);
        const v = text === undefined || text === "" ? Number.NaN : Number(text);
        if (Number.isFinite(v)) {
          sum += v;
          n++;
        }
      }
      if (n) means.set(col, formatMetric(sum / n));
    }
    const isCollapsed = collapsed.has(value);
    out.push({ kind: "group", id: `group:${value}`, value, count: members.length, means, collapsed: isCollapsed });
    if (!isCollapsed) for (const row of members) out.push({ kind: "run", row });
  }
  return out;
}
