import { createColumnHelper, tableFeatures, useTable, type ColumnDef } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef, useState } from "react";
import { Link } from "react-router";
import { formatDuration, formatTime, runDuration } from "@ardea/lib/format";
import { runPath } from "@ardea/lib/paths";
import { groupRows } from "./grouping";
import type { RunRow } from "./runRows";
import { splitColumnId } from "./urlState";

const features = tableFeatures({});
const helper = createColumnHelper<typeof features, RunRow>();
const ROW_HEIGHT = 32;

interface ColumnLayout {
  width: number;
  /** The server order-by column id, or undefined when the server cannot sort on it. */
  sortId?: string;
}

const LAYOUT: Record<string, ColumnLayout> = {
  select: { width: 36 },
  name: { width: 240, sortId: "attributes.run_name" },
  status: { width: 100, sortId: "attributes.status" },
  start: { width: 170, sortId: "attributes.start_time" },
  duration: { width: 90 },
  user: { width: 120, sortId: "attributes.user_id" },
};

export interface RunsTableProps {
  experimentId: string;
  rows: RunRow[];
  /** Chosen extra column ids ("metrics.acc"). */
  columns: string[];
  sort: string;
  desc: boolean;
  onSort: (columnId: string) => void;
  selected: ReadonlySet<string>;
  onToggle: (runId: string) => void;
  onToggleAll: () => void;
  /** More pages on the server: asked for when the user scrolls near the end. */
  hasMore: boolean;
  loadMore: () => void;
  /** Shown when there are no rows ("" while loading). */
  emptyText: string;
  /** Group the rows by this column id ("params.lr"), "" for a flat list. */
  groupBy?: string;
}

