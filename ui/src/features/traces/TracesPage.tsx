import { useMemo } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { useTracesPages } from "@ardea/api/queries/traces";
import { traceStateView } from "@ardea/components/trace/status";
import { StatusBadge } from "@ardea/components/trace/StatusBadge";
import { formatCost } from "@ardea/components/trace/spanUsage";
import { formatDuration, formatTime } from "@ardea/lib/format";
import { sessionPath, tracePath } from "@ardea/lib/paths";
import { TraceListShell } from "./TraceListShell";
import { TraceTagChips } from "./TraceTagChips";
import { toTraceRow, truncate } from "./traceRows";
import { formatTraceSort, parseTraceSort, toggleTraceSort, traceOrderBy, withParam, type TraceSort, type TraceSortKey } from "./traceSort";
import "./traces.css";

interface SortHeaderProps {
  label: string;
  sortKey: TraceSortKey;
  sort: TraceSort;
  onSort: (key: TraceSortKey) => void;
}

function SortHeader({ label, sortKey, sort, onSort }: SortHeaderProps) {
  const active = sort.key === sortKey;
  return (
    <th aria-sort={active ? (sort.desc ? "descending" : "ascending") : undefined}>
      <button type="button" className="link sort-header" title={`Sort by ${label.toLowerCase()}`} onClick={() => onSort(sortKey)}>
        {label}
        {active ? <span aria-hidden="true">{sort.desc ? " ▼" : " ▲"}</span> : null}
      </button>
    </th>
  );
}

/**
 * An experiment's traces, filtered with the trace search grammar (`?filter=`) and sorted by a
 * column on the server (`?sort=execution_time_ms:desc`; newest first without it).
 */
export default function TracesPage() {
  const { experimentId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const filter = params.get("filter") ?? "";
  const sort = parseTraceSort(params.get("sort"));
  const orderBy = traceOrderBy(sort);
  const traces = useTracesPages(experimentId, filter, orderBy);
  const rows = useMemo(() => (traces.data?.pages ?? []).flatMap((p) => (p.traces ?? []).map(toTraceRow)), [traces.data]);
  const onSort = (key: TraceSortKey) => setParams((cur) => withParam(cur, "sort", formatTraceSort(toggleTraceSort(sort, key))));
  const head = { sort, onSort };
  return (
    <TraceListShell
      experimentId={experimentId}
      filterLabel="Filter traces"
      placeholder="trace.status = 'ERROR' and tags.env = 'prod'"
      query={traces}
      summary={traces.isPending ? "Loading traces…" : `${rows.length.toLocaleString()}${traces.hasNextPage ? "+" : ""} traces`}
    >
      <table className="plain traces-table" aria-label="Traces">
        <thead>
          <tr>
            <th>Trace</th>
            <SortHeader label="Request ID" sortKey="request_id" {...head} />
            <th>Request</th>
            <th>Response</th>
            <SortHeader label="Status" sortKey="status" {...head} />
            <SortHeader label="Latency" sortKey="execution_time_ms" {...head} />
            <th>Tokens</th>
            <th>Cost</th>
            <th>Tags</th>
            <th>Session</th>
            <SortHeader label="Time" sortKey="timestamp_ms" {...head} />
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-trace-id={r.id}>
              <td>
                <Link to={tracePath(experimentId, r.id)}>{r.name || r.id}</Link>
              </td>
              <td className="trace-id" title={r.id}>
                {truncate(r.id, 14)}
              </td>
              <td className="preview-cell">{r.request}</td>
              <td className="preview-cell">{r.response}</td>
              <td>
                <StatusBadge view={traceStateView(r.state)} />
              </td>
              <td>{formatDuration(r.latency)}</td>
              <td>{r.tokens}</td>
              <td>{formatCost(r.cost)}</td>
              <td>
                <TraceTagChips tags={r.tags} />
              </td>
              <td>{r.session ? <Link to={sessionPath(experimentId, r.session)}>{r.session}</Link> : null}</td>
              <td>{formatTime(r.time)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TraceListShell>
  );
}
