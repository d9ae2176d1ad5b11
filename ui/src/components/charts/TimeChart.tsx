import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { formatValue, translucent, type ChartSpec } from "./chartSpec";
import "./charts.css";

/** Whole-number tick steps (1, 2, 5, 10, ...) for counts, so no axis reads "0, 0, 1, 1". */
const WHOLE_STEPS = Array.from({ length: 13 }, (_, e) => [1, 2, 5].map((m) => m * 10 ** e)).flat();

/** One chart over time (uPlot on a canvas), sized to its box. Loaded on demand. */
export default function TimeChart({ spec }: { spec: ChartSpec }) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(480);

  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => setWidth(Math.max(200, Math.floor(el.clientWidth))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const muted = getComputedStyle(document.documentElement).getPropertyValue("--fg-muted").trim() || "#666";
    const axis = { stroke: muted, grid: { stroke: "rgba(128,128,128,0.15)", width: 1 } };
    const fmt = (v: number | null) => formatValue(v, spec.unit);
    const plot = new uPlot(
      {
        width,
        height: 200,
        scales: { x: { time: true }, ...(spec.unit === "ratio" ? { y: { range: [0, 1] as [number, number] } } : {}) },
        axes: [
          axis,
          {
            ...axis,
            size: 60,
            values: (_u: uPlot, splits: number[]) => splits.map(fmt),
            ...(spec.unit === "count" || spec.unit === "tokens" ? { incrs: WHOLE_STEPS } : {}),
          },
        ],
        series: [
          {},
          ...spec.series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: s.edge ? 0.5 : 1.5,
            ...(s.edge ? { dash: [3, 3] } : {}),
            spanGaps: false,
            points: { show: !s.edge && spec.x.length <= 60 },
            value: (_u: uPlot, v: number | null) => fmt(v),
          })),
        ],
        bands: (spec.bands ?? []).map((b) => ({
          series: [b.upper + 1, b.lower + 1] as [number, number],
          fill: translucent(b.color, 0.15),
        })),
      },
      [spec.x, ...spec.series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
    return () => plot.destroy();
  }, [spec, width]);

  return <div ref={box} data-testid={`overview-chart-${spec.id}`} className="overview-chart" />;
}
