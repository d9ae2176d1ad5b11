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

/** A span's start and end in epoch ms (nanosecond precision kept as far as a double allows). */
export function spanTimesMs(span: OtelSpan): { start: number; end: number } {
  const start = nsToMs(span.start_time_unix_nano);
  const end = nsToMs(span.end_time_unix_nano ?? span.start_time_unix_nano);
  return { start, end: Number.isFinite(end) ? end : start };
}

/**
 * The timeline's window in epoch ms. The root spans define it when they are loaded: their times
 * are in nanoseconds, while the trace info has only whole milliseconds (a 0.4 ms trace that
 * started at x.6 ms would otherwise be drawn at 60% of a 1 ms window). Without roots, the
 * info's request time and duration.
 */
export function timelineBounds(requestMs: number, durationMs: number, roots: readonly OtelSpan[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of roots) {
    const { start, end } = spanTimesMs(s);
    if (Number.isFinite(start) && start < lo) lo = start;
    if (Number.isFinite(end) && end > hi) hi = end;
  }
  if (!Number.isFinite(lo)) {
    if (!Number.isFinite(requestMs)) return [0, 1];
    lo = requestMs;
    hi = Number.isFinite(durationMs) ? requestMs + durationMs : requestMs;
  }
  return [lo, Math.max(hi, lo + 1e-3)];
}

/**
 * The trace's duration in ms from its root spans (last end minus first start), NaN without
 * roots. It has the spans' precision, unlike the info's whole milliseconds.
 */
export function rootsDurationMs(roots: readonly OtelSpan[]): number {
  if (roots.length === 0) return Number.NaN;
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of roots) {
    const a = Number(s.start_time_unix_nano);
    const b = Number(s.end_time_unix_nano ?? s.start_time_unix_nano);
    if (Number.isFinite(a)) lo = Math.min(lo, a);
    if (Number.isFinite(b)) hi = Math.max(hi, b);
  }
  return Number.isFinite(lo) && Number.isFinite(hi) ? Math.max(0, hi - lo) / 1e6 : Number.NaN;
}

/** A span's duration in ms (end minus start, subtracted in nanoseconds). */
export function spanDurationMs(span: OtelSpan): number {
  const a = Number(span.start_time_unix_nano);
  const b = Number(span.end_time_unix_nano ?? span.start_time_unix_nano);
  return Number.isFinite(a) && Number.isFinite(b) ? Math.max(0, b - a) / 1e6 : Number.NaN;
}

/** A span's bar as left offset and width in percent of the window (at least 0.3% wide). */
export function barPosition(startMs: number, endMs: number, [t0, t1]: readonly [number, number]): { left: number; width: number } {
  const span = t1 - t0;
  const left = Math.min(100, Math.max(0, ((startMs - t0) / span) * 100));
  const end = Number.isFinite(endMs) ? endMs : startMs;
  const width = Math.max(0.3, Math.min(100 - left, ((end - Math.max(startMs, t0)) / span) * 100));
  return { left: Number.isFinite(left) ? left : 0, width: Number.isFinite(width) ? width : 0.3 };
}
