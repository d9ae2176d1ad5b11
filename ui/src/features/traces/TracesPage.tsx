import { useMemo } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { ApiError } from "@ardea/api/client";
import { useExperiment } from "@ardea/api/queries/experiments";
import { useTracesPages } from "@ardea/api/queries/traces";
import { ExperimentTabs } from "@ardea/components/experiment/ExperimentTabs";
import { FilterBox } from "@ardea/components/search/FilterBox";
import { formatCost } from "@ardea/components/trace/spanUsage";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatDuration, formatTime } from "@ardea/lib/format";
import { toTraceRow } from "./traceRows";

/** An experiment's traces, newest first, filtered with the trace search grammar (`?filter=`). */
export default function TracesPage() {
  const { experimentId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const filter = params.get("filter") ?? "";
  const experiment = useExperiment(experimentId);
  const traces = useTracesPages(experimentId, filter);
  const rows = useMemo(() => (traces.data?.pages ?? []).flatMap((p) => (p.traces ?? []).map(toTraceRow)), [traces.data]);
  const base = `/experiments/${encodeURIComponent(experimentId)}/traces`;
  const filterError = traces.error instanceof ApiError && traces.error.status === 400;
  return (
    <section>
      <nav className="breadcrumbs">
        <Link to="/">Experiments</Link>
        <span>{experiment.data?.name ?? experimentId}</span>
      </nav>
      <h1>{experiment.data?.name ?? "Experiment"}</h1>
      <ExperimentTabs experimentId={experimentId} />
      <div className="toolbar">
        <FilterBox
          key={filter}
          label="Filter traces"
          placeholder="trace.status = 'ERROR' and tags.env = 'prod'"
          value={filter}
          onApply={(f) => setParams(f ? { filter: f } : {})}
          error={traces.error}
        />
      </div>
      {traces.error && !filterError ? <ErrorBanner error={traces.error} /> : null}
      <p className="muted">{traces.isPending ? "Loading traces…" : `${rows.length.toLocaleString()}${traces.hasNextPage ? "+" : ""} traces`}</p>
      <table className="plain" aria-label="Traces">
        <thead>
          <tr>
            <th>Trace</th>
            <th>Request</th>
            <th>Response</th>
            <th>Status</th>
            <th>Latency</th>
            <th>Tokens</th>
            <th>Cost</th>
            <th>Session</th>
            <th>Time</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-trace-id={r.id}>
              <td>
                <Link to={`${base}/${encodeURIComponent(r.id)}`}>{r.name || r.id}</Link>
              </td>
              <td className="preview-cell">{r.request}</td>
              <td className="preview-cell">{r.response}</td>
              <td className={r.state === "ERROR" ? "status-FAILED" : r.state === "OK" ? "status-FINISHED" : ""}>{r.state}</td>
              <td>{formatDuration(r.latency)}</td>
              <td>{r.tokens}</td>
              <td>{formatCost(r.cost)}</td>
              <td>{r.session ? <Link to={`/experiments/${encodeURIComponent(experimentId)}/sessions/${encodeURIComponent(r.session)}`}>{r.session}</Link> : null}</td>
              <td>{formatTime(r.time)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {traces.hasNextPage ? (
        <button type="button" onClick={() => void traces.fetchNextPage()} disabled={traces.isFetchingNextPage}>
          Load more
        </button>
      ) : null}
    </section>
  );
}
