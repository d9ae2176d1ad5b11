import { lazy, Suspense, useEffect, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Link, useParams, useSearchParams } from "react-router";
import { metricHistoryQuery, useRun } from "@ardea/api/queries/runs";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { KeyValueTable } from "@ardea/components/ui/KeyValueTable";
import { formatDuration, formatMetric, formatTime, runDuration } from "@ardea/lib/format";
import { ArtifactBrowser } from "@ardea/components/artifacts/ArtifactBrowser";
import { useArtifactParam } from "@ardea/components/artifacts/useArtifactParam";
import { CHILD_LIMIT, datasetRows, useChildRuns } from "./runExtras";
import { RunDescription } from "./RunDescription";
import { parseSmoothing, parseXAxis } from "@ardea/components/run/chartData";
import { evaluationPath, runPath, simulationPath } from "@ardea/lib/paths";
import { ExperimentBreadcrumbs } from "@ardea/components/experiment/ExperimentBreadcrumbs";
import { RunModels } from "./RunModels";
import { RunOptimization } from "./RunOptimization";
import { OPTIMIZER_TAG } from "./optimization";

// uPlot and the chart code load only when a run page is opened.
const loadChart = () => import("@ardea/components/run/MetricChart");
const MetricChart = lazy(loadChart);

/** One run: overview, description, params, latest metrics with a chart, tags. */
export default function RunPage() {
  const { experimentId = "", runId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const run = useRun(runId);
  const queryClient = useQueryClient();
  const urlMetric = params.get("metric");
  useEffect(() => {
    // A metric named in the URL: fetch its history and the chart code alongside the run,
    // not after it (the chart waits for both).
    void loadChart();
    if (urlMetric) void queryClient.prefetchQuery(metricHistoryQuery(runId, urlMetric));
  }, [queryClient, runId, urlMetric]);
  const data = run.data;
  const tags = [...(data?.data.tags ?? [])].sort((a, b) => a.key.localeCompare(b.key));
  const tag = (key: string) => tags.find((t) => t.key === key)?.value;
  const metrics = [...(data?.data.metrics ?? [])].sort((a, b) => a.key.localeCompare(b.key));
  const chosen = params.get("metric") ?? metrics[0]?.key ?? "";
  const xAxis = parseXAxis(params.get("x"));
  const smoothing = parseSmoothing(params.get("smooth"));
  const log = params.get("log") === "1";
  const set = (key: string, value: string) =>
    setParams(
      (p) => {
        const n = new URLSearchParams(p);
        if (value) n.set(key, value);
        else n.delete(key);
        return n;
      },
      { replace: true },
    );

  const artifacts = useArtifactParam();

  const info = data?.info;
  const parent = tag("mlflow.parentRunId");
  const note = tag("mlflow.note.content");
  const children = useChildRuns(experimentId, runId);
  const datasets = datasetRows(data);
  const overview: [string, ReactNode][] = info
    ? [
        ["Run ID", info.run_id],
        ["Status", <span key="status" className={`status-${info.status ?? ""}`}>{info.status}</span>],
        ["Started", formatTime(info.start_time)],
        ["Ended", formatTime(info.end_time)],
        ["Duration", formatDuration(runDuration(info.start_time, info.end_time))],
        ["User", info.user_id ?? ""],
        ["Source", tag("mlflow.source.name") ?? ""],
        // Only a child run has a parent: no empty "Parent run" row on the others.
        ...(parent ? [["Parent run", <Link key="parent" to={runPath(experimentId, parent)}>{parent}</Link>] as [string, ReactNode]] : []),
        ["Artifact URI", info.artifact_uri ?? ""],
      ]
    : [];

  return (
    <section>
      <ExperimentBreadcrumbs experimentId={experimentId}>
        <span>{info?.run_name || runId}</span>
      </ExperimentBreadcrumbs>
      <h1>{info?.run_name || runId}</h1>
      {tag("mlflow.runType") === "genai_evaluate" ? (
        <p>
          <Link to={evaluationPath(experimentId, runId)}>Evaluation results</Link> (rows by scorers)
        </p>
      ) : null}
      {tag("ardea.simulation") === "true" ? (
        <p>
          <Link to={simulationPath(experimentId, runId)}>Simulated conversations</Link> (transcripts, outcomes)
        </p>
      ) : null}
      <ErrorBanner error={run.error} />
      {run.isPending ? <p className="muted">Loading…</p> : null}
      {info ? (
        <>
          <dl className="kv" aria-label="Overview">
            {overview.map(([k, v]) => (
              <div key={k} style={{ display: "contents" }}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
          {tag(OPTIMIZER_TAG) ? <RunOptimization runId={runId} /> : null}
          <h2>Description</h2>
          <RunDescription runId={runId} experimentId={experimentId} note={note ?? ""} />
          <h2>Child runs</h2>
          {children.data?.runs.length ? (
            <ul aria-label="Child runs">
              {children.data.runs.map((c) => (
                <li key={c.info.run_id}>
                  <Link to={runPath(c.info.experiment_id || experimentId, c.info.run_id)}>
                    {c.info.run_name || c.info.run_id}
                  </Link>{" "}
                  <span className={`status-${c.info.status ?? ""}`}>{c.info.status}</span>
                </li>
              ))}
              {children.data.more ? <li className="muted">Showing the first {CHILD_LIMIT}.</li> : null}
            </ul>
          ) : (
            <p className="muted">{children.isPending ? "Loading…" : "None."}</p>
          )}
          <ErrorBanner error={children.error} />
          <h2>Datasets</h2>
          {datasets.length ? (
            <table className="plain" aria-label="Datasets">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Digest</th>
                  <th>Source type</th>
                  <th>Context</th>
                </tr>
              </thead>
              <tbody>
                {datasets.map((d, i) => (
                  <tr key={`${d.name}:${d.digest}:${i}`}>
                    <td>{d.name}</td>
                    <td>{d.digest}</td>
                    <td>{d.sourceType}</td>
                    <td>{d.context}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">None.</p>
          )}
          <h2>Metrics</h2>
          {metrics.length ? (
            <>
              <div className="toolbar">
                <label>
                  Metric{" "}
                  <select aria-label="Metric" value={chosen} onChange={(e) => set("metric", e.target.value)}>
                    {metrics.map((m) => (
                      <option key={m.key} value={m.key}>
                        {m.key}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  X axis{" "}
                  <select aria-label="X axis" value={xAxis} onChange={(e) => set("x", e.target.value === "step" ? "" : e.target.value)}>
                    <option value="step">Step</option>
                    <option value="time">Time</option>
                    <option value="relative">Relative time (s)</option>
                  </select>
                </label>
                <label>
                  Smoothing{" "}
                  <input
                    type="range"
                    aria-label="Smoothing"
                    min={0}
                    max={0.99}
                    step={0.01}
                    value={smoothing}
                    onChange={(e) => set("smooth", Number(e.target.value) > 0 ? e.target.value : "")}
                  />{" "}
                  <span className="muted">{smoothing.toFixed(2)}</span>
                </label>
                <label>
                  <input type="checkbox" checked={log} onChange={(e) => set("log", e.target.checked ? "1" : "")} /> Log scale
                </label>
              </div>
              <Suspense fallback={<p className="muted">Loading chart…</p>}>
                <MetricChart runId={runId} metricKey={chosen} x={xAxis} log={log} smoothing={smoothing} />
              </Suspense>
              <table className="plain" aria-label="Latest metrics">
                <thead>
                  <tr>
                    <th>Metric</th>
                    <th>Latest value</th>
                    <th>Step</th>
                    <th>Logged</th>
                  </tr>
                </thead>
                <tbody>
                  {metrics.map((m) => (
                    <tr key={m.key}>
                      <td>
                        <button type="button" className="link" onClick={() => set("metric", m.key)}>
                          {m.key}
                        </button>
                      </td>
                      <td>{formatMetric(m.value)}</td>
                      <td>{String(m.step)}</td>
                      <td>{formatTime(m.timestamp)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : (
            <p className="muted">No metrics.</p>
          )}
          <h2>Parameters</h2>
          <KeyValueTable label="Parameters" items={[...(data.data.params ?? [])].sort((a, b) => a.key.localeCompare(b.key))} />
          <h2>Tags</h2>
          <KeyValueTable label="Tags" items={tags.filter((t) => t.key !== "mlflow.note.content")} />
          <h2>Models</h2>
          <RunModels run={data} />
          <h2>Artifacts</h2>
          <ArtifactBrowser
            source={{ kind: "run", runId }}
            selected={artifacts.selected}
            onSelect={artifacts.onSelect}
            empty={
              data.outputs?.model_outputs?.length
                ? "No artifacts. The models this run logged keep their files with them: see Models above."
                : "No artifacts."
            }
          />
        </>
      ) : null}
    </section>
  );
}
