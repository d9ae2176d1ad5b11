// The traces table's sort: one column and a direction, kept in the URL as `?sort=<key>:<dir>`
// and sent to the server as the search's `order_by`.

/** The search-traces order keys the table's headers sort by. */
export const TRACE_SORT_KEYS = ["timestamp_ms", "execution_time_ms", "status", "request_id"] as const;
export type TraceSortKey = (typeof TRACE_SORT_KEYS)[number];

export interface TraceSort {
  key: TraceSortKey;
  desc: boolean;
}

/** Newest first: the order without (or with an unknown) `?sort=`. */
export const DEFAULT_TRACE_SORT: TraceSort = { key: "timestamp_ms", desc: true };

const isKey = (k: string): k is TraceSortKey => (TRACE_SORT_KEYS as readonly string[]).includes(k);

/** The sort a `?sort=` value names ("execution_time_ms:desc"); anything unknown is the default. */
export function parseTraceSort(raw: string | null | undefined): TraceSort {
  const m = /^([a-z_]+)(?::(asc|desc))?$/i.exec((raw ?? "").trim());
  if (!m) return DEFAULT_TRACE_SORT;
  const key = m[1]!.toLowerCase();
  if (!isKey(key)) return DEFAULT_TRACE_SORT;
  return { key, desc: (m[2] ?? "desc").toLowerCase() === "desc" };
}

/** The `?sort=` value of a sort ("" for the default, which the URL leaves out). */
export function formatTraceSort(sort: TraceSort): string {
  if (sort.key === DEFAULT_TRACE_SORT.key && sort.desc === DEFAULT_TRACE_SORT.desc) return "";
  return `${sort.key}:${sort.desc ? "desc" : "asc"}`;
}

/** The sort after clicking a column's header: the same column flips, another starts descending. */
export function toggleTraceSort(current: TraceSort, key: TraceSortKey): TraceSort {
  return current.key === key ? { key, desc: !current.desc } : { key, desc: true };
}

/** The search's `order_by`: the column, then newest first to keep ties in a stable order. */
export function traceOrderBy(sort: TraceSort): string[] {
  const first = `${sort.key} ${sort.desc ? "DESC" : "ASC"}`;
  return sort.key === "timestamp_ms" ? [first] : [first, "timestamp_ms DESC"];
}

/** `params` with `key` set to `value`, or without it when `value` is "" (the rest kept). */
export function withParam(params: URLSearchParams, key: string, value: string): URLSearchParams {
  const out = new URLSearchParams(params);
  if (value) out.set(key, value);
  else out.delete(key);
  return out;
}
