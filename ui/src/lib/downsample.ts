// Min/max bucketing of a long series for drawing: ~2 points per pixel, peaks survive.

export interface Series {
  x: number[];
  y: number[];
}

/**
 * Reduce a series sorted by x to at most two points per bucket: each bucket's minimum and
 * maximum y, in x order. Buckets split the x range evenly; non-finite y values are dropped.
 * Series already small enough (<= 2 * buckets finite points) come back unchanged.
 */
export function downsampleMinMax(xs: ArrayLike<number>, ys: ArrayLike<number>, buckets: number): Series {
  const n = Math.min(xs.length, ys.length);
  const fx: number[] = [];
  const fy: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = ys[i]!;
    if (Number.isFinite(y)) {
      fx.push(xs[i]!);
      fy.push(y);
    }
  }
  const b = Math.max(1, Math.floor(buckets));
  if (fx.length <= 2 * b) return { x: fx, y: fy };
  const x0 = fx[0]!;
  const span = fx[fx.length - 1]! - x0;
  const out: Series = { x: [], y: [] };
  let current = -1;
  let minI = -1;
  let maxI = -1;
  const flush = () => {
    if (current < 0) return;
    const [a, c] = minI <= maxI ? [minI, maxI] : [maxI, minI];
    out.x.push(fx[a]!);
    out.y.push(fy[a]!);
    if (c !== a) {
      out.x.push(fx[c]!);
      out.y.push(fy[c]!);
    }
  };
  for (let i = 0; i < fx.length; i++) {
    const bucket = span > 0 ? Math.min(b - 1, Math.floor(((fx[i]! - x0) / span) * b)) : 0;
    if (bucket !== current) {
      flush();
      current = bucket;
      minI = i;
      maxI = i;
    } else {
      if (fy[i]! < fy[minI]!) minI = i;
      if (fy[i]! > fy[maxI]!) maxI = i;
    }
  }
  flush();
  return out;
}
