import { useEffect, useMemo, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useMetricHistory } from "@ardea/api/queries/runs";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { chartPoints, smoothEma, visibleSeries, type XAxis } from "./chartData";
import { allIntegers, integerTicks, recordTicks } from "./ticks";

export interface MetricChartProps {
  runId: string;
  metricKey: string;
  x: XAxis;
  log: boolean;
  /** EMA weight 0..0.99 applied to the drawn (downsampled) points; 0 = off. */
  smoothing?: number;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** One metric's full history as a uPlot line chart (canvas), downsampled to the chart width. */
export default function MetricChart({ runId, metricKey, x, log, smoothing = 0 }: MetricChartProps) {
  const history = useMetricHistory(runId, metricKey);
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  const [themeTick, setThemeTick] = useState(0);
  const [info, setInfo] = useState("");

  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => setWidth(Math.max(200, Math.floor(el.clientWidth))));
    ro.observe(el);
    const bump = () => setThemeTick((t) => t + 1);
    window.addEventListener("ardea-theme", bump);
    const mq = window.matchMedia?.("(prefers-color-scheme: dark)");
    mq?.addEventListener?.("change", bump);
    return () => {
      ro.disconnect();
      window.removeEventListener("ardea-theme", bump);
      mq?.removeEventListener?.("change", bump);
    };
  }, []);

  const points = useMemo(() => (history.data ? chartPoints(history.data, x, log) : null), [history.data, x, log]);

  useEffect(() => {
    const el = box.current;
    if (!el || !points) return;
    const total = points.x.length;
    const describe = (drawn: number) =>
      setInfo(
        `${(total + points.dropped).toLocaleString()} point${total + points.dropped === 1 ? "" : "s"}` +
          (drawn < total ? `, ${drawn.toLocaleString()} drawn (min/max per pixel)` : "") +
          (points.dropped ? `; ${points.dropped} values <= 0 hidden on the log scale` : ""),
      );
    const smooth = smoothing > 0;
    // Smoothing runs after the min/max downsampling, on the points of the visible window.
    const columns = (s: { x: number[]; y: number[] }): uPlot.AlignedData =>
      smooth ? [s.x, s.y, smoothEma(s.y, smoothing)] : [s.x, s.y];
    const full = visibleSeries(points, width);
    describe(full.x.length);
    const grid = { stroke: cssVar("--chart-grid", "#ddd"), width: 1 };
    const axis = { stroke: cssVar("--fg-muted", "#666"), grid, ticks: grid };
    let lastWindow = "";
    const plot = new uPlot(
      {
        width,
        height: 320,
        scales: { x: { time: x === "time" }, y: { distr: log ? 3 : 1 } },
        // Steps and integer values tick on integers only (never "0.5").
        axes: [
          x === "step" ? { ...axis, ...integerTicks("x", recordTicks(el, "x")) } : axis,
          !log && allIntegers(points.y) ? { ...axis, ...integerTicks("y", recordTicks(el, "y")) } : axis,
        ],
        series: [
          { label: x },
          smooth
            ? { label: `${metricKey} (raw)`, stroke: "rgba(128,128,128,0.35)", width: 1, points: { show: false } }
            : { label: metricKey, stroke: cssVar("--chart-line", "#2563eb"), width: 1.5, points: { show: total <= 100 } },
          ...(smooth ? [{ label: `${metricKey} (smoothed)`, stroke: cssVar("--chart-line", "#2563eb"), width: 1.5, points: { show: false } }] : []),
        ],
        legend: { show: true },
        cursor: {
          drag: { x: true, y: false },
          bind: {
            // Double-click: back to the whole series (not just the zoomed sample).
            dblclick: (u) => () => {
              lastWindow = "";
              u.setData(columns(full), true);
              describe(full.x.length);
              return null;
            },
          },
        },
        hooks: {
          // Zoom: re-sample the visible window from the full history, so detail appears.
          setScale: [
            (u, key) => {
              if (key !== "x") return;
              const { min, max } = u.scales.x!;
              if (min == null || max == null) return;
              const window = `${min}:${max}`;
              if (window === lastWindow) return; // our own re-sampling below, or no change
              lastWindow = window;
              const part = visibleSeries(points, width, min, max);
              describe(part.x.length);
              // Outside the hook: new data (so uPlot re-indexes it and fits y), then the window.
              queueMicrotask(() =>
                u.batch(() => {
                  u.setData(columns(part), true);
                  u.setScale("x", { min, max });
                }),
              );
            },
          ],
        },
      },
      columns(full),
      el,
    );
    return () => plot.destroy();
  }, [points, x, log, width, metricKey, themeTick, smoothing]);

  return (
    <div className="chart-box">
      <ErrorBanner error={history.error} />
      {history.isPending ? <p className="muted">Loading {metricKey}…</p> : null}
      <div ref={box} data-testid="metric-chart" />
      <p className="muted">{info} {info ? "· drag to zoom, double-click to reset" : ""}</p>
    </div>
  );
}
