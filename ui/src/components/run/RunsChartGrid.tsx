import { useEffect, useMemo, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useMetricBulk } from "@ardea/api/queries/runs";
import type { Run } from "@ardea/api/types";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { barData, barRange, chartSpecs, latestValues, lineData, type MetricChartSpec } from "./runCharts";
import { allIntegers, integerTicks, recordTicks } from "./ticks";
import { tooltipPlugin } from "./uplotTooltip";

const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#9333ea", "#0891b2", "#db2777", "#65a30d", "#7c3aed", "#ea580c"];
const HEIGHT = 200;
/** At most this many metrics get a chart (by name); the rest are listed. */
export const CHART_METRICS_LIMIT = 30;

const color = (i: number) => PALETTE[i % PALETTE.length]!;
const runName = (r: Run) => r.info.run_name || r.info.run_id;

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** A uPlot chart in a box that follows its width; rebuilt when `build` changes. */
function SmallPlot({ build, data, testId }: { build: (width: number, el: HTMLElement) => uPlot.Options; data: uPlot.AlignedData | null; testId: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(320);
  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => setWidth(Math.max(180, Math.floor(el.clientWidth))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  useEffect(() => {
    const el = box.current;
    if (!el || !data) return;
    const plot = new uPlot(build(width, el), data, el);
    return () => plot.destroy();
  }, [build, data, width]);
  return <div ref={box} data-testid={testId} />;
}

function axisStyle() {
  const grid = { stroke: cssVar("--chart-grid", "rgba(128,128,128,0.15)"), width: 1 };
  return { stroke: cssVar("--fg-muted", "#666"), grid, ticks: grid, size: 40 };
}

/** A metric logged over steps: each run's (sampled) history, overlaid. */
function LineCard({ spec, runs }: { spec: MetricChartSpec; runs: Run[] }) {
  const ids = useMemo(() => runs.map((r) => r.info.run_id), [runs]);
  const points = useMetricBulk(ids, spec.key);
  const data = useMemo(() => (points.data ? (lineData(points.data, ids) as uPlot.AlignedData) : null), [points.data, ids]);
  const build = useMemo(() => {
    const integral = data ? data.slice(1).every((ys) => allIntegers(ys as (number | null)[])) : false;
    return (width: number, el: HTMLElement): uPlot.Options => {
      const axis = axisStyle();
      return {
        width,
        height: HEIGHT,
        legend: { show: false },
        scales: { x: { time: false } },
        axes: [{ ...axis, ...integerTicks("x", recordTicks(el, "x")) }, integral ? { ...axis, ...integerTicks("y", recordTicks(el, "y")) } : axis],
        series: [{ label: "step" }, ...runs.map((r, i) => ({ label: runName(r), stroke: color(i), width: 1.5, spanGaps: true, points: { show: (data?.[0].length ?? 0) <= 30 } }))],
        cursor: { drag: { x: true, y: false }, focus: { prox: 16 } },
        focus: { alpha: 0.3 },
        plugins: [tooltipPlugin((x) => `step ${x}`)],
      };
    };
  }, [runs, data]);
  return (
    <>
      <ErrorBanner error={points.error} />
      {points.isPending ? <p className="muted">Loading…</p> : null}
      <SmallPlot build={build} data={data} testId="line-chart" />
    </>
  );
}

/** A metric logged once per run: its latest value as one bar per run. */
function BarCard({ spec, runs }: { spec: MetricChartSpec; runs: Run[] }) {
  const values = useMemo(() => latestValues(runs, spec.key), [runs, spec.key]);
  const data = useMemo(() => barData(values) as uPlot.AlignedData, [values]);
  const build = useMemo(() => {
    const [lo, hi] = barRange(values);
    const names = runs.map(runName);
    const bars = uPlot.paths.bars!({ size: [0.7, 60], align: 0 });
    return (width: number): uPlot.Options => {
      const axis = axisStyle();
      const chars = Math.max(3, Math.floor(width / Math.max(1, names.length) / 7));
      return {
        width,
        height: HEIGHT,
        legend: { show: false },
        scales: { x: { time: false, range: [-0.5, names.length - 0.5] }, y: { range: [lo, hi] } },
        axes: [
          {
            ...axis,
            splits: () => names.map((_, i) => i),
            values: (_u, splits) => splits.map((i) => {
              const n = names[i] ?? "";
              return n.length > chars ? `${n.slice(0, chars - 1)}…` : n;
            }),
          },
          allIntegers(values) ? { ...axis, ...integerTicks("y") } : axis,
        ],
        series: [{ label: "run" }, ...runs.map((r, i) => ({ label: runName(r), stroke: color(i), fill: color(i), width: 0, paths: bars, points: { show: false } }))],
        cursor: { drag: { x: false, y: false } },
        plugins: [tooltipPlugin((x) => names[x] ?? "")],
      };
    };
  }, [runs, values]);
  return <SmallPlot build={build} data={data} testId="bar-chart" />;
}

/**
 * The chart view of the runs page: one small chart per metric (by name, at most
 * `CHART_METRICS_LIMIT`), `runs` overlaid in the same colours everywhere: a line chart of the
 * history for metrics logged over steps (one request per metric for all runs, sampled by the
 * server), a bar chart of the latest values otherwise.
 */
export default function RunsChartGrid({ runs }: { runs: Run[] }) {
  const specs = useMemo(() => chartSpecs(runs), [runs]);
  const shown = specs.slice(0, CHART_METRICS_LIMIT);
  if (runs.length === 0) return <p className="muted">No runs to chart.</p>;
  if (specs.length === 0) return <p className="muted">These runs have no metrics.</p>;
  return (
    <div>
      <p className="chart-legend" aria-label="Charted runs">
        {runs.map((r, i) => (
          <span key={r.info.run_id} style={{ color: color(i) }}>
            ■ {runName(r)}
          </span>
        ))}
      </p>
      <div className="chart-grid">
        {shown.map((spec) => (
          <figure key={spec.key} className="chart-card" aria-label={`Chart of ${spec.key}`} data-kind={spec.kind}>
            <figcaption title={spec.key}>
              {spec.key} <span className="muted">{spec.kind === "line" ? "by step" : "latest"}</span>
            </figcaption>
            {spec.kind === "line" ? <LineCard spec={spec} runs={runs} /> : <BarCard spec={spec} runs={runs} />}
          </figure>
        ))}
      </div>
      {specs.length > shown.length ? (
        <p className="muted">
          Showing the first {CHART_METRICS_LIMIT} of {specs.length} metrics by name; not charted: {specs.slice(CHART_METRICS_LIMIT).map((s) => s.key).join(", ")}.
        </p>
      ) : null}
    </div>
  );
}
