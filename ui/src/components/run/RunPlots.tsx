import { useEffect, useRef, useState } from "react";
import type { Run } from "@ardea/api/types";
import { axisPosition, axisTicks, buildAxis, dimValue, parallelLayout, type Dim } from "./parallel";

const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#9333ea", "#0891b2", "#db2777", "#65a30d"];
const HEIGHT = 320;
const PAD = { top: 24, bottom: 28, left: 60, right: 60 };

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

/** Parallel coordinates on a canvas: one vertical axis per dim, one polyline per run. */
export function ParallelCoordinates({ runs, dims }: { runs: Run[]; dims: Dim[] }) {
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const width = useWidth(box);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const ctx = setup(c, width);
    if (!ctx || dims.length === 0) return;
    const { axes, lines } = parallelLayout(runs, dims);
    const plotW = width - PAD.left - PAD.right;
    const ax = (i: number) => PAD.left + (axes.length === 1 ? plotW / 2 : (i * plotW) / (axes.length - 1));
    const ay = (p: number) => PAD.top + (1 - p) * (HEIGHT - PAD.top - PAD.bottom);
    const fg = muted();
    ctx.lineWidth = 1.5;
    lines.forEach((line, r) => {
      ctx.strokeStyle = PALETTE[r % PALETTE.length]!;
      ctx.globalAlpha = 0.8;
      ctx.beginPath();
      let drawing = false;
      line.forEach((p, i) => {
        if (p === null) {
          drawing = false;
          return;
        }
        if (drawing) ctx.lineTo(ax(i), ay(p));
        else ctx.moveTo(ax(i), ay(p));
        drawing = true;
      });
      ctx.stroke();
    });
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
  }, [runs, dims, width]);
  return (
    <div ref={box} className="chart-box">
      <canvas ref={canvas} data-testid="parallel-coordinates" aria-label="Parallel coordinates" role="img" />
      <p className="muted">
        {runs.map((r, i) => (
          <span key={r.info.run_id} style={{ color: PALETTE[i % PALETTE.length], marginRight: "1em" }}>
            ■ {r.info.run_name || r.info.run_id}
          </span>
        ))}
      </p>
    </div>
  );
}

/** A scatter plot on a canvas: `x` (param or metric) against `y` (a metric), one dot per run. */
export function ScatterPlot({ runs, x, y }: { runs: Run[]; x: Dim; y: Dim }) {
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const width = useWidth(box);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const ctx = setup(c, width);
    if (!ctx || !x || !y) return;
    const xa = buildAxis(x, runs.map((r) => dimValue(r, x)));
    const ya = buildAxis(y, runs.map((r) => dimValue(r, y)));
    const plotW = width - PAD.left - PAD.right;
    const plotH = HEIGHT - PAD.top - PAD.bottom;
    const px = (p: number) => PAD.left + p * plotW;
    const py = (p: number) => PAD.top + (1 - p) * plotH;
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
    runs.forEach((r, i) => {
      const a = axisPosition(xa, dimValue(r, x));
      const b = axisPosition(ya, dimValue(r, y));
      if (a === null || b === null) return;
      ctx.fillStyle = PALETTE[i % PALETTE.length]!;
      ctx.beginPath();
      ctx.arc(px(a), py(b), 4, 0, 2 * Math.PI);
      ctx.fill();
    });
  }, [runs, x, y, width]);
  return (
    <div ref={box} className="chart-box">
      <canvas ref={canvas} data-testid="scatter-plot" aria-label="Scatter plot" role="img" />
    </div>
  );
}
