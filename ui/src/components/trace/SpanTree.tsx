import { useVirtualizer } from "@tanstack/react-virtual";
import { useMemo, useRef, useState } from "react";
import type { OtelSpan } from "@ardea/api/types";
import { formatDuration } from "@ardea/lib/format";
import { nsToMs } from "@ardea/lib/otel";
import { childrenOf, flattenSpans } from "@ardea/lib/spanTree";

const ROW = 28;

export interface SpanTreeProps {
  spans: OtelSpan[];
  selected: string;
  onSelect: (spanId: string) => void;
}

/** The span tree with a timeline bar per span; virtualized, so 100,000 spans stay fast. */
export function SpanTree({ spans, selected, onSelect }: SpanTreeProps) {
  const children = useMemo(() => childrenOf(spans), [spans]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const rows = useMemo(() => flattenSpans(children, collapsed), [children, collapsed]);
  const [t0, t1] = useMemo(() => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of spans) {
      const a = nsToMs(s.start_time_unix_nano);
      const b = nsToMs(s.end_time_unix_nano ?? s.start_time_unix_nano);
      if (a < lo) lo = a;
      if (b > hi) hi = b;
    }
    return [lo, Math.max(hi, lo + 1e-6)];
  }, [spans]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW,
    overscan: 20,
  });
  const toggle = (id: string) => {
    const next = new Set(collapsed);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setCollapsed(next);
  };
  return (
    <div className="span-tree" ref={scrollRef} role="tree" aria-label="Spans">
      <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
        {virtualizer.getVirtualItems().map((item) => {
          const { span, depth, childCount } = rows[item.index]!;
          const start = nsToMs(span.start_time_unix_nano);
          const end = nsToMs(span.end_time_unix_nano ?? span.start_time_unix_nano);
          const left = ((start - t0) / (t1 - t0)) * 100;
          const width = Math.max(0.3, ((end - start) / (t1 - t0)) * 100);
          const error = span.status?.code === "STATUS_CODE_ERROR";
          return (
            <div
              key={span.span_id}
              role="treeitem"
              aria-level={depth + 1}
              aria-selected={span.span_id === selected}
              aria-expanded={childCount ? !collapsed.has(span.span_id) : undefined}
              className={span.span_id === selected ? "span-row selected" : "span-row"}
              style={{ transform: `translateY(${item.start}px)` }}
              onClick={() => onSelect(span.span_id)}
            >
              <span className="span-name" style={{ paddingLeft: Math.min(depth, 40) * 14 }}>
                {childCount ? (
                  <button
                    type="button"
                    className="link"
                    aria-label={collapsed.has(span.span_id) ? "Expand" : "Collapse"}
                    onClick={(e) => {
                      e.stopPropagation();
                      toggle(span.span_id);
                    }}
                  >
                    {collapsed.has(span.span_id) ? "▸" : "▾"}
                  </button>
                ) : (
                  <span className="span-leaf" />
                )}
                <span className={error ? "status-FAILED" : ""}>{span.name}</span>
              </span>
              <span className="span-bar-track">
                <span className={error ? "span-bar error" : "span-bar"} style={{ left: `${left}%`, width: `${width}%` }} />
              </span>
              <span className="span-dur muted">{formatDuration(end - start)}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
