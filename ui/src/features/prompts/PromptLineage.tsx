import { Link } from "react-router";
import { usePromptLineage } from "@ardea/api/queries/promptLineage";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatTime } from "@ardea/lib/format";
import { runPath, tracePath } from "@ardea/lib/paths";

const versionsText = (versions: string[]) => versions.map((v) => `v${v}`).join(", ");

/** The runs and traces whose `mlflow.linkedPrompts` tag names this prompt (any version). */
export function PromptLineage({ name }: { name: string }) {
  const lineage = usePromptLineage(name);
  if (lineage.error) return <ErrorBanner error={lineage.error} prefix="Could not search runs and traces" />;
  if (!lineage.data) return <p className="muted">Searching runs and traces…</p>;
  const { runs, traces } = lineage.data;
  return (
    <>
      <h3>Runs ({runs.length})</h3>
      {runs.length ? (
        <table className="plain" aria-label="Runs that used the prompt">
          <thead>
            <tr>
              <th>Run</th>
              <th>Versions</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.runId}>
                <td>
                  <Link to={runPath(r.experimentId, r.runId)}>
                    {r.runName || r.runId}
                  </Link>
                </td>
                <td>{versionsText(r.versions)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No runs linked to this prompt.</p>
      )}
      <h3>Traces ({traces.length})</h3>
      {traces.length ? (
        <table className="plain" aria-label="Traces that used the prompt">
          <thead>
            <tr>
              <th>Trace</th>
              <th>Versions</th>
              <th>Time</th>
            </tr>
          </thead>
          <tbody>
            {traces.map((t) => (
              <tr key={t.traceId}>
                <td>
                  <Link to={tracePath(t.experimentId, t.traceId)}>
                    {t.name || t.traceId}
                  </Link>
                </td>
                <td>{versionsText(t.versions)}</td>
                <td>{formatTime(Date.parse(t.requestTime))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No traces linked to this prompt.</p>
      )}
    </>
  );
}
