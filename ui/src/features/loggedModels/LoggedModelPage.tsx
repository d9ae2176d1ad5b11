import { Link, useParams } from "react-router";
import { useLoggedModel, useLoggedModelRuns, useVersionsOfLoggedModel } from "@ardea/api/queries/loggedModels";
import { ExperimentBreadcrumbs } from "@ardea/components/experiment/ExperimentBreadcrumbs";
import { ModelDetails } from "@ardea/components/models/ModelDetails";
import { loggedModelStatus } from "@ardea/components/models/modelStatus";
import { loggedModelUris } from "@ardea/components/models/serveCommands";
import { RunLink } from "@ardea/components/run/RunLink";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { KeyValueTable } from "@ardea/components/ui/KeyValueTable";
import { formatMetric, formatTime } from "@ardea/lib/format";
import { loggedModelsPath, modelVersionPath } from "@ardea/lib/paths";
import { linkedRuns } from "./linkedRuns";

const byKey = <T extends { key: string }>(items: readonly T[]) => [...items].sort((a, b) => a.key.localeCompare(b.key));

/**
 * One logged model: its metadata, its details (signature, example, flavours, requirements, how
 * to serve it) and files (browsed and previewed as run artifacts are), params,
 * metrics, tags, the runs that produced or used it, and the registered versions made from it.
 */
export default function LoggedModelPage() {
  const { experimentId = "", modelId = "" } = useParams();
  const model = useLoggedModel(modelId);
  const runs = useLoggedModelRuns(modelId);
  const versions = useVersionsOfLoggedModel(modelId, model.data);
  const m = model.data;
  const status = loggedModelStatus(m?.info.status);
  const runRows = linkedRuns(m, runs.data ?? []);
  return (
    <section>
      <ExperimentBreadcrumbs experimentId={experimentId}>
        <Link to={loggedModelsPath(experimentId)}>Models</Link>
        <span>{m?.info.name || modelId}</span>
      </ExperimentBreadcrumbs>
      <h1>{m?.info.name || modelId}</h1>
      <ErrorBanner error={model.error} />
      {model.isPending ? <p className="muted">Loading…</p> : null}
      {m ? (
        <>
          <dl className="kv" aria-label="Model overview">
            <dt>Model ID</dt>
            <dd>{m.info.model_id}</dd>
            <dt>Status</dt>
            <dd className={status.className}>
              {status.label}
              {m.info.status_message ? ` (${m.info.status_message})` : ""}
            </dd>
            {m.info.model_type ? (
              <>
                <dt>Type</dt>
                <dd>{m.info.model_type}</dd>
              </>
            ) : null}
            <dt>Created</dt>
            <dd>{formatTime(m.info.creation_timestamp_ms)}</dd>
            <dt>Last modified</dt>
            <dd>{formatTime(m.info.last_updated_timestamp_ms)}</dd>
            {m.info.source_run_id ? (
              <>
                <dt>Source run</dt>
                <dd data-testid="model-source-run">
                  <RunLink runId={m.info.source_run_id} />
                </dd>
              </>
            ) : null}
            <dt>Artifact URI</dt>
            <dd>{m.info.artifact_uri}</dd>
          </dl>
          <ModelDetails
            source={{ kind: "loggedModel", modelId }}
            uris={loggedModelUris(modelId, m.info.name, m.info.source_run_id)}
            name={m.info.name || modelId}
            filesLabel="Model files"
            filesEmpty="No files (the model's upload may not have finished)."
          />
          <h2>Registered versions</h2>
          <ErrorBanner error={versions.error} />
          {versions.versions.length ? (
            <ul aria-label="Registered versions">
              {versions.versions.map((v) => (
                <li key={`${v.name}:${v.version}`}>
                  <Link to={modelVersionPath(v.name, v.version)}>
                    {v.name} v{v.version}
                  </Link>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">{versions.isPending ? "Loading…" : "Not registered."}</p>
          )}
          <h2>Runs</h2>
          <ErrorBanner error={runs.error} />
          {runRows.length ? (
            <table className="plain" aria-label="Runs of this model">
              <thead>
                <tr>
                  <th>Run</th>
                  <th>How</th>
                </tr>
              </thead>
              <tbody>
                {runRows.map((r) => (
                  <tr key={r.runId}>
                    <td>
                      <RunLink runId={r.runId} />
                    </td>
                    <td>{r.how}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">{runs.isPending ? "Loading…" : "None."}</p>
          )}
          <h2>Metrics</h2>
          {m.data.metrics.length ? (
            <table className="plain" aria-label="Model metrics">
              <thead>
                <tr>
                  <th>Metric</th>
                  <th>Value</th>
                  <th>Step</th>
                  <th>Dataset</th>
                  <th>Run</th>
                </tr>
              </thead>
              <tbody>
                {m.data.metrics.map((x, i) => (
                  <tr key={`${x.key}:${x.step}:${x.timestamp}:${i}`}>
                    <td>{x.key}</td>
                    <td>{formatMetric(x.value)}</td>
                    <td>{String(x.step ?? "")}</td>
                    <td>{x.dataset_name ?? ""}</td>
                    <td>{x.run_id ? <RunLink runId={x.run_id} /> : null}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">No metrics.</p>
          )}
          <h2>Parameters</h2>
          <KeyValueTable label="Model parameters" items={byKey(m.data.params)} />
          <h2>Tags</h2>
          <KeyValueTable label="Model tags" items={byKey(m.info.tags)} />
        </>
      ) : null}
    </section>
  );
}
