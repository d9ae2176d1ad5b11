import { useMemo } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { useSessionTracePages } from "@ardea/api/queries/traces";
import { formatTime } from "@ardea/lib/format";
import { sessionPath } from "@ardea/lib/paths";
import { groupSessions } from "./sessions";
import { TraceListShell } from "./TraceListShell";

/** An experiment's sessions (traces grouped by session), most recently active first (`?filter=`). */
export default function SessionsPage() {
  const { experimentId = "" } = useParams();
  const [params] = useSearchParams();
  const filter = params.get("filter") ?? "";
  const traces = useSessionTracePages(experimentId, filter);
  const sessions = useMemo(() => groupSessions((traces.data?.pages ?? []).flatMap((p) => p.traces ?? [])), [traces.data]);
  const more = traces.hasNextPage ? "+" : "";
  return (
    <TraceListShell
      experimentId={experimentId}
      filterLabel="Filter session traces"
      placeholder="user = 'u-7' and trace.status = 'ERROR'"
      query={traces}
      summary={
        <>
          {traces.isPending ? "Loading sessions…" : `${sessions.length.toLocaleString()}${more} sessions`}
          {more ? " (counts cover the traces loaded so far)" : ""}
        </>
      }
    >
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
                <Link to={sessionPath(experimentId, s.id)}>{s.id}</Link>
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
    </TraceListShell>
  );
}
