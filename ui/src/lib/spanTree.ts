// A trace's spans as a flat, indented list (the rows of the span tree), children in start order.
import type { OtelSpan } from "@ardea/api/types";

export interface SpanRow {
  span: OtelSpan;
  depth: number;
  childCount: number;
}

/** Index spans by parent; spans whose parent is absent count as roots. */
export function childrenOf(spans: OtelSpan[]): Map<string, OtelSpan[]> {
  const ids = new Set(spans.map((s) => s.span_id));
  const out = new Map<string, OtelSpan[]>();
  for (const s of spans) {
    const parent = s.parent_span_id && ids.has(s.parent_span_id) ? s.parent_span_id : "";
    const list = out.get(parent);
    if (list) list.push(s);
    else out.set(parent, [s]);
  }
  const start = (s: OtelSpan) => Number(s.start_time_unix_nano);
  for (const list of out.values()) list.sort((a, b) => start(a) - start(b));
  return out;
}

/** Depth-first rows, skipping the children of `collapsed` span ids (no recursion: deep traces are fine). */
export function flattenSpans(children: Map<string, OtelSpan[]>, collapsed: ReadonlySet<string>): SpanRow[] {
  const rows: SpanRow[] = [];
  const stack: { span: OtelSpan; depth: number }[] = [];
  const roots = children.get("") ?? [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ span: roots[i]!, depth: 0 });
  while (stack.length) {
    const { span, depth } = stack.pop()!;
    const kids = children.get(span.span_id) ?? [];
    rows.push({ span, depth, childCount: kids.length });
    if (collapsed.has(span.span_id)) continue;
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i]!, depth: depth + 1 });
  }
  return rows;
}
