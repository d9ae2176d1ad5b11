// Turn a metric history into the x/y arrays a chart draws (sorted; time in seconds).
import type { Metric } from "@ardea/api/types";
import { downsampleMinMax, type Series } from "@ardea/lib/downsample";
import { toNumber } from "@ardea/lib/format";

export type XAxis = "step" | "time";

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
  for (const p of pts) {
    if (log && !(p.y > 0)) {
      out.dropped++;
      continue;
    }
    out.x.push(x === "step" ? p.step : p.time);
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
