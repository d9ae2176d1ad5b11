import { useEffect, useMemo, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useMetricHistories } from "@ardea/api/queries/runs";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { chartPoints, visibleSeries, type XAxis } from "./chartData";
import { allIntegers, integerTicks, recordTicks } from "./ticks";
import { formatCursorX, tooltipPlugin } from "./uplotTooltip";

export interface CompareChartProps {
  runs: { id: string; name: string }[];
  metricKey: string;
  x: XAxis;
  log: boolean;
}

const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#9333ea", "#0891b2", "#db2777", "#65a30d"];

/**
 * One metric of several runs overlaid (uPlot), each series downsampled to the chart width; a
 * tooltip and the legend show every run's value at the cursor.
 */
export default function CompareChart({ runs, metricKey, x, log }: CompareChartProps) {
  const histories = useMetricHistories(
    runs.map((r) => r.id),
    metricKey,
  );
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  const ready = histories.every((h) => h.data !== undefined || h.error);
  const error = histories.find((h) => h.error)?.error;
  const dataKey = histories.map((h) => h.dataUpdatedAt).join(",");

  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => setWidth(Math.max(200, Math.floor(el.clientWidth))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const aligned = useMemo(() => {
    // No runs yet (a shared URL names the metric before the runs have loaded): uPlot.join
    // cannot join zero tables.
    if (!ready || histories.length === 0) return null;
    const parts = histories.map((h) => {
      const s = visibleSeries(chartPoints(h.data ?? [], x, log), width);
      return [s.x, s.y] as [number[], number[]];
    });
    const longest = Math.max(0, ...parts.map((p) => p[0].length));
    return { data: uPlot.join(parts), showPoints: longest <= 100, integerValues: parts.every((p) => allIntegers(p[1])) };
    // dataKey stands for the histories' contents.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ready, dataKey, x, log, width]);

  useEffect(() => {
    const el = box.current;
    if (!el || !aligned) return;
    const dark = getComputedStyle(document.documentElement).getPropertyValue("--fg-muted").trim() || "#666";
    const axis = { stroke: dark, grid: { stroke: "rgba(128,128,128,0.15)", width: 1 } };
    const plot = new uPlot(
      {
        width,
        height: 320,
        scales: { x: { time: x === "time" }, y: { distr: log ? 3 : 1 } },
        // Steps and integer values tick on integers only (never "0.5").
        axes: [
          x === "step" ? { ...axis, ...integerTicks("x", recordTicks(el, "x")) } : axis,
          !log && aligned.integerValues ? { ...axis, ...integerTicks("y", recordTicks(el, "y")) } : axis,
        ],
        series: [
          { label: x },
          ...runs.map((r, i) => ({
            label: r.name,
            stroke: PALETTE[i % PALETTE.length],
            width: 1.5,
            spanGaps: true,
            points: { show: aligned.showPoints },
          })),
        ],
        // Hovering dims the other runs; the legend and the tooltip give each run's value at
        // the cursor (its nearest point when it has none at that x).
        focus: { alpha: 0.3 },
        cursor: { drag: { x: true, y: false }, focus: { prox: 16 } },
        plugins: [tooltipPlugin((v) => formatCursorX(x, v))],
      },
      aligned.data,
      el,
    );
    return () => plot.destroy();
  }, [aligned, runs, width, x, log]);

  return (
    <div className="chart-box">
      <ErrorBanner error={error} />
      {!ready ? <p className="muted">Loading {metricKey}…</p> : null}
      <div ref={box} data-testid="compare-chart" />
    </div>
  );
}
