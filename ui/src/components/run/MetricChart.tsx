import { useEffect, useMemo, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useMetricHistory } from "@ardea/api/queries/runs";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { chartPoints, visibleSeries, type XAxis } from "./chartData";

export interface MetricChartProps {
  runId: string;
  metricKey: string;
  x: XAxis;
  log: boolean;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** One metric's full history as a uPlot line chart (canvas), downsampled to the chart width. */
export default function MetricChart({ runId, metricKey, x, log }: MetricChartProps) {
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
        axes: [axis, axis],
        series: [
          { label: x },
          { label: metricKey, stroke: cssVar("--chart-line", "#2563eb"), width: 1.5, points: { show: total <= 100 } },
        ],
        legend: { show: true },
        cursor: {
          drag: { x: true, y: false },
          bind: {
            // Double-click: back to the whole series (not just the zoomed sample).
            dblclick: (u) => () => {
              lastWindow = "";
              u.setData([full.x, full.y], true);
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
                  u.setData([part.x, part.y], true);
                  u.setScale("x", { min, max });
                }),
              );
            },
          ],
        },
      },
      [full.x, full.y],
      el,
    );
    return () => plot.destroy();
  }, [points, x, log, width, metricKey, themeTick]);

  return (
    <div className="chart-box">
      <ErrorBanner error={history.error} />
      {history.isPending ? <p className="muted">Loading {metricKey}…</p> : null}
      <div ref={box} data-testid="metric-chart" />
      <p className="muted">{info} {info ? "· drag to zoom, double-click to reset" : ""}</p>
    </div>
  );
}
