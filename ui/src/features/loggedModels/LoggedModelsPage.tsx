import { useMemo } from "react";
import { Link, useParams } from "react-router";
import { taggedVersions, useLoggedModels } from "@ardea/api/queries/loggedModels";
import { useRunNames } from "@ardea/api/queries/runs";
import { ExperimentHeader } from "@ardea/components/experiment/ExperimentHeader";
import { keyValueSummary, loggedModelStatus } from "@ardea/components/models/modelStatus";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatMetric, formatTime } from "@ardea/lib/format";
import { loggedModelPath, runPath } from "@ardea/lib/paths";

/**
 * An experiment's logged models (the Models tab): MLflow 3 models logged with `log_model` or
 * created directly, newest first, with their source run, status and a metrics/params summary.
 */
export default function LoggedModelsPage() {
  const { experimentId = "" } = useParams();
  const models = useLoggedModels(experimentId);
  const rows = useMemo(() => (models.data?.pages ?? []).flatMap((p) => p.models), [models.data]);
  const runNames = useRunNames(experimentId, rows.flatMap((m) => (m.info.source_run_id ? [m.info.source_run_id] : [])));
  return (
    <section>
      <ExperimentHeader experimentId={experimentId} />
      <ErrorBanner error={models.error} />
      <p className="muted" aria-live="polite">
        {models.isPending ? "Loading models…" : `${rows.length.toLocaleString()}${models.hasNextPage ? "+" : ""} logged models`}
      </p>
      {!models.isPending && !models.error && rows.length === 0 ? (
        <p className="muted">No logged models yet: models logged with <code>mlflow.&lt;flavor&gt;.log_model</code> appear here.</p>
      ) : null}
      {rows.length ? (
        <table className="plain" aria-label="Logged models">
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Source run</th>
              <th>Created</th>
              <th>Metrics</th>
              <th>Parameters</th>
              <th>Registered as</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((m) => {
              const status = loggedModelStatus(m.info.status);
              const versions = taggedVersions(m);
              return (
                <tr key={m.info.model_id} data-model-id={m.info.model_id}>
                  <td>
                    <Link to={loggedModelPath(experimentId, m.info.model_id)}>{m.info.name || m.info.model_id}</Link>
                  </td>
                  <td className={status.className}>{status.label}</td>
                  <td>
                    {m.info.source_run_id ? (
                      <Link to={runPath(m.info.experiment_id, m.info.source_run_id)}>
                        {runNames.data?.get(m.info.source_run_id) ?? m.info.source_run_id}
                      </Link>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td>{formatTime(m.info.creation_timestamp_ms)}</td>
                  <td className="preview-cell" title={keyValueSummary(m.data.metrics, 50, formatMetric)}>
                    {keyValueSummary(m.data.metrics, 3, formatMetric)}
                  </td>
                  <td className="preview-cell" title={keyValueSummary(m.data.params, 50)}>
                    {keyValueSummary(m.data.params)}
                  </td>
                  <td>{versions.map((v) => `${v.name} v${v.version}`).join(", ")}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {models.hasNextPage ? (
        <button type="button" disabled={models.isFetchingNextPage} onClick={() => void models.fetchNextPage()}>
          {models.isFetchingNextPage ? "Loading…" : "Load more"}
        </button>
      ) : null}
    </section>
  );
}