/** The virtualized runs grid: only the visible rows exist in the DOM. */
export function RunsTable(props: RunsTableProps) {
  const { rows, selected, onToggle, onToggleAll, experimentId } = props;
  const anySelected = selected.size > 0;

  const columns = useMemo(
    (): ColumnDef<typeof features, RunRow, any>[] => [
      helper.display({
        id: "select",
        header: () => (
          <input
            type="checkbox"
            aria-label={anySelected ? "Clear the selection" : "Select all loaded runs"}
            checked={anySelected}
            onChange={onToggleAll}
          />
        ),
        cell: ({ row }) => (
          <input
            type="checkbox"
            aria-label={`Select run ${row.original.name || row.original.id}`}
            checked={selected.has(row.original.id)}
            onChange={() => onToggle(row.original.id)}
          />
        ),
      }),
      helper.accessor((r) => r.name, {
        id: "name",
        header: "Run name",
        cell: ({ row }) => (
          <Link to={runPath(experimentId, row.original.id)}>
            {row.original.name || row.original.id}
          </Link>
        ),
      }),
      helper.accessor((r) => r.status, {
        id: "status",
        header: "Status",
        cell: ({ getValue }) => <span className={`status-${getValue()}`}>{getValue()}</span>,
      }),
      helper.accessor((r) => formatTime(r.start), { id: "start", header: "Started" }),
      helper.accessor((r) => formatDuration(runDuration(r.start, r.end)), { id: "duration", header: "Duration" }),
      helper.accessor((r) => r.user, { id: "user", header: "User" }),
      ...props.columns.map((id) =>
        helper.accessor((r) => r.values.get(id) ?? "", { id, header: splitColumnId(id).key }),
      ),
    ],
    [props.columns, selected, anySelected, onToggle, onToggleAll, experimentId],
  );

  const table = useTable({ features, columns, data: rows, getRowId: (r) => r.id });
  const tableRows = table.getRowModel().rows;
  const groupBy = props.groupBy ?? "";
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const items = useMemo(
    () => (groupBy ? groupRows(rows, groupBy, props.columns, collapsed) : null),
    [groupBy, rows, props.columns, collapsed],
  );
  const byId = useMemo(() => (items ? new Map(tableRows.map((r) => [r.id, r])) : null), [items, tableRows]);
  const toggleGroup = (value: string) =>
    setCollapsed((c) => {
      const next = new Set(c);
      if (next.has(value)) next.delete(value);
      else next.add(value);
      return next;
    });
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: items ? items.length : tableRows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const visible = virtualizer.getVirtualItems();
  const lastIndex = visible.length ? visible[visible.length - 1]!.index : 0;
  const { hasMore, loadMore } = props;
  const shown = items ? items.length : tableRows.length;
  useEffect(() => {
    if (hasMore && lastIndex >= shown - 200) loadMore();
  }, [hasMore, lastIndex, shown, loadMore]);

  const layout = (id: string): ColumnLayout =>
    LAYOUT[id] ?? { width: 140, sortId: id.includes(".") ? id : undefined };

  return (
    <div className="grid" ref={scrollRef} role="table" aria-label="Runs" aria-rowcount={shown + 1}>
      {table.getHeaderGroups().map((group) => (
        <div className="grid-row grid-head" role="row" key={group.id}>
          {group.headers.map((header) => {
            const { width, sortId } = layout(header.column.id);
            const active = sortId !== undefined && sortId === props.sort;
            return (
              <div
                key={header.id}
                role="columnheader"
                className={sortId ? "grid-cell sortable" : "grid-cell"}
                style={{ width }}
                title={sortId ? `Sort by ${header.column.id}` : undefined}
                aria-sort={active ? (props.desc ? "descending" : "ascending") : undefined}
                tabIndex={sortId ? 0 : undefined}
                onClick={sortId ? () => props.onSort(sortId) : undefined}
                onKeyDown={
                  sortId
                    ? (e) => {
                        if (e.key === "Enter" || e.key === " ") {
                          e.preventDefault();
                          props.onSort(sortId);
                        }
                      }
                    : undefined
                }
              >
                <table.FlexRender header={header} />
                {active ? (props.desc ? " ▼" : " ▲") : ""}
              </div>
            );
          })}
        </div>
      ))}
      {tableRows.length === 0 && props.emptyText ? (
        <p className="muted" style={{ padding: "8px" }}>
          {props.emptyText}
        </p>
      ) : null}
      <div className="grid-body" role="rowgroup" style={{ height: virtualizer.getTotalSize() }}>
        {visible.map((item) => {
          const entry = items?.[item.index];
          if (entry?.kind === "group") {
            const leaf = table.getAllLeafColumns();
            return (
              <div
                key={entry.id}
                role="row"
                aria-rowindex={item.index + 2}
                aria-expanded={!entry.collapsed}
                data-testid="group-row"
                className="grid-row grid-group"
                style={{ transform: `translateY(${item.start}px)`, fontWeight: 600, background: "var(--bg-hover)" }}
              >
                {leaf.map((col) => (
                  <div key={col.id} role="cell" className="grid-cell" style={{ width: layout(col.id).width }}>
                    {col.id === "name" ? (
                      <button type="button" className="link" onClick={() => toggleGroup(entry.value)}>
                        {entry.collapsed ? "▸" : "▾"} {entry.value} ({entry.count})
                      </button>
                    ) : col.id.startsWith("metrics.") ? (
                      <span title="Mean over the group">{entry.means.get(col.id) ?? ""}</span>
                    ) : null}
                  </div>
                ))}
              </div>
            );
          }
          const row = entry ? byId!.get(entry.row.id) : tableRows[item.index];
          if (!row) return null;
          return (
            <div
              key={row.id}
              role="row"
              aria-rowindex={item.index + 2}
              data-run-id={row.id}
              className={`grid-row${item.index % 2 ? " odd" : ""}${selected.has(row.id) ? " selected" : ""}`}
              style={{ transform: `translateY(${item.start}px)` }}
            >
              {row.getAllCells().map((cell) => (
                <div
                  key={cell.id}
                  role="cell"
                  className="grid-cell"
                  style={{ width: layout(cell.column.id).width }}
                  title={cell.column.id.includes(".") ? String(cell.getValue() ?? "") : undefined}
                >
                  <table.FlexRender cell={cell} />
                </div>
              ))}
            </div>
          );
        })}
      </div>
    </div>
  );
}
