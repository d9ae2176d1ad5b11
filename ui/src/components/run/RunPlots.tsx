import { useEffect, useMemo, useRef, useState, type MouseEvent } from "react";
import type { Run } from "@ardea/api/types";
import { axisPosition, axisTicks, buildAxis, dimValue, parallelLayout, type Dim } from "./parallel";
import { formatValue, nearestPoint, nearestPolyline, tooltipAnchor, type Pt } from "./plotHover";

const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#9333ea", "#0891b2", "#db2777", "#65a30d"];
const HEIGHT = 320;
const PAD = { top: 24, bottom: 28, left: 60, right: 60 };
/** How close (CSS px) the pointer must be to a dot or line to hover it. */
const HIT = 8;

function useWidth(box: React.RefObject<HTMLDivElement | null>): number {
  const [width, setWidth] = useState(800);
  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => setWidth(Math.max(300, Math.floor(el.clientWidth))));
    ro.observe(el);
    return () => ro.disconnect();
  }, [box]);
  return width;
}

function setup(canvas: HTMLCanvasElement, width: number): CanvasRenderingContext2D | null {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = width * dpr;
  canvas.height = HEIGHT * dpr;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${HEIGHT}px`;
  const ctx = canvas.getContext?.("2d") ?? null;
  if (!ctx) return null;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, HEIGHT);
  ctx.font = "11px sans-serif";
  return ctx;
}

function muted(): string {
  return getComputedStyle(document.documentElement).getPropertyValue("--fg-muted").trim() || "#666";
}

function clip(s: string, n = 18): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function runName(r: Run): string {
  return r.info.run_name || r.info.run_id;
}

/** The pointer position over a canvas, in its CSS pixels. */
function pointer(e: MouseEvent<HTMLCanvasElement>): Pt {
  const rect = e.currentTarget.getBoundingClientRect();
  return { x: e.clientX - rect.left, y: e.clientY - rect.top };
}

interface Hover {
  index: number;
  at: Pt;
}

/** A hover tooltip: plain text lines (React text nodes, never HTML). */
function Tooltip({ hover, lines, width, testId }: { hover: Hover; lines: string[]; width: number; testId: string }) {
  return (
    <div className="plot-tooltip" role="tooltip" data-testid={testId} style={tooltipAnchor(hover.at, width, HEIGHT)}>
      {lines.join("\n")}
    </div>
  );
}

interface HoverCanvasProps {
  canvas: React.RefObject<HTMLCanvasElement | null>;
  width: number;
  label: string;
  testId: string;
  tooltipTestId: string;
  hover: Hover | null;
  setHover: (hover: Hover | null) => void;
  /** The index of the item under the pointer, or null. */
  pick: (at: Pt) => number | null;
  /** The tooltip's lines for an item (null: no tooltip). */
  lines: (index: number) => string[] | null;
}

/** A plot canvas that tracks the hovered item (see `pick`) and shows its text tooltip. */
function HoverCanvas({ canvas, width, label, testId, tooltipTestId, hover, setHover, pick, lines }: HoverCanvasProps) {
  const shown = hover ? lines(hover.index) : null;
  const onMove = (e: MouseEvent<HTMLCanvasElement>) => {
    const at = pointer(e);
    const index = pick(at);
    setHover(index === null ? null : { index, at });
  };
  return (
    <div style={{ position: "relative" }}>
      <canvas
        ref={canvas}
        data-testid={testId}
        aria-label={label}
        role="img"
        onMouseMove={onMove}
        onMouseLeave={() => setHover(null)}
        style={{ cursor: hover ? "pointer" : undefined }}
      />
      {hover && shown ? <Tooltip hover={hover} width={width} testId={tooltipTestId} lines={shown} /> : null}
    </div>
  );
}

/**
 * Parallel coordinates on a canvas: one vertical axis per dim, one polyline per run. Hovering a
 * line highlights it and shows the run's name and values.
 */
export function ParallelCoordinates({ runs, dims }: { runs: Run[]; dims: Dim[] }) {
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const width = useWidth(box);
  const [hover, setHover] = useState<Hover | null>(null);
  const geometry = useMemo(() => {
    const { axes, lines } = parallelLayout(runs, dims);
    const plotW = width - PAD.left - PAD.right;
    const ax = (i: number) => PAD.left + (axes.length === 1 ? plotW / 2 : (i * plotW) / (axes.length - 1));
    const ay = (p: number) => PAD.top + (1 - p) * (HEIGHT - PAD.top - PAD.bottom);
    const points = lines.map((line) => line.map((p, i) => (p === null ? null : { x: ax(i), y: ay(p) })));
    return { axes, points, ax, ay };
  }, [runs, dims, width]);
  const hovered = hover?.index ?? null;

  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const ctx = setup(c, width);
    if (!ctx || dims.length === 0) return;
    const { axes, points, ax, ay } = geometry;
    const fg = muted();
    const stroke = (line: (Pt | null)[], r: number) => {
      ctx.strokeStyle = PALETTE[r % PALETTE.length]!;
      ctx.beginPath();
      let drawing = false;
      for (const p of line) {
        if (p === null) {
          drawing = false;
          continue;
        }
        if (drawing) ctx.lineTo(p.x, p.y);
        else ctx.moveTo(p.x, p.y);
        drawing = true;
      }
      ctx.stroke();
    };
    ctx.lineWidth = 1.5;
    ctx.globalAlpha = hovered === null ? 0.8 : 0.2;
    points.forEach((line, r) => {
      if (r !== hovered) stroke(line, r);
    });
    if (hovered !== null && points[hovered]) {
      ctx.globalAlpha = 1;
      ctx.lineWidth = 3;
      stroke(points[hovered], hovered);
    }
    ctx.globalAlpha = 1;
    ctx.strokeStyle = fg;
    ctx.fillStyle = fg;
    ctx.lineWidth = 1;
    axes.forEach((a, i) => {
      const x = ax(i);
      ctx.beginPath();
      ctx.moveTo(x, ay(0));
      ctx.lineTo(x, ay(1));
      ctx.stroke();
      ctx.textAlign = "center";
      ctx.fillText(clip(a.label, 24), x, PAD.top - 8);
      ctx.textAlign = "left";
      for (const t of axisTicks(a)) ctx.fillText(clip(t.label), x + 4, ay(t.pos) + 4);
    });
  }, [geometry, dims.length, width, hovered]);

  const lines = (index: number) => {
    const run = runs[index];
    return run ? [runName(run), ...geometry.axes.map((a) => `${clip(a.label, 32)}: ${formatValue(dimValue(run, a.dim))}`)] : null;
  };
  return (
    <div ref={box} className="chart-box">
      <HoverCanvas
        canvas={canvas}
        width={width}
        label="Parallel coordinates"
        testId="parallel-coordinates"
        tooltipTestId="parallel-tooltip"
        hover={hover}
        setHover={setHover}
        pick={(at) => nearestPolyline(geometry.points, at, HIT)}
        lines={lines}
      />
      <p className="muted">
        {runs.map((r, i) => (
          <span
            key={r.info.run_id}
            style={{ color: PALETTE[i % PALETTE.length], marginRight: "1em", fontWeight: i === hovered ? 700 : undefined }}
          >
            ■ {runName(r)}
          </span>
        ))}
      </p>
    </div>
  );
}

/**
 * A scatter plot on a canvas: `x` (param or metric) against `y` (a metric), one dot per run.
 * Hovering a dot shows the run's name and its x and y values.
 */
export function ScatterPlot({ runs, x, y }: { runs: Run[]; x: Dim; y: Dim }) {
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const width = useWidth(box);
  const [hover, setHover] = useState<Hover | null>(null);
  const geometry = useMemo(() => {
    const xa = buildAxis(x, runs.map((r) => dimValue(r, x)));
    const ya = buildAxis(y, runs.map((r) => dimValue(r, y)));
    const plotW = width - PAD.left - PAD.right;
    const plotH = HEIGHT - PAD.top - PAD.bottom;
    const px = (p: number) => PAD.left + p * plotW;
    const py = (p: number) => PAD.top + (1 - p) * plotH;
    const points = runs.map((r) => {
      const a = axisPosition(xa, dimValue(r, x));
      const b = axisPosition(ya, dimValue(r, y));
      return a === null || b === null ? null : { x: px(a), y: py(b) };
    });
    return { xa, ya, plotW, plotH, px, py, points };
  }, [runs, x, y, width]);
  const hovered = hover?.index ?? null;

  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const ctx = setup(c, width);
    if (!ctx || !x || !y) return;
    const { xa, ya, plotW, plotH, px, py, points } = geometry;
    const fg = muted();
    ctx.strokeStyle = fg;
    ctx.fillStyle = fg;
    ctx.strokeRect(PAD.left, PAD.top, plotW, plotH);
    ctx.textAlign = "center";
    for (const t of axisTicks(xa)) ctx.fillText(clip(t.label), px(t.pos), HEIGHT - PAD.bottom + 14);
    ctx.fillText(clip(xa.label, 40), PAD.left + plotW / 2, HEIGHT - 2);
    ctx.textAlign = "right";
    for (const t of axisTicks(ya)) ctx.fillText(clip(t.label, 9), PAD.left - 4, py(t.pos) + 4);
    ctx.textAlign = "left";
    ctx.fillText(clip(ya.label, 40), PAD.left, PAD.top - 8);
    points.forEach((p, i) => {
      if (!p) return;
      ctx.fillStyle = PALETTE[i % PALETTE.length]!;
      ctx.beginPath();
      ctx.arc(p.x, p.y, i === hovered ? 6 : 4, 0, 2 * Math.PI);
      ctx.fill();
      if (i === hovered) {
        ctx.strokeStyle = fg;
        ctx.lineWidth = 1.5;
        ctx.stroke();
      }
    });
  }, [geometry, x, y, width, hovered]);

  const lines = (index: number) => {
    const run = runs[index];
    return run
      ? [
          runName(run),
          `${clip(geometry.xa.label, 32)}: ${formatValue(dimValue(run, x))}`,
          `${clip(geometry.ya.label, 32)}: ${formatValue(dimValue(run, y))}`,
        ]
      : null;
  };
  return (
    <div ref={box} className="chart-box">
      <HoverCanvas
        canvas={canvas}
        width={width}
        label="Scatter plot"
        testId="scatter-plot"
        tooltipTestId="scatter-tooltip"
        hover={hover}
        setHover={setHover}
        pick={(at) => nearestPoint(geometry.points, at, HIT)}
        lines={lines}
      />
    </div>
  );
}
