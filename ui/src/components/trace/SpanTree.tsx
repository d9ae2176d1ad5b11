import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef } from "react";
import { formatDuration } from "@ardea/lib/format";
import { errorMessageOf } from "@ardea/lib/errors";
import { barPosition, spanDurationMs, spanTimesMs, type SpanTreeRow, type StatusTreeRow, type TreeRow } from "./lazyTree";
import "./trace.css";

const ROW = 28;

export interface SpanTreeProps {
  rows: TreeRow[];
  /** The timeline window in epoch ms (the trace's start and end). */
  bounds: readonly [number, number];
  /** The chosen span's id in hex. */
  selected: string;
  onSelect: (spanId: string) => void;
  onToggle: (spanId: string) => void;
  /** Load the next page of a level (parent span id in hex, "" for the roots). */
  onLoadMore: (parent: string) => void;
}

function indent(depth: number): number {
  return Math.min(depth, 40) * 14;
}

function StatusRow({ row, top, onLoadMore }: { row: StatusTreeRow; top: number; onLoadMore: (parent: string) => void }) {
  return (
    <div role="presentation" className="span-row span-status" style={{ transform: `translateY(${top}px)` }}>
      <span className="span-name" style={{ paddingLeft: indent(row.depth) + 18 }}>
        {row.kind === "more" ? (
          <button type="button" className="link" onClick={() => onLoadMore(row.parent)}>
            Load more
          </button>
        ) : row.kind === "loading" ? (
          <span className="muted">Loading…</span>
        ) : (
          <span className="status-FAILED">{errorMessageOf(row.error)}</span>
        )}
      </span>
    </div>
  );
}

interface SpanRowProps {
  row: SpanTreeRow;
  top: number;
  bounds: readonly [number, number];
  selected: boolean;
  onSelect: (spanId: string) => void;
  onToggle: (spanId: string) => void;
}

function SpanRow({ row, top, bounds, selected, onSelect, onToggle }: SpanRowProps) {
  const { span, depth, state, id } = row;
  const { start, end } = spanTimesMs(span);
  const bar = barPosition(start, end, bounds);
  const error = span.status?.code === "STATUS_CODE_ERROR";
  return (
    <div
      role="treeitem"
      aria-level={depth + 1}
      aria-selected={selected}
      aria-expanded={state === "leaf" ? undefined : state === "open"}
      data-span-id={id}
      className={selected ? "span-row selected" : "span-row"}
      style={{ transform: `translateY(${top}px)` }}
      onClick={() => onSelect(id)}
    >
      <span className="span-name" style={{ paddingLeft: indent(depth) }}>
        {state === "leaf" ? (
          <span className="span-leaf" />
        ) : (
          <button
            type="button"
            className="link span-toggle"
            aria-label={state === "open" ? "Collapse" : "Expand"}
            onClick={(e) => {
              e.stopPropagation();
              onToggle(id);
            }}
          >
            {state === "open" ? "▾" : "▸"}
          </button>
        )}
        <span className={error ? "status-FAILED" : ""}>{span.name}</span>
      </span>
      <span className="span-bar-track">
        <span className={error ? "span-bar error" : "span-bar"} style={{ left: `${bar.left}%`, width: `${bar.width}%` }} />
      </span>
      <span className="span-dur muted">{formatDuration(spanDurationMs(span))}</span>
    </div>
  );
}

/** The span tree with a timeline bar per span; virtualized, levels loaded as they are expanded. */
export function SpanTree({ rows, bounds, selected, onSelect, onToggle, onLoadMore }: SpanTreeProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW,
    getItemKey: (i) => rows[i]!.key,
    overscan: 20,
  });
  return (
    <div className="span-tree" ref={scrollRef} role="tree" aria-label="Spans">
      <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index]!;
          return row.kind === "span" ? (
            <SpanRow
              key={row.key}
              row={row}
              top={item.start}
              bounds={bounds}
              selected={row.id === selected}
              onSelect={onSelect}
              onToggle={onToggle}
            />
          ) : (
            <StatusRow key={row.key} row={row} top={item.start} onLoadMore={onLoadMore} />
          );
        })}
      </div>
    </div>
  );
}
