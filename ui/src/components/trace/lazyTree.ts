// The rows of the lazily loaded span tree: one level (a span's children) is fetched when the
// span is expanded, so a 100,000-span trace paints its first level without loading the rest.
import type { OtelSpan } from "@ardea/api/types";
import { nsToMs } from "@ardea/lib/otel";
import { spanHex } from "./spanIds";

/** What is loaded of one level of the tree: the children of a span ("" for the roots). */
export interface SpanLevel {
  spans: OtelSpan[];
  /** A page is being fetched. */
  loading: boolean;
  /** The server has more spans at this level (a "load more" row). */
  hasMore: boolean;
  error: unknown;
}

/** A span row ("leaf" once its children are known to be none). */
export interface SpanTreeRow {
  kind: "span";
  key: string;
  /** The span id in hex. */
  id: string;
  span: OtelSpan;
  depth: number;
  state: "open" | "closed" | "leaf";
}

/** A row after a level: its next page can be loaded, is loading, or failed. */
export interface StatusTreeRow {
  kind: "more" | "loading" | "error";
  key: string;
  /** The level's parent span id in hex ("" for the roots). */
  parent: string;
  depth: number;
  error?: unknown;
}

export type TreeRow = SpanTreeRow | StatusTreeRow;

type Item = { span: OtelSpan; depth: number } | { status: StatusTreeRow };

function statusRow(parent: string, depth: number, level: SpanLevel | undefined): StatusTreeRow | null {
  const base = { parent, depth };
  if (!level || level.loading) return { kind: "loading", key: `loading:${parent}`, ...base };
  if (level.error) return { kind: "error", key: `error:${parent}`, error: level.error, ...base };
  if (level.hasMore) return { kind: "more", key: `more:${parent}`, ...base };
  return null;
}

/** A span is a leaf once its loaded level is empty, or when `parents` (spans known to have children) lacks it. */
export function isLeaf(id: string, level: SpanLevel | undefined, parents: ReadonlySet<string> | null): boolean {
  if (parents && !parents.has(id)) return true;
  return level !== undefined && !level.loading && !level.error && !level.hasMore && level.spans.length === 0;
}

/**
 * Depth-first rows of the loaded levels: a span, then (when expanded) its loaded children and a
 * status row for its level. No recursion, and a span is listed once even if the data loops.
 * `parents` (the spans the server said have children) marks the others as leaves before they are expanded.
 */
export function treeRows(
  levels: ReadonlyMap<string, SpanLevel>,
  expanded: ReadonlySet<string>,
  parents: ReadonlySet<string> | null = null,
): TreeRow[] {
  const rows: TreeRow[] = [];
  const seen = new Set<string>();
  const stack: Item[] = [];
  const pushLevel = (parent: string, depth: number) => {
    const level = levels.get(parent);
    const tail = statusRow(parent, depth, level);
    if (tail) stack.push({ status: tail });
    const spans = level?.spans ?? [];
    for (let i = spans.length - 1; i >= 0; i--) stack.push({ span: spans[i]!, depth });
  };
  pushLevel("", 0);
  while (stack.length) {
    const item = stack.pop()!;
    if ("status" in item) {
      rows.push(item.status);
      continue;
    }
    const id = spanHex(item.span.span_id);
    if (seen.has(id)) continue;
    seen.add(id);
    const leaf = isLeaf(id, levels.get(id), parents);
    const open = expanded.has(id);
    rows.push({ kind: "span", key: id, id, span: item.span, depth: item.depth, state: leaf ? "leaf" : open ? "open" : "closed" });
    if (open && !leaf) pushLevel(id, item.depth + 1);
  }
  return rows;
}

/** `expanded` without `id` and without every expanded span below it (as far as it is loaded). */
export function collapseSpan(levels: ReadonlyMap<string, SpanLevel>, expanded: ReadonlySet<string>, id: string): Set<string> {
  const out = new Set(expanded);
  out.delete(id);
  const seen = new Set([id]);
  const queue = [id];
  while (queue.length) {
    for (const span of levels.get(queue.pop()!)?.spans ?? []) {
      const child = spanHex(span.span_id);
      if (seen.has(child)) continue;
      seen.add(child);
      out.delete(child);
      if (levels.has(child)) queue.push(child);
    }
  }
  return out;
}

/**
 * The timeline's window in epoch ms: the trace's request time and duration (from its info),
 * widened to cover the root spans (the info has only millisecond precision).
 */
export function timelineBounds(requestMs: number, durationMs: number, roots: readonly OtelSpan[]): [number, number] {
  let lo = Number.isFinite(requestMs) ? requestMs : Infinity;
  let hi = Number.isFinite(requestMs) && Number.isFinite(durationMs) ? requestMs + durationMs : -Infinity;
  for (const s of roots) {
    const a = nsToMs(s.start_time_unix_nano);
    const b = nsToMs(s.end_time_unix_nano ?? s.start_time_unix_nano);
    if (Number.isFinite(a) && a < lo) lo = a;
    if (Number.isFinite(b) && b > hi) hi = b;
  }
  if (!Number.isFinite(lo)) return [0, 1];
  return [lo, Math.max(hi, lo + 1e-3)];
}

/** A span's bar as left offset and width in percent of the window (at least 0.3% wide). */
export function barPosition(startMs: number, endMs: number, [t0, t1]: readonly [number, number]): { left: number; width: number } {
  const span = t1 - t0;
  const left = Math.min(100, Math.max(0, ((startMs - t0) / span) * 100));
  const end = Number.isFinite(endMs) ? endMs : startMs;
  const width = Math.max(0.3, Math.min(100 - left, ((end - Math.max(startMs, t0)) / span) * 100));
  return { left: Number.isFinite(left) ? left : 0, width: Number.isFinite(width) ? width : 0.3 };
}
