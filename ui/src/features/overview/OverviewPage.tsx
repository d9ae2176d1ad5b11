import { lazy, Suspense, useMemo, useState } from "react";
import { useParams, useSearchParams } from "react-router";
import { useTraceMetrics } from "@ardea/api/queries/traceMetrics";
import { ExperimentHeader } from "@ardea/components/experiment/ExperimentHeader";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatTime } from "@ardea/lib/format";
import { BestRuns } from "./BestRuns";
import { QualityOverTime } from "./QualityOverTime";
import { formatValue, passRateChart, traceCharts, type ChartSpec } from "./overviewSeries";
import { RangePicker } from "@ardea/components/charts/RangePicker";
import { BUCKETS, resolveRange, type RangeKey } from "@ardea/components/charts/timeRange";
import "./overview.css";

// uPlot and the chart code load after the page shell.
const TimeChart = lazy(() => import("@ardea/components/charts/TimeChart"));

function ChartCard({ spec }: { spec: ChartSpec }) {
  return (
    <figure className="overview-card" aria-label={spec.title}>
      <figcaption>{spec.title}</figcaption>
      <Suspense fallback={<p className="muted">Loading chart…</p>}>
        <TimeChart spec={spec} />
      </Suspense>
    </figure>
  );
}

/** An experiment's overview: trace charts over a time range, pass rates, and the best runs. */
export default function OverviewPage() {
  const { experimentId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  // "Now" is read once, and again whenever a range is chosen or Refresh is pressed.
  const [now, setNow] = useState(() => Date.now());
  const range = resolveRange(params, now);
  const metrics = useTraceMetrics(experimentId, range.startMs, range.endMs, BUCKETS);
  const charts = useMemo(() => (metrics.data ? traceCharts(metrics.data) : []), [metrics.data]);
  const passChart = useMemo(() => (metrics.data ? passRateChart(metrics.data) : null), [metrics.data]);
  const totals = metrics.data?.totals;
  // A training experiment (runs, no traces): no row of empty trace charts; its runs come first.
  const noTraces = totals !== undefined && totals.trace_count === 0;
  const bestRuns = <BestRuns experimentId={experimentId} />;

  const setRange = (key: RangeKey, custom?: { from: number; to: number }) => {
    setNow(Date.now());
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      next.set("range", key);
      next.delete("from");
      next.delete("to");
      if (custom) {
        next.set("from", String(custom.from));
        next.set("to", String(custom.to));
      }
      return next;
    });
  };

  return (
    <section>
      <ExperimentHeader experimentId={experimentId} />
      <RangePicker key={`${range.key}-${range.startMs}-${range.endMs}`} range={range} onChange={setRange} />
      {range.error ? <div className="error-banner" role="alert">{range.error}</div> : null}
      <p className="muted">
        {formatTime(range.startMs)} – {formatTime(range.endMs)}{" "}
        <button
          type="button"
          className="link"
          onClick={() => {
            setNow(Date.now());
            void metrics.refetch();
          }}
        >
          Refresh
        </button>
      </p>
      <ErrorBanner error={metrics.error} />
      {noTraces ? (
        <>
          {bestRuns}
          <p className="muted" data-testid="no-traces">
            No traces in this range, so no trace charts. The charts of trace count, latency, errors, tokens and cost appear
            for experiments whose GenAI apps log traces (MLflow tracing or OTLP).
          </p>
        </>
      ) : totals ? (
        <dl className="overview-totals" aria-label="Totals">
          <div>
            <dt>Traces</dt>
            <dd data-testid="total-traces">{formatValue(totals.trace_count, "count")}</dd>
          </div>
          <div>
            <dt>Errors</dt>
            <dd data-testid="total-errors">
              {formatValue(totals.error_count, "count")}
              {totals.trace_count ? ` (${formatValue(totals.error_count / totals.trace_count, "ratio")})` : ""}
            </dd>
          </div>
          <div>
            <dt>Latency p50 / p90 / p99</dt>
            <dd>
              {[totals.latency_p50_ms, totals.latency_p90_ms, totals.latency_p99_ms].map((v) => formatValue(v, "ms") || "–").join(" / ")}
            </dd>
          </div>
          <div>
            <dt>Tokens in / out</dt>
            <dd>
              {formatValue(totals.input_tokens, "tokens")} / {formatValue(totals.output_tokens, "tokens")}
            </dd>
          </div>
          <div>
            <dt>Cost</dt>
            <dd>{formatValue(totals.cost, "cost")}</dd>
          </div>
        </dl>
      ) : metrics.isPending ? (
        <p className="muted">Loading trace metrics…</p>
      ) : null}
      {noTraces ? null : (
        <div className="overview-grid">
          {charts.map((c) => (
            <ChartCard key={c.id} spec={c} />
          ))}
        </div>
      )}
      {metrics.data && metrics.data.assessments.length ? (
        <section aria-label="Assessments">
          <h2>Assessments</h2>
          <table className="plain" aria-label="Assessment pass rates">
            <thead>
              <tr>
                <th>Name</th>
                <th>Pass rate</th>
                <th>Assessed</th>
                <th>Mean value</th>
              </tr>
            </thead>
            <tbody>
              {metrics.data.assessments.map((a) => (
                <tr key={a.name}>
                  <td>{a.name}</td>
                  <td>{a.pass_rate === null ? "–" : formatValue(a.pass_rate, "ratio")}</td>
                  <td>{a.count}</td>
                  <td>{a.numeric_mean === null ? "–" : String(Number(a.numeric_mean.toPrecision(4)))}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {passChart ? (
            <div className="overview-grid">
              <ChartCard spec={passChart} />
            </div>
          ) : null}
        </section>
      ) : null}
      {noTraces ? null : (
        <QualityOverTime experimentId={experimentId} startMs={range.startMs} endMs={range.endMs} buckets={BUCKETS} />
      )}
      {noTraces ? null : bestRuns}
    </section>
  );
}
