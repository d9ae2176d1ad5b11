// Hit-testing and tooltip text for the compare plots (pure; the canvases call these on hover).

/** A point in CSS pixels of a plot. */
export interface Pt {
  x: number;
  y: number;
}

/** Where a tooltip sits inside its plot box: a left or right offset and a top or bottom one. */
export interface TooltipAnchor {
  left?: number;
  right?: number;
  top?: number;
  bottom?: number;
}

/** Distance from `p` to the segment `a`-`b`. */
export function segmentDistance(p: Pt, a: Pt, b: Pt): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.min(1, Math.max(0, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/** Index of the point nearest to `at` within `maxDist` pixels (null points skipped), or null. */
export function nearestPoint(points: (Pt | null)[], at: Pt, maxDist: number): number | null {
  let best: number | null = null;
  let bestD = maxDist;
  points.forEach((p, i) => {
    if (!p) return;
    const d = Math.hypot(p.x - at.x, p.y - at.y);
    if (d <= bestD) {
      best = i;
      bestD = d;
    }
  });
  return best;
}

/**
 * Index of the polyline nearest to `at` within `maxDist` pixels, or null. A line is broken
 * where a vertex is null (as it is drawn); a vertex with no drawn neighbour counts as a point.
 */
export function nearestPolyline(lines: (Pt | null)[][], at: Pt, maxDist: number): number | null {
  let best: number | null = null;
  let bestD = maxDist;
  lines.forEach((line, i) => {
    let d = Infinity;
    line.forEach((p, j) => {
      if (!p) return;
      const next = line[j + 1];
      if (next) d = Math.min(d, segmentDistance(at, p, next));
      else if (!line[j - 1]) d = Math.min(d, Math.hypot(p.x - at.x, p.y - at.y));
    });
    if (d <= bestD) {
      best = i;
      bestD = d;
    }
  });
  return best;
}

/** A param or metric value as tooltip text ("—" when missing). */
export function formatValue(v: string | number | null | undefined): string {
  if (v === undefined || v === null || v === "") return "—";
  if (typeof v === "string") return v;
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-4) ? v.toExponential(4) : String(Math.round(v * 1e6) / 1e6);
}

/**
 * Anchor a tooltip `gap` pixels from the cursor at `at` inside a `width` x `height` box: to
 * its right and below, flipped to the left / above in the box's right / lower part.
 */
export function tooltipAnchor(at: Pt, width: number, height: number, gap = 12): TooltipAnchor {
  const horizontal = at.x > width * 0.6 ? { right: width - at.x + gap } : { left: at.x + gap };
  const vertical = at.y > height * 0.6 ? { bottom: height - at.y + gap } : { top: at.y + gap };
  return { ...horizontal, ...vertical };
}

/** The lines of an overlaid-chart tooltip: the x value, then "run: value" per run. */
export function cursorLines(xText: string, series: { label: string; value: number | null | undefined }[]): string[] {
  return [xText, ...series.map((s) => `${s.label}: ${formatValue(s.value)}`)];
}
