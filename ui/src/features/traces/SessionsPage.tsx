import { useMemo } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { ApiError } from "@ardea/api/client";
import { useExperiment } from "@ardea/api/queries/experiments";
import { useSessionTracePages } from "@ardea/api/queries/traces";
import { ExperimentTabs } from "@ardea/components/experiment/ExperimentTabs";
import { FilterBox } from "@ardea/components/search/FilterBox";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatTime } from "@ardea/lib/format";
import { groupSessions } from "./sessions";

/** An experiment's sessions (traces grouped by session), most recently active first (`?filter=`). */
export default function SessionsPage() {
  const { experimentId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const filter = params.get("filter") ?? "";
  const experiment = useExperiment(experimentId);
  const traces = useSessionTracePages(experimentId, filter);
  const sessions = useMemo(() => groupSessions((traces.data?.pages ?? []).flatMap((p) => p.traces ?? [])), [traces.data]);
  const base = `/experiments/${encodeURIComponent(experimentId)}/sessions`;
  const filterError = traces.error instanceof ApiError && traces.error.status === 400;
  const more = traces.hasNextPage ? "+" : "";
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
          label="Filter session traces"
          placeholder="user = 'u-7' and trace.status = 'ERROR'"
          value={filter}
          onApply={(f) => setParams(f ? { filter: f } : {})}
          error={traces.error}
        />
      </div>
      {traces.error && !filterError ? <ErrorBanner error={traces.error} /> : null}
      <p className="muted">
        {traces.isPending ? "Loading sessions…" : `${sessions.length.toLocaleString()}${more} sessions`}
        {more ? " (counts cover the traces loaded so far)" : ""}
      </p>
      <table className="plain" aria-label="Sessions">
        <thead>
          <tr>
            <th>Session</th>
            <th>Turns</th>
            <th>First request</th>
            <th>User</th>
            <th>Errors</th>
            <th>Started</th>
            <th>Last activity</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.id} data-session-id={s.id}>
              <td>
                <Link to={`${base}/${encodeURIComponent(s.id)}`}>{s.id}</Link>
              </td>
              <td>{s.turns}</td>
              <td className="preview-cell">{s.firstRequest}</td>
              <td>{s.user}</td>
              <td className={s.errors ? "status-FAILED" : ""}>{s.errors || ""}</td>
              <td>{formatTime(s.first)}</td>
              <td>{formatTime(s.last)}</td>
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
