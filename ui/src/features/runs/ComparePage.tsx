import { lazy, Suspense, useMemo, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { useRunsById } from "@ardea/api/queries/runs";
import { ExperimentBreadcrumbs } from "@ardea/components/experiment/ExperimentBreadcrumbs";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { diffRows, type DiffRow } from "./diffRows";
import { parseXAxis } from "@ardea/components/run/chartData";
import { availableDims, defaultScatterAxes } from "@ardea/components/run/parallel";
import { ParallelCoordinates, ScatterPlot } from "@ardea/components/run/RunPlots";
import { runsPath } from "@ardea/lib/paths";

/** Default parallel-coordinates axes: the differing params and metrics, at most this many. */
const DEFAULT_AXES = 6;

function dimLabel(d: string): string {
  return d.startsWith("param:") ? `param ${d.slice(6)}` : `metric ${d.slice(7)}`;
}

const CompareChart = lazy(() => import("@ardea/components/run/CompareChart"));

/** At most this many runs are compared (each is one request). */
const COMPARE_LIMIT = 50;

/** At most this many runs are drawn in the overlaid chart. */
const CHART_LIMIT = 8;

/** Selected runs side by side: params and latest metrics (differences highlighted), a chart. */
export default function ComparePage() {
  const { experimentId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const allIds = params.getAll("sel");
  const ids = allIds.slice(0, COMPARE_LIMIT);
  const queries = useRunsById(ids);
  const runs = queries.flatMap((q) => (q.data ? [q.data] : []));
  const error = queries.find((q) => q.error)?.error;
  const [onlyDiffs, setOnlyDiffs] = useState(params.get("diff") === "1");
  const dataKey = queries.map((q) => q.dataUpdatedAt).join(",");
  const rows = useMemo(
    () => ({ params: diffRows(runs, "params"), metrics: diffRows(runs, "metrics") }),
    // dataKey stands for the runs' contents.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [dataKey],
  );
  const metricKeys = rows.metrics.map((r) => r.label);
  const metric = params.get("metric") ?? metricKeys[0] ?? "";
  const log = params.get("log") === "1";
  const xAxis = parseXAxis(params.get("x"));
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
  const chartRuns = useMemo(
    () => runs.slice(0, CHART_LIMIT).map((r) => ({ id: r.info.run_id, name: r.info.run_name || r.info.run_id })),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [dataKey],
  );
  const dims = useMemo(
    () => availableDims(runs),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [dataKey],
  );
  const differing = [...rows.params, ...rows.metrics].filter((r) => r.differs).map((r) => r.id.replace(/^params\./, "param:").replace(/^metrics\./, "metric:"));
  const pcParam = params.getAll("pc").filter((d) => dims.includes(d));
  const pcDims = params.has("pc") ? pcParam : (differing.length ? differing : dims).slice(0, DEFAULT_AXES);
  const metricDims = dims.filter((d) => d.startsWith("metric:"));
  const sxRaw = params.get("sx") ?? "";
  const syRaw = params.get("sy") ?? "";
  // By default a param (or metric) that varies over the runs against a varying metric.
  const scatterDefaults = useMemo(
    () => defaultScatterAxes(runs, dims),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [dataKey, dims],
  );
  const sx = dims.includes(sxRaw) ? sxRaw : scatterDefaults.x;
  const sy = metricDims.includes(syRaw) ? syRaw : scatterDefaults.y;
  const setAxes = (next: string[]) =>
    setParams(
      (p) => {
        const n = new URLSearchParams(p);
        n.delete("pc");
        if (next.length === 0) n.append("pc", "");
        for (const d of next) n.append("pc", d);
        return n;
      },
      { replace: true },
    );
  const back = new URLSearchParams(allIds.map((id) => ["sel", id]));

  const table = (title: string, list: DiffRow[]) => (
    <>
      <h2>{title}</h2>
      {/* One fixed layout for both tables: the same column widths, so params and metrics line up. */}
      <div className="compare-scroll">
        <table className="plain compare" aria-label={title} style={{ minWidth: 220 + runs.length * 110 }}>
          <colgroup>
            <col className="compare-key" />
            {runs.map((r) => (
              <col key={r.info.run_id} />
            ))}
          </colgroup>
          <thead>
            <tr>
              <th>Key</th>
              {runs.map((r) => (
                <th key={r.info.run_id}>{r.info.run_name || r.info.run_id}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {list
              .filter((r) => !onlyDiffs || r.differs)
              .map((r) => (
                <tr key={r.id} className={r.differs ? "differs" : ""} data-differs={r.differs}>
                  <th scope="row">{r.label}</th>
                  {r.values.map((v, i) => (
                    <td key={i}>{v}</td>
                  ))}
                </tr>
              ))}
          </tbody>
        </table>
      </div>
    </>
  );

  return (
    <section>
      <ExperimentBreadcrumbs experimentId={experimentId}>
        <Link to={runsPath(experimentId, back)}>Runs</Link>
        <span>Compare</span>
      </ExperimentBreadcrumbs>
      <h1>Compare {ids.length} runs</h1>
      {allIds.length > ids.length ? <p className="muted">Showing the first {COMPARE_LIMIT} of {allIds.length} selected runs.</p> : null}
      <ErrorBanner error={error} />
      <div className="toolbar">
        <label>
          <input
            type="checkbox"
            checked={onlyDiffs}
            onChange={(e) => {
              setOnlyDiffs(e.target.checked);
              set("diff", e.target.checked ? "1" : "");
            }}
          />{" "}
          Only differences
        </label>
      </div>
      {table("Parameters", rows.params)}
      {table("Metrics", rows.metrics)}
      {dims.length ? (
        <>
          <h2>Parallel coordinates</h2>
          <details className="toolbar">
            <summary>Axes ({pcDims.length})</summary>
            {dims.map((d) => (
              <label key={d} style={{ display: "block" }}>
                <input
                  type="checkbox"
                  checked={pcDims.includes(d)}
                  onChange={(e) => setAxes(e.target.checked ? dims.filter((x) => x === d || pcDims.includes(x)) : pcDims.filter((x) => x !== d))}
                />{" "}
                {dimLabel(d)}
              </label>
            ))}
          </details>
          <ParallelCoordinates runs={runs} dims={pcDims} />
          <h2>Scatter</h2>
          <div className="toolbar">
            <label>
              X{" "}
              <select aria-label="Scatter X" value={sx} onChange={(e) => set("sx", e.target.value)}>
                {dims.map((d) => (
                  <option key={d} value={d}>
                    {dimLabel(d)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Y{" "}
              <select aria-label="Scatter Y" value={sy} onChange={(e) => set("sy", e.target.value)}>
                {metricDims.map((d) => (
                  <option key={d} value={d}>
                    {dimLabel(d)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {sy ? <ScatterPlot runs={runs} x={sx} y={sy} /> : <p className="muted">No metric to plot.</p>}
        </>
      ) : null}
      {metric ? (
        <>
          <h2>Chart</h2>
          <div className="toolbar">
            <select aria-label="Metric" value={metric} onChange={(e) => set("metric", e.target.value)}>
              {metricKeys.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
            <select aria-label="X axis" value={xAxis} onChange={(e) => set("x", e.target.value === "step" ? "" : e.target.value)}>
              <option value="step">Step</option>
              <option value="time">Time</option>
              <option value="relative">Relative time (s)</option>
            </select>
            <label>
              <input type="checkbox" checked={log} onChange={(e) => set("log", e.target.checked ? "1" : "")} /> Log scale
            </label>
            {runs.length > CHART_LIMIT ? <span className="muted">The chart shows the first {CHART_LIMIT} runs.</span> : null}
          </div>
          <Suspense fallback={<p className="muted">Loading chart…</p>}>
            <CompareChart runs={chartRuns} metricKey={metric} x={xAxis} log={log} />
          </Suspense>
        </>
      ) : null}
    </section>
  );
}
