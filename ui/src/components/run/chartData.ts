// Turn a metric history into the x/y arrays a chart draws (sorted; time in seconds).
import type { Metric } from "@ardea/api/types";
import { downsampleMinMax, type Series } from "@ardea/lib/downsample";
import { toNumber } from "@ardea/lib/format";

/** Step, wall-clock time (seconds since the epoch) or seconds since the run's first point. */
export type XAxis = "step" | "time" | "relative";

/** Parse an `x` URL value into an axis (anything unknown is "step"). */
export function parseXAxis(v: string | null): XAxis {
  return v === "time" || v === "relative" ? v : "step";
}

/** Parse a `smooth` URL value into an EMA weight in 0..0.99 (0 = no smoothing). */
export function parseSmoothing(v: string | null): number {
  const n = Number(v);
  return Number.isFinite(n) ? Math.min(0.99, Math.max(0, n)) : 0;
}

/**
 * Exponential moving average of `ys` with weight `alpha` (0 = unchanged, 0.99 = very smooth),
 * debiased like TensorBoard so the first values are not pulled towards 0. Non-finite values
 * pass through unchanged and do not affect the average.
 */
export function smoothEma(ys: number[], alpha: number): number[] {
  const a = Math.min(0.99, Math.max(0, alpha));
  if (a === 0) return ys.slice();
  let last = 0;
  let n = 0;
  return ys.map((y) => {
    if (!Number.isFinite(y)) return y;
    last = last * a + (1 - a) * y;
    n++;
    return last / (1 - Math.pow(a, n));
  });
}

/** Every drawable point of a history, sorted by x, and how many a log scale had to drop. */
export interface ChartPoints extends Series {
  dropped: number;
}

/** Sort `history` by the x axis; for a log scale, leave out values <= 0 (and count them). */
export function chartPoints(history: Metric[], x: XAxis, log: boolean): ChartPoints {
  const pts = history.map((m) => ({
    step: toNumber(m.step),
    time: toNumber(m.timestamp) / 1000,
    y: toNumber(m.value),
  }));
  pts.sort((a, b) => (x === "step" ? a.step - b.step || a.time - b.time : a.time - b.time || a.step - b.step));
  const out: ChartPoints = { x: [], y: [], dropped: 0 };
  const t0 = pts.reduce((min, p) => Math.min(min, p.time), Infinity);
  for (const p of pts) {
    if (log && !(p.y > 0)) {
      out.dropped++;
      continue;
    }
    out.x.push(x === "step" ? p.step : x === "relative" ? p.time - t0 : p.time);
    out.y.push(p.y);
  }
  return out;
}

function lowerBound(xs: number[], v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The points to draw for the x window [lo, hi] (the whole series when omitted): min/max per
 * bucket, `width` buckets (about two points per pixel), plus one point beyond each edge so the
 * line reaches the sides of a zoomed chart.
 */
export function visibleSeries(all: Series, width: number, lo?: number, hi?: number): Series {
  const start = lo === undefined ? 0 : Math.max(0, lowerBound(all.x, lo) - 1);
  const end = hi === undefined ? all.x.length : Math.min(all.x.length, lowerBound(all.x, hi) + 1);
  return downsampleMinMax(all.x.slice(start, end), all.y.slice(start, end), Math.max(50, Math.floor(width)));
}

/** `chartPoints` then `visibleSeries` over the whole range. */
export function chartSeries(history: Metric[], x: XAxis, log: boolean, width: number): ChartPoints {
  const all = chartPoints(history, x, log);
  return { ...visibleSeries(all, width), dropped: all.dropped };
}
